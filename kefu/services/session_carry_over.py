"""What a new session keeps from the last one: the shopper who comes back soon, on the same
channel, keeps their proof of identity and the order they were asking about; anyone else proves
it again and the order is forgotten with it (an order number alone must never unlock an order).
Half-finished work never carries over: yesterday's "确认吗？" must not be answered by today's "好的"."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from kefu import names
from kefu.services import after_sales as tasks

NEVER_CARRIED_OVER = frozenset({
    names.REQUESTED_SLOT, names.PHONE_LAST4_SLOT, names.AFTER_SALES_TASK_SLOT, names.OFFERED_TASK_SLOT,
    names.LOOKUP_FAILED_SLOT, *tasks.RUN_SLOTS,
    # Yesterday's list of suggestions is not today's; a waiting case or a
    # half-written message is the handoff's business, not the new session's.
    names.RECOMMENDATION_SLOT, names.RECOMMENDATION_SHOWN_SLOT, names.RECOMMENDATION_HANDLED_SLOT,
    names.RECOMMENDATION_CATEGORY_SLOT, names.RECOMMENDATION_BUDGET_SLOT,
    names.HANDOFF_STATUS_SLOT, names.TICKET_MESSAGE_SLOT, names.TICKET_CONTACT_SLOT,
})
# Carried over only together with the proof of identity.
IDENTITY_BOUND = frozenset({
    names.VERIFIED_CUSTOMER_SLOT, names.IDENTITY_KNOWN_SLOT, names.ORDER_ID_SLOT, names.CURRENT_ORDER_STATUS_SLOT,
    names.SHOWN_ORDERS_SLOT,
})


def _last_user_message(events: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    return next((e for e in reversed(events) if e.get("event") == "user"), None)


def identity_still_safe(events: List[Dict[str, Any]], now: float, channel: Optional[str], minutes: float) -> bool:
    """Whether the previous session ended recently enough, on the same channel, to trust it."""
    last = _last_user_message(events)
    if last is None or last.get("timestamp") is None:
        return False
    previous_channel = (last.get("metadata") or {}).get("channel") or last.get("input_channel")
    if channel and previous_channel and channel != previous_channel:
        return False
    return now - float(last["timestamp"]) <= minutes * 60


def carried_over(slots: Mapping[str, Any], keep_identity: bool) -> Dict[str, Any]:
    """The slots (with a value) the new session starts with."""
    return {
        name: value
        for name, value in slots.items()
        if value is not None and name not in NEVER_CARRIED_OVER and (keep_identity or name not in IDENTITY_BOUND)
    }
