"""What a new session keeps from the last one.

A session expires after an hour of silence (domain.yml). The shopper who
comes back soon after, on the same channel, is most likely the same person
at the same device: their proof of identity and the order they were asking
about carry over for ``IDENTITY_CARRY_OVER_MINUTES`` after their last message.
After that, or from another channel, they prove it again and the order is
forgotten with it (an order number alone must never unlock an order). A
half-finished after-sales form never carries over: yesterday's "确认吗？"
must not be answered by today's "好的".
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import IDENTITY_KNOWN_SLOT, VERIFIED_CUSTOMER_SLOT
from kefu.services import after_sales as tasks
from kefu.settings import Settings

NEVER_CARRIED_OVER = {
    "requested_slot", "phone_last4", "after_sales_task", "offered_task", "lookup_failed", *tasks.RUN_SLOTS,
    # Yesterday's list of suggestions is not today's; a waiting case or a
    # half-written message is the handoff's business, not the new session's.
    "recommendation", "recommendation_shown", "recommendation_handled", "recommendation_category",
    "recommendation_budget", "handoff_status", "ticket_message", "ticket_contact",
}
# Carried over only together with the proof of identity.
IDENTITY_BOUND = {VERIFIED_CUSTOMER_SLOT, IDENTITY_KNOWN_SLOT, "order_id", "current_order_status", "shown_orders"}


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


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Rasa hands the metadata of the message that starts the session over in this slot.
        channel = (tracker.get_slot("session_started_metadata") or {}).get("channel")
        keep_identity = identity_still_safe(
            tracker.events, time.time(), channel, Settings.from_env().identity_carry_over_minutes
        )
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None
            and name not in NEVER_CARRIED_OVER
            and (keep_identity or name not in IDENTITY_BOUND)
        ]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
