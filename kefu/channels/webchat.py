"""The web chat for the shop's own site and H5/app web views (credentials.yml ``kefu.channels.webchat.WebChatInput``;
docs/channels/webchat.md): the handoff-aware socket.io channel (``kefu.channels.socketio``) on a path of its
own (``/webchat/socket.io``), with what a chat widget needs besides, all under ``/webhooks/webchat/``:

- ``widget.js`` (one ``<script>`` tag and a config object), its stylesheet and the socket.io client;
- ``GET history`` — the conversation so far, for a reload, a second tab or a browser opened again; it needs
  the session's token (``X-Session-Token``), never Rasa's tracker API;
- ``POST photos`` and ``GET photos/<id>`` — a photo (JPEG/PNG/WebP ≤ 5 MB), readable with the session token
  or the signed link the agent's case shows (``kefu.channels.webchat_photos``, ``kefu.security.photo_links``);
- ``POST ratings`` — 1 to 5 stars and a comment for a conversation or a closed handoff case;
- ``demo/`` — the demo shop page and its fake login as 张三 (only with KEFU_DEMO_MODE).

Every message is stamped ``channel: web`` and carries only the identity the page vouched for
(``customer_id`` with its ``identity_token``, CONTRACT §3, checked by the actions). A message with a
client message id the session already sent (the widget sending again after a reconnect) is acknowledged
and not answered twice. The socket hears ``typing`` while the bot (or an agent) writes, ``handoff_state`` when its
place in the agents' queue, its agent or the end of the case changes, and ``rating_request`` when the
shopper says goodbye to the bot.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.clients import notice
from kefu.channels.limits import MessageLimits, SlidingWindow
from kefu.channels.sessions import TOKEN_HEADER, SessionCheck, session_tokens
from kefu.channels.socketio import HandoffSocketIOInput, _client_metadata
from kefu.channels.webchat_cards import catalogue_lookup, with_product_cards
from kefu.channels.webchat_history import conversation_history
from kefu.channels.webchat_photos import MAX_PHOTO_BYTES, photo_type
from kefu.channels.webchat_store import RATING_COMMENT_MAX_CHARS, RATING_SCORES, webchat_store
from kefu.handoff import agents as agent_accounts
from kefu.handoff.delivery import register_typing_channel
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.names import GOODBYE_INTENT
from kefu.replies.webchat import webchat_text
from kefu.security.client import stamp_client
from kefu.security.identity import identity_secret, sign_identity
from kefu.security.photo_links import PhotoLinks
from kefu.settings import Settings
from kefu.storage.clock import shop_now

logger = logging.getLogger(__name__)

CHANNEL = "web"  # CONTRACT §3: what reports split by
SOCKETIO_PATH = "/webchat/socket.io"
# The widget's limit; the server holds it too (a client is not trusted to count).
WIDGET_MAX_CHARS = 500
CLIENT_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# What a page may vouch for in a message's metadata; anything else a client sends is dropped.
IDENTITY_KEYS = ("customer_id", "identity_token")
DISPLAY_TEXT_MAX_CHARS = 100
TYPING_EVENT = "typing"
ACK_EVENT = "message_ack"
HANDOFF_STATE_EVENT = "handoff_state"
RATING_REQUEST_EVENT = "rating_request"

STATIC_DIR = Path(__file__).resolve().parent / "webchat_static"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "socket.io.min.js": "application/javascript; charset=utf-8",
    "socket.io.LICENSE": "text/plain; charset=utf-8",
}
# Client message ids are kept a day (a widget sends a message again within seconds of a reconnect, or from
# its outbox when the shopper comes back), then forgotten, once an hour.
CLIENT_MESSAGE_IDS_KEPT_SECONDS = 24 * 3600
FORGET_EVERY_SECONDS = 3600
# Photos one session may send in a minute: enough for a few shots of a damaged parcel, not a flood of megabytes.
PHOTOS_PER_MINUTE = 6
DEMO_CUSTOMER_ID = "C0001"  # CONTRACT §5
DEMO_TOKEN_SECONDS = 8 * 3600


@dataclass
class _Watched:
    """What a connected session was last told about its handoff."""

    state: Dict[str, Any] = field(default_factory=dict)


class WebChatInput(HandoffSocketIOInput):
    """The web chat channel: socket.io for the conversation, HTTP for what lasts beyond it."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            # The widget keeps its session: without persistence there would be nothing to come back to.
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", SOCKETIO_PATH),
            metadata_key=credentials.get("metadata_key", "metadata"),
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("socketio_path", SOCKETIO_PATH)
        kwargs.setdefault("session_persistence", True)
        super().__init__(*args, **kwargs)
        self._watched: Dict[str, _Watched] = {}
        self._watch_task: Optional[asyncio.Task] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        web = super().blueprint(on_new_message)
        # Rasa names every socket.io blueprint alike; beside the socketio channel this one needs its own name.
        web.name = "webchat_socketio"
        sio = self.sio
        handle = self.handoff_handler(on_new_message, self._sender_to)
        settings = Settings.from_env()
        limits = MessageLimits.from_settings(settings)
        limits.max_chars = min(limits.max_chars or WIDGET_MAX_CHARS, WIDGET_MAX_CHARS)
        trust_forwarded = settings.trust_forwarded_headers
        photo_links = PhotoLinks(identity_secret(settings))

        @web.listener("before_server_start")
        async def start_watching(app: Any, _loop: Any) -> None:
            seconds = settings.handoff_socket_poll_seconds
            if seconds > 0:
                self._watch_task = asyncio.ensure_future(self._watch_handoffs(seconds))

        @web.listener("before_server_stop")
        async def stop_watching(app: Any, _loop: Any) -> None:
            if self._watch_task is not None:
                self._watch_task.cancel()

        # After the session is confirmed (the parent's handler), the socket learns where its handoff stands.
        parent_session_request = sio.handlers[self.namespace or "/"]["session_request"]

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            await parent_session_request(sid, data)
            session_id = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            if session_id:
                self._watched.setdefault(session_id, _Watched())
                await self._push_handoff_state(session_id, room=sid, always=True)

        @sio.on("typing", namespace=self.namespace)
        async def shopper_typing(sid: Text, data: Optional[Dict]) -> None:
            return None  # heard and ignored: the workspace does not show the shopper typing yet

        # Replaces the socket.io channel's handler: the same screening, plus the web chat's own rules.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_message(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            client_id = data.get("client_message_id")
            client_id = client_id if isinstance(client_id, str) and CLIENT_MESSAGE_ID.fullmatch(client_id) else None
            sender_id = await self._sender_of(sid, data)
            if sender_id is None:
                await sio.emit(ACK_EVENT, {"client_message_id": client_id, "error": "no_session",
                                           "text": webchat_text("session_token_wrong")},
                               room=sid, namespace=self.namespace)
                return
            text = data.get("message")
            if not isinstance(text, str) or not text.strip():
                await sio.emit(ACK_EVENT, {"client_message_id": client_id, "error": "empty",
                                           "text": webchat_text("bad_request")}, room=sid, namespace=self.namespace)
                return
            if client_id is not None:
                try:
                    first = await asyncio.to_thread(webchat_store().take_client_message, sender_id, client_id)
                except DATABASE_ERRORS:
                    logger.exception("client message ids unavailable; %s's message taken without the check", sender_id)
                    first = True
                if not first:  # sent again after a reconnect: already answered
                    await sio.emit(ACK_EVENT, {"client_message_id": client_id, "duplicate": True},
                                   room=sid, namespace=self.namespace)
                    return
            refusal = limits.screen(sender_id, self._client_ip(sid, trust_forwarded), text)
            await sio.emit(ACK_EVENT, {"client_message_id": client_id}, room=sid, namespace=self.namespace)
            if refusal is not None:
                await sio.emit(self.bot_message_evt, notice(sender_id, refusal.phrase, max_chars=limits.max_chars),
                               room=sid, namespace=self.namespace)
                return
            metadata = web_metadata(data.get(self.metadata_key), client_id)
            metadata = stamp_client(metadata, self._client_ip(sid, trust_forwarded), self.name())
            output = WebChatOutput(sio, self.bot_message_evt)
            await sio.emit(TYPING_EVENT, {"on": True, "from": "bot"}, room=sender_id, namespace=self.namespace)
            try:
                await handle(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))
            finally:
                await sio.emit(TYPING_EVENT, {"on": False, "from": "bot"}, room=sender_id, namespace=self.namespace)
            await self._push_handoff_state(sender_id, room=sender_id)
            if await self._said_goodbye(sender_id):
                await sio.emit(RATING_REQUEST_EVENT, {"subject": "conversation"}, room=sender_id,
                               namespace=self.namespace)

        self._add_http_routes(web, photo_links, settings)
        register_typing_channel(self.name(), self._agent_typing)
        return web

    async def _agent_typing(self, session_id: str, typing: bool) -> bool:
        """The workspace's agent is writing to this session: its sockets here show it (False: none here)."""
        if self._live_sender(session_id) is None:
            return False
        await self.sio.emit(TYPING_EVENT, {"on": typing, "from": "agent"}, room=session_id, namespace=self.namespace)
        return True

    async def _said_goodbye(self, session_id: str) -> bool:
        """Whether the shopper's last message ended the conversation with the bot (a goodbye): the time
        to ask how it went. Never with an agent: the case's end asks for that rating."""
        agent = self.rasa_agent
        if agent is None or agent.tracker_store is None:
            return False
        try:
            tracker = await agent.tracker_store.retrieve(session_id)
        except Exception:  # only a courtesy: the rating stays one click away in the header
            logger.exception("could not read the tracker of %s", session_id)
            return False
        if tracker is None or tracker.is_paused():
            return False
        return (tracker.latest_message.intent or {}).get("name") == GOODBYE_INTENT

    # -- the handoff as the shopper sees it --------------------------------------------------------

    async def _push_handoff_state(self, session_id: str, room: str, always: bool = False) -> None:
        """Tell the session where its handoff stands, if that changed since it was last told (or ``always``)."""
        watched = self._watched.setdefault(session_id, _Watched())
        try:
            state = await asyncio.to_thread(handoff_state, session_id, watched.state)
        except DATABASE_ERRORS:
            logger.exception("could not read the handoff state of %s", session_id)
            return
        if always or state != watched.state:
            watched.state = state
            await self.sio.emit(HANDOFF_STATE_EVENT, state, room=room, namespace=self.namespace)

    async def _watch_handoffs(self, seconds: float) -> None:
        """Every ``seconds``: the connected sessions whose handoff changed (an agent took the case, the
        queue moved, the case closed) hear it without writing first."""
        next_forget = 0.0
        while True:
            await asyncio.sleep(seconds)
            if time.monotonic() >= next_forget:
                next_forget = time.monotonic() + FORGET_EVERY_SECONDS
                try:
                    cutoff = shop_now() - timedelta(seconds=CLIENT_MESSAGE_IDS_KEPT_SECONDS)
                    await asyncio.to_thread(webchat_store().forget_client_messages, cutoff)
                except DATABASE_ERRORS:
                    logger.exception("could not forget old client message ids")
            for session_id in list(self._watched):
                if self._live_sender(session_id) is None:
                    del self._watched[session_id]  # nobody here listens to it any more
                    continue
                try:
                    await self._push_handoff_state(session_id, room=session_id)
                except Exception:  # one session's trouble must not stop the others'
                    logger.exception("could not push the handoff state of %s", session_id)

    # -- HTTP ----------------------------------------------------------------------------------------

    def _add_http_routes(self, web: Blueprint, photo_links: PhotoLinks, settings: Settings) -> None:
        photos_sent = SlidingWindow(PHOTOS_PER_MINUTE)

        @web.route("/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return _error(404, "not_found", "not_found")
            return await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name],
                                       headers={"Cache-Control": "no-cache"})

        @web.route("/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            session_id, refused = await _session_of(request, request.args.get("session_id"))
            if refused is not None:
                return refused
            agent = request.app.ctx.agent
            if agent is None or agent.tracker_store is None:
                return _error(503, "not_ready", "unavailable")
            try:
                tracker = await agent.tracker_store.retrieve_full_tracker(session_id)
                photos = await asyncio.to_thread(webchat_store().photos_of, session_id)
                state = await asyncio.to_thread(handoff_state, session_id, {})
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "unavailable")
            events = [event.as_dict() for event in tracker.events] if tracker is not None else []
            messages = await asyncio.to_thread(conversation_history, events, photos, _cards)
            return response.json({"messages": messages, "handoff": state}, headers={"Cache-Control": "no-store"})

        @web.route("/photos", methods=["POST"])
        async def upload_photo(request: Request) -> HTTPResponse:
            session_id, refused = await _session_of(request, request.headers.get("X-Session-Id"))
            if refused is not None:
                return refused
            data = request.body or b""
            if not data:
                return _error(400, "empty", "photo_empty")
            if len(data) > MAX_PHOTO_BYTES:
                return _error(413, "too_big", "photo_too_big")
            content_type = photo_type(data)
            if content_type is None:
                return _error(415, "wrong_type", "photo_wrong_type")
            if not photos_sent.has_room(session_id):
                return _error(429, "too_many", "photo_slow_down")
            photos_sent.record(session_id)
            try:
                photo_id, case = await asyncio.to_thread(_store_photo, session_id, content_type, data)
                if case is not None:  # the agent sees it in the case: a line with the signed link
                    link = f"{_server_url(request)}{photo_links.link(photo_id)}"
                    await asyncio.to_thread(handoff_service().add_shopper_message, session_id, webchat_text("photo_for_agent", link=link))
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "unavailable")
            return response.json({"photo_id": photo_id, "url": f"photos/{photo_id}",
                                  "text": webchat_text("photo_to_agent" if case is not None else "photo_received")})

        @web.route("/photos/<photo_id:str>", methods=["GET"])
        async def read_photo(request: Request, photo_id: str) -> HTTPResponse:
            try:
                photo = await asyncio.to_thread(webchat_store().photo, photo_id)
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "unavailable")
            if photo is None:
                return _error(404, "not_found", "not_found")
            if not photo_links.valid(photo_id, request.args.get("sig")):
                _, refused = await _session_of(request, photo.sender_id)
                if refused is not None:
                    return refused
            return response.raw(photo.data, content_type=photo.content_type,
                                headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
                                         "Content-Security-Policy": "default-src 'none'"})

        @web.route("/ratings", methods=["POST"])
        async def rate(request: Request) -> HTTPResponse:
            body = _json_body(request)
            if body is None:
                return _error(400, "bad_request", "bad_request")
            session_id, refused = await _session_of(request, body.get("session_id"))
            if refused is not None:
                return refused
            score, comment, case_id = body.get("score"), body.get("comment") or "", body.get("case_id")
            if isinstance(score, bool) or not isinstance(score, int) or score not in RATING_SCORES:
                return _error(400, "bad_score", "rating_bad_score")
            if not isinstance(comment, str):
                return _error(400, "bad_request", "bad_request")
            if len(comment) > RATING_COMMENT_MAX_CHARS:
                return _error(400, "comment_too_long", "rating_comment_too_long",
                              max_chars=RATING_COMMENT_MAX_CHARS)
            if case_id is not None and (isinstance(case_id, bool) or not isinstance(case_id, int)):
                return _error(400, "bad_request", "bad_request")
            try:
                stored = await asyncio.to_thread(_store_rating, session_id, score, comment.strip(), case_id)
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "unavailable")
            if not stored:
                return _error(404, "not_found", "not_found")
            return response.json({"ok": True, "text": webchat_text("rating_thanks")})

        @web.route("/demo/", methods=["GET"])
        async def demo_page(request: Request) -> HTTPResponse:
            if not Settings.from_env().demo_mode:
                return _error(404, "demo_off", "demo_off")
            return await response.file(STATIC_DIR / "demo.html", mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache"})

        @web.route("/demo/login", methods=["POST"])
        async def demo_login(request: Request) -> HTTPResponse:
            # The shop's own server does this after its real login; here a fake one, for the demo only.
            current = Settings.from_env()
            if not current.demo_mode:
                return _error(404, "demo_off", "demo_off")
            token = sign_identity(DEMO_CUSTOMER_ID, identity_secret(current), lifetime_seconds=DEMO_TOKEN_SECONDS)
            return response.json({"customer_id": DEMO_CUSTOMER_ID, "name": webchat_text("demo_customer_name"),
                                  "identity_token": token})


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, with the recommendation's product buttons shown as product cards and the
    actions' custom payloads (order cards) sent as the widget draws them."""

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        remaining, cards = await asyncio.to_thread(_cards, buttons)
        if remaining or not cards:
            await super().send_text_with_buttons(recipient_id, text, remaining, **kwargs)
        else:
            await self.send_text_message(recipient_id, text)
        for card in cards:
            await self._send_message(recipient_id, {"custom": card})


    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa's socket.io output passes the payload as emit's keyword arguments (it expects {"data": ...});
        # the actions' cards ({"type": "order_card", ...}) go to the widget as the message's "custom".
        await self._send_message(recipient_id, {"custom": json_message})


def _cards(buttons: List[Dict[Text, Any]]):
    """(buttons, product cards) for a bot message's buttons; the buttons alone if the catalogue is unreachable."""
    try:
        return with_product_cards(buttons, catalogue_lookup())
    except Exception:  # the message must go out all the same, as buttons
        logger.exception("could not turn product buttons into cards")
        return buttons, []


def web_metadata(sent: Any, client_message_id: Optional[str]) -> Dict[str, Any]:
    """The metadata a web chat message carries: ``channel: web``, the identity the page vouched for (the
    actions check its signature), the client message id, and the button title the shopper clicked (what
    the history shows instead of the payload). Nothing else a client sent survives."""
    sent = _client_metadata(sent) or {}
    metadata: Dict[str, Any] = {"channel": CHANNEL}
    if all(isinstance(sent.get(key), str) and sent.get(key) for key in IDENTITY_KEYS):
        metadata.update({key: sent[key] for key in IDENTITY_KEYS})
    display = sent.get("display_text")
    if isinstance(display, str) and display.strip():
        metadata["display_text"] = display.strip()[:DISPLAY_TEXT_MAX_CHARS]
    if client_message_id:
        metadata["client_message_id"] = client_message_id
    return metadata


def handoff_state(session_id: str, previous: Dict[str, Any]) -> Dict[str, Any]:
    """Where the session's handoff stands, as the widget shows it (blocking).

    ``queued`` with how many are ahead, ``serving`` with the agent's name, or ``bot``; a ``bot`` state
    right after a case names that case (``closed_case_id``) so the widget asks for a rating of it.
    """
    service = handoff_service()
    case = service.open_case_of(session_id)
    if case is None:
        state: Dict[str, Any] = {"state": "bot"}
        if previous.get("state") in ("queued", "serving") and previous.get("case_id") is not None:
            state.update(closed_case_id=previous["case_id"], text=webchat_text("back_to_bot"))
        elif previous.get("closed_case_id") is not None:
            state.update(closed_case_id=previous["closed_case_id"], text=previous.get("text"))
        return state
    if case.claimed_by:
        name = agent_accounts.display_names(service.engine, [case.claimed_by]).get(case.claimed_by) or case.claimed_by
        return {"state": "serving", "case_id": case.id, "agent": name, "text": webchat_text("serving", agent=name)}
    position = service.position(case.id) or 1
    ahead = position - 1
    text = webchat_text("queued", ahead=ahead) if ahead > 0 else webchat_text("queued_next")
    return {"state": "queued", "case_id": case.id, "ahead": ahead, "text": text}


def _store_photo(session_id: str, content_type: str, data: bytes):
    case = handoff_service().open_case_of(session_id)
    photo_id = webchat_store().add_photo(session_id, content_type, data, case.id if case is not None else None)
    return photo_id, case


def _store_rating(session_id: str, score: int, comment: str, case_id: Optional[int]) -> bool:
    """False when ``case_id`` is not a closed case of this session."""
    agent = None
    if case_id is not None:
        case = handoff_service().get(case_id)
        if case is None or case.sender_id != session_id or case.is_open:
            return False
        agent = case.closed_by or case.claimed_by
        subject = f"case:{case_id}"
    else:
        subject = f"conversation:{shop_now():%Y-%m-%d}"  # one rating of the bot per session and day
    webchat_store().rate(session_id, subject, score, comment, case_id=case_id, agent=agent)
    return True


async def _session_of(request: Request, session_id: Any):
    """(session id, None) when the request carries that session's token; else (None, the error response)."""
    token = request.headers.get(TOKEN_HEADER) or request.args.get("session_token")
    if not isinstance(session_id, str) or not session_id.strip():
        return None, _error(400, "missing_session", "bad_request")
    if not token:
        return None, _error(401, "session_token_required", "session_token_required")
    try:
        check = await asyncio.to_thread(lambda: session_tokens().check(session_id, token))
    except DATABASE_ERRORS:
        return None, _error(503, "unavailable", "unavailable")
    if check is not SessionCheck.VALID:
        return None, _error(403, "session_token_wrong", "session_token_wrong")
    return session_id, None


def _json_body(request: Request) -> Optional[Dict[str, Any]]:
    try:
        body = request.json
    except Exception:  # Sanic raises InvalidUsage for a body that is not JSON
        return None
    return body if isinstance(body, dict) else None


def _server_url(request: Request) -> str:
    return f"{request.scheme}://{request.host}"


def _error(status: int, error: str, text: str, **values: Any) -> HTTPResponse:
    return response.json({"error": error, "message": webchat_text(text, **values)}, status=status)
