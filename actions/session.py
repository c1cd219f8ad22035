"""What a new session keeps from the last one."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import IDENTITY_KNOWN_SLOT, VERIFIED_CUSTOMER_SLOT

# A shopper who proved an order was theirs an hour ago may have left the
# device; after the session expires they prove it again. The channel's own
# login (metadata) is checked afresh on every message anyway.
NOT_CARRIED_OVER = {VERIFIED_CUSTOMER_SLOT, IDENTITY_KNOWN_SLOT, "requested_slot", "phone_last4"}


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in NOT_CARRIED_OVER
        ]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
