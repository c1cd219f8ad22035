"""Rasa's socket.io channel with human handoff (credentials.yml ``kefu.channels.socketio.HandoffSocketIOInput``).

Same name ("socketio"), path, events and options as Rasa's own; messages go
through ``kefu.channels.relay``. An agent's reply reaches a connected shopper
at once, as a ``bot_uttered`` event (the payload of ``relay.agent_payload``)
in the shopper's room: the workspace finds this channel through
``relay.register_live_channel``. A shopper who was not connected gets the
waiting messages with their next message or, with ``session_persistence``,
when they reconnect to the same session (``session_request``, which also
fixes Rasa 3.6's own: it never put the socket in its session's room, see
``blueprint``).

With several Rasa servers, a shopper connected to another one gets the
reply with their next message only (Rasa's socket.io channel has the same
limit for its own messages).
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from kefu.channels import relay

logger = logging.getLogger(__name__)


class HandoffSocketIOInput(SocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._app: Optional[Any] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            if self._app is None:  # not started by a Sanic server: plain Rasa
                await on_new_message(message)
            else:
                await relay.handle_message(self._app.ctx.agent, message, self._sender_to(message.sender_id))

        socket_blueprint = super().blueprint(handle)
        sio = self.sio

        @socket_blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        # Replaces Rasa's handler, which calls enter_room without awaiting it:
        # python-socketio 5.10 made it a coroutine, so with session_persistence
        # the shopper never joined their room and got no reply at all.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            session_id = data["session_id"]
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            if self.session_persistence and self._app is not None:
                # Back on the same session: what the agent said meanwhile.
                await self._deliver_on_return(session_id)

        relay.register_live_channel(self.name(), self._live_sender)
        return socket_blueprint

    def _sender_to(self, sender_id: Text) -> relay.Sender:
        # Rasa's socket.io output sends to the room named after the sender id
        # (the session id with session_persistence, else the socket id).
        async def send(payloads: List[Dict[Text, Any]]) -> None:
            for payload in payloads:
                await self.sio.emit(self.bot_message_evt, payload, room=sender_id, namespace=self.namespace)

        return send

    def _live_sender(self, sender_id: Text) -> Optional[relay.Sender]:
        if self.sio is None:
            return None
        participants = self.sio.manager.get_participants(self.namespace or "/", sender_id)
        if next(iter(participants), None) is None:
            return None  # not connected here: the message waits for the shopper's next turn
        return self._sender_to(sender_id)

    async def _deliver_on_return(self, session_id: Text) -> None:
        agent = self._app.ctx.agent
        if agent is None or not agent.is_ready():
            return
        try:
            async with agent.lock_store.lock(session_id):
                await relay.deliver_pending(session_id, self._sender_to(session_id))
        except relay.DATABASE_ERRORS:
            logger.exception("could not deliver agent messages to %s on reconnect", session_id)
