"""Handing the shopper to a human agent, or taking a message when none can answer now."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.latest_message import latest_metadata
from actions.replies import apologise_for_backend, say
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.handoff.context import handoff_facts, transcript
from kefu.handoff.hours import CLOSED, can_hand_off_now
from kefu.handoff.limits import BY_PHONE, TooManyOpenCases, TooManyTickets
from kefu.handoff.profile import CustomerContext, customer_context
from kefu.handoff.service import HandoffService, handoff_service
from kefu.handoff.triggers import HandoffDecision, decide_handoff
from kefu.security.client import client_key
from kefu.services.order_access import last_four_digits
from kefu.storage.phrases import Phrase

# Slots worth an agent's glance: what the conversation was about.
CASE_SLOTS = (
    names.ORDER_ID_SLOT, names.CURRENT_PRODUCT_SLOT, names.AFTER_SALES_TASK_SLOT, names.CURRENT_ORDER_STATUS_SLOT,
)
_PHONE_DIGITS = 11


def _customer(tracker: Tracker) -> CustomerContext:
    try:
        shop = backends()
        return customer_context(shop.customers, shop.orders, known_customer_id(tracker))
    except BackendFailure:
        # The agent can still help without the CRM; the handoff must not fail for it.
        return CustomerContext(None)


def _decision(tracker: Tracker, member_level: Optional[str]) -> HandoffDecision:
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    facts = handoff_facts(tracker.events, text)
    decision = decide_handoff(
        intent, text,
        fallbacks_in_a_row=facts.fallbacks_in_a_row,
        knowledge_unknown=facts.knowledge_unknown,
        verification_locked=facts.verification_locked,
        member_level=member_level,
        agent_offer_accepted=facts.agent_offer_accepted,
    )
    # Whatever brought the shopper here (a rule, a policy), they are handed over.
    return decision or decide_handoff(names.REQUEST_HUMAN_INTENT, text, member_level=member_level)


def _client(tracker: Tracker) -> str:
    """Who limits are counted against: the client the channel saw, else the sender."""
    return client_key(latest_metadata(tracker), tracker.sender_id)


def _open(service: HandoffService, tracker: Tracker, context: CustomerContext, intent: Optional[str]):
    """The shopper's case (a new one, or the one already open), with everything the agent needs;
    TooManyOpenCases when their client already has as many open cases as it may."""
    member_level = (context.profile or {}).get("member_level")
    return service.open_case(
        tracker.sender_id,
        _decision(tracker, member_level),
        channel=latest_metadata(tracker).get("channel") or (tracker.get_latest_input_channel() or None),
        intent=intent,
        slots={slot: tracker.get_slot(slot) for slot in CASE_SLOTS},
        customer=context.profile,
        recent_orders=context.recent_orders,
        transcript=transcript(tracker.events),
        client_key=_client(tracker),
    )


def _open_case(tracker: Tracker) -> Dict[str, Any]:
    service = handoff_service()
    availability = can_hand_off_now(None, service.engine)
    if not availability.available:
        return {"available": False, "why": availability.why, "callback_at": availability.callback_at,
                "tickets_used_up": service.ticket_limit_reached(_client(tracker)) is not None}
    try:
        opened = _open(service, tracker, _customer(tracker), (tracker.latest_message.get("intent") or {}).get("name"))
    except TooManyOpenCases as busy:
        return {"available": True, "busy": busy}
    wait = service.expected_wait(opened.case.id)
    return {"available": True, "created": opened.created, "case": opened.case,
            "position": wait.position if wait else 1, "minutes": wait.minutes if wait else 1}


def _say_client_busy(dispatcher: CollectingDispatcher, busy: TooManyOpenCases) -> None:
    say(dispatcher, "handoff_client_busy", count=len(busy.open_case_ids), minutes=busy.minutes)


def callback_text(moment) -> str:
    if moment is None:
        return Phrase("callback_next_opening")
    return Phrase("month_day_time", month=f"{moment:%m}", day=f"{moment:%d}", time=f"{moment:%H:%M}")


class ActionHandoffToHuman(Action):
    """Opens a case for the agents and pauses the bot; off hours, offers to take a message."""

    def name(self) -> Text:
        return names.HANDOFF_TO_HUMAN_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            outcome = await call_backend(_open_case, tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        events: List[EventType] = [ActiveLoop(None), SlotSet(names.REQUESTED_SLOT, None)] if tracker.active_loop else []
        if outcome.get("busy"):
            # The client's earlier cases already wait for the agents: no new one, and the bot goes on.
            _say_client_busy(dispatcher, outcome["busy"])
            return events + [FollowupAction(names.LISTEN_ACTION)]
        if outcome.get("tickets_used_up"):
            say(dispatcher, "ticket_limit_client")
            return events + [FollowupAction(names.LISTEN_ACTION)]
        if not outcome["available"]:
            template = "handoff_closed" if outcome["why"] == CLOSED else "handoff_no_agent"
            say(dispatcher, template, callback=callback_text(outcome["callback_at"]))
            return events + [SlotSet(names.HANDOFF_STATUS_SLOT, "ticket")]
        template = "handoff_queued" if outcome["created"] else "handoff_still_waiting"
        say(dispatcher, template, position=outcome["position"], minutes=outcome["minutes"])
        # From here the bot is quiet: the agent answers, and closing the case resumes the bot.
        return events + [SlotSet(names.HANDOFF_STATUS_SLOT, "queued"), ConversationPaused()]


def _leave_ticket(tracker: Tracker, context: CustomerContext, message: str, contact: str, contact_verified: bool):
    """TooManyOpenCases / TooManyTickets past the client's limits, with nothing left open."""
    service = handoff_service()
    availability = can_hand_off_now(None, service.engine)
    opened = _open(service, tracker, context, "leave_message")
    if availability.available:
        return opened.case, None  # an agent came online meanwhile: the case waits in the queue
    try:
        ticket = service.to_ticket(opened.case.id, contact, availability.callback_at, message,
                                   contact_verified=contact_verified)
    except TooManyTickets:
        service.withdraw(opened.case.id)  # opened only for this ticket: it must not wait in the queue
        raise
    return ticket, availability.callback_at


async def _phone_on_file(tracker: Tracker) -> Optional[str]:
    """The known shopper's phone from the CRM (one lookup, none for an anonymous shopper); None: ask for one."""
    customer_id = known_customer_id(tracker)
    if not customer_id:
        return None
    try:
        customer = await call_backend(backends().customers.get_customer, customer_id)
    except BackendFailure:
        return None  # the CRM is down: asking for a number beats a ticket nobody can call back
    return customer.phone if customer is not None else None


class ValidateLeaveMessageForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_leave_message_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        # A known shopper is called back on the phone the shop has.
        phone = await _phone_on_file(tracker)
        return [names.TICKET_MESSAGE_SLOT] if phone else [names.TICKET_MESSAGE_SLOT, names.TICKET_CONTACT_SLOT]

    def validate_ticket_message(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            say(dispatcher, "ticket_message_empty")
            return {names.TICKET_MESSAGE_SLOT: None}
        return {names.TICKET_MESSAGE_SLOT: text[:2000]}

    async def validate_ticket_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        if len(digits) != _PHONE_DIGITS or not digits.startswith("1"):
            say(dispatcher, "ticket_contact_invalid")
            return {names.TICKET_CONTACT_SLOT: None}
        try:
            used_up = await call_backend(handoff_service().ticket_limit_reached, None, digits)
        except BackendFailure:
            used_up = None  # the ticket itself checks again, and says so if it must
        if used_up == BY_PHONE:
            say(dispatcher, "ticket_limit_phone")
            return {names.TICKET_CONTACT_SLOT: None}
        return {names.TICKET_CONTACT_SLOT: digits}


class ActionSubmitTicket(Action):
    def name(self) -> Text:
        return "action_submit_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message = tracker.get_slot(names.TICKET_MESSAGE_SLOT) or ""
        cleared = [
            SlotSet(names.TICKET_MESSAGE_SLOT, None),
            SlotSet(names.TICKET_CONTACT_SLOT, None),
            SlotSet(names.HANDOFF_STATUS_SLOT, None),
        ]
        try:
            context = await call_backend(_customer, tracker)
            # A known shopper is called back on their own phone, whatever number the conversation holds;
            # an anonymous shopper's number is only a call-back number, and the agent is told so.
            on_file = (context.profile or {}).get("phone")
            contact = on_file or tracker.get_slot(names.TICKET_CONTACT_SLOT) or ""
            case, callback = await call_backend(_leave_ticket, tracker, context, message, contact, bool(on_file))
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        except TooManyOpenCases as busy:
            _say_client_busy(dispatcher, busy)
            return cleared
        except TooManyTickets as refused:
            say(dispatcher, "ticket_limit_phone" if refused.by == BY_PHONE else "ticket_limit_client")
            return cleared
        if callback is None:
            say(dispatcher, "handoff_queued", position=1, minutes=1)
            return cleared[:2] + [SlotSet(names.HANDOFF_STATUS_SLOT, "queued"), ConversationPaused()]
        say(dispatcher, "ticket_created", callback=callback_text(callback),
            contact_tail=last_four_digits(contact) or contact[-4:])
        return cleared
