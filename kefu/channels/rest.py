"""Rasa's REST channel with human handoff (credentials.yml ``kefu.channels.rest.HandoffRestInput``): the
same name, ``POST /webhooks/rest/webhook`` and payloads, handled by ``kefu.channels.relay``, plus
``GET /webhooks/rest/messages?sender=<id>[&after=<message id>]`` for a client that polls for the agent's
replies (docs/handoff.md: the REST channel)."""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.relay import HandoffChannel
from kefu.handoff.delivery import deliver_pending
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.storage.phrases import plain_phrase

# An id the databases can compare with (a 64-bit integer); anything else is a client's mistake.
MESSAGE_ID = re.compile(r"-?[0-9]{1,18}")


class HandoffRestInput(HandoffChannel, RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(self.handoff_handler(on_new_message))
        self.remember_app(webhook)

        @webhook.route("/messages", methods=["GET"])
        async def pending_messages(request: Request) -> HTTPResponse:
            sender_id = (request.args.get("sender") or "").strip()
            if not sender_id:
                return _error(400, "missing_sender", plain_phrase("rest_missing_sender"))
            after = request.args.get("after")
            if after is not None and not MESSAGE_ID.fullmatch(after.strip()):
                return _error(400, "bad_after", plain_phrase("rest_bad_after"))
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


def _message_id(value: Optional[str]) -> Optional[int]:
    return int(value.strip()) if value is not None else None


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status)
