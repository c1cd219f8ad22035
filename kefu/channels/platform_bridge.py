"""The platform bridge (credentials.yml ``kefu.channels.platform_bridge.PlatformBridgeInput``): Taobao/Tmall,
JD, Pinduoduo and Douyin let no outside bot answer their buyers' chat, so the merchant's ISV plug-in or
RPA bridge, which sits in the platform's own tools, forwards each buyer message here in a signed call
and puts the assistant's replies back into the platform chat (docs/channels/platforms.md).

``POST /webhooks/platform/<name>`` (name one of PLATFORM_BRIDGE_PLATFORMS) with JSON
``{"buyer_id", "message", "message_id"?, "callback_url"?, "metadata"?}``, signed as
kefu/channels/platform_signing.py says with PLATFORM_BRIDGE_SECRET_<NAME>. The replies come in the
response (``{"sender", "replies"}``) or, when the call names an allow-listed ``callback_url``, are
POSTed there, signed the same way, and the call is answered ``202`` at once.
``POST /webhooks/platform/<name>/messages`` ``{"buyer_id"}`` gives an agent's replies still waiting (a
buyer whose latest call named a callback URL gets them there as soon as the agent writes them, from the
replica that took the call, every HANDOFF_SOCKET_POLL_SECONDS);
``POST /webhooks/platform/<name>/bindings`` records which shop customer a buyer is (or which shop
product an item is): the signed call from the merchant's plug-in is the proof.

Every call is refused before anything reads it unless its body is within PLATFORM_BRIDGE_MAX_BODY, its
signature right, its timestamp within PLATFORM_BRIDGE_WINDOW_SECONDS and its nonce new (remembered in
the database, so on every replica). A buyer's message then goes through the shoppers' limits and the
handoff relay as a REST shopper's does, with ``channel`` = the platform in its metadata. A message whose
``message_id`` the buyer sent before (a plug-in retrying after a timeout, with a new nonce) is not
answered twice: the call gets the replies the first one got (``"duplicate": true``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.clients import notice
from kefu.channels.limits import MessageLimits
from kefu.channels.platform_callback import callback_allowed, post_signed
from kefu.channels.platform_formats import platform_format
from kefu.channels.platform_signing import NONCE_HEADER, Verdict, check_signature
from kefu.channels.platform_store import TakenMessage, platform_store
from kefu.channels.relay import HandoffChannel, deliver_periodically
from kefu.handoff.delivery import Sender, deliver_pending
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.security.client import stamp_client
from kefu.security.identity import identity_metadata, identity_secret
from kefu.settings import Settings
from kefu.storage.platform_models import BUYER, ITEM

logger = logging.getLogger(__name__)

MAX_ID_CHARS = 128
# A buyer id as the platforms make them: nicks may hold Chinese, spaces, dots, dashes, underscores.
BUYER_ID = re.compile(r"[^\x00-\x1f\x7f:]{1,128}")
# Keys of the call's metadata only the bridge may set.
RESERVED_METADATA = ("channel", "customer_id", "identity_token", "platform")
# A bound buyer's identity token lives only as long as one turn needs it.
IDENTITY_TOKEN_SECONDS = 600
# A buyer message's id is remembered, with its replies, this long: a plug-in retries within minutes, and
# the platforms' message ids are unique per conversation anyway (as the web chat's client message ids).
MESSAGE_IDS_KEPT_SECONDS = 24 * 3600
# A retry that comes while the first call is still being answered waits this long for its replies, looking
# every DUPLICATE_POLL_SECONDS (the first call may be on another replica: the database is where to look).
DUPLICATE_WAIT_SECONDS = 15.0
DUPLICATE_POLL_SECONDS = 0.25


class CallRefused(Exception):
    def __init__(self, status: int, error: str, detail: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.detail = status, error, detail

    def as_response(self) -> HTTPResponse:
        return _error(self.status, self.error, self.detail)


class CallbackFailed(Exception):
    """The plug-in's callback URL did not take the agent's replies (they stay undelivered)."""


class PlatformBridgeInput(HandoffChannel, InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "platform"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings.from_env()
        self._secrets: Dict[str, str] = dict(self.settings.platform_bridge_secrets)
        self._limits = MessageLimits.from_settings(self.settings)
        self._lost: Set[str] = set()  # ids of messages the relay could not store (asked to resend)
        self._tasks: Set[asyncio.Task] = set()  # turns and callbacks, kept referenced until done
        # sender id -> (platform, buyer id, callback URL) of buyers whose latest call here named one.
        self._callback_urls: Dict[str, Tuple[str, str, str]] = {}
        self._delivery_task: Optional[asyncio.Task] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PlatformBridgeInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bridge = Blueprint("platform_bridge_webhook", __name__)
        self.remember_app(bridge)
        handle = self.handoff_handler(on_new_message)

        @bridge.listener("before_server_start")
        async def start_pushing(app: Any, _loop: Any) -> None:
            seconds = self.settings.handoff_socket_poll_seconds
            if seconds > 0:
                self._delivery_task = asyncio.ensure_future(
                    deliver_periodically(lambda: self.rasa_agent, self._callback_sender, seconds))

        @bridge.listener("before_server_stop")
        async def stop_pushing(app: Any, _loop: Any) -> None:
            if self._delivery_task is not None:
                self._delivery_task.cancel()
                self._delivery_task = None

        @bridge.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "platforms": list(self.settings.platform_bridge_platforms)})

        @bridge.route("/<platform:[a-z0-9_]{1,32}>", methods=["POST"], stream=True)
        async def receive(request: Request, platform: str) -> HTTPResponse:
            try:
                call = await self._signed_call(request, platform)
                buyer_id, text = _buyer_id(call), _message_text(call)
                callback_url = call.get("callback_url")
                if callback_url is not None and not callback_allowed(callback_url, self.settings.platform_bridge_callback_hosts):
                    raise CallRefused(400, "callback_not_allowed", "callback_url's host is not in PLATFORM_BRIDGE_CALLBACK_HOSTS")
                message_id = _optional_id(call, "message_id")
            except CallRefused as refused:
                return refused.as_response()
            sender_id = f"{platform}:{buyer_id}"
            message = _Message(platform, buyer_id, message_id)
            try:
                earlier = await self._earlier_answer(message)
            except DATABASE_ERRORS:
                logger.exception("platform message ids unavailable")
                return _error(503, "unavailable", "the assistant's database is unavailable; try again")
            if earlier is not None:  # sent again: never fed to the bot a second time
                extra = {} if earlier.answered else {"answered": False}
                return response.json(_answer(sender_id, earlier.replies or [], message_id, duplicate=True, **extra))
            refusal = self._limits.screen(sender_id, None, text)
            if refusal is not None:
                await self._settle(message, None)  # not answered: sent again later, it is a new message
                replies = [notice(sender_id, refusal.phrase, max_chars=self._limits.max_chars)]
                return response.json(_answer(sender_id, replies, message_id, refused=refusal.name.lower()),
                                     status=refusal.status)
            try:
                metadata = await asyncio.to_thread(self._metadata, platform, buyer_id, text, call.get("metadata"))
            except DATABASE_ERRORS:
                logger.exception("platform bindings unavailable")
                await self._settle(message, None)
                return _error(503, "unavailable", "the assistant's database is unavailable; try again")
            turn = self._keep(self._settled_turn(message, self._turn(handle, platform, sender_id, text, metadata)))
            if callback_url is None:
                self._callback_urls.pop(sender_id, None)
                # Shielded: a plug-in that hangs up (its timeout) does not stop the turn half-way, as Sanic
                # would; the turn ends, its replies are kept, and the plug-in's retry gets them.
                replies, lost = await asyncio.shield(turn)
                return response.json(_answer(sender_id, replies, message_id), status=503 if lost else 200)
            self._callback_urls[sender_id] = (platform, buyer_id, callback_url)
            self._keep(self._answer_by_callback(turn, platform, buyer_id, sender_id, message_id, callback_url))
            return response.json({"sender": sender_id, "accepted": True, "in_reply_to": message_id}, status=202)

        @bridge.route("/<platform:[a-z0-9_]{1,32}>/messages", methods=["POST"], stream=True)
        async def waiting_messages(request: Request, platform: str) -> HTTPResponse:
            try:
                buyer_id = _buyer_id(await self._signed_call(request, platform))
            except CallRefused as refused:
                return refused.as_response()
            sender_id = f"{platform}:{buyer_id}"
            agent = self.rasa_agent
            if agent is None or not agent.is_ready():
                return _error(503, "not_ready", "the assistant is starting; try again")
            delivered: List[Dict[Text, Any]] = []

            async def collect(payloads: List[Dict[Text, Any]]) -> None:
                delivered.extend(payloads)

            try:
                async with agent.lock_store.lock(sender_id):
                    await deliver_pending(handoff_service(), sender_id, collect)
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "the assistant's database is unavailable; try again")
            return response.json(_answer(sender_id, delivered, None))

        @bridge.route("/<platform:[a-z0-9_]{1,32}>/bindings", methods=["POST"], stream=True)
        async def bind(request: Request, platform: str) -> HTTPResponse:
            try:
                call = await self._signed_call(request, platform)
                kind, platform_id, shop_id = _binding(call)
            except CallRefused as refused:
                return refused.as_response()
            store = platform_store()
            try:
                if shop_id is None:
                    await asyncio.to_thread(store.unbind, platform, kind, platform_id)
                else:
                    await asyncio.to_thread(store.bind, platform, kind, platform_id, shop_id)
            except DATABASE_ERRORS:
                return _error(503, "unavailable", "the assistant's database is unavailable; try again")
            return response.json({"kind": kind, "platform_id": platform_id, "shop_id": shop_id})

        return bridge

    def message_lost(self, message: UserMessage) -> None:
        self._lost.add(message.message_id)

    def _keep(self, work: Awaitable[Any]) -> asyncio.Task:
        """``work`` as a task of its own, referenced until it is done (the event loop keeps only weak ones)."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- the checks every call passes --------------------------------------------------------------

    async def _signed_call(self, request: Request, platform: str) -> Dict[str, Any]:
        """The call's JSON object, once its platform, size, signature, time and nonce are right."""
        if platform not in self.settings.platform_bridge_platforms:
            raise CallRefused(404, "unknown_platform", "not one of PLATFORM_BRIDGE_PLATFORMS")
        secret = self._secrets.get(platform)
        if not secret:
            raise CallRefused(403, "platform_not_configured", f"PLATFORM_BRIDGE_SECRET_{platform.upper()} is not set")
        body = await _read_body(request, self.settings.platform_bridge_max_body_bytes)
        window = self.settings.platform_bridge_window_seconds
        verdict = check_signature(secret, request.headers, body, window)
        if verdict is Verdict.OK:
            nonce = request.headers.get(NONCE_HEADER, "").strip()
            try:
                # Kept for the whole span in which its timestamp could still pass: twice the window.
                fresh = await asyncio.to_thread(platform_store().first_use, platform, nonce, 2 * window)
            except DATABASE_ERRORS:
                logger.exception("nonce store unavailable")
                raise CallRefused(503, "unavailable", "the assistant's database is unavailable; try again")
            verdict = Verdict.OK if fresh else Verdict.REPLAYED
        if verdict is not Verdict.OK:
            logger.warning("platform call to %s refused: %s", platform, verdict.error)
            raise CallRefused(verdict.status, verdict.error)
        try:
            call = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CallRefused(400, "bad_json", "the body is not UTF-8 JSON")
        if not isinstance(call, dict):
            raise CallRefused(400, "bad_json", "the body is not a JSON object")
        return call

    def _metadata(self, platform: str, buyer_id: str, text: str, sent: Any) -> Dict[str, Any]:
        """What the message carries: the plug-in's own keys, then what only the bridge may say (the
        channel, the platform's ids in the text, the bound customer's signed identity)."""
        metadata = {key: value for key, value in (sent if isinstance(sent, dict) else {}).items()
                    if key not in RESERVED_METADATA}
        form = platform_format(platform)
        store = platform_store()
        item_ids = form.item_ids(text)
        metadata["channel"] = platform
        metadata["platform"] = {
            "name": platform,
            "buyer_id": buyer_id,
            "order_ids": form.order_ids(text),
            "item_ids": item_ids,
            "products": store.lookup(platform, ITEM, item_ids),
        }
        customer_id = store.lookup(platform, BUYER, [buyer_id]).get(buyer_id)
        if customer_id:  # unknown buyers stay anonymous
            metadata.update(identity_metadata(customer_id, identity_secret(self.settings),
                                              lifetime_seconds=IDENTITY_TOKEN_SECONDS))
        # One ISV server speaks for every buyer: its address would lump them all together in the
        # per-client limits, so the buyer (the sender id) is the client.
        return stamp_client(metadata, "", platform)

    # --- a message sent again -----------------------------------------------------------------------

    async def _earlier_answer(self, message: "_Message") -> Optional[TakenMessage]:
        """None when this call takes the message (a new one, or one without an id); else the message as an
        earlier call took it: with its replies, waited for while that call is still answering it (at most
        DUPLICATE_WAIT_SECONDS; then without)."""
        if message.message_id is None:
            return None
        store = platform_store()
        loop = asyncio.get_running_loop()
        give_up = loop.time() + DUPLICATE_WAIT_SECONDS
        while True:
            if await asyncio.to_thread(store.take_message, *message.key, MESSAGE_IDS_KEPT_SECONDS):
                return None
            # None: the earlier call let it go in between (refused, lost), and this one takes it next round.
            earlier = await asyncio.to_thread(store.taken_message, *message.key)
            if earlier is not None and earlier.answered:
                return earlier
            if loop.time() >= give_up:
                return earlier or TakenMessage(None)
            await asyncio.sleep(DUPLICATE_POLL_SECONDS)

    async def _settle(self, message: "_Message", replies: Optional[List[Dict[str, Any]]]) -> None:
        """Keeps the replies of a message taken for its retries, or lets it go (``replies`` None): one that
        was not answered is, sent again, a new message."""
        if message.message_id is None:
            return
        store = platform_store()
        try:
            if replies is None:
                await asyncio.to_thread(store.release_message, *message.key)
            else:
                await asyncio.to_thread(store.record_replies, *message.key, replies)
        except DATABASE_ERRORS:  # the buyer has the answer; a retry then waits for it in vain, and says so
            logger.exception("could not settle platform message %s", message.key)

    async def _settled_turn(self, message: "_Message",
                            turn: Awaitable[Tuple[List[Dict[str, Any]], bool]]) -> Tuple[List[Dict[str, Any]], bool]:
        """The turn, its message settled afterwards: replies kept, or the message let go when it was lost
        (the buyer is asked to send it again) or the turn failed."""
        outcome: Optional[Tuple[List[Dict[str, Any]], bool]] = None
        try:
            outcome = await turn
            return outcome
        finally:
            replies, lost = outcome if outcome is not None else (None, True)
            await self._settle(message, None if lost else replies)

    async def _turn(self, handle: Callable[[UserMessage], Awaitable[Any]], platform: str, sender_id: str,
                    text: str, metadata: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], bool]:
        """The bot's (or the waiting agent's) replies to one message, and whether it was lost."""
        output = CollectingOutputChannel()
        message = UserMessage(text, output, sender_id, input_channel=platform, metadata=metadata)
        await handle(message)
        lost = message.message_id in self._lost
        self._lost.discard(message.message_id)
        return output.messages, lost

    def _callback_sender(self, sender_id: str) -> Optional[Sender]:
        """Pushes an agent's replies to the buyer's callback URL; None for a buyer without one here."""
        known = self._callback_urls.get(sender_id)
        if known is None:
            return None
        platform, buyer_id, url = known

        async def send(payloads: List[Dict[str, Any]]) -> None:
            payload = {"platform": platform, "buyer_id": buyer_id, **_answer(sender_id, payloads, None)}
            # One try per delivery round, under the conversation's lock: the next round tries again.
            status = await post_signed(url, payload, self._secrets[platform],
                                       self.settings.platform_bridge_callback_timeout_seconds, attempts=1)
            if status is None or not 200 <= status < 300:
                raise CallbackFailed(f"{url} answered {status}")

        return send

    async def _answer_by_callback(self, turn: Awaitable[Tuple[List[Dict[str, Any]], bool]], platform: str,
                                  buyer_id: str, sender_id: str, message_id: Optional[str], url: str) -> None:
        try:
            replies, _lost = await turn
        except Exception:
            logger.exception("platform message of %s failed; nothing to call back", sender_id)
            return
        payload = {"platform": platform, "buyer_id": buyer_id, **_answer(sender_id, replies, message_id)}
        await post_signed(url, payload, self._secrets[platform],
                          self.settings.platform_bridge_callback_timeout_seconds)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, read no further than ``limit`` bytes: a bigger one is refused without being stored."""
    declared = request.headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise CallRefused(413, "body_too_large", f"at most {limit} bytes")
    chunks: List[bytes] = []
    size = 0
    if request.stream is None:  # not streamed (a test client): Sanic read it already
        body = request.body or b""
        if len(body) > limit:
            raise CallRefused(413, "body_too_large", f"at most {limit} bytes")
        return body
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > limit:
            raise CallRefused(413, "body_too_large", f"at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _buyer_id(call: Dict[str, Any]) -> str:
    value = call.get("buyer_id")
    if not isinstance(value, str) or not value.strip() or not BUYER_ID.fullmatch(value.strip()):
        raise CallRefused(400, "bad_buyer_id", "buyer_id: 1-128 characters, no control characters or ':'")
    return value.strip()


def _message_text(call: Dict[str, Any]) -> str:
    value = call.get("message")
    if not isinstance(value, str):
        raise CallRefused(400, "bad_message", "message: the buyer's text, a string")
    if not value.strip():
        raise CallRefused(400, "empty_message", "message is empty: forward only what the buyer wrote")
    return value


def _optional_id(call: Dict[str, Any], key: str) -> Optional[str]:
    value = call.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value) or len(str(value)) > MAX_ID_CHARS:
        raise CallRefused(400, f"bad_{key}", f"{key}: a string of at most {MAX_ID_CHARS} characters")
    return str(value)


def _binding(call: Dict[str, Any]) -> Tuple[str, str, Optional[str]]:
    """(kind, platform id, shop id or None to unbind) of a bindings call."""
    if "buyer_id" in call:
        kind, platform_id, shop_key = BUYER, _buyer_id(call), "customer_id"
    elif "item_id" in call:
        kind, platform_id, shop_key = ITEM, _optional_id(call, "item_id"), "product_id"
    else:
        raise CallRefused(400, "bad_binding", "name a buyer_id (with customer_id) or an item_id (with product_id)")
    if shop_key not in call:
        raise CallRefused(400, "bad_binding", f"{shop_key}: the shop's id, or null to unbind")
    shop_id = _optional_id(call, shop_key)
    return kind, platform_id, shop_id


def _answer(sender_id: str, replies: List[Dict[str, Any]], message_id: Optional[str],
            refused: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    answer: Dict[str, Any] = {"sender": sender_id, "in_reply_to": message_id, "replies": replies, **extra}
    if refused:
        answer["refused"] = refused
    return answer


@dataclass(frozen=True)
class _Message:
    """A buyer message as the bridge remembers it: by platform, buyer and the platform's message id."""

    platform: str
    buyer_id: str
    message_id: Optional[str]

    @property
    def key(self) -> Tuple[str, str, str]:
        return self.platform, self.buyer_id, self.message_id or ""


def _error(status: int, error: str, detail: str = "") -> HTTPResponse:
    return response.json({"error": error, "message": detail}, status=status)
