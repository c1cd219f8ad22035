"""After-sales work in one form: returns, exchanges, cancellations, new addresses,
problem reports and refund status.

``action_start_after_sales`` picks the task from the shopper's intent (or the
offer they accepted) and keeps the order already in the conversation;
``after_sales_form`` asks what the task needs (``validate_after_sales_form``
decides what that is and checks each answer); ``action_submit_after_sales``
makes the change in the shop's systems and says what happened.
"""

from __future__ import annotations

import abc
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import IDENTITY_KNOWN_SLOT, VERIFIED_CUSTOMER_SLOT, known_customer_id
from actions.latest_message import answer_from_button, latest_entity, slot_before_latest_message
from actions.orders import LOOKUP_FAILED_SLOT, SHOWN_ORDERS_SLOT, OrderProof, current_order, owned_order
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu.backends.after_sales import AfterSalesRejected
from kefu.backends.errors import BackendFailure
from kefu.backends.orders import Order, Recipient
from kefu.services import after_sales as tasks
from kefu.services.address import parse_address
from kefu.services.after_sales_replies import (
    blocker_values,
    confirmation_reply,
    refund_status_replies,
    submitted_reply,
)
from kefu.services.exchange import exchange_choice
from kefu.replies import button_payloads, render_with_buttons
from kefu.services.order_view import item_text
from kefu.services.references import option_meant
from kefu.services.return_policy import ReturnRoute, return_route
from kefu.storage.clock import shop_now

TASK_SLOT = "after_sales_task"
OFFERED_TASK_SLOT = "offered_task"
BLOCKED_SLOT = "after_sales_blocked"
CANCELLED_SLOT = "after_sales_cancelled"
FORM = "after_sales_form"


def exclusion_lookup():
    """product_id -> why it is excluded from no-reason returns (from the catalogue)."""
    catalogue = backends().catalogue

    def exclusion_of(product_id: str) -> Optional[str]:
        product = catalogue.get_product(product_id)
        return product.attribute("return_policy") if product is not None else None

    return exclusion_of


def route_for(order: Order) -> ReturnRoute:
    return return_route(order, shop_now(), exclusion_lookup())


async def blocker_for(task: str, order: Order) -> Optional[str]:
    route = await call_backend(route_for, order)
    return tasks.order_blocker(task, order, shop_now(), route)


class ActionStartAfterSales(Action):
    """Begins a task; an order already under discussion is kept if it is the shopper's."""

    def name(self) -> Text:
        return "action_start_after_sales"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        task = tasks.TASK_OF_INTENT.get(intent) or tracker.get_slot(OFFERED_TASK_SLOT) or tasks.RETURN
        customer_id = known_customer_id(tracker)
        if task == tasks.PROBLEM and await self._is_high_value(customer_id):
            # A gold member with a problem goes straight to a person, ahead of the queue.
            say(dispatcher, "vip_problem_handoff")
            return [FollowupAction("action_handoff_to_human")]
        events: List[EventType] = [SlotSet(slot, None) for slot in tasks.RUN_SLOTS]
        events += [
            SlotSet(TASK_SLOT, task),
            SlotSet(OFFERED_TASK_SLOT, None),
            SlotSet(VERIFIED_CUSTOMER_SLOT, customer_id),
            SlotSet(IDENTITY_KNOWN_SLOT, customer_id is not None),
        ]
        say(dispatcher, f"task_intro_{task}")
        if customer_id and tracker.get_slot("order_id"):
            try:
                order = await current_order(tracker)
                if order is None:
                    events.append(SlotSet("order_id", None))
                else:
                    blocked = await blocker_for(task, order)
                    if blocked:
                        events.append(SlotSet(BLOCKED_SLOT, blocked))
            except BackendFailure:
                apologise_for_backend(dispatcher)
                events.append(SlotSet(LOOKUP_FAILED_SLOT, True))
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
        if interruption.get(CANCELLED_SLOT):
            # Nothing the message said is an answer any more; the submit action says goodbye to the task.
            return [SlotSet(CANCELLED_SLOT, True), SlotSet("requested_slot", None)]
        tracker.slots.update(interruption)
        events = [SlotSet(slot, value) for slot, value in interruption.items()]
        return events + await super().run(dispatcher, tracker, domain)

    @staticmethod
    def _interruption(tracker: Tracker) -> Dict[str, Any]:
        """Slots changed because the shopper gave up ("算了不退了") or took an answer back."""
        if tracker.latest_message.get("text", "").startswith("/"):
            return {}  # a button: an answer, never an interruption
        if not tracker.get_slot("requested_slot"):
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        corrected = tasks.corrected_slots(text)
        if corrected:
            cleared = {slot: None for slot in corrected}
            if latest_entity(tracker, "order_id"):
                cleared.pop("order_id", None)  # "不对，是2024111100002": the new number stands
            return cleared
        if tasks.is_abandoning(text, intent, tracker.get_slot("requested_slot")):
            return {CANCELLED_SLOT: True}
        return {}

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot(CANCELLED_SLOT) or tracker.get_slot(BLOCKED_SLOT) or tracker.get_slot(LOOKUP_FAILED_SLOT):
            return []
        proof = self.proof_slots(tracker)
        if proof is None:
            return []  # verification locked: the submit action explains
        if proof or not tracker.get_slot("order_id"):
            return proof or ["order_id"]
        task = tracker.get_slot(TASK_SLOT)
        try:
            order = await current_order(tracker)
        except BackendFailure:
            return []
        return ["order_id", *tasks.required_task_slots(task, order)]

    # --- the order and the proof that it is the shopper's -----------------------
    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """"第二个" while the recent orders are shown as buttons."""
        if tracker.get_slot("requested_slot") != "order_id":
            return {}
        chosen = option_meant(tracker.latest_message.get("text"), tracker.get_slot(SHOWN_ORDERS_SLOT) or [])
        return {"order_id": chosen} if chosen else {}

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        previous = slot_before_latest_message(tracker, "order_id")
        if tracker.get_slot("requested_slot") not in (None, "order_id") and not OrderProof.looks_like_order_number(value):
            # A number inside another answer ("文三路100号") is not a new order.
            return {"order_id": previous}
        result = self.checked_order_number(value, dispatcher)
        if not result.get("order_id"):
            return result
        cleared = {slot: None for slot in tasks.ORDER_DEPENDENT_SLOTS} if previous and previous != result["order_id"] else {}
        customer_id = known_customer_id(tracker)
        if customer_id is None:
            return {**cleared, **result}  # the phone tail proves it next
        return {**cleared, **await self._checked_for_task(result["order_id"], customer_id, dispatcher, tracker)}

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        result = await self.checked_phone_tail(value, dispatcher, tracker)
        customer_id = result.get(VERIFIED_CUSTOMER_SLOT)
        if customer_id:
            result.update(await self._checked_for_task(tracker.get_slot("order_id"), customer_id, dispatcher, tracker))
        return result

    async def _checked_for_task(
        self, order_id: str, customer_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        try:
            order = await owned_order(customer_id, order_id)
            if order is None:
                say(dispatcher, "order_no_match")
                return {"order_id": None}
            blocked = await blocker_for(tracker.get_slot(TASK_SLOT), order)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return {LOOKUP_FAILED_SLOT: True}
        return {"order_id": order_id, BLOCKED_SLOT: blocked, "current_order_status": order.status}

    # --- the task's questions -----------------------------------------------------
    async def validate_return_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        order = await current_order(tracker)
        multiple = tracker.get_slot(TASK_SLOT) == tasks.RETURN
        chosen = tasks.items_meant(str(answer_from_button(value, "return_items") or ""), order.items if order else [], multiple)
        if not chosen:
            say(dispatcher, "which_item_unclear")
            return {"return_items": None}
        if multiple:
            route = await call_backend(route_for, order)
            excluded = [item for item, _ in route.excluded_items if item in chosen]
            chosen = [item for item in chosen if item not in excluded]
            if excluded:
                say(dispatcher, "return_item_excluded", items="，".join(item_text(item) for item in excluded))
            if not chosen:
                return {"return_items": None}
        return {"return_items": ",".join(item.sku_id for item in chosen)}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"return_reason": tasks.return_reason_in(value)}

    def validate_item_condition(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        condition = _read_or_ask_again(tasks.item_condition_in, value, "item_condition_unclear", dispatcher)
        if condition == "used" and tracker.get_slot(TASK_SLOT) == tasks.RETURN:
            say(dispatcher, "return_used_item")
        return {"item_condition": condition}

    async def validate_exchange_variant(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        items = tasks.chosen_items(await current_order(tracker), tracker.get_slot("return_items"))
        if not items:
            return {"exchange_variant": None}
        item = items[0]
        color = latest_entity(tracker, "color")
        size = latest_entity(tracker, "size")
        try:
            levels = await call_backend(backends().catalogue.stock, item.product_id)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return {LOOKUP_FAILED_SLOT: True}
        choice = exchange_choice(item, levels or [], str(value or ""), color, size)
        if choice.template:
            say(dispatcher, choice.template, **choice.values)
        if choice.sku_id is None:
            return {"exchange_variant": None}
        return {"exchange_variant": choice.variant, "exchange_sku_id": choice.sku_id, "return_items": item.sku_id}

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        address = parse_address(str(value or ""))
        if address is None:
            say(dispatcher, "address_unclear")
            return {"new_address": None}
        return {"new_address": str(value).strip()}

    def validate_problem_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        kind = _read_or_ask_again(tasks.problem_kind_in, value, "problem_kind_unclear", dispatcher)
        if kind is None:
            return {"problem_kind": None}
        # "外壳摔裂了一大块" says what happened and how: no need to ask again. A button's
        # words ("收到商品破损了") only say which kind.
        text = str(value).strip()
        slots = {"problem_kind": kind}
        if len(text) >= 4 and text not in button_payloads("ask_problem_kind") and not tracker.get_slot("problem_description"):
            slots["problem_description"] = text
        return slots

    def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if len(text) < 2:
            say(dispatcher, "problem_description_short")
            return {"problem_description": None}
        return {"problem_description": text[:500]}

    def validate_problem_resolution(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"problem_resolution": _read_or_ask_again(tasks.resolution_in, value, "resolution_unclear", dispatcher)}


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


# Questions whose wording and buttons never change live in kefu/replies/templates.yml.
STATIC_QUESTIONS = [
    _ask_action(slot)
    for slot in ("return_reason", "item_condition", "new_address", "problem_kind", "problem_description",
                 "problem_resolution")
]


class ActionAskReturnItems(Action):
    def name(self) -> Text:
        return "action_ask_return_items"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order = await current_order(tracker)
        items = order.items if order else []
        buttons = [
            {"title": item_text(item), "payload": f'/inform{{"return_items":"{item.sku_id}"}}'}
            for item in items
        ]
        dispatcher.utter_message(**render_with_buttons("ask_return_items", buttons))
        return []


class ActionAskExchangeVariant(Action):
    def name(self) -> Text:
        return "action_ask_exchange_variant"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        items = tasks.chosen_items(await current_order(tracker), tracker.get_slot("return_items"))
        say(dispatcher, "ask_exchange_variant", item="，".join(item_text(i) for i in items))
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
        reply = confirmation_reply(tracker.get_slot(TASK_SLOT), order, tracker.current_slot_values())
        say_reply(dispatcher, reply)
        return []


class ActionSubmitAfterSales(Action):
    """Carries out the task the form collected, or says why it stopped."""

    def name(self) -> Text:
        return "action_submit_after_sales"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        task = tracker.get_slot(TASK_SLOT)
        done = [SlotSet(slot, None) for slot in (*tasks.RUN_SLOTS, TASK_SLOT, LOOKUP_FAILED_SLOT)]
        slots = tracker.current_slot_values()
        if slots.get(LOOKUP_FAILED_SLOT):
            return done  # the shopper already got an apology and the offer of an agent
        if slots.get(CANCELLED_SLOT) or slots.get("after_sales_confirmed") is False:
            say(dispatcher, "after_sales_abandoned", task=tasks.TASK_LABELS.get(task, "这次的申请"))
            return done
        if known_customer_id(tracker) is None:
            say(dispatcher, "verification_locked")
            return done
        try:
            order = await current_order(tracker)
            if order is None:
                say(dispatcher, "order_no_match")
                return done + [SlotSet("order_id", None)]
            if slots.get(BLOCKED_SLOT):
                values = blocker_values(order, await call_backend(route_for, order), shop_now())
                say(dispatcher, slots[BLOCKED_SLOT], **values)
                return done + [SlotSet("current_order_status", order.status)]
            if task == tasks.REFUND_STATUS:
                for reply in refund_status_replies(order):
                    say_reply(dispatcher, reply)
                return done
            outcome = await self._carry_out(task, order, slots)
        except AfterSalesRejected as rejection:
            say(dispatcher, f"after_sales_rejected_{rejection.code}"
                if rejection.code in REJECTION_TEMPLATES else "after_sales_rejected_invalid_request")
            return done
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return done
        reply = submitted_reply(task, order, outcome, slots)
        say_reply(dispatcher, reply)
        status = getattr(outcome, "status", None) if isinstance(outcome, Order) else None
        return done + [SlotSet("current_order_status", status or order.status)]

    async def _carry_out(self, task: str, order: Order, slots: Dict[str, Any]):
        shop = backends().after_sales
        chosen = [item.sku_id for item in tasks.chosen_items(order, slots.get("return_items"))]
        if task == tasks.RETURN:
            route = await call_backend(route_for, order)
            returnable = {item.sku_id for item in route.returnable_items}
            skus = [sku for sku in chosen if sku in returnable]
            if not skus:
                raise AfterSalesRejected("item_not_in_order", "nothing returnable was chosen")
            return await call_backend(
                shop.request_return, order.order_id, skus, slots.get("return_reason") or "七天无理由",
                slots.get("item_condition") or "unopened",
            )
        if task == tasks.EXCHANGE:
            return await call_backend(
                shop.request_exchange, order.order_id, chosen[0], slots["exchange_sku_id"],
                f"换成{slots.get('exchange_variant')}",
            )
        if task == tasks.CANCEL:
            return await call_backend(shop.cancel_order, order.order_id, "顾客在客服对话中取消")
        if task == tasks.CHANGE_ADDRESS:
            address = parse_address(slots.get("new_address"))
            recipient = Recipient(
                name=address.name or order.recipient.name,
                phone=address.phone or order.recipient.phone,
                province=address.province,
                city=address.city,
                address=address.address,
            )
            return await call_backend(shop.change_address, order.order_id, recipient)
        if task == tasks.PROBLEM:
            return await call_backend(
                shop.report_problem, order.order_id, chosen[0] if len(chosen) == 1 else None, slots["problem_kind"],
                slots.get("problem_description") or tasks.PROBLEM_KIND_LABELS[slots["problem_kind"]],
                slots.get("problem_resolution") or "agent",
            )
        raise AfterSalesRejected("invalid_request", f"unknown task {task!r}")


REJECTION_TEMPLATES = (
    "unknown_order", "not_allowed_in_state", "item_not_in_order", "already_requested", "out_of_stock",
    "unknown_sku", "invalid_address",
)


class ActionExplainReturn(Action):
    """"那退货呢?": the route for the order under discussion, or the general policy."""

    def name(self) -> Text:
        return "action_explain_return"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_form = bool((tracker.active_loop or {}).get("name"))
        try:
            order = await current_order(tracker)
            route = await call_backend(route_for, order) if order is not None else None
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if order is None:
            say(dispatcher, "return_policy_in_form" if in_form else "return_policy_general")
            return [] if in_form else [SlotSet(OFFERED_TASK_SLOT, tasks.RETURN)]
        values = blocker_values(order, route, shop_now())
        say(dispatcher, f"return_route_{route.route}", **values)
        if route.excluded_items and route.returnable_items:
            say(dispatcher, "return_excluded_note", **values)
        offer = OFFER_AFTER_ROUTE.get(route.route)
        if offer and not in_form:
            say(dispatcher, f"offer_{offer}")
            return [SlotSet(OFFERED_TASK_SLOT, offer), SlotSet("current_order_status", order.status)]
        return [SlotSet("current_order_status", order.status)]


# After explaining a route, the task the assistant offers to carry out.
OFFER_AFTER_ROUTE = {
    "no_reason_return": tasks.RETURN,
    "cancel_instead": tasks.CANCEL,
    "window_closed": tasks.PROBLEM,
}


class ActionDeclineOffer(Action):
    def name(self) -> Text:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say(dispatcher, "offer_declined")
        return [SlotSet(OFFERED_TASK_SLOT, None)]
