"""Rasa's socket.io channel with human handoff (credentials.yml ``kefu.channels.socketio.HandoffSocketIOInput``):
the same name, path, events and options, messages through ``kefu.channels.relay``; an agent's reply is
pushed at once to a connected shopper, on any replica within HANDOFF_SOCKET_POLL_SECONDS, or when they
come back to their session (docs/handoff.md: the socket.io channel)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from kefu.channels.relay import HandoffChannel, deliver_periodically
from kefu.handoff.delivery import Sender, deliver_pending, register_live_channel
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.settings import Settings

logger = logging.getLogger(__name__)


class HandoffSocketIOInput(HandoffChannel, SocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._delivery_task: Optional[asyncio.Task] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socket_blueprint = super().blueprint(self.handoff_handler(on_new_message, self._sender_to))
        self.remember_app(socket_blueprint)
        sio = self.sio

        @socket_blueprint.listener("before_server_start")
        async def start_delivering(app: Any, _loop: Any) -> None:
            seconds = Settings.from_env().handoff_socket_poll_seconds
            if seconds > 0:
                self._delivery_task = asyncio.ensure_future(
                    deliver_periodically(lambda: self.rasa_agent, self._live_sender, seconds))

        @socket_blueprint.listener("before_server_stop")
        async def stop_delivering(app: Any, _loop: Any) -> None:
            if self._delivery_task is not None:
                self._delivery_task.cancel()
                self._delivery_task = None

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

        register_live_channel(self.name(), self._live_sender)
        return socket_blueprint

    def _sender_to(self, sender_id: Text) -> Sender:
        # Rasa's socket.io output sends to the room named after the sender id
        # (the session id with session_persistence, else the socket id).
        async def send(payloads: List[Dict[Text, Any]]) -> None:
            for payload in payloads:
                await self.sio.emit(self.bot_message_evt, payload, room=sender_id, namespace=self.namespace)

        return send

    def _live_sender(self, sender_id: Text) -> Optional[Sender]:
        if self.sio is None:
            return None
        participants = self.sio.manager.get_participants(self.namespace or "/", sender_id)
        if next(iter(participants), None) is None:
            return None  # not connected here: the server they are on, or their next turn, delivers it
        return self._sender_to(sender_id)

    async def _deliver_on_return(self, session_id: Text) -> None:
        agent = self.rasa_agent
        if agent is None or not agent.is_ready():
            return
        try:
            async with agent.lock_store.lock(session_id):
                await deliver_pending(handoff_service(), session_id, self._sender_to(session_id))
        except DATABASE_ERRORS:
            logger.exception("could not deliver agent messages to %s on reconnect", session_id)
