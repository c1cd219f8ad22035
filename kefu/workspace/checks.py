"""What the workspace's API accepts: the bodies and parameters of its requests, checked, and the JSON
error it answers with otherwise (``{"error": code, "message": 中文说明}``; docs/workspace.md)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.storage.handoff_models import CALLBACK_OUTCOMES, REACHED
from kefu.storage.phrases import plain_phrase

# Longer than any shop platform lets one chat message be; an agent pasting a
# whole document is told so instead of the shopper getting a wall of text.
MAX_REPLY_CHARS = 2000
# Bounds what reaches scrypt (a 10 MB "password" costs a core for seconds).
MAX_USERNAME_CHARS = 50
MAX_PASSWORD_CHARS = 200


class ApiError(Exception):
    """A request the API refuses: the HTTP status, a code for the page and a message for the agent."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


def json_body(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # Sanic raises its own InvalidUsage for a body that is not JSON
        raise ApiError(400, "bad_request", plain_phrase("workspace_body_not_json"))


def check_login(body: Any) -> Tuple[str, str]:
    """(username, password) of a login; a name or password too long to be anyone's is a wrong one (401)."""
    username = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise ApiError(400, "bad_request", plain_phrase("workspace_login_missing"))
    username = username.strip()
    if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        raise ApiError(401, "wrong_password", plain_phrase("workspace_wrong_password"))
    return username, password


def check_reply(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "bad_request", plain_phrase("workspace_reply_malformed"))
    text = body["text"].strip()
    if not text:
        raise ApiError(400, "empty_reply", plain_phrase("workspace_reply_empty"))
    if len(text) > MAX_REPLY_CHARS:
        raise ApiError(400, "reply_too_long",
                       plain_phrase("workspace_reply_too_long", length=len(text), limit=MAX_REPLY_CHARS))
    return text


def check_callback(body: Any) -> Tuple[str, str]:
    """(outcome, note) of a call-back report; ApiError (400) for anything else."""
    if not isinstance(body, dict) or not isinstance(body.get("note", ""), (str, type(None))):
        raise ApiError(400, "bad_request", plain_phrase("workspace_callback_malformed"))
    outcome = body.get("outcome")
    if outcome not in CALLBACK_OUTCOMES:
        raise ApiError(400, "bad_outcome", plain_phrase("workspace_callback_bad_outcome"))
    note = (body.get("note") or "").strip()
    if outcome == REACHED and not note:
        raise ApiError(400, "empty_note", plain_phrase("workspace_callback_note_missing"))
    if len(note) > MAX_REPLY_CHARS:
        raise ApiError(400, "note_too_long",
                       plain_phrase("workspace_callback_note_too_long", length=len(note), limit=MAX_REPLY_CHARS))
    return outcome, note


def check_since(raw: Optional[str]) -> Optional[int]:
    """The ``since`` parameter of a message list: a message id, or None for all of them."""
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        raise ApiError(400, "bad_request", plain_phrase("workspace_since_not_a_number"))
