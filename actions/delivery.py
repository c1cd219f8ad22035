"""How long delivery takes to a place, and what postage costs there."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.latest_message import latest_entity
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.services.delivery_view import delivery_reply, shipping_reply

_AMOUNT = re.compile(r"\d+(?:\.\d+)?")


def amount_in(text: Optional[str]) -> Decimal:
    """The amount of money a budget entity names (200, 200块, 199.9元); 0 if none."""
    match = _AMOUNT.search(text or "")
    try:
        return Decimal(match.group()) if match else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


class ActionEstimateDelivery(Action):
    def name(self) -> Text:
        return "action_estimate_delivery"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        place = latest_entity(tracker, names.LOCATION_ENTITY) or tracker.get_slot(names.LOCATION_SLOT)
        if not place:
            say(dispatcher, "delivery_general")
            return []
        try:
            estimate = await call_backend(backends().orders.estimate_delivery, place)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if estimate is None:
            say(dispatcher, "delivery_unknown_place", destination=place)
            return [SlotSet(names.LOCATION_SLOT, None)]
        reply = delivery_reply(estimate)
        say_reply(dispatcher, reply)
        return [SlotSet(names.LOCATION_SLOT, place)]


class ActionShippingFee(Action):
    def name(self) -> Text:
        return "action_shipping_fee"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        place = latest_entity(tracker, names.LOCATION_ENTITY) or tracker.get_slot(names.LOCATION_SLOT)
        if not place:
            say(dispatcher, "shipping_fee_general")
            return []
        amount = amount_in(latest_entity(tracker, names.BUDGET_ENTITY))
        try:
            quote = await call_backend(backends().orders.shipping_fee, place, amount)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if quote is None:
            say(dispatcher, "shipping_fee_unknown_place", region=place)
            return [SlotSet(names.LOCATION_SLOT, None)]
        reply = shipping_reply(quote)
        say_reply(dispatcher, reply)
        return [SlotSet(names.LOCATION_SLOT, place)]
