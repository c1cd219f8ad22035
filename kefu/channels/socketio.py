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

With several Rasa servers, the agent's reply may be written on a server the
shopper is not connected to. Each server therefore looks in the handoff
database every ``HANDOFF_SOCKET_POLL_SECONDS`` (default 2, ``0``: never) for
shoppers with undelivered agent messages and pushes them to the ones
connected to it (``relay.deliver_periodically``, a task from server start to
server stop): the reply arrives within that time, without the shopper's next
message, and once (under Rasa's lock for the conversation, which the servers
share through the lock store).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from kefu.channels import relay
from kefu.settings import Settings

logger = logging.getLogger(__name__)


class HandoffSocketIOInput(relay.HandoffChannel, SocketIOInput):
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
                    relay.deliver_periodically(lambda: self.rasa_agent, self._live_sender, seconds))

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
            return None  # not connected here: the server they are on, or their next turn, delivers it
        return self._sender_to(sender_id)

    async def _deliver_on_return(self, session_id: Text) -> None:
        agent = self.rasa_agent
        if agent is None or not agent.is_ready():
            return
        try:
            async with agent.lock_store.lock(session_id):
                await relay.deliver_pending(session_id, self._sender_to(session_id))
        except relay.DATABASE_ERRORS:
            logger.exception("could not deliver agent messages to %s on reconnect", session_id)
