"""What the workspace's API accepts: the bodies and parameters of its requests, checked, and the JSON
error it answers with otherwise (``{"error": code, "message": 中文说明}``; docs/workspace.md)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.handoff.models import CALLBACK_OUTCOMES, REACHED

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
        raise ApiError(400, "bad_request", "请求内容不是有效的 JSON")


def check_login(body: Any) -> Tuple[str, str]:
    """(username, password) of a login; a name or password too long to be anyone's is a wrong one (401)."""
    username = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise ApiError(400, "bad_request", "请输入账号和密码")
    username = username.strip()
    if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        raise ApiError(401, "wrong_password", "账号或密码不正确")
    return username, password


def check_reply(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "bad_request", "请求格式不对：需要 JSON {\"text\": \"…\"}")
    text = body["text"].strip()
    if not text:
        raise ApiError(400, "empty_reply", "回复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        raise ApiError(400, "reply_too_long", f"回复太长了（{len(text)} 字），最多 {MAX_REPLY_CHARS} 字")
    return text


def check_callback(body: Any) -> Tuple[str, str]:
    """(outcome, note) of a call-back report; ApiError (400) for anything else."""
    if not isinstance(body, dict) or not isinstance(body.get("note", ""), (str, type(None))):
        raise ApiError(400, "bad_request", "请求格式不对：需要 JSON {\"outcome\": \"reached\" 或 \"no_answer\", \"note\": \"…\"}")
    outcome = body.get("outcome")
    if outcome not in CALLBACK_OUTCOMES:
        raise ApiError(400, "bad_outcome", "回电结果只能是 reached（已联系）或 no_answer（未接通）")
    note = (body.get("note") or "").strip()
    if outcome == REACHED and not note:
        raise ApiError(400, "empty_note", "已联系上顾客，请写下沟通结果")
    if len(note) > MAX_REPLY_CHARS:
        raise ApiError(400, "note_too_long", f"备注太长了（{len(note)} 字），最多 {MAX_REPLY_CHARS} 字")
    return outcome, note


def check_since(raw: Optional[str]) -> Optional[int]:
    """The ``since`` parameter of a message list: a message id, or None for all of them."""
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        raise ApiError(400, "bad_request", "since 必须是消息编号（整数）")
