"""The agent workspace as a Rasa input channel (credentials.yml ``kefu.workspace.channel.AgentWorkspaceInput``),
served by the Rasa server at /webhooks/workspace/: the page and its static files, the JSON API, and the
task that puts claims whose agent went quiet back in the queue (docs/workspace.md)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.handoff.service import DATABASE_ERRORS, HandoffService, handoff_service
from kefu.settings import Settings
from kefu.storage.phrases import plain_phrase
from kefu.workspace.api import Handler, WorkspaceApi
from kefu.workspace.auth import SESSION_HOURS, SessionSigner, workspace_secret
from kefu.workspace.checks import error_response

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"app.js": "application/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


class AgentWorkspaceInput(InputChannel):
    """The agent workspace, served by the Rasa server under /webhooks/workspace/."""

    @classmethod
    def name(cls) -> Text:
        return "workspace"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "AgentWorkspaceInput":
        credentials = credentials or {}
        return cls(session_hours=float(credentials.get("session_hours") or SESSION_HOURS))

    def __init__(self, session_hours: float = SESSION_HOURS,
                 service_factory: Callable[[], HandoffService] = handoff_service,
                 settings: Optional[Settings] = None) -> None:
        settings = settings or Settings.from_env()
        self.api = WorkspaceApi(SessionSigner(workspace_secret(settings), session_hours * 3600), service_factory,
                                settings)
        self._release_task: Optional[asyncio.Task] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # No shopper writes here (on_new_message is unused): agents' replies go
        # into the conversation through kefu.handoff.conversation.
        workspace = Blueprint("agent_workspace", __name__)
        api = self.api

        @workspace.listener("before_server_start")
        async def start_releasing(app: Any, _loop: Any) -> None:
            await asyncio.to_thread(lambda: api.service)  # creates the tables before the first request
            self._release_task = asyncio.ensure_future(self._release_periodically())

        @workspace.listener("before_server_stop")
        async def stop_releasing(app: Any, _loop: Any) -> None:
            if self._release_task is not None:
                self._release_task.cancel()

        @workspace.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page loads app.js and calls api/… relative to its own address.
                return response.redirect(request.path + "/")
            return await response.file(STATIC_DIR / "index.html", mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache"})

        @workspace.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return error_response(404, "not_found", plain_phrase("workspace_no_such_file"))
            return await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name],
                                       headers={"Cache-Control": "no-cache"})

        @workspace.route("/api/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            return await api.guarded(api.login, request)

        @workspace.route("/api/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            return await api.logout(request)

        def add(path: str, method: str, handler: Handler) -> None:
            checked = api.with_session(handler)

            async def route(request: Request, **params: Any) -> HTTPResponse:
                return await api.guarded(checked, request, **params)

            workspace.add_route(route, path, methods=[method], name=handler.__name__)

        for path, method, handler in api.session_routes():
            add(path, method, handler)
        return workspace

    async def _release_periodically(self) -> None:
        # Nobody may be reading the queue (every agent's browser is closed);
        # the cases must go back all the same.
        interval = self.api.heartbeat_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                released = await asyncio.to_thread(self.api.service.release_stale_claims)
                if released:
                    logger.info("released stale claims: %s", released)
            except DATABASE_ERRORS:
                logger.exception("could not release stale claims")
