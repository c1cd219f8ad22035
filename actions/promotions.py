"""Promotion and coupon questions, answered by the promotion engine from the merchant's imported rules."""

from __future__ import annotations

import abc
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import known_customer_id
from actions.knowledge import promotion_engine
from actions.orders import ORDERS_CONSIDERED, current_order
from actions.products import product_in_question
from actions.replies import apologise_for_backend, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.knowledge.promotions import PromotionEngine
from kefu.services.promotion_answers import (
    ShopperContext,
    asks_about_price_protection,
    asks_why_coupon_fails,
    coupon_reply,
    promotion_reply,
    refers_to_order,
)
from kefu.services.promotion_context import member_level, order_facts, order_in_question
from kefu.storage.clock import shop_now


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
        return [SlotSet(names.CURRENT_PRODUCT_SLOT, context.product.product_id)] if context.product else []

    @staticmethod
    async def _context(tracker: Tracker, text: str) -> ShopperContext:
        shop = backends()
        customer_id = known_customer_id(tracker)
        level = await call_backend(member_level, shop.customers, customer_id)
        product = await product_in_question(tracker)
        protection, coupon_fails = asks_about_price_protection(text), asks_why_coupon_fails(text)
        # Only a question about "this order", price protection or a coupon that does not apply reads the
        # order, and only the shopper's own.
        order = await current_order(tracker) if refers_to_order(text) or protection or coupon_fails else None
        if order is None and customer_id and (protection or (coupon_fails and product is None)):
            # "价保" / "我的优惠券怎么用不了" naming no order: the signed-in shopper's order it is about.
            orders = await call_backend(shop.orders.orders_of_customer, customer_id, ORDERS_CONSIDERED)
            product_id = product.product_id if product else None
            order = await call_backend(order_in_question, shop.catalogue, orders or [], product_id, protection)
        categories, prices = await call_backend(order_facts, shop.catalogue, order) if order else ((), ())
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
