"""Order status and the verification that guards it."""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.latest_message import latest_entity, latest_metadata
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.backends.orders import Order
from kefu.replies import render
from kefu.security.client import client_key
from kefu.security.verification import ProofOutcome, proof_guard
from kefu.services.clarification import intent_payload
from kefu.services.order_access import MAX_VERIFICATION_ATTEMPTS, OrderAccess, last_four_digits, order_number_in
from kefu.services.order_choice import order_meant
from kefu.services.order_view import order_button_title, order_card, order_response
from kefu.services.platform_orders import platform_order_number, platform_order_number_in
from kefu.storage.clock import shop_now

RECENT_ORDERS_SHOWN = 3
# The input channels (Rasa's channel names) whose shoppers see cards: the web chat widget.
CARD_CHANNELS = {"webchat"}
# How many of a shopper's latest orders are looked through for the one a message is about.
ORDERS_CONSIDERED = 10


def _access() -> OrderAccess:
    shop = backends()
    return OrderAccess(shop.orders, shop.customers)


def _attempts(tracker: Tracker) -> int:
    return int(tracker.get_slot(names.VERIFICATION_ATTEMPTS_SLOT) or 0)


class ActionIdentifyShopper(Action):
    """Records whether the shopper is known, so that rules can branch on it."""

    def name(self) -> Text:
        return "action_identify_shopper"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        customer_id = known_customer_id(tracker)
        return [
            SlotSet(names.VERIFIED_CUSTOMER_SLOT, customer_id),
            SlotSet(names.IDENTITY_KNOWN_SLOT, customer_id is not None),
        ]


class ActionTrackOrder(Action):
    """Shows an order's status to the customer it belongs to, and only to them."""

    def name(self) -> Text:
        return "action_track_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        customer_id = known_customer_id(tracker)
        if tracker.get_slot(names.LOOKUP_FAILED_SLOT):
            return [SlotSet(names.LOOKUP_FAILED_SLOT, None)]
        if customer_id is None:
            # Only reached after the verification form ended without a match.
            say(dispatcher, "verification_locked")
            return []
        try:
            order_id = await order_number_said(tracker) or tracker.get_slot(names.ORDER_ID_SLOT)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        text = tracker.latest_message.get("text")
        return await show_order(dispatcher, tracker, customer_id, order_id, text)


async def order_number_said(tracker: Tracker) -> Optional[str]:
    """The order number the latest message gives, as the shop numbers its orders: the NLU's ``order_id``,
    unless the message came through the platform bridge with a marketplace's order number the NLU missed
    (JD's 12 digits) or took only a part of (PDD's ``241111-`` + 15 digits) or cannot tell from the shop's
    (Taobao's 19 digits): that one, as the shop's orders backend translates it (kefu/services/platform_orders.py).
    A platform number the shop does not know stays as the buyer wrote it: looked up, it is no order, exactly
    as a wrong number is, so that nobody learns from the answer which numbers are the shop's."""
    said = latest_entity(tracker, names.ORDER_ID_ENTITY)
    platform_number = platform_order_number(latest_metadata(tracker), said)
    if platform_number is None:
        return said
    shop_number = await call_backend(backends().orders.find_platform_order, platform_number.platform,
                                     platform_number.number)
    return shop_number or platform_number.number


def draws_cards(tracker: Tracker) -> bool:
    """Whether the shopper's channel draws cards (the web chat). Rasa's other output channels send a
    custom payload as a message of its own, which a REST client would read as a message without text."""
    return tracker.get_latest_input_channel() in CARD_CHANNELS


async def show_order(
    dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: str, order_id: Optional[str],
    text: Optional[str] = None,
) -> List[EventType]:
    """The order's status and parcel for its owner (with an order card in the summary's message where the
    shopper's channel draws cards). Without an order number, the one order the message can be about ("没收到货啊 都好几天了":
    the parcel on the road), else their recent orders to pick from."""
    try:
        if order_id:
            order = await owned_order(customer_id, order_id)
        else:
            orders = await call_backend(backends().orders.orders_of_customer, customer_id, ORDERS_CONSIDERED) or []
            order = order_meant(text, orders, shop_now())
            if order is None:
                return offer_orders(dispatcher, customer_id, orders[:RECENT_ORDERS_SHOWN],
                                    "choose_order", names.TRACK_ORDER_INTENT)
        if order is None:
            say(dispatcher, "order_no_match")
            return [SlotSet(names.ORDER_ID_SLOT, None)]
        events = await call_backend(backends().orders.logistics_events, order.order_id)
    except BackendFailure:
        apologise_for_backend(dispatcher)
        return []
    replies = order_response(order, events or [], shop_now())
    say_reply(dispatcher, replies[0], card=order_card(order) if draws_cards(tracker) else None)
    for reply in replies[1:]:
        say_reply(dispatcher, reply)
    return [
        SlotSet(names.ORDER_ID_SLOT, order.order_id),
        SlotSet(names.VERIFIED_CUSTOMER_SLOT, customer_id),
        SlotSet(names.CURRENT_ORDER_STATUS_SLOT, order.status),
    ]


async def offer_recent_orders(
    dispatcher: CollectingDispatcher, customer_id: str, template: str, intent: str
) -> List[EventType]:
    """The customer's recent orders as buttons; "第二个" then means the second of them."""
    orders = await call_backend(backends().orders.orders_of_customer, customer_id, RECENT_ORDERS_SHOWN)
    return offer_orders(dispatcher, customer_id, orders or [], template, intent)


def offer_orders(
    dispatcher: CollectingDispatcher, customer_id: str, orders: List[Order], template: str, intent: str
) -> List[EventType]:
    """These orders as buttons that send ``intent`` with the order number; "第二个" then means the second."""
    if not orders:
        say(dispatcher, "no_orders")
        return [SlotSet(names.VERIFIED_CUSTOMER_SLOT, customer_id)]
    buttons = [
        {"title": order_button_title(order), "payload": intent_payload(intent, {names.ORDER_ID_ENTITY: order.order_id})}
        for order in orders
    ]
    dispatcher.utter_message(**render(template), buttons=buttons)
    return [
        SlotSet(names.VERIFIED_CUSTOMER_SLOT, customer_id),
        SlotSet(names.SHOWN_ORDERS_SLOT, [o.order_id for o in orders]),
    ]


class ActionAskOrderId(Action):
    def name(self) -> Text:
        return "action_ask_order_id"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        customer_id = known_customer_id(tracker)
        if customer_id is None:
            say(dispatcher, "ask_order_id")
            return []
        try:
            return await offer_recent_orders(dispatcher, customer_id, "choose_order_for_task", names.INFORM_INTENT)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return [SlotSet(names.LOOKUP_FAILED_SLOT, True)]


class ActionAskPhoneLast4(Action):
    def name(self) -> Text:
        return "action_ask_phone_last4"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, "ask_phone_last4")
        return []


class OrderProof:
    """The order number and phone-tail questions, shared by every form that guards an order.

    Three misses in a conversation, or an order or client locked by the failures counted in the
    database, lock the lookup; a failing shop system stops the questions.
    """

    @staticmethod
    def proof_slots(tracker: Tracker) -> Optional[List[Text]]:
        """[] when the shopper is known, the questions still to ask, or None once locked."""
        if known_customer_id(tracker):
            return []
        if tracker.get_slot(names.LOOKUP_FAILED_SLOT) or _attempts(tracker) >= MAX_VERIFICATION_ATTEMPTS:
            return None
        return [names.ORDER_ID_SLOT, names.PHONE_LAST4_SLOT]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The form's own extractions, then a marketplace's order number the NLU missed or took only a part
        of (order_number_said) as the order number, whenever the form wants one: every form that guards an
        order (this class comes before FormValidationAction in theirs) understands a platform buyer's number."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)  # type: ignore[misc]
        said = latest_entity(tracker, names.ORDER_ID_ENTITY)
        if platform_order_number(latest_metadata(tracker), said) is None:
            return events  # the usual case: nothing more to look up
        wanted = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)  # type: ignore[attr-defined]
        if names.ORDER_ID_SLOT not in wanted:
            return events
        try:
            order_id = await order_number_said(tracker)
        except BackendFailure:
            return events  # the lookup the number would get fails as well, and says so
        if order_id and order_id != tracker.get_slot(names.ORDER_ID_SLOT):
            tracker.slots[names.ORDER_ID_SLOT] = order_id  # seen by the validations, as rasa-sdk's own extractions are
            events.append(SlotSet(names.ORDER_ID_SLOT, order_id))
        return events

    @staticmethod
    def checked_order_number(value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        # A platform's own format (PDD's dash, JD's 12 digits) comes only from the bridge's reading of it.
        order_id = order_number_in(value) or platform_order_number_in(value)
        if order_id is None:
            say(dispatcher, "invalid_order_id")
        return {names.ORDER_ID_SLOT: order_id}

    @staticmethod
    async def checked_phone_tail(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        digits = last_four_digits(value)
        if digits is None:
            say(dispatcher, "invalid_phone_last4")
            return {names.PHONE_LAST4_SLOT: None}
        order_id = tracker.get_slot(names.ORDER_ID_SLOT) or ""
        client = client_key(latest_metadata(tracker), tracker.sender_id)
        try:
            # Counted in the database per order and per client, whatever the sender id (docs/security.md).
            proof = await call_backend(proof_guard().attempt, order_id, client, partial(_access().verify, order_id, digits))
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return {names.PHONE_LAST4_SLOT: None, names.LOOKUP_FAILED_SLOT: True}
        if proof.outcome is ProofOutcome.VERIFIED:
            return {
                names.PHONE_LAST4_SLOT: digits,
                names.VERIFIED_CUSTOMER_SLOT: proof.customer_id,
                names.IDENTITY_KNOWN_SLOT: True,
                names.VERIFICATION_ATTEMPTS_SLOT: 0.0,
            }
        # A locked order or client ends the questions the way three misses in this conversation do:
        # the form stops and the shopper is told so, with a human on offer.
        attempts = MAX_VERIFICATION_ATTEMPTS if proof.outcome is ProofOutcome.LOCKED else _attempts(tracker) + 1
        if attempts < MAX_VERIFICATION_ATTEMPTS:
            say(dispatcher, "order_no_match")
        return {
            names.PHONE_LAST4_SLOT: None,
            names.ORDER_ID_SLOT: None,
            names.VERIFICATION_ATTEMPTS_SLOT: float(attempts),
        }


async def owned_order(customer_id: str, order_id: str) -> Optional[Order]:
    """The order if it is this customer's (off the event loop, under the deadline)."""
    return await call_backend(_access().order_of, customer_id, order_id)


async def current_order(tracker: Tracker) -> Optional[Order]:
    """The order in the slot, when it is the known shopper's."""
    customer_id = known_customer_id(tracker)
    order_id = tracker.get_slot(names.ORDER_ID_SLOT)
    if not customer_id or not order_id:
        return None
    return await owned_order(customer_id, order_id)


class ValidateOrderVerificationForm(OrderProof, FormValidationAction):
    """Asks for the order number and phone tail; three misses lock the lookup."""

    def name(self) -> Text:
        return "validate_order_verification_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        # A locked or already verified shopper is not asked anything more; the
        # form ends and action_track_order explains what happens next.
        return self.proof_slots(tracker) or []

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.checked_order_number(value, dispatcher)

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self.checked_phone_tail(value, dispatcher, tracker)
