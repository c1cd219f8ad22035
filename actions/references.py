"""A bare answer outside any form: "第二个", "那个呢", an order number on its own."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.orders import order_number_said, show_order
from actions.replies import apologise_for_backend, say
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.services.references import option_meant


class ActionHandleInform(Action):
    """Resolves a reference against the orders just shown; otherwise asks what the shopper wants."""

    def name(self) -> Text:
        return "action_handle_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        customer_id = known_customer_id(tracker)
        if not customer_id:
            say(dispatcher, "inform_what_next")
            return []
        text = tracker.latest_message.get("text") or ""
        try:
            said = await order_number_said(tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        order_id = said or option_meant(
            text, tracker.get_slot(names.SHOWN_ORDERS_SLOT) or [], tracker.get_slot(names.ORDER_ID_SLOT)
        )
        if order_id:
            return await show_order(dispatcher, tracker, customer_id, order_id)
        say(dispatcher, "inform_what_next")
        return []
