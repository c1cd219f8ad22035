"""Rasa's REST channel with human handoff (credentials.yml ``kefu.channels.rest.HandoffRestInput``): the
same name, ``POST /webhooks/rest/webhook`` and payloads, handled by ``kefu.channels.relay``, plus
``GET /webhooks/rest/messages?sender=<id>[&after=<message id>]`` for a client that polls for the agent's
replies (docs/handoff.md: the REST channel).

Before a message reaches the relay (docs/security.md: the shoppers' channels): the client's address
is stamped into its metadata (``kefu.security.client``), the limits of ``kefu.channels.limits`` apply,
and the sender id's session token (``kefu.channels.sessions``) is checked or, for a new sender id,
issued in the ``X-Session-Token`` response header. The webhook stays public: a message without a token
is answered by the bot as before, but the agent's replies go out only with the token."""

from __future__ import annotations

import asyncio
import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.clients import notice
from kefu.channels.limits import MessageLimits
from kefu.channels.relay import HandoffChannel
from kefu.channels.sessions import TOKEN_HEADER, SessionCheck, session_tokens
from kefu.handoff.delivery import deliver_pending
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.security.client import client_address, stamp_client
from kefu.settings import Settings
from kefu.storage.phrases import plain_phrase

logger = logging.getLogger(__name__)

# An id the databases can compare with (a 64-bit integer); anything else is a client's mistake.
MESSAGE_ID = re.compile(r"-?[0-9]{1,18}")
TOKEN_QUERY_PARAMETER = "session_token"
# The HTTP status of a turn whose message reached neither the bot nor the agent (the body says to resend).
MESSAGE_LOST_STATUS = 503


@dataclass
class WebhookTurn:
    """What the webhook's screening decided about one request, for the handler and the response."""

    agent_replies_allowed: bool
    new_token: Optional[str] = None
    message_lost: bool = False


# The turn of the webhook request being handled: the request's middleware,
# Rasa's handler and the response's middleware run in one task.
_current_turn: ContextVar[Optional[WebhookTurn]] = ContextVar("kefu_rest_turn", default=None)


class HandoffRestInput(HandoffChannel, RestInput):
    _limits: Optional[MessageLimits] = None
    _trust_forwarded: bool = False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(self.handoff_handler(on_new_message))
        self.remember_app(webhook)
        settings = Settings.from_env()
        self._limits = MessageLimits.from_settings(settings)
        self._trust_forwarded = settings.trust_forwarded_headers

        @webhook.middleware("request")
        async def screen_message(request: Request) -> Optional[HTTPResponse]:
            if _is_webhook(request):
                return await self._screen(request)
            return None

        @webhook.middleware("response")
        async def finish_turn(request: Request, answer: Any) -> None:
            turn = getattr(request.ctx, "kefu_turn", None) if _is_webhook(request) else None
            if turn is None:
                return
            if turn.new_token:
                answer.headers[TOKEN_HEADER] = turn.new_token
                # A shop's page on another origin may read it (CORS hides other headers).
                answer.headers["Access-Control-Expose-Headers"] = TOKEN_HEADER
            if turn.message_lost and hasattr(answer, "status"):
                answer.status = MESSAGE_LOST_STATUS

        @webhook.route("/messages", methods=["GET"])
        async def pending_messages(request: Request) -> HTTPResponse:
            sender_id = (request.args.get("sender") or "").strip()
            if not sender_id:
                return _error(400, "missing_sender", plain_phrase("rest_missing_sender"))
            after = request.args.get("after")
            if after is not None and not MESSAGE_ID.fullmatch(after.strip()):
                return _error(400, "bad_after", plain_phrase("rest_bad_after"))
            token = request.headers.get(TOKEN_HEADER) or request.args.get(TOKEN_QUERY_PARAMETER)
            if not token:
                return _error(401, "session_token_required", plain_phrase("rest_session_token_required"))
            try:
                check = await asyncio.to_thread(lambda: session_tokens().check(sender_id, token))
            except DATABASE_ERRORS:
                return _error(503, "unavailable", plain_phrase("rest_unavailable"))
            if check is not SessionCheck.VALID:
                return _error(403, "session_token_wrong", plain_phrase("rest_session_token_wrong"))
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return _error(503, "not_ready", plain_phrase("rest_not_ready"))
            delivered: List[Dict[Text, Any]] = []

            async def collect(payloads: List[Dict[Text, Any]]) -> None:
                delivered.extend(payloads)

            try:
                async with agent.lock_store.lock(sender_id):
                    await deliver_pending(handoff_service(), sender_id, collect, _message_id(after))
            except DATABASE_ERRORS:
                return _error(503, "unavailable", plain_phrase("rest_unavailable"))
            return response.json(delivered)

        return webhook

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The client's metadata, with the channel's own view of the client in place of anything it sent."""
        metadata = super().get_metadata(request)
        return stamp_client(metadata if isinstance(metadata, dict) else None, self._client_ip(request), self.name())

    def may_deliver_agent_replies(self, message: UserMessage) -> bool:
        turn = _current_turn.get()
        return turn is None or turn.agent_replies_allowed

    def message_lost(self, message: UserMessage) -> None:
        turn = _current_turn.get()
        if turn is not None:
            turn.message_lost = True

    def _client_ip(self, request: Request) -> str:
        return client_address(request.ip, request.headers.get("X-Forwarded-For"), self._trust_forwarded)

    async def _screen(self, request: Request) -> Optional[HTTPResponse]:
        """A response instead of the bot's for a message that may not go on; None to let it go on."""
        body = request.json
        sender = body.get("sender") if isinstance(body, dict) else None
        if sender is None or not str(sender).strip():
            # Rasa would put it in the one conversation called "default", shared by every such client.
            return _error(400, "missing_sender", plain_phrase("rest_missing_sender"))
        sender_id, text = str(sender), body.get("message")
        refusal = self._limits.screen(sender_id, self._client_ip(request), text if isinstance(text, str) else None)
        if refusal is not None:
            values = {"max_chars": self._limits.max_chars}
            return response.json([notice(sender_id, refusal.phrase, **values)], status=refusal.status)
        turn = await _session_turn(sender_id, request.headers.get(TOKEN_HEADER))
        if turn is None:
            return _error(403, "session_token_wrong", plain_phrase("rest_session_token_wrong"))
        request.ctx.kefu_turn = turn
        _current_turn.set(turn)
        return None


async def _session_turn(sender_id: str, token: Optional[str]) -> Optional[WebhookTurn]:
    """The turn as the sender id's session allows it; None for a token that is not this sender's.

    Without a token the message goes on (the webhook is public), but only a
    request with the session's token gets the agent's replies. A new sender
    id starts a session. With the session table unreachable the bot still
    answers, and the agent's replies wait.
    """
    try:
        check = await asyncio.to_thread(lambda: session_tokens().check(sender_id, token))
        if check is SessionCheck.WRONG:
            return None
        if check is SessionCheck.UNCLAIMED:
            new_token = await asyncio.to_thread(lambda: session_tokens().start(sender_id))
            return WebhookTurn(agent_replies_allowed=new_token is not None, new_token=new_token)
    except DATABASE_ERRORS:
        logger.exception("session table unavailable; %s's agent replies wait", sender_id)
        return WebhookTurn(agent_replies_allowed=False)
    return WebhookTurn(agent_replies_allowed=check is SessionCheck.VALID)


def _is_webhook(request: Request) -> bool:
    route = getattr(request, "route", None)
    return request.method == "POST" and route is not None and route.name.endswith(".receive")


def _message_id(value: Optional[str]) -> Optional[int]:
    return int(value.strip()) if value is not None else None


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status)
