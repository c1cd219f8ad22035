"""Promotion and coupon questions, answered by the promotion engine from the merchant's imported rules."""

from __future__ import annotations

import abc
from decimal import Decimal
from typing import List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.knowledge import promotion_engine
from actions.orders import current_order
from actions.products import CURRENT_PRODUCT_SLOT, product_in_question
from actions.replies import apologise_for_backend, say_reply
from actions.shop import backends, call_backend
from kefu.backends.errors import BackendFailure
from kefu.backends.orders import Order
from kefu.knowledge.promotions import PromotionEngine
from kefu.services.promotion_answers import (
    ShopperContext,
    asks_about_price_protection,
    coupon_reply,
    promotion_reply,
    refers_to_order,
)
from kefu.storage.clock import shop_now


def _member_level(customer_id: Optional[str]) -> str:
    customer = backends().customers.get_customer(customer_id) if customer_id else None
    return customer.member_level if customer else "regular"


def _order_facts(order: Order) -> Tuple[Tuple[str, ...], Tuple[Decimal, ...]]:
    """Each item's category (rules are scoped by it) and what it sells for now (for price protection)."""
    categories, prices = [], []
    for item in order.items:
        product = backends().catalogue.get_product(item.product_id)
        sku = next((s for s in product.skus if s.sku_id == item.sku_id), None) if product else None
        categories.append(product.category if product else "")
        prices.append(sku.price if sku else item.unit_price)
    return tuple(categories), tuple(prices)


class PromotionAnswer(Action, abc.ABC):
    """Gathers what the engine needs (member level, product, proven order) and sends its answer."""

    @abc.abstractmethod
    def reply(self, engine: PromotionEngine, text: str, context: ShopperContext):
        """The reply dict for this question."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        try:
            engine = await call_backend(promotion_engine)
            context = await self._context(tracker, text)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        say_reply(dispatcher, self.reply(engine, text, context))
        return [SlotSet(CURRENT_PRODUCT_SLOT, context.product.product_id)] if context.product else []

    @staticmethod
    async def _context(tracker: Tracker, text: str) -> ShopperContext:
        level = await call_backend(_member_level, known_customer_id(tracker))
        product = await product_in_question(tracker)
        # Only a question about "this order" reads the order, and only the shopper's own.
        order = await current_order(tracker) if refers_to_order(text) or asks_about_price_protection(text) else None
        categories, prices = await call_backend(_order_facts, order) if order else ((), ())
        return ShopperContext(shop_now(), level, product, order, categories, prices)


class ActionAnswerPromotion(PromotionAnswer):
    def name(self) -> Text:
        return "action_answer_promotion"

    def reply(self, engine: PromotionEngine, text: str, context: ShopperContext):
        return promotion_reply(engine, text, context)


class ActionAnswerCoupon(PromotionAnswer):
    def name(self) -> Text:
        return "action_answer_coupon"

    def reply(self, engine: PromotionEngine, text: str, context: ShopperContext):
        return coupon_reply(engine, text, context)
