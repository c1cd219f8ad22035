"""The WeChat Customer Service channel (微信客服 of WeCom; credentials.yml
``kefu.channels.wechat.kf.WeChatKfInput``, URL ``/webhooks/wechat_kf/webhook``; docs/channels/wechat.md).

* ``GET``: WeCom's URL verification: ``msg_signature`` over the encrypted ``echostr``, answered with
  the decrypted echostr.
* ``POST``: the callback only signals (``kf_msg_or_event`` with a ``Token`` and the ``OpenKfId``); it is
  answered at once, and then ``kf/sync_msg`` fetches the messages from the cursor stored for that
  account (database), which moves on after each page: a restart neither loses nor replays messages,
  and a message id seen before is dropped (two replicas syncing at once, a page fetched again).
* Answers go out by ``kf/send_msg`` within the window WeChat allows: 48 hours after the user's last
  message, at most 5 messages. The bot's replies are packed into as few messages as fit; what the
  window cannot take is logged and the user's window state (open / exhausted / closed) is stored,
  where the handoff and the workspace can read it (``window_of``). An agent's reply that the window no
  longer allows stays undelivered in the case (the workspace sees it waiting).
* When a case opens for a user (``action_handoff_to_human``) and WECOM_KF_HANDOFF=wechat, the session
  is handed to WeChat's own agents with ``kf/service_state/trans`` (to the queue, or to
  WECOM_KF_SERVICER); by default (``workspace``) the shop's workspace agents answer through this channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.wechat.api import WeChatApi
from kefu.channels.wechat.connector import Undeliverable, WeChatConnector, refused
from kefu.channels.wechat.crypto import CallbackRefused, WeChatCrypto
from kefu.channels.wechat.messages import MAX_CALLBACK_BYTES, parse_xml
from kefu.channels.wechat.render import merge_to_fit
from kefu.channels.wechat.store import (
    WINDOW_CLOSED, WINDOW_EXHAUSTED, WINDOW_OPEN, Window, WeChatStore, sender_id_for,
)
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.replies.wechat import wechat_text
from kefu.security.identity import identity_secret
from kefu.settings import Settings

logger = logging.getLogger(__name__)

KIND = "kf"
ORIGIN_CUSTOMER = 3  # sync_msg's origin of a message the WeChat user wrote (4: system event, 5: servicer)
# kf/service_state/trans: 2 = the queue of WeChat's own agents, 3 = a named agent (servicer_userid).
STATE_AGENT_QUEUE, STATE_AGENT = 2, 3
HANDOFF_TO_WECHAT, HANDOFF_TO_WORKSPACE = "wechat", "workspace"
# session_status_change's change_type when a servicer ends the session (1 taken from the pool,
# 2 passed on, 4 taken up again).
SESSION_ENDED = 3
# What a user opening the chat says to the bot (the greet intent's payload).
GREETING_PAYLOAD = "/greet"


class WindowClosed(Undeliverable):
    """The 48-hour / 5-message window does not allow another message to this user now."""


class WeChatKfInput(WeChatConnector):
    kind = KIND
    blueprint_name = "wechat_kf_webhook"

    @classmethod
    def name(cls) -> Text:
        return "wechat_kf"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatKfInput":
        credentials = credentials or {}
        return cls(corp_id=credentials.get("corp_id") or "", secret=credentials.get("secret") or "",
                   token=credentials.get("token") or "", encoding_aes_key=credentials.get("encoding_aes_key") or "",
                   handoff=credentials.get("handoff") or HANDOFF_TO_WORKSPACE,
                   servicer=credentials.get("servicer") or "")

    def __init__(self, corp_id: str, secret: str, token: str, encoding_aes_key: str,
                 handoff: str = HANDOFF_TO_WORKSPACE, servicer: str = "",
                 store: Optional[WeChatStore] = None, settings: Optional[Settings] = None) -> None:
        super().__init__(store, settings)
        self.corp_id = corp_id.strip()
        self._secret = secret.strip()
        self.crypto: Optional[WeChatCrypto] = None
        if token.strip() and encoding_aes_key.strip():
            self.crypto = WeChatCrypto(token.strip(), encoding_aes_key.strip(), self.corp_id)
        else:
            logger.info("WeChat Customer Service channel has no WECOM_KF_TOKEN / WECOM_KF_ENCODING_AES_KEY: "
                           "it refuses every callback")
        self.handoff = (handoff or HANDOFF_TO_WORKSPACE).strip().lower()
        if self.handoff not in (HANDOFF_TO_WECHAT, HANDOFF_TO_WORKSPACE):
            raise ValueError(f"WECOM_KF_HANDOFF must be wechat or workspace, not {handoff!r}")
        self.servicer = servicer.strip()
        self._api: Optional[WeChatApi] = None
        self._sync_locks: Dict[str, asyncio.Lock] = {}

    @property
    def configured(self) -> bool:
        return self.crypto is not None and bool(self.corp_id) and bool(self._secret)

    @property
    def api(self) -> WeChatApi:
        if self._api is None:
            self._api = WeChatApi(KIND, self.settings.wecom_api_base, self.corp_id, self._secret, self.store)
        return self._api

    def sender_id(self, open_kfid: str, external_userid: str) -> str:
        return sender_id_for(KIND, open_kfid, external_userid, identity_secret(self.settings))

    def window_of(self, sender_id: str) -> Window:
        """What the 48-hour / 5-message window allows now for this user (blocking)."""
        return self.store.window(sender_id)

    # --- sending within the window ---
    async def send_texts(self, sender_id: str, texts: List[str]) -> None:
        record = await asyncio.to_thread(self.store.user, sender_id)
        if record is None:
            raise LookupError(f"{sender_id} is no WeChat Customer Service user")
        packed = merge_to_fit(texts)
        window = await asyncio.to_thread(self.store.take_sends, sender_id, len(packed))
        if window.remaining < len(packed):
            state = WINDOW_CLOSED if window.state == WINDOW_CLOSED else WINDOW_EXHAUSTED
            logger.warning("WeChat kf window of %s is %s: %d of %d messages not sent", sender_id, state,
                           len(packed) - window.remaining, len(packed))
            if record.window_state in (None, WINDOW_OPEN):  # tell the agent once, when it closes
                await self.note(sender_id, f"window_note_{state}")
        for text in packed[:window.remaining]:
            await asyncio.to_thread(self.api.kf_send_text, record.account, record.user, text)
        if window.remaining < len(packed):
            raise WindowClosed(f"{sender_id}: window {window.state}")

    # --- the callback and the sync ---
    async def verify_callback(self, request: Request) -> HTTPResponse:
        args = request.args
        try:
            self.crypto.check_message(args.get("msg_signature"), args.get("timestamp"), args.get("nonce"),
                                      args.get("echostr"))
            return response.text(self.crypto.decrypt(args.get("echostr")))
        except CallbackRefused as refusal:
            return refused(self.name(), refusal)

    async def receive_callback(self, request: Request,
                               handler: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            if len(request.body or b"") > MAX_CALLBACK_BYTES:
                raise CallbackRefused("oversized body")
            args = request.args
            envelope = parse_xml(request.body)
            self.crypto.check_message(args.get("msg_signature"), args.get("timestamp"), args.get("nonce"),
                                      envelope.get("Encrypt"))
            event = parse_xml(self.crypto.decrypt(envelope["Encrypt"]))
        except CallbackRefused as refusal:
            return refused(self.name(), refusal)
        if event.get("Event") == "kf_msg_or_event" and event.get("OpenKfId"):
            self.in_background(self.sync(handler, event["OpenKfId"], event.get("Token")))
        return response.text("success")

    async def sync(self, handler: Callable[[UserMessage], Awaitable[Any]], open_kfid: str,
                   callback_token: Optional[str]) -> int:
        """Fetches and handles every message after the stored cursor; how many were handled. One sync per
        account at a time in this process (the next callback's sync picks up what this one left)."""
        lock = self._sync_locks.setdefault(open_kfid, asyncio.Lock())
        async with lock:
            try:
                return await self._sync_pages(handler, open_kfid, callback_token)
            except Exception:  # background work: nobody else would see it
                logger.exception("sync of %s stopped; the next callback starts from the stored cursor", open_kfid)
                return 0

    async def _sync_pages(self, handler: Callable[[UserMessage], Awaitable[Any]], open_kfid: str,
                          callback_token: Optional[str]) -> int:
        """The pages after the stored cursor, the cursor saved after each page that was taken whole."""
        handled = 0
        while True:
            cursor = await asyncio.to_thread(self.store.cursor, open_kfid)
            page = await asyncio.to_thread(self.api.sync_msg, open_kfid, cursor, callback_token)
            for message in page.get("msg_list") or []:
                # A failure here ends the sync before the cursor moves: the page is synced again.
                handled += await self._take(handler, open_kfid, message)
            next_cursor = page.get("next_cursor")
            if next_cursor:
                await asyncio.to_thread(self.store.save_cursor, open_kfid, next_cursor)
            if not page.get("has_more") or not next_cursor:
                return handled

    async def _take(self, handler: Callable[[UserMessage], Awaitable[Any]], open_kfid: str,
                    message: Dict[str, Any]) -> int:
        """Handles one synced message (the user's, or the end of a session WeChat's agents had; other
        events and servicers' messages are skipped); 1 if handled."""
        if message.get("msgtype") == "event":
            return await self._take_event(handler, open_kfid, message)
        if message.get("origin") != ORIGIN_CUSTOMER or not message.get("external_userid"):
            return 0
        key = f"{KIND}:{open_kfid}:{message.get('msgid')}"
        if not await asyncio.to_thread(self.store.first_time, key):
            return 0
        external_userid = message["external_userid"]
        sender_id = self.sender_id(open_kfid, external_userid)
        try:
            await asyncio.to_thread(self.take_user, sender_id, KIND, open_kfid, external_userid)
            await asyncio.to_thread(self.store.user_wrote, sender_id, float(message.get("send_time") or time.time()))
        except DATABASE_ERRORS:
            # Not taken: the cursor stays before this page, and the next callback's sync takes it again.
            await asyncio.to_thread(self.store.forget_seen, key)
            raise
        if message.get("msgtype") != "text":
            await self.notify(sender_id, [wechat_text("unsupported_message")])
            return 1
        text = (message.get("text") or {}).get("content") or ""
        await self.converse(handler, sender_id, text)
        await self.hand_over_if_needed(sender_id)
        return 1

    async def _take_event(self, handler: Callable[[UserMessage], Awaitable[Any]], open_kfid: str,
                          message: Dict[str, Any]) -> int:
        """The events the channel acts on: a user opening the chat (welcomed), a session of WeChat's own
        agents ended (the case closes); 1 if acted on."""
        event = message.get("event") or {}
        if event.get("event_type") == "enter_session" and event.get("welcome_code"):
            if not await asyncio.to_thread(self.store.first_time, f"{KIND}:{open_kfid}:{message.get('msgid')}"):
                return 0
            return await self._welcome(handler, open_kfid, event)
        return await self._session_ended(open_kfid, message, event)

    async def _welcome(self, handler: Callable[[UserMessage], Awaitable[Any]], open_kfid: str,
                       event: Dict[str, Any]) -> int:
        """The bot's greeting as WeChat's welcome message (kf/send_msg_on_event: one message, within 20
        seconds of the user opening the chat, outside the 48-hour / 5-message window)."""
        external_userid = event.get("external_userid")
        if not external_userid:
            return 0
        sender_id = self.sender_id(open_kfid, external_userid)
        await asyncio.to_thread(self.take_user, sender_id, KIND, open_kfid, external_userid)
        try:
            texts = merge_to_fit(await self.answers(handler, sender_id, GREETING_PAYLOAD))
            if texts:
                await asyncio.to_thread(self.api.kf_send_on_event, event["welcome_code"], texts[0])
        except Exception:
            logger.exception("could not welcome %s", sender_id)
        return 1

    async def _session_ended(self, open_kfid: str, message: Dict[str, Any], event: Dict[str, Any]) -> int:
        """A session handed to WeChat's own agents has ended there: its case closes and the bot takes the
        conversation back (the relay resumes the paused tracker on the user's next message)."""
        if event.get("event_type") != "session_status_change" or event.get("change_type") != SESSION_ENDED:
            return 0
        external_userid = event.get("external_userid") or message.get("external_userid")
        if not external_userid:
            return 0
        sender_id = self.sender_id(open_kfid, external_userid)
        record = await asyncio.to_thread(self.store.user, sender_id)
        if record is None or record.transferred_case_id is None:
            return 0  # not a session this channel handed over
        try:
            closed = await asyncio.to_thread(handoff_service().withdraw, record.transferred_case_id)
        except DATABASE_ERRORS:
            logger.exception("could not close case %s of %s", record.transferred_case_id, sender_id)
            return 0
        await asyncio.to_thread(self.store.mark_transferred, sender_id, None)
        logger.info("WeChat's agents ended the session of %s; case %s %s", sender_id, record.transferred_case_id,
                    "closed" if closed else "is held by a workspace agent and stays open")
        return 1

    async def hand_over_if_needed(self, sender_id: str) -> Optional[int]:
        """With WECOM_KF_HANDOFF=wechat: a case opened for this user (and not handed over yet) goes to
        WeChat's own agents by kf/service_state/trans; the case id handed over, else None."""
        if self.handoff != HANDOFF_TO_WECHAT:
            return None
        try:
            case = await asyncio.to_thread(handoff_service().open_case_of, sender_id)
            record = await asyncio.to_thread(self.store.user, sender_id)
        except DATABASE_ERRORS:
            logger.exception("could not look for %s's handoff case", sender_id)
            return None
        if case is None or record is None or record.transferred_case_id == case.id:
            return None
        state = STATE_AGENT if self.servicer else STATE_AGENT_QUEUE
        try:
            await asyncio.to_thread(self.api.kf_transfer, record.account, record.user, state, self.servicer or None)
        except Exception:
            logger.exception("kf/service_state/trans failed for %s (case %s)", sender_id, case.id)
            return None
        await asyncio.to_thread(self.store.mark_transferred, sender_id, case.id)
        await self.note(sender_id, "transfer_note")
        logger.info("case %s of %s handed to WeChat's own agents", case.id, sender_id)
        return case.id

