"""Product questions (the merchant's product Q&A, attributes, comparisons) and stock, answered from the
catalogue and the imported knowledge."""

from __future__ import annotations

import abc
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.latest_message import latest_entity, latest_metadata
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.catalogue import Product
from kefu.backends.errors import BackendFailure
from kefu.knowledge.store import shared_store
from kefu.services.product_answers import (
    ProductQuestion,
    find_product,
    product_info_reply,
    products_in_question,
    stock_reply,
)
from kefu.services.recommendation import RecommendationState
from kefu.services.size_answers import size_reply


async def product_in_question(tracker: Tracker) -> Optional[Product]:
    """From a product id or link in the message or its metadata, the product named, or the last one discussed."""
    text = tracker.latest_message.get("text") or ""
    link = latest_metadata(tracker).get("product_id")
    return await call_backend(
        find_product,
        backends().catalogue,
        f"{text} {link or ''}",
        latest_entity(tracker, names.PRODUCT_ENTITY),
        tracker.get_slot(names.CURRENT_PRODUCT_SLOT),
    )


def product_names(tracker: Tracker) -> List[str]:
    """Every product the latest message named (耳机, 充电线 …), in order."""
    return [str(e.get("value")) for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == names.PRODUCT_ENTITY and e.get("value")]


def recent_product_ids(tracker: Tracker) -> List[str]:
    """The products discussed before, newest first: those answered about, then those last recommended."""
    answered = [e.get("value") for e in reversed(tracker.events)
                if e.get("event") == "slot" and e.get("name") == names.CURRENT_PRODUCT_SLOT and e.get("value")]
    shown = [item.product_id for item in RecommendationState.from_slot(tracker.get_slot(names.RECOMMENDATION_SLOT)).shown]
    return list(dict.fromkeys([*answered, *shown]))


async def question_in(tracker: Tracker) -> ProductQuestion:
    text = tracker.latest_message.get("text") or ""
    link = latest_metadata(tracker).get("product_id")
    return await call_backend(
        products_in_question, backends().catalogue, f"{text} {link or ''}", product_names(tracker),
        tracker.get_slot(names.CURRENT_PRODUCT_SLOT), recent_product_ids(tracker),
    )


class ProductAnswer(Action, abc.ABC):
    """An answer about the product in question: asks which one when none is, apologises when the shop is down."""

    which_product_template = "product_which"

    @abc.abstractmethod
    async def answer(self, product: Product, tracker: Tracker) -> Dict[str, Any]:
        """The reply (template name and values) about this product; may call the shop."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            product = await product_in_question(tracker)
            if product is None:
                say(dispatcher, self.which_product_template)
                return []
            reply = await self.answer(product, tracker)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        say_reply(dispatcher, reply)
        return [SlotSet(names.CURRENT_PRODUCT_SLOT, product.product_id)]


class ActionProductInfo(Action):
    """An open question about a product: its Q&A, its attributes, or two products compared; an agent when
    nothing written answers it (kefu/services/product_answers.py)."""

    def name(self) -> Text:
        return "action_product_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            question = await question_in(tracker)
            if not question.products:
                say(dispatcher, "product_compare_which" if question.comparison else "product_which")
                return []
            # The Q&A the merchant imported last, read from the shop database.
            entries = await call_backend(shared_store().product_qa)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        text = tracker.latest_message.get("text") or ""
        say_reply(dispatcher, product_info_reply(question, text, entries, product_names(tracker)))
        if question.comparison:
            # Both become "discussed" (recent_product_ids reads this slot's history), so that a
            # follow-up "哪个更轻" compares the same two; neither is the one product a follow-up about
            # "它" means, so the slot ends empty and such a question asks which.
            compared = [SlotSet(names.CURRENT_PRODUCT_SLOT, p.product_id) for p in reversed(question.products)]
            return [*compared, SlotSet(names.CURRENT_PRODUCT_SLOT, None)]
        return [SlotSet(names.CURRENT_PRODUCT_SLOT, question.products[0].product_id)]


class ActionCheckStock(ProductAnswer):
    def name(self) -> Text:
        return "action_check_stock"

    async def answer(self, product: Product, tracker: Tracker) -> Dict[str, Any]:
        color = latest_entity(tracker, names.COLOR_ENTITY)
        size = latest_entity(tracker, names.SIZE_ENTITY)
        levels = await call_backend(backends().catalogue.stock, product.product_id, color, size)
        return stock_reply(product, levels or [], color, size)


class ActionSizeAdvice(ProductAnswer):
    which_product_template = "size_which_product"

    def name(self) -> Text:
        return "action_size_advice"

    async def answer(self, product: Product, tracker: Tracker) -> Dict[str, Any]:
        # The charts the merchant imported last (kefu.knowledge.importer), read from the shop database.
        book = await call_backend(shared_store().size_charts)
        return size_reply(
            book, product, tracker.latest_message.get("text") or "",
            latest_entity(tracker, names.HEIGHT_ENTITY), latest_entity(tracker, names.WEIGHT_ENTITY),
        )
