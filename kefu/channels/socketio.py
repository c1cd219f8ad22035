"""Rasa's socket.io channel with human handoff (credentials.yml ``kefu.channels.socketio.HandoffSocketIOInput``):
the same name, path, events and options, messages through ``kefu.channels.relay``; an agent's reply is
pushed at once to a connected shopper, on any replica within HANDOFF_SOCKET_POLL_SECONDS, or when they
come back to their session (docs/handoff.md: the socket.io channel).

A session belongs to the socket that started it (docs/security.md: the shoppers' channels): a new
session's token comes in a ``session_token`` event after ``session_confirm`` (whose payload stays
Rasa's: the session id), and a ``session_request`` naming an existing session joins its room only with
that token in ``session_token``; without it the socket gets a fresh session instead. A message is
taken only for the session this socket was confirmed in, stamped with the client's address and
screened by the channel limits (a refused one is answered, never dropped without a word)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from kefu.channels.clients import notice
from kefu.channels.limits import MessageLimits
from kefu.channels.relay import HandoffChannel, deliver_periodically
from kefu.channels.sessions import SessionCheck, session_tokens
from kefu.handoff.delivery import Sender, deliver_pending, register_live_channel
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.security.client import client_address, stamp_client
from kefu.settings import Settings

logger = logging.getLogger(__name__)

# The event that gives a new session's token to the socket that started it:
# {"session_id": ..., "session_token": ...}. To come back to the session
# (another tab, a reconnect) the client sends both in its session_request.
SESSION_TOKEN_EVENT = "session_token"


class HandoffSocketIOInput(HandoffChannel, SocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._delivery_task: Optional[asyncio.Task] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handle = self.handoff_handler(on_new_message, self._sender_to)
        socket_blueprint = super().blueprint(handle)
        self.remember_app(socket_blueprint)
        sio = self.sio
        settings = Settings.from_env()
        limits = MessageLimits.from_settings(settings)
        trust_forwarded = settings.trust_forwarded_headers

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
            data = data if isinstance(data, dict) else {}
            session_id, new_token = await _claim_session(data.get("session_id"), data.get("session_token"))
            previous = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            if self.session_persistence:
                if previous and previous != session_id:  # one session per socket: the old one's replies stop
                    await _awaited(sio.leave_room(sid, previous, namespace=self.namespace))
                await _awaited(sio.enter_room(sid, session_id, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            if new_token is not None:
                await sio.emit(SESSION_TOKEN_EVENT, {"session_id": session_id, "session_token": new_token},
                               room=sid, namespace=self.namespace)
            elif self.session_persistence and self._app is not None:
                # Back on the same session: what the agent said meanwhile.
                await self._deliver_on_return(session_id)

        # Replaces Rasa's handler, which takes any session_id the client names:
        # anyone knowing a shopper's session id could talk in their name.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_message(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            sender_id = await self._sender_of(sid, data)
            if sender_id is None:
                return
            text = data.get("message", "")
            ip = self._client_ip(sid, trust_forwarded)
            refusal = limits.screen(sender_id, ip, text if isinstance(text, str) else None)
            if refusal is not None:
                await sio.emit(self.bot_message_evt, notice(sender_id, refusal.phrase, max_chars=limits.max_chars),
                               room=sid, namespace=self.namespace)
                return
            metadata = stamp_client(_client_metadata(data.get(self.metadata_key)), ip, self.name())
            output = SocketIOOutput(sio, self.bot_message_evt)
            await handle(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))

        register_live_channel(self.name(), self._live_sender)
        return socket_blueprint

    async def _sender_of(self, sid: Text, data: Dict) -> Optional[Text]:
        """Whose message this is: the socket's confirmed session (with session_persistence), else the socket."""
        if not self.session_persistence:
            return sid
        confirmed = (await self.sio.get_session(sid, namespace=self.namespace)).get("session_id")
        if confirmed is None or data.get("session_id") != confirmed:
            logger.warning("socket %s sent a message for a session it was not confirmed in; ignored", sid)
            return None
        return confirmed

    def _client_ip(self, sid: Text, trust_forwarded: bool) -> str:
        # python-engineio's Sanic driver writes 127.0.0.1 as REMOTE_ADDR whoever
        # connects; the Sanic request it keeps in the environ knows the peer.
        environ = self.sio.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("sanic.request")
        peer = request.ip if request is not None else environ.get("REMOTE_ADDR")
        return client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), trust_forwarded)

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


async def _claim_session(requested: Any, token: Any) -> Tuple[Text, Optional[Text]]:
    """The session a session_request gets, and its token if the session is new.

    The session it names, with that session's token, or if nobody has claimed
    that id yet; otherwise (someone else's session, a wrong token, no id) a
    fresh one. With the session table unreachable: a fresh id without a token,
    which its next session_request claims.
    """
    try:
        if requested:
            requested = str(requested)
            check = await asyncio.to_thread(lambda: session_tokens().check(requested, str(token) if token else None))
            if check is SessionCheck.VALID:
                return requested, None
            if check is SessionCheck.UNCLAIMED:
                claimed = await asyncio.to_thread(lambda: session_tokens().start(requested))
                if claimed is not None:
                    return requested, claimed
            logger.warning("session_request for session %s without its token: a fresh session instead", requested)
        fresh = uuid.uuid4().hex
        return fresh, await asyncio.to_thread(lambda: session_tokens().start(fresh))
    except DATABASE_ERRORS:
        logger.exception("session table unavailable: a fresh session without a token")
        return uuid.uuid4().hex, None


def _client_metadata(metadata: Any) -> Optional[Dict]:
    """The metadata a client sent (an object, or as Rasa also takes it, a JSON text); None otherwise."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    return metadata if isinstance(metadata, dict) else None


async def _awaited(result: Any) -> None:
    # python-socketio 5.10 made enter_room and leave_room coroutines; before, they returned None.
    if inspect.isawaitable(result):
        await result
