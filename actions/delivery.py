"""How long delivery takes to a place (or to the shopper, for the order they are waiting for), and what
postage costs there."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.latest_message import latest_entity
from actions.orders import ORDERS_CONSIDERED, RECENT_ORDERS_SHOWN, offer_orders, show_order
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.services.delivery_view import delivery_reply, shipping_reply
from kefu.services.order_choice import open_orders, order_meant, speaks_of_own_order
from kefu.storage.clock import shop_now

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
            return await self._without_a_place(dispatcher, tracker)
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

    @staticmethod
    async def _without_a_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """"都四天了" / "今天能到吗" is about the shopper's own parcel, whether the NLU heard track_order or
        ask_delivery_time: the order it means is shown. Otherwise the general times, and to a shopper with an
        order still to come, that order's status on offer; an anonymous shopper hears how to have it looked up."""
        text = tracker.latest_message.get("text")
        own_order = speaks_of_own_order(text)
        customer_id = known_customer_id(tracker)
        if customer_id is None:
            say(dispatcher, "delivery_general")
            if own_order:
                say(dispatcher, "delivery_verify_to_track")
            return []
        discussed = tracker.get_slot(names.ORDER_ID_SLOT)
        if own_order and discussed:
            # "今天能到吗" right after an order was shown
            return await show_order(dispatcher, tracker, customer_id, discussed)
        try:
            orders = await call_backend(backends().orders.orders_of_customer, customer_id, ORDERS_CONSIDERED) or []
        except BackendFailure:
            say(dispatcher, "delivery_general")  # the general times need no shop system
            return []
        meant = order_meant(text, orders, shop_now()) if own_order else None
        if meant is not None:
            return await show_order(dispatcher, tracker, customer_id, meant.order_id)
        say(dispatcher, "delivery_general")
        waiting = open_orders(orders)[:RECENT_ORDERS_SHOWN]
        if not waiting:
            return []
        return offer_orders(dispatcher, customer_id, waiting, "delivery_offer_order_status", names.TRACK_ORDER_INTENT)


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
