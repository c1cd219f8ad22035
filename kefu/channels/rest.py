"""Rasa's REST channel with human handoff (credentials.yml ``kefu.channels.rest.HandoffRestInput``).

Same name ("rest"), same ``POST /webhooks/rest/webhook`` with the same
request and response, handled by ``kefu.channels.relay``:

* a shopper with an open case gets no bot reply; the message goes to the agent;
* the JSON response also carries the agent's messages not yet delivered to
  this shopper, as ``{"recipient_id", "text", "metadata": {"handoff": {"from":
  "agent", "agent": "小美", ...}}}``;
* ``GET /webhooks/rest/messages?sender=<id>`` returns those messages (and
  marks them delivered) for a client that polls while it waits for the agent.
  Like the webhook itself, it trusts whoever knows the sender id.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels import relay


class HandoffRestInput(RestInput):
    def __init__(self) -> None:
        self._app: Optional[Any] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            if self._app is None:  # not started by a Sanic server: plain Rasa
                await on_new_message(message)
            else:
                await relay.handle_message(self._app.ctx.agent, message)

        webhook = super().blueprint(handle)

        @webhook.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        @webhook.route("/messages", methods=["GET"])
        async def pending_messages(request: Request) -> HTTPResponse:
            sender_id = (request.args.get("sender") or "").strip()
            if not sender_id:
                return response.json({"error": "missing_sender", "message": "需要参数 sender"}, status=400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "not_ready", "message": "助手尚未就绪"}, status=503)
            delivered: List[Dict[Text, Any]] = []

            async def collect(payloads: List[Dict[Text, Any]]) -> None:
                delivered.extend(payloads)

            try:
                async with agent.lock_store.lock(sender_id):
                    await relay.deliver_pending(sender_id, collect)
            except relay.DATABASE_ERRORS:
                return response.json({"error": "unavailable", "message": "暂时无法读取消息"}, status=503)
            return response.json(delivered)

        return webhook
