"""After-sales work in one form (docs/after_sales.md): ``action_start_after_sales`` picks the task,
``validate_after_sales_form`` asks what it needs and checks each answer, ``action_submit_after_sales`` has
the change made (kefu/services/after_sales_changes.py) and says what happened."""

from __future__ import annotations

import abc
import asyncio
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.latest_message import answer_from_button, latest_entity, slot_before_latest_message
from actions.orders import OrderProof, current_order, owned_order
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.after_sales import AfterSalesRejected
from kefu.backends.errors import BackendFailure
from kefu.backends.orders import Order
from kefu.handoff.report_photos import report_photos, session_gap_seconds
from kefu.replies import button_payloads, render_with_buttons
from kefu.services import after_sales as tasks
from kefu.services.address import parse_address
from kefu.services.after_sales_changes import AfterSalesChanges
from kefu.services.after_sales_replies import (
    blocker_values,
    confirmation_reply,
    photos_attached_reply,
    refund_status_replies,
    submitted_reply,
)
from kefu.services.after_sales_wish import wants_it_done
from kefu.services.clarification import intent_payload
from kefu.services.exchange import exchange_choice
from kefu.services.order_access import order_number_in
from kefu.services.order_view import item_text, listed_items
from kefu.services.references import option_meant
from kefu.services.return_policy import ReturnRoute, catalogue_exclusions, return_route
from kefu.storage.clock import shop_now


def route_for(order: Order) -> ReturnRoute:
    return return_route(order, shop_now(), catalogue_exclusions(backends().catalogue))


async def blocker_for(task: str, order: Order) -> Optional[str]:
    route = await call_backend(route_for, order)
    return tasks.order_blocker(task, order, shop_now(), route)


class ActionStartAfterSales(Action):
    """Begins a task; an order already under discussion is kept if it is the shopper's."""

    def name(self) -> Text:
        return "action_start_after_sales"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        task = tasks.TASK_OF_INTENT.get(intent) or tracker.get_slot(names.OFFERED_TASK_SLOT) or tasks.RETURN
        customer_id = known_customer_id(tracker)
        if task == tasks.PROBLEM and await self._is_high_value(customer_id):
            # A gold member with a problem goes straight to a person, ahead of the queue.
            say(dispatcher, "vip_problem_handoff")
            return [FollowupAction(names.HANDOFF_TO_HUMAN_ACTION)]
        events: List[EventType] = [SlotSet(slot, None) for slot in tasks.RUN_SLOTS]
        events += [
            SlotSet(names.AFTER_SALES_TASK_SLOT, task),
            SlotSet(names.OFFERED_TASK_SLOT, None),
            SlotSet(names.AFTER_SALES_WANTED_SLOT, None),
            SlotSet(names.VERIFIED_CUSTOMER_SLOT, customer_id),
            SlotSet(names.IDENTITY_KNOWN_SLOT, customer_id is not None),
        ]
        say(dispatcher, f"task_intro_{task}")
        if customer_id and tracker.get_slot(names.ORDER_ID_SLOT):
            try:
                order = await current_order(tracker)
                if order is None:
                    events.append(SlotSet(names.ORDER_ID_SLOT, None))
                else:
                    blocked = await blocker_for(task, order)
                    if blocked:
                        events.append(SlotSet(names.AFTER_SALES_BLOCKED_SLOT, blocked))
            except BackendFailure:
                apologise_for_backend(dispatcher)
                events.append(SlotSet(names.LOOKUP_FAILED_SLOT, True))
        return events

    @staticmethod
    async def _is_high_value(customer_id: Optional[str]) -> bool:
        if not customer_id:
            return False
        try:
            customer = await call_backend(backends().customers.get_customer, customer_id)
        except BackendFailure:
            return False  # the self-service route still works without the CRM
        return customer is not None and customer.is_high_value


class ValidateAfterSalesForm(OrderProof, FormValidationAction):
    def name(self) -> Text:
        return "validate_after_sales_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        interruption = self._interruption(tracker)
        if interruption.get(names.AFTER_SALES_CANCELLED_SLOT):
            # Nothing the message said is an answer any more; the submit action says goodbye to the task.
            return [SlotSet(names.AFTER_SALES_CANCELLED_SLOT, True), SlotSet(names.REQUESTED_SLOT, None)]
        tracker.slots.update(interruption)
        events = [SlotSet(slot, value) for slot, value in interruption.items()]
        return events + await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _interruption(tracker: Tracker) -> Dict[str, Any]:
        """Slots changed because the shopper gave up ("算了不退了") or took an answer back."""
        if tracker.latest_message.get("text", "").startswith("/"):
            return {}  # a button: an answer, never an interruption
        if not tracker.get_slot(names.REQUESTED_SLOT):
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        corrected = tasks.corrected_slots(text)
        if corrected:
            cleared = {slot: None for slot in corrected}
            if latest_entity(tracker, names.ORDER_ID_ENTITY):
                cleared.pop(names.ORDER_ID_SLOT, None)  # "不对，是2024111100002": the new number stands
            return cleared
        if tasks.is_abandoning(text, intent, tracker.get_slot(names.REQUESTED_SLOT)):
            return {names.AFTER_SALES_CANCELLED_SLOT: True}
        return {}

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        stopped = (names.AFTER_SALES_CANCELLED_SLOT, names.AFTER_SALES_BLOCKED_SLOT, names.LOOKUP_FAILED_SLOT)
        if any(tracker.get_slot(slot) for slot in stopped):
            return []
        proof = self.proof_slots(tracker)
        if proof is None:
            return []  # verification locked: the submit action explains
        if proof or not tracker.get_slot(names.ORDER_ID_SLOT):
            return proof or [names.ORDER_ID_SLOT]
        task = tracker.get_slot(names.AFTER_SALES_TASK_SLOT)
        try:
            order = await current_order(tracker)
        except BackendFailure:
            return []
        return [names.ORDER_ID_SLOT, *tasks.required_task_slots(task, order)]

    # --- the order and the proof that it is the shopper's -----------------------
    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """"第二个" while the recent orders are shown as buttons."""
        if tracker.get_slot(names.REQUESTED_SLOT) != names.ORDER_ID_SLOT:
            return {}
        chosen = option_meant(tracker.latest_message.get("text"), tracker.get_slot(names.SHOWN_ORDERS_SLOT) or [])
        return {names.ORDER_ID_SLOT: chosen} if chosen else {}

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        previous = slot_before_latest_message(tracker, names.ORDER_ID_SLOT)
        asked = tracker.get_slot(names.REQUESTED_SLOT)
        if asked not in (None, names.ORDER_ID_SLOT) and order_number_in(value) is None:
            # A number inside another answer ("文三路100号") is not a new order.
            return {names.ORDER_ID_SLOT: previous}
        result = self.checked_order_number(value, dispatcher)
        order_id = result.get(names.ORDER_ID_SLOT)
        if not order_id:
            return result
        cleared = {slot: None for slot in tasks.ORDER_DEPENDENT_SLOTS} if previous and previous != order_id else {}
        customer_id = known_customer_id(tracker)
        if customer_id is None:
            return {**cleared, **result}  # the phone tail proves it next
        return {**cleared, **await self._checked_for_task(order_id, customer_id, dispatcher, tracker)}

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await self.checked_phone_tail(value, dispatcher, tracker)
        customer_id = result.get(names.VERIFIED_CUSTOMER_SLOT)
        if customer_id:
            order_id = tracker.get_slot(names.ORDER_ID_SLOT)
            result.update(await self._checked_for_task(order_id, customer_id, dispatcher, tracker))
        return result

    async def _checked_for_task(
        self, order_id: str, customer_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        try:
            order = await owned_order(customer_id, order_id)
            if order is None:
                say(dispatcher, "order_no_match")
                return {names.ORDER_ID_SLOT: None}
            blocked = await blocker_for(tracker.get_slot(names.AFTER_SALES_TASK_SLOT), order)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return {names.LOOKUP_FAILED_SLOT: True}
        return {
            names.ORDER_ID_SLOT: order_id,
            names.AFTER_SALES_BLOCKED_SLOT: blocked,
            names.CURRENT_ORDER_STATUS_SLOT: order.status,
        }

    # --- the task's questions -----------------------------------------------------
    async def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        order = await current_order(tracker)
        multiple = tracker.get_slot(names.AFTER_SALES_TASK_SLOT) == tasks.RETURN
        answer = str(answer_from_button(value, names.RETURN_ITEMS_SLOT) or "")
        chosen = tasks.items_meant(answer, order.items if order else [], multiple)
        if not chosen:
            say(dispatcher, "which_item_unclear")
            return {names.RETURN_ITEMS_SLOT: None}
        if multiple:
            route = await call_backend(route_for, order)
            excluded = [item for item, _ in route.excluded_items if item in chosen]
            chosen = [item for item in chosen if item not in excluded]
            if excluded:
                say(dispatcher, "return_item_excluded", items=listed_items(excluded))
            if not chosen:
                return {names.RETURN_ITEMS_SLOT: None}
        return {names.RETURN_ITEMS_SLOT: ",".join(item.sku_id for item in chosen)}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {names.RETURN_REASON_SLOT: tasks.return_reason_in(value)}

    def validate_item_condition(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        condition = _read_or_ask_again(tasks.item_condition_in, value, "item_condition_unclear", dispatcher)
        if condition == "used" and tracker.get_slot(names.AFTER_SALES_TASK_SLOT) == tasks.RETURN:
            say(dispatcher, "return_used_item")
        return {names.ITEM_CONDITION_SLOT: condition}

    async def validate_exchange_variant(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        items = tasks.chosen_items(await current_order(tracker), tracker.get_slot(names.RETURN_ITEMS_SLOT))
        if not items:
            return {names.EXCHANGE_VARIANT_SLOT: None}
        item = items[0]
        color = latest_entity(tracker, names.COLOR_ENTITY)
        size = latest_entity(tracker, names.SIZE_ENTITY)
        try:
            levels = await call_backend(backends().catalogue.stock, item.product_id)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return {names.LOOKUP_FAILED_SLOT: True}
        choice = exchange_choice(item, levels or [], str(value or ""), color, size)
        if choice.template:
            say(dispatcher, choice.template, **choice.values)
        if choice.sku_id is None:
            return {names.EXCHANGE_VARIANT_SLOT: None}
        return {
            names.EXCHANGE_VARIANT_SLOT: choice.variant,
            names.EXCHANGE_SKU_ID_SLOT: choice.sku_id,
            names.RETURN_ITEMS_SLOT: item.sku_id,
        }

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        address = parse_address(str(value or ""))
        if address is None:
            say(dispatcher, "address_unclear")
            return {names.NEW_ADDRESS_SLOT: None}
        return {names.NEW_ADDRESS_SLOT: str(value).strip()}

    def validate_problem_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        kind = _read_or_ask_again(tasks.problem_kind_in, value, "problem_kind_unclear", dispatcher)
        if kind is None:
            return {names.PROBLEM_KIND_SLOT: None}
        # "外壳摔裂了一大块" says what happened and how: no need to ask again. A button's
        # words ("收到商品破损了") only say which kind.
        text = str(value).strip()
        slots = {names.PROBLEM_KIND_SLOT: kind}
        described = len(text) >= 4 and text not in button_payloads("ask_problem_kind")
        if described and not tracker.get_slot(names.PROBLEM_DESCRIPTION_SLOT):
            slots[names.PROBLEM_DESCRIPTION_SLOT] = text
        return slots

    def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if len(text) < 2:
            say(dispatcher, "problem_description_short")
            return {names.PROBLEM_DESCRIPTION_SLOT: None}
        return {names.PROBLEM_DESCRIPTION_SLOT: text[:500]}

    def validate_problem_resolution(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        resolution = _read_or_ask_again(tasks.resolution_in, value, "resolution_unclear", dispatcher)
        return {names.PROBLEM_RESOLUTION_SLOT: resolution}


def _read_or_ask_again(reader, value: Any, unclear_template: str, dispatcher: CollectingDispatcher) -> Optional[str]:
    """What the answer says, or None after telling the shopper what answers are possible."""
    answer = reader(value)
    if answer is None:
        say(dispatcher, unclear_template)
    return answer


class ActionAskForAfterSalesSlot(Action, abc.ABC):
    """Asks one of the form's questions with the buttons that answer it.

    Abstract, so that the action server registers only the subclasses, one per slot.
    """

    @property
    @abc.abstractmethod
    def slot(self) -> str:
        """The slot asked for; its question is the template ask_<slot>."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, f"ask_{self.slot}")
        return []


def _ask_action(slot: str) -> type:
    return type(f"ActionAsk_{slot}", (ActionAskForAfterSalesSlot,), {"slot": slot})


# Questions whose wording and buttons never change live in data/responses/after_sales.yml.
STATIC_QUESTIONS = [
    _ask_action(slot)
    for slot in (names.RETURN_REASON_SLOT, names.ITEM_CONDITION_SLOT, names.NEW_ADDRESS_SLOT, names.PROBLEM_KIND_SLOT,
                 names.PROBLEM_DESCRIPTION_SLOT, names.PROBLEM_RESOLUTION_SLOT)
]


class ActionAskReturnItems(Action):
    def name(self) -> Text:
        return "action_ask_return_items"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order = await current_order(tracker)
        items = order.items if order else []
        buttons = [
            {"title": item_text(item),
             "payload": intent_payload(names.INFORM_INTENT, {names.RETURN_ITEMS_SLOT: item.sku_id})}
            for item in items
        ]
        dispatcher.utter_message(**render_with_buttons("ask_return_items", buttons))
        return []


class ActionAskExchangeVariant(Action):
    def name(self) -> Text:
        return "action_ask_exchange_variant"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        items = tasks.chosen_items(await current_order(tracker), tracker.get_slot(names.RETURN_ITEMS_SLOT))
        say(dispatcher, "ask_exchange_variant", item=listed_items(items))
        return []


class ActionAskAfterSalesConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_after_sales_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            order = await current_order(tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        reply = confirmation_reply(tracker.get_slot(names.AFTER_SALES_TASK_SLOT), order, tracker.current_slot_values())
        say_reply(dispatcher, reply)
        return []


class ActionSubmitAfterSales(Action):
    """Carries out the task the form collected, or says why it stopped."""

    def name(self) -> Text:
        return "action_submit_after_sales"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        task = tracker.get_slot(names.AFTER_SALES_TASK_SLOT)
        cleared = (*tasks.RUN_SLOTS, names.AFTER_SALES_TASK_SLOT, names.LOOKUP_FAILED_SLOT)
        done = [SlotSet(slot, None) for slot in cleared]
        slots = tracker.current_slot_values()
        if slots.get(names.LOOKUP_FAILED_SLOT):
            return done  # the shopper already got an apology and the offer of an agent
        if slots.get(names.AFTER_SALES_CANCELLED_SLOT) or slots.get(names.AFTER_SALES_CONFIRMED_SLOT) is False:
            say(dispatcher, "after_sales_abandoned", task=tasks.task_label(task))
            return done
        if known_customer_id(tracker) is None:
            say(dispatcher, "verification_locked")
            return done
        try:
            order = await current_order(tracker)
            if order is None:
                say(dispatcher, "order_no_match")
                return done + [SlotSet(names.ORDER_ID_SLOT, None)]
            if slots.get(names.AFTER_SALES_BLOCKED_SLOT):
                values = blocker_values(order, await call_backend(route_for, order), shop_now())
                say(dispatcher, slots[names.AFTER_SALES_BLOCKED_SLOT], **values)
                return done + [SlotSet(names.CURRENT_ORDER_STATUS_SLOT, order.status)]
            if task == tasks.REFUND_STATUS:
                for reply in refund_status_replies(order):
                    say_reply(dispatcher, reply)
                return done
            shop = backends()
            changes = AfterSalesChanges(shop.after_sales, shop.catalogue)
            photos = await _photos_for(task, tracker, domain)
            change = await call_backend(changes.carry_out, task, order, slots, shop_now(), photos)
        except AfterSalesRejected as rejection:
            say(dispatcher, f"after_sales_rejected_{rejection.code}"
                if rejection.code in REJECTION_TEMPLATES else "after_sales_rejected_invalid_request")
            return done
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return done
        say_reply(dispatcher, submitted_reply(task, order, change.record, slots))
        attached = photos_attached_reply(change.record)
        if attached:
            say_reply(dispatcher, attached)
        return done + [SlotSet(names.CURRENT_ORDER_STATUS_SLOT, change.order_status)]


async def _photos_for(task: str, tracker: Tracker, domain: DomainDict) -> Tuple[str, ...]:
    """The shopper's web chat photos of this conversation, for a problem report (never fails)."""
    if task != tasks.PROBLEM:
        return ()
    return await asyncio.to_thread(report_photos().for_report, tracker.sender_id, tracker.get_latest_input_channel(),
                                   tracker.events, session_gap_seconds(domain))


REJECTION_TEMPLATES = (
    "unknown_order", "not_allowed_in_state", "item_not_in_order", "already_requested", "out_of_stock",
    "unknown_sku", "invalid_address",
)


class ActionExplainReturn(Action):
    """"那退货呢?": the route for the order under discussion, or the general policy. "我要退货" wants the
    return itself: nothing is said, and the rule starts the task (after_sales_wanted)."""

    def name(self) -> Text:
        return "action_explain_return"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_form = bool((tracker.active_loop or {}).get("name"))
        if not in_form and wants_it_done(tracker.latest_message.get("text")):
            return [SlotSet(names.AFTER_SALES_WANTED_SLOT, True)]
        try:
            order = await current_order(tracker)
            route = await call_backend(route_for, order) if order is not None else None
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if order is None:
            say(dispatcher, "return_policy_in_form" if in_form else "return_policy_general")
            return [] if in_form else [SlotSet(names.OFFERED_TASK_SLOT, tasks.RETURN)]
        values = blocker_values(order, route, shop_now())
        say(dispatcher, f"return_route_{route.route}", **values)
        if route.excluded_items and route.returnable_items:
            say(dispatcher, "return_excluded_note", **values)
        offer = tasks.OFFER_AFTER_ROUTE.get(route.route)
        if offer and not in_form:
            say(dispatcher, f"offer_{offer}")
            return [SlotSet(names.OFFERED_TASK_SLOT, offer), SlotSet(names.CURRENT_ORDER_STATUS_SLOT, order.status)]
        return [SlotSet(names.CURRENT_ORDER_STATUS_SLOT, order.status)]


def decline_offer(dispatcher: CollectingDispatcher) -> List[EventType]:
    """"不用了" to the task just offered."""
    say(dispatcher, "offer_declined")
    return [SlotSet(names.OFFERED_TASK_SLOT, None)]


class ActionDeclineOffer(Action):
    def name(self) -> Text:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return decline_offer(dispatcher)
