"""A local stand-in for WeChat's servers, over real HTTP on a free port: the token endpoints of an
Official Account (``cgi-bin/token``) and of WeCom (``cgi-bin/gettoken``), ``message/custom/send``,
``kf/sync_msg``, ``kf/send_msg`` and ``kf/service_state/trans`` as WeChat documents them (errcodes
included), and the callbacks WeChat makes, signed and encrypted the way WeChat does it."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs, urlparse

import requests

from kefu.channels.wechat.crypto import WeChatCrypto, sha1_signature
from kefu.channels.wechat.messages import to_xml

MP_APP_ID, MP_SECRET, MP_TOKEN = "wx1234567890abcdef", "mp-app-secret", "mp-callback-token"
CORP_ID, KF_SECRET, KF_TOKEN = "ww0123456789abcdef", "kf-app-secret", "kf-callback-token"
MP_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
KF_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj"
OPEN_KFID = "wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyzdw"
TEXT_BYTE_LIMIT = 2048


@dataclass
class FakeState:
    token_lifetime: int = 7200
    token_fetches: Dict[str, int] = field(default_factory=dict)
    valid_tokens: Dict[str, float] = field(default_factory=dict)  # token -> expires at
    custom_sent: List[Dict[str, Any]] = field(default_factory=list)
    kf_sent: List[Dict[str, Any]] = field(default_factory=list)
    transfers: List[Dict[str, Any]] = field(default_factory=list)
    menus: List[Dict[str, Any]] = field(default_factory=list)
    welcomes: List[Dict[str, Any]] = field(default_factory=list)
    welcome_codes: set = field(default_factory=set)
    kf_messages: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)  # open_kfid -> all messages
    sync_calls: List[Dict[str, Any]] = field(default_factory=list)
    callback_tokens: set = field(default_factory=set)
    page_size: int = 1000
    mp_last_message: Dict[str, float] = field(default_factory=dict)  # openid -> when they last wrote
    failing_syncs: int = 0  # the next n kf/sync_msg calls answer "api freq out of limit"
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeWeChat:
    """Start with ``with FakeWeChat() as wechat``; ``wechat.base_url`` is both API bases."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.mp_crypto = WeChatCrypto(MP_TOKEN, MP_AES_KEY, MP_APP_ID)
        self.kf_crypto = WeChatCrypto(KF_TOKEN, KF_AES_KEY, CORP_ID)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeWeChat":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests arrange ---
    def expire_all_tokens(self) -> None:
        """WeChat forgets every token (as when one expires, or the AppSecret is reset)."""
        with self.state.lock:
            self.state.valid_tokens.clear()

    def kf_user_writes(self, external_userid: str, text: str, send_time: Optional[float] = None,
                       msgtype: str = "text", open_kfid: str = OPEN_KFID) -> str:
        """A WeChat user writes to the kf account: the message waits for kf/sync_msg; its msgid."""
        msgid = secrets.token_hex(8)
        message = {"msgid": msgid, "open_kfid": open_kfid, "external_userid": external_userid,
                   "send_time": int(send_time if send_time is not None else time.time()), "origin": 3,
                   "msgtype": msgtype}
        message[msgtype] = {"content": text} if msgtype == "text" else {"media_id": "MEDIA"}
        with self.state.lock:
            self.state.kf_messages.setdefault(open_kfid, []).append(message)
        return msgid

    def kf_user_opens_chat(self, external_userid: str, open_kfid: str = OPEN_KFID) -> str:
        """A user opens the kf chat (an enter_session event with a welcome code); the code."""
        code = secrets.token_hex(8)
        message = {"msgid": secrets.token_hex(8), "open_kfid": open_kfid, "send_time": int(time.time()), "origin": 4,
                   "msgtype": "event", "event": {"event_type": "enter_session", "open_kfid": open_kfid,
                                                 "external_userid": external_userid, "scene": "shop_page",
                                                 "welcome_code": code}}
        with self.state.lock:
            self.state.welcome_codes.add(code)
            self.state.kf_messages.setdefault(open_kfid, []).append(message)
        return code

    def kf_session_ends(self, external_userid: str, open_kfid: str = OPEN_KFID) -> None:
        """A servicer of WeChat's own ends the session (a session_status_change event for kf/sync_msg)."""
        message = {"msgid": secrets.token_hex(8), "open_kfid": open_kfid, "send_time": int(time.time()), "origin": 4,
                   "msgtype": "event", "event": {"event_type": "session_status_change", "open_kfid": open_kfid,
                                                 "external_userid": external_userid, "change_type": 3,
                                                 "old_servicer_userid": "zhangxiaomei", "msg_code": "MSGCODE"}}
        with self.state.lock:
            self.state.kf_messages.setdefault(open_kfid, []).append(message)

    # --- WeChat's callbacks ---
    def mp_callback(self, url: str, fields: Dict[str, str], safe: bool = True,
                    signature: Optional[str] = None, timestamp: Optional[str] = None,
                    encrypted: Optional[str] = None, json_format: bool = False) -> requests.Response:
        """POSTs an Official Account message to ``url`` as WeChat does (safe mode: encrypted); with
        ``json_format`` as a Mini Program set to JSON does."""
        with self.state.lock:
            self.state.mp_last_message[fields.get("FromUserName", "")] = time.time()
        encode = (lambda data: json.dumps(data, ensure_ascii=False)) if json_format else to_xml
        timestamp = timestamp or str(int(time.time()))
        nonce = secrets.token_hex(5)
        params = {"timestamp": timestamp, "nonce": nonce,
                  "signature": signature or sha1_signature(MP_TOKEN, timestamp, nonce),
                  "openid": fields.get("FromUserName", "")}
        if not safe:
            return requests.post(url, params=params, data=encode(fields).encode("utf-8"), timeout=10)
        sealed = self.mp_crypto.encrypt(encode(fields), nonce=nonce, timestamp=timestamp)
        params.update(encrypt_type="aes", msg_signature=sealed.msg_signature)
        body = encode({"ToUserName": MP_APP_ID, "Encrypt": encrypted or sealed.encrypted})
        return requests.post(url, params=params, data=body.encode("utf-8"), timeout=10)

    def kf_callback(self, url: str, open_kfid: str = OPEN_KFID, msg_signature: Optional[str] = None,
                    encrypted: Optional[str] = None) -> requests.Response:
        """WeCom's signal that kf messages wait: kf_msg_or_event with a sync Token."""
        token = secrets.token_hex(8)
        with self.state.lock:
            self.state.callback_tokens.add(token)
        event = to_xml({"ToUserName": CORP_ID, "CreateTime": str(int(time.time())), "MsgType": "event",
                        "Event": "kf_msg_or_event", "Token": token, "OpenKfId": open_kfid})
        sealed = self.kf_crypto.encrypt(event)
        params = {"msg_signature": msg_signature or sealed.msg_signature, "timestamp": sealed.timestamp,
                  "nonce": sealed.nonce}
        body = to_xml({"ToUserName": CORP_ID, "AgentID": "", "Encrypt": encrypted or sealed.encrypted})
        return requests.post(url, params=params, data=body.encode("utf-8"), timeout=10)


def mp_message(openid: str, text: str, msg_id: Optional[str] = None) -> Dict[str, str]:
    return {"ToUserName": "gh_shop", "FromUserName": openid, "CreateTime": str(int(time.time())),
            "MsgType": "text", "Content": text, "MsgId": msg_id or str(secrets.randbelow(10 ** 18))}


def _handler(state: FakeState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _reply(self, body: Dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/cgi-bin/token":
                good = query.get("appid") == MP_APP_ID and query.get("secret") == MP_SECRET
                return self._reply(self._issue("MP", query.get("appid")) if good
                                   else {"errcode": 40125, "errmsg": "invalid appsecret"})
            if url.path == "/cgi-bin/gettoken":
                good = query.get("corpid") == CORP_ID and query.get("corpsecret") == KF_SECRET
                return self._reply(dict(errcode=0, errmsg="ok", **self._issue("KF", query.get("corpid"))) if good
                                   else {"errcode": 40001, "errmsg": "invalid secret"})
            self.send_error(404)

        def _issue(self, prefix: str, account: str) -> Dict[str, Any]:
            with state.lock:
                state.token_fetches[account] = state.token_fetches.get(account, 0) + 1
                token = f"{prefix}-{secrets.token_hex(8)}"
                state.valid_tokens[token] = time.time() + state.token_lifetime
            return {"access_token": token, "expires_in": state.token_lifetime}

        def do_POST(self) -> None:
            url = urlparse(self.path)
            token = parse_qs(url.query).get("access_token", [""])[0]
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with state.lock:
                if state.valid_tokens.get(token, 0) <= time.time():
                    return self._reply({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
            route = {
                "/cgi-bin/message/custom/send": self._custom_send,
                "/cgi-bin/kf/send_msg": self._kf_send,
                "/cgi-bin/kf/sync_msg": self._sync,
                "/cgi-bin/kf/service_state/trans": self._trans,
                "/cgi-bin/menu/create": self._menu,
                "/cgi-bin/kf/send_msg_on_event": self._welcome,
            }.get(url.path)
            if route is None:
                return self.send_error(404)
            self._reply(route(body))

        def _too_long(self, body: Dict[str, Any]) -> bool:
            return len(((body.get("text") or {}).get("content") or "").encode("utf-8")) > TEXT_BYTE_LIMIT

        def _custom_send(self, body: Dict[str, Any]) -> Dict[str, Any]:
            if self._too_long(body):
                return {"errcode": 45002, "errmsg": "content size out of limit"}
            if time.time() - state.mp_last_message.get(body.get("touser"), 0) > 48 * 3600:
                return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
            with state.lock:
                state.custom_sent.append(body)
            return {"errcode": 0, "errmsg": "ok"}

        def _kf_send(self, body: Dict[str, Any]) -> Dict[str, Any]:
            if self._too_long(body):
                return {"errcode": 45002, "errmsg": "content size out of limit"}
            with state.lock:
                state.kf_sent.append(body)
            return {"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(6)}

        def _sync(self, body: Dict[str, Any]) -> Dict[str, Any]:
            with state.lock:
                state.sync_calls.append(body)
                if state.failing_syncs > 0:
                    state.failing_syncs -= 1
                    return {"errcode": 45009, "errmsg": "api freq out of limit"}
                if body.get("token") and body["token"] not in state.callback_tokens:
                    return {"errcode": 95007, "errmsg": "invalid msg token"}
                messages = state.kf_messages.get(body.get("open_kfid"), [])
                start = int(body.get("cursor") or 0)
                page = messages[start:start + min(int(body.get("limit") or 1000), state.page_size)]
                end = start + len(page)
            return {"errcode": 0, "errmsg": "ok", "next_cursor": str(end), "has_more": int(end < len(messages)),
                    "msg_list": page}

        def _welcome(self, body: Dict[str, Any]) -> Dict[str, Any]:
            if self._too_long(body):
                return {"errcode": 45002, "errmsg": "content size out of limit"}
            with state.lock:
                if body.get("code") not in state.welcome_codes:
                    return {"errcode": 95012, "errmsg": "invalid msg code"}
                state.welcome_codes.discard(body["code"])  # a code is good for one message
                state.welcomes.append(body)
            return {"errcode": 0, "errmsg": "ok"}

        def _menu(self, body: Dict[str, Any]) -> Dict[str, Any]:
            buttons = body.get("button") or []
            if not 1 <= len(buttons) <= 3 or any(len(b.get("sub_button") or []) > 5 for b in buttons):
                return {"errcode": 40016, "errmsg": "invalid button size"}
            with state.lock:
                state.menus.append(body)
            return {"errcode": 0, "errmsg": "ok"}

        def _trans(self, body: Dict[str, Any]) -> Dict[str, Any]:
            with state.lock:
                state.transfers.append(body)
            return {"errcode": 0, "errmsg": "ok"}

    return Handler
