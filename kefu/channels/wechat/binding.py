"""Binding a WeChat user to a shop customer: the user sends 「绑定 订单号 手机后四位」; the proof is the
same as the bot's order verification (kefu.services.order_access, counted and locked by
kefu.security.verification), and once it holds, the binding is stored with the WeChat user
(kefu/channels/wechat/store.py). From then on every message of that user carries the customer's
signed identity (CONTRACT §3), minted by the connector from the binding and from nothing else.
「解绑」 removes it."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from functools import partial
from typing import Any, Dict, Optional

from kefu.backends.errors import BackendFailure
from kefu.backends.factory import backends_from_env
from kefu.channels.wechat.store import WeChatStore
from kefu.replies.wechat import wechat_text
from kefu.security.client import client_key
from kefu.security.identity import identity_metadata
from kefu.security.verification import ProofGuard, ProofOutcome, proof_guard
from kefu.services.order_access import OrderAccess, last_four_digits, order_number_in

_BIND = re.compile(r"\s*绑定\s*(?P<rest>.*)", re.S)
_UNBIND = re.compile(r"\s*(解绑|解除绑定)\s*")
_DIGITS = re.compile(r"\d+")
# What a menu button sends to ask how to bind (kefu/channels/wechat/menu.py).
BIND_PAYLOAD = "/wechat_bind"


@dataclass(frozen=True)
class BindingReply:
    """What the connector answers a binding command with (instead of the bot)."""

    text: str


class Binder:
    """Handles 「绑定 …」/「解绑」 for one store; ``access`` and ``guard`` default to the shop's backends
    and the database-counted proof limits the bot's verification uses."""

    def __init__(self, store: WeChatStore, access: Optional[OrderAccess] = None,
                 guard: Optional[ProofGuard] = None) -> None:
        self._store = store
        self._access = access
        self._guard = guard

    def handle(self, sender_id: str, text: str) -> Optional[BindingReply]:
        """The reply to a binding command; None when ``text`` is no binding command (blocking)."""
        if (text or "").strip() == BIND_PAYLOAD:
            return BindingReply(wechat_text("bind_hint"))
        if _UNBIND.fullmatch(text or ""):
            self._store.unbind(sender_id)
            return BindingReply(wechat_text("unbind_done"))
        match = _BIND.fullmatch(text or "")
        if not match:
            return None
        runs = _DIGITS.findall(match.group("rest"))
        order_id = order_number_in(runs[0]) if runs else None
        digits = last_four_digits(" ".join(runs[1:])) if len(runs) > 1 else None
        if order_id is None or digits is None:
            return BindingReply(wechat_text("bind_hint"))
        try:
            access = self._access or _shop_access()
            guard = self._guard or proof_guard()
            proof = guard.attempt(order_id, client_key(None, sender_id), partial(access.verify, order_id, digits))
        except BackendFailure:
            return BindingReply(wechat_text("bind_unavailable"))
        if proof.outcome is ProofOutcome.VERIFIED and proof.customer_id:
            self._store.bind(sender_id, proof.customer_id, order_id)
            return BindingReply(wechat_text("bind_done"))
        if proof.outcome is ProofOutcome.LOCKED:
            return BindingReply(wechat_text("bind_locked"))
        return BindingReply(wechat_text("bind_no_match"))


def identity_of(store: WeChatStore, sender_id: str, secret: str) -> Dict[str, Any]:
    """The metadata a bound user's message carries: customer_id with its signed identity_token; {} for
    a user who is not bound."""
    record = store.user(sender_id)
    if record is None or not record.customer_id:
        return {}
    return identity_metadata(record.customer_id, secret)


@lru_cache(maxsize=1)
def _shop_access() -> OrderAccess:
    shop = backends_from_env()
    return OrderAccess(shop.orders, shop.customers)
