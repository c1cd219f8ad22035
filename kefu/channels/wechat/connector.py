"""What the two WeChat channels share: a WeChat user's text through the channel limits, the numbered
choices and the binding command, to the bot or (during a handoff) the agent via
``kefu.channels.relay``, and the answers rendered as WeChat texts; the agents' replies pushed through
the channel's API (the workspace's live sender). Each channel supplies how a text reaches the user
(``send_texts``)."""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import SlotSet, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.limits import MessageLimits, Refusal
from kefu.channels.relay import HandoffChannel
from kefu.channels.sessions import SessionCheck, session_tokens
from kefu.channels.wechat.binding import Binder, identity_of
from kefu.channels.wechat.crypto import CallbackRefused
from kefu.channels.wechat.render import choice_number, render_messages
from kefu.channels.wechat.store import WeChatStore, wechat_store
from kefu.handoff.delivery import Sender, register_live_channel
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.names import ORDER_ID_SLOT, VERIFIED_CUSTOMER_SLOT
from kefu.replies.wechat import wechat_text
from kefu.security.client import stamp_client
from kefu.security.identity import identity_secret
from kefu.settings import Settings

logger = logging.getLogger(__name__)

# CONTRACT §3: what reports split the conversations by.
CHANNEL_METADATA = "wechat"
_REFUSAL_TEXTS = {Refusal.TOO_FAST: "slow_down", Refusal.TOO_LONG: "message_too_long"}


class Undeliverable(Exception):
    """WeChat's rules do not let the answer out now (already logged where it was decided)."""


class WeChatConnector(HandoffChannel, InputChannel, abc.ABC):
    """Base of the Official Account and the WeChat Customer Service channels: the webhook's routes are the
    same for both (health, WeChat's verification, its callbacks), what a callback means is each one's."""

    kind: str  # "mp" | "kf": the sender ids' prefix wx<kind>-
    blueprint_name: str

    def __init__(self, store: Optional[WeChatStore] = None, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings.from_env()
        self._store = store
        self._limits = MessageLimits.from_settings(self.settings)
        self._binder: Optional[Binder] = None
        self._background: set = set()

    @property
    def store(self) -> WeChatStore:
        if self._store is None:
            self._store = wechat_store(handoff_service().engine)
        return self._store

    @property
    def binder(self) -> Binder:
        if self._binder is None:
            self._binder = Binder(self.store)
        return self._binder

    def take_user(self, sender_id: str, kind: str, account: str, user: str) -> None:
        """Records the WeChat user, and the first time claims their sender id's channel session with a
        token nobody is given: the web channels then never hand this conversation's agent replies to a
        client that learned the sender id (docs/security.md: sessions). Blocking."""
        self.store.ensure_user(sender_id, kind, account, user)
        if session_tokens().check(sender_id, None) is SessionCheck.UNCLAIMED:
            session_tokens().start(sender_id)

    # --- what each channel supplies ---
    @property
    @abc.abstractmethod
    def configured(self) -> bool:
        """Whether the credentials to check WeChat's signatures and call its API are all there."""

    @abc.abstractmethod
    async def send_texts(self, sender_id: str, texts: List[str]) -> None:
        """Sends the texts to the WeChat user behind ``sender_id`` (raises when they could not go out)."""

    @abc.abstractmethod
    async def verify_callback(self, request: Request) -> HTTPResponse:
        """Answers WeChat's check of the callback URL (GET)."""

    @abc.abstractmethod
    async def receive_callback(self, request: Request,
                               handler: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Takes one of WeChat's callbacks (POST): refused unless signed, answered at once."""

    # --- the webhook ---
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(self.blueprint_name, __name__)
        self.remember_app(webhook)
        handler = self.bot_handler(on_new_message)
        self.register_agent_replies(f"wx{self.kind}-")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not_configured"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:  # nothing to check the signature with
                return response.text("not configured", status=503)
            return await self.verify_callback(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("not configured", status=503)
            return await self.receive_callback(request, handler)

        return webhook

    # --- one user message ---
    def bot_handler(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
        """Rasa's handler behind the relay; the plain handler when the channel runs outside a Rasa server
        (tests, tooling: no Rasa agent to relay with)."""
        relay = self.handoff_handler(on_new_message)

        async def handle(message: UserMessage) -> None:
            if self._app is not None and not hasattr(self._app.ctx, "agent"):
                await on_new_message(message)
            else:
                await relay(message)

        return handle

    async def converse(self, handler: Callable[[UserMessage], Awaitable[Any]], sender_id: str,
                       text: str) -> None:
        """Takes one user text and sends the answers; errors are logged (WeChat was answered long ago)."""
        try:
            texts = await self.answers(handler, sender_id, text)
            if texts:
                await self.send_texts(sender_id, texts)
        except Undeliverable:
            pass
        except Exception:
            logger.exception("WeChat message of %s could not be answered", sender_id)

    async def notify(self, sender_id: str, texts: List[str]) -> None:
        """The channel's own notice to the user (not the bot's); errors are logged."""
        try:
            await self.send_texts(sender_id, texts)
        except Exception:
            logger.exception("WeChat notice to %s could not be sent", sender_id)

    async def answers(self, handler: Callable[[UserMessage], Awaitable[Any]], sender_id: str, text: str) -> List[str]:
        """The texts that answer ``text``: a notice of the limits, the binding's reply, or the bot's (and
        waiting agent replies), buttons offered as numbered choices."""
        text = (text or "").strip()
        refusal = self._limits.screen(sender_id, None, text)
        if refusal is not None:
            return [wechat_text(_REFUSAL_TEXTS[refusal], max_chars=self._limits.max_chars)]
        number = choice_number(text)
        if number is not None:
            payload = await asyncio.to_thread(self.store.chosen, sender_id, number)
            text = payload or text
        bound = await asyncio.to_thread(self.binder.handle, sender_id, text)
        if bound is not None:
            return [bound.text]
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, sender_id, input_channel=self.name(),
                              metadata=await self.metadata_for(sender_id))
        await handler(message)
        try:
            await self.learn_binding(sender_id)
        except Exception:  # the answer matters more: the next proof binds them
            logger.exception("could not learn %s's binding from the conversation", sender_id)
        rendered = render_messages(collector.messages)
        if rendered.choices or collector.messages:
            await asyncio.to_thread(self.store.offer_choices, sender_id, rendered.choices)
        return rendered.texts

    async def learn_binding(self, sender_id: str) -> Optional[str]:
        """Binds the user to the customer the bot's own order verification proved in this turn (the
        action server sets ``verified_customer_id``; no message can); the customer id, or None."""
        agent = self.rasa_agent
        if agent is None:
            return None
        tracker = await agent.tracker_store.retrieve(sender_id)
        customer_id = _proved_this_turn(tracker.events) if tracker is not None else None
        if customer_id is None:
            return None
        order_id = tracker.get_slot(ORDER_ID_SLOT) or ""
        await asyncio.to_thread(self.store.bind, sender_id, customer_id, str(order_id))
        logger.info("WeChat user %s bound to a customer after proving an order", sender_id)
        return customer_id

    async def metadata_for(self, sender_id: str) -> Dict[str, Any]:
        """channel=wechat, the channel's stamp, and the customer's signed identity when the user is bound
        (and only then: a WeChat user's identity comes from the binding alone)."""
        secret = identity_secret(self.settings)
        identity = await asyncio.to_thread(identity_of, self.store, sender_id, secret)
        return stamp_client({"channel": CHANNEL_METADATA, **identity}, None, self.name())

    async def note(self, sender_id: str, text_name: str) -> None:
        """A note for the agent in the user's open case (if any): what WeChat does on the user's side."""
        try:
            await asyncio.to_thread(handoff_service().add_note, sender_id, wechat_text(text_name))
        except DATABASE_ERRORS:
            logger.exception("could not note %s in %s's case", text_name, sender_id)

    def in_background(self, work: Awaitable[Any]) -> None:
        """Runs ``work`` after WeChat has been answered (WeChat waits 5 seconds, the bot may take longer)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Waits for the background work (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # --- agents' replies ---
    def register_agent_replies(self, prefix: str) -> None:
        """The workspace pushes an agent's reply through this channel's API at once."""

        def sender_for(sender_id: str) -> Optional[Sender]:
            if not sender_id.startswith(prefix):
                return None

            async def send(payloads: List[Dict[str, Any]]) -> None:
                await self.send_texts(sender_id, render_messages(payloads).texts)

            return send

        register_live_channel(self.name(), sender_for)


def _proved_this_turn(events: Any) -> Optional[str]:
    """The customer the events since the latest user message set as verified, if any."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return None
        if isinstance(event, SlotSet) and event.key == VERIFIED_CUSTOMER_SLOT and event.value:
            return str(event.value)
    return None


def refused(channel: str, refusal: CallbackRefused) -> HTTPResponse:
    """WeChat's (or a forger's) callback refused: 403 for a signature, 400 for a body; the reason is
    logged, never told."""
    logger.warning("%s callback refused (%s): %s", channel, refusal.status, refusal)
    return response.text("forbidden" if refusal.status == 403 else "bad request", status=refusal.status)
