"""The WeChat HTTP APIs the connectors call, with the access_token every call needs taken from the
shared cache (kefu/channels/wechat/store.py) and renewed once when WeChat calls it invalid.

Two accounts, one client: an Official Account / Mini Program (``api.weixin.qq.com``: ``cgi-bin/token``,
``message/custom/send``) and a WeChat Customer Service account of WeCom (``qyapi.weixin.qq.com``:
``cgi-bin/gettoken``, ``kf/sync_msg``, ``kf/send_msg``, ``kf/service_state/trans``). The base URLs come
from the environment (WECHAT_API_BASE, WECOM_API_BASE), so tests and proxies can stand in.

Blocking (requests): async callers run it in a worker thread."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

import requests

from kefu.channels.wechat.store import WeChatStore

logger = logging.getLogger(__name__)

# errcodes meaning "this access_token is no good": fetch a new one and try again once.
TOKEN_ERRORS = {40001, 40014, 42001}
TIMEOUT_SECONDS = 5.0


class WeChatApiError(Exception):
    def __init__(self, path: str, errcode: Any, errmsg: str) -> None:
        super().__init__(f"{path}: errcode {errcode} {errmsg}")
        self.path, self.errcode, self.errmsg = path, errcode, errmsg


class WeChatApi:
    """One account's API: ``kind`` "mp" (AppID + AppSecret) or "kf" (CorpID + the kf app's Secret)."""

    def __init__(self, kind: str, base_url: str, app_id: str, secret: str, store: WeChatStore,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        if kind not in ("mp", "kf"):
            raise ValueError(f"unknown WeChat account kind {kind!r}")
        self.kind = kind
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._secret = secret
        self._store = store
        self._timeout = timeout
        self._http = requests.Session()

    @property
    def account(self) -> str:
        return f"{self.kind}:{self.app_id}"

    def access_token(self) -> str:
        return self._store.access_token(self.account, self._fetch_token)

    def _fetch_token(self) -> Tuple[str, float]:
        if self.kind == "mp":
            path, params = "/cgi-bin/token", {"grant_type": "client_credential", "appid": self.app_id,
                                                 "secret": self._secret}
        else:
            path, params = "/cgi-bin/gettoken", {"corpid": self.app_id, "corpsecret": self._secret}
        answer = self._http.get(self.base_url + path, params=params, timeout=self._timeout)
        answer.raise_for_status()
        body = answer.json()
        if body.get("errcode") not in (None, 0) or not body.get("access_token"):
            raise WeChatApiError(path, body.get("errcode"), body.get("errmsg", ""))
        logger.info("fetched a new access_token for %s", self.account)
        return body["access_token"], float(body.get("expires_in") or 7200)

    def post(self, path: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        """POST ``payload`` to ``path`` with the access token; the answer (WeChatApiError for an errcode)."""
        for attempt in (1, 2):
            token = self.access_token()
            answer = self._http.post(self.base_url + path, params={"access_token": token},
                                     json=payload, timeout=self._timeout)
            answer.raise_for_status()
            body = answer.json()
            errcode = body.get("errcode", 0)
            if errcode in TOKEN_ERRORS and attempt == 1:
                logger.warning("%s: access_token refused (%s); fetching a new one", self.account, errcode)
                self._store.invalidate_token(self.account, token)
                continue
            if errcode not in (0, None):
                raise WeChatApiError(path, errcode, body.get("errmsg", ""))
            return body
        raise AssertionError("unreachable")

    # --- Official Account / Mini Program ---
    def send_custom_text(self, openid: str, text: str) -> None:
        self.post("/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": text}})

    # --- WeChat Customer Service ---
    def sync_msg(self, open_kfid: str, cursor: Optional[str], callback_token: Optional[str],
                 limit: int = 1000) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"open_kfid": open_kfid, "limit": limit}
        if cursor:
            payload["cursor"] = cursor
        if callback_token:
            payload["token"] = callback_token
        return self.post("/cgi-bin/kf/sync_msg", payload)

    def kf_send_text(self, open_kfid: str, external_userid: str, text: str) -> None:
        self.post("/cgi-bin/kf/send_msg", {"touser": external_userid, "open_kfid": open_kfid,
                                           "msgtype": "text", "text": {"content": text}})

    def kf_send_on_event(self, welcome_code: str, text: str) -> None:
        """The welcome message of an enter_session event (once per code, within 20 seconds)."""
        self.post("/cgi-bin/kf/send_msg_on_event", {"code": welcome_code, "msgtype": "text", "text": {"content": text}})

    def kf_transfer(self, open_kfid: str, external_userid: str, service_state: int,
                    servicer_userid: Optional[str] = None) -> None:
        payload: Dict[str, Any] = {"open_kfid": open_kfid, "external_userid": external_userid,
                                   "service_state": service_state}
        if servicer_userid:
            payload["servicer_userid"] = servicer_userid
        self.post("/cgi-bin/kf/service_state/trans", payload)
