"""Product attributes and stock, answered from the catalogue."""

from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.latest_message import latest_entity, latest_metadata
from actions.replies import apologise_for_backend, say
from actions.shop import backends, call_backend
from kefu.backends.catalogue import Product
from kefu.backends.errors import BackendFailure
from kefu.services.product_answers import attribute_reply, find_product, stock_reply
from kefu.services.size_answers import size_chart_book, size_reply
from kefu.settings import Settings

CURRENT_PRODUCT_SLOT = "current_product_id"


async def product_in_question(tracker: Tracker) -> Optional[Product]:
    """From a product id or link in the message or its metadata, the product named, or the last one discussed."""
    text = tracker.latest_message.get("text") or ""
    link = latest_metadata(tracker).get("product_id")
    return await call_backend(
        find_product,
        backends().catalogue,
        f"{text} {link or ''}",
        latest_entity(tracker, "product"),
        tracker.get_slot(CURRENT_PRODUCT_SLOT),
    )


class ActionProductInfo(Action):
    def name(self) -> Text:
        return "action_product_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            product = await product_in_question(tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if product is None:
            say(dispatcher, "product_which")
            return []
        reply = attribute_reply(product, tracker.latest_message.get("text") or "")
        say(dispatcher, reply.pop("template"), **reply)
        return [SlotSet(CURRENT_PRODUCT_SLOT, product.product_id)]


class ActionCheckStock(Action):
    def name(self) -> Text:
        return "action_check_stock"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        color = latest_entity(tracker, "color")
        size = latest_entity(tracker, "size")
        try:
            product = await product_in_question(tracker)
            if product is None:
                say(dispatcher, "product_which")
                return []
            levels = await call_backend(backends().catalogue.stock, product.product_id, color, size)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        reply = stock_reply(product, levels or [], color, size)
        say(dispatcher, reply.pop("template"), **reply)
        return [SlotSet(CURRENT_PRODUCT_SLOT, product.product_id)]


class ActionSizeAdvice(Action):
    def name(self) -> Text:
        return "action_size_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            product = await product_in_question(tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        if product is None:
            say(dispatcher, "size_which_product")
            return []
        book = size_chart_book(Settings.from_env().size_charts_file)
        reply = size_reply(
            book, product, tracker.latest_message.get("text") or "",
            latest_entity(tracker, "height"), latest_entity(tracker, "weight"),
        )
        say(dispatcher, reply.pop("template"), **reply)
        return [SlotSet(CURRENT_PRODUCT_SLOT, product.product_id)]
