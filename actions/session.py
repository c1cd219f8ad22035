"""The start of a session (after an hour of silence, domain.yml): what it keeps from the last one,
decided by kefu/services/session_carry_over.py; proof of identity is kept for
``IDENTITY_CARRY_OVER_MINUTES`` after the shopper's last message."""

from __future__ import annotations

import time
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from kefu import names
from kefu.services.session_carry_over import carried_over, identity_still_safe
from kefu.settings import Settings


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Rasa hands the metadata of the message that starts the session over in this slot.
        channel = (tracker.get_slot(names.SESSION_STARTED_METADATA_SLOT) or {}).get("channel")
        keep_identity = identity_still_safe(
            tracker.events, time.time(), channel, Settings.from_env().identity_carry_over_minutes
        )
        carried = carried_over(tracker.current_slot_values(), keep_identity)
        return [
            SessionStarted(),
            *[SlotSet(name, value) for name, value in carried.items()],
            ActionExecuted(names.LISTEN_ACTION),
        ]
