"""The Official Account / Mini Program channel (credentials.yml ``kefu.channels.wechat.official.WeChatOfficialInput``,
URL ``/webhooks/wechat/webhook``; docs/channels/wechat.md).

* ``GET``: WeChat's server verification (``signature``, ``timestamp``, ``nonce``, ``echostr``): the
  echostr back when the signature holds.
* ``POST``: a user's message. The URL signature is checked; in safe mode (``encrypt_type=aes``) the
  ``msg_signature`` too and the body decrypted. A MsgId seen before (WeChat retries 3 times when it
  does not get an answer within 5 seconds) is dropped. WeChat gets ``success`` at once; the answer
  goes out afterwards through the customer-service message API (``message/custom/send``), so the
  5-second rule never bites however long the bot takes.

Forged or stale signatures get 403, bad ciphertext or a body that is not a WeChat message 400; a
channel without its credentials answers 503 (nothing to check signatures with)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.channels.wechat.api import WeChatApi, WeChatApiError
from kefu.channels.wechat.connector import Undeliverable, WeChatConnector, refused
from kefu.channels.wechat.crypto import CallbackRefused, WeChatCrypto
from kefu.channels.wechat.messages import MAX_CALLBACK_BYTES, parse_body
from kefu.channels.wechat.store import WeChatStore, sender_id_for
from kefu.handoff.service import DATABASE_ERRORS
from kefu.replies.wechat import wechat_text
from kefu.security.identity import identity_secret
from kefu.settings import Settings

logger = logging.getLogger(__name__)

KIND = "mp"
# message/custom/send's errcode when the user has not written for 48 hours (or unfollowed).
OUT_OF_TIME = {45015, 45047}


class WeChatOfficialInput(WeChatConnector):
    kind = KIND
    blueprint_name = "wechat_official_webhook"

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatOfficialInput":
        credentials = credentials or {}
        return cls(app_id=credentials.get("app_id") or "", app_secret=credentials.get("app_secret") or "",
                   token=credentials.get("token") or "", encoding_aes_key=credentials.get("encoding_aes_key") or "")

    def __init__(self, app_id: str, app_secret: str, token: str, encoding_aes_key: str = "",
                 store: Optional[WeChatStore] = None, settings: Optional[Settings] = None) -> None:
        super().__init__(store, settings)
        self.app_id = app_id.strip()
        self._app_secret = app_secret.strip()
        self.crypto = WeChatCrypto(token.strip(), encoding_aes_key.strip(), self.app_id) if token.strip() else None
        self._api: Optional[WeChatApi] = None
        if self.crypto is None:
            logger.info("WeChat Official Account channel has no WECHAT_TOKEN: it refuses every callback")

    @property
    def configured(self) -> bool:
        return self.crypto is not None and bool(self.app_id) and bool(self._app_secret)

    @property
    def api(self) -> WeChatApi:
        if self._api is None:
            self._api = WeChatApi(KIND, self.settings.wechat_api_base, self.app_id, self._app_secret, self.store)
        return self._api

    def sender_id(self, openid: str) -> str:
        return sender_id_for(KIND, self.app_id, openid, identity_secret(self.settings))

    async def send_texts(self, sender_id: str, texts: List[str]) -> None:
        record = await asyncio.to_thread(self.store.user, sender_id)
        if record is None:
            raise LookupError(f"{sender_id} is no WeChat user of this account")
        for text in texts:
            try:
                await asyncio.to_thread(self.api.send_custom_text, record.user, text)
            except WeChatApiError as error:
                if error.errcode not in OUT_OF_TIME:
                    raise
                logger.warning("WeChat refuses messages to %s now (errcode %s): the user must write first",
                               sender_id, error.errcode)
                await self.note(sender_id, "window_note_mp")
                raise Undeliverable(sender_id) from error

    async def verify_callback(self, request: Request) -> HTTPResponse:
        args = request.args
        try:
            self.crypto.check_plain(args.get("signature"), args.get("timestamp"), args.get("nonce"))
        except CallbackRefused as refusal:
            return refused(self.name(), refusal)
        return response.text(args.get("echostr") or "")

    async def receive_callback(self, request: Request,
                               handler: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            fields = self._open(request)
        except CallbackRefused as refusal:
            return refused(self.name(), refusal)
        openid = fields.get("FromUserName", "")
        if not openid:
            return response.text("bad request", status=400)
        # A message by its MsgId; an event (which has none) by who, when, what and which button.
        event_key = ":".join(fields.get(name, "") for name in ("CreateTime", "Event", "EventKey"))
        key = f"{KIND}:{self.app_id}:" + (fields.get("MsgId") or f"{openid}:{event_key}")
        if not await asyncio.to_thread(self.store.first_time, key):
            return response.text("success")  # one of WeChat's retries: answered already
        sender_id = self.sender_id(openid)
        try:
            await asyncio.to_thread(self.take_user, sender_id, KIND, self.app_id, openid)
            await asyncio.to_thread(self.store.user_wrote, sender_id, time.time())  # for the retention purge
        except DATABASE_ERRORS:
            logger.exception("could not take %s's message; WeChat's retry may", sender_id)
            await asyncio.to_thread(self.store.forget_seen, key)
            return response.text("unavailable", status=503)
        if fields.get("MsgType") in ("text", "event"):
            text = self._text_of(fields)
            if text:
                self.in_background(self.converse(handler, sender_id, text))
        else:  # a picture, a voice message…: the user hears why nothing else comes
            self.in_background(self.notify(sender_id, [wechat_text("unsupported_message")]))
        return response.text("success")

    def _open(self, request: Request) -> Dict[str, str]:
        """The message's fields, its signatures checked and (safe mode) decrypted."""
        if len(request.body or b"") > MAX_CALLBACK_BYTES:
            raise CallbackRefused("oversized body")
        args = request.args
        timestamp, nonce = args.get("timestamp"), args.get("nonce")
        self.crypto.check_plain(args.get("signature"), timestamp, nonce)
        fields = parse_body(request.body)
        if args.get("encrypt_type") == "aes" or "Encrypt" in fields:
            if not self.crypto.safe_mode:
                raise CallbackRefused("encrypted callback but no EncodingAESKey configured")
            self.crypto.check_message(args.get("msg_signature"), timestamp, nonce, fields.get("Encrypt"))
            fields = parse_body(self.crypto.decrypt(fields["Encrypt"]))
        elif self.crypto.safe_mode:
            raise CallbackRefused("plain callback while safe mode is configured")
        return fields

    @staticmethod
    def _text_of(fields: Dict[str, str]) -> Optional[str]:
        """What a text or an event says to the bot; None for events nobody answers."""
        if fields.get("MsgType") == "text":
            return fields.get("Content", "")
        event = (fields.get("Event") or "").lower()
        if event == "subscribe":
            return "/greet"  # a new follower is greeted by the bot
        if event == "click" and fields.get("EventKey"):
            return fields["EventKey"]  # a menu button's key is its payload
        return None
