"""Rasa's REST channel with human handoff (credentials.yml ``kefu.channels.rest.HandoffRestInput``).

Same name ("rest"), same ``POST /webhooks/rest/webhook`` with the same
request and response, handled by ``kefu.channels.relay``:

* a shopper with an open case gets no bot reply; the message goes to the agent;
* the JSON response also carries the agent's messages not yet delivered to
  this shopper, as ``{"recipient_id", "text", "metadata": {"handoff": {"from":
  "agent", "agent": "小美", "message_id": 42, ...}}}``;
* ``GET /webhooks/rest/messages?sender=<id>`` returns those messages (and
  marks them delivered) for a client that polls while it waits for the agent.
  Like the webhook itself, it trusts whoever knows the sender id.
* ``GET /webhooks/rest/messages?sender=<id>&after=<message id>``: at least
  once instead of at most once. The client names the last agent message it
  has seen (its ``metadata.handoff.message_id``) and gets every agent message
  of that shopper with a larger id, also the ones already marked delivered
  (and any still undelivered), which are then marked delivered. A response
  lost on the way is thus fetched again with the same ``after``; the client
  drops the ids it already has. ``after`` that is not an integer: 400
  ``{"error": "bad_after", "message": …}``.
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels import relay

# An id the databases can compare with (a 64-bit integer); anything else is a client's mistake.
MESSAGE_ID = re.compile(r"-?[0-9]{1,18}")


class HandoffRestInput(relay.HandoffChannel, RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(self.handoff_handler(on_new_message))
        self.remember_app(webhook)

        @webhook.route("/messages", methods=["GET"])
        async def pending_messages(request: Request) -> HTTPResponse:
            sender_id = (request.args.get("sender") or "").strip()
            if not sender_id:
                return _error(400, "missing_sender", "需要参数 sender")
            after = request.args.get("after")
            if after is not None and not MESSAGE_ID.fullmatch(after.strip()):
                return _error(400, "bad_after", "参数 after 应为已收到的最后一条消息的编号（整数）")
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return _error(503, "not_ready", "助手尚未就绪")
            delivered: List[Dict[Text, Any]] = []

            async def collect(payloads: List[Dict[Text, Any]]) -> None:
                delivered.extend(payloads)

            try:
                async with agent.lock_store.lock(sender_id):
                    await relay.deliver_pending(sender_id, collect, _message_id(after))
            except relay.DATABASE_ERRORS:
                return _error(503, "unavailable", "暂时无法读取消息")
            return response.json(delivered)

        return webhook


def _message_id(value: Optional[str]) -> Optional[int]:
    return int(value.strip()) if value is not None else None


def _error(status: int, error: str, message: str) -> HTTPResponse:
    return response.json({"error": error, "message": message}, status=status)
