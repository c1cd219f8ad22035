"""Replies an agent can send with one click for the shopper's last message, computed the way the bot would
answer: the NLU model's intents, the merchant's knowledge, and the case customer's own orders read live
from the shop (docs/handoff.md: suggested replies)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, List, Mapping, Optional, Sequence

from kefu.backends.errors import BackendFailure
from kefu.backends.factory import backends_from_env
from kefu.backends.orders import Order, OrderBackend
from kefu.handoff.case_store import Case, Message
from kefu.storage.handoff_models import SHOPPER
from kefu.knowledge.promotions import PromotionEngine
from kefu.knowledge.store import KnowledgeStore, shared_store
from kefu.names import (
    ASK_COUPON_INTENT,
    ASK_EXCHANGE_INTENT,
    ASK_PROMOTION_INTENT,
    ASK_REFUND_STATUS_INTENT,
    ASK_RETURN_INTENT,
    CANCEL_ORDER_INTENT,
    CHANGE_ADDRESS_INTENT,
    NLU_FALLBACK_INTENT,
    ORDER_ID_SLOT,
    ORDER_QUESTION_INTENTS,
    REPORT_PROBLEM_INTENT,
    TRACK_ORDER_INTENT,
)
from kefu.replies import render
from kefu.services.after_sales import item_named
from kefu.services.after_sales_replies import refund_status_replies
from kefu.services.knowledge_answers import best_faq, knowledge_reply
from kefu.services.promotion_answers import ShopperContext, coupon_reply, promotion_reply
from kefu.services.order_view import order_button_title, order_response
from kefu.storage.clock import shop_now
from kefu.storage.phrases import listed

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
FALLBACK_INTENT = NLU_FALLBACK_INTENT
# Intents answered from the engine rather than from FAQ/policy text.
PROMOTION_ANSWERS = {ASK_PROMOTION_INTENT: promotion_reply, ASK_COUPON_INTENT: coupon_reply}
# Questions about one particular order of the shopper's.
ORDER_INTENTS = frozenset(ORDER_QUESTION_INTENTS)
# Which orders a question can be about, when the message does not say.
PLAUSIBLE_ORDERS = {
    TRACK_ORDER_INTENT: lambda order: order.status in ("paid", "shipped", "in_transit"),
    ASK_REFUND_STATUS_INTENT: lambda order: bool(order.refunds or order.returns),
    CANCEL_ORDER_INTENT: lambda order: order.can_cancel,
    CHANGE_ADDRESS_INTENT: lambda order: order.can_change_address,
    REPORT_PROBLEM_INTENT: lambda order: order.status == "delivered",
    ASK_RETURN_INTENT: lambda order: order.status == "delivered",
    ASK_EXCHANGE_INTENT: lambda order: order.status == "delivered",
}
ORDERS_CONSIDERED = 10


@dataclass(frozen=True)
class CaseOrders:
    """Whose orders the case may talk about, and where to read them."""

    customer_id: Optional[str]  # the case's customer: None for an anonymous shopper
    discussed_order_id: Optional[str]  # the order slot of the conversation, if any
    backend: OrderBackend


def order_meant(text: str, orders: Sequence[Order], discussed_order_id: Optional[str] = None,
                intent: Optional[str] = None) -> Optional[Order]:
    """The one order of ``orders`` the message is about, or None when it cannot be told."""
    plausible = PLAUSIBLE_ORDERS.get(intent or "", lambda order: True)

    def only(candidates: Sequence[Order]) -> Optional[Order]:
        if len(candidates) == 1:
            return candidates[0]
        # "耳机什么时候到" with two headphone orders: the one still on its way.
        fitting = [order for order in candidates if plausible(order)]
        return fitting[0] if len(fitting) == 1 else None

    named_by_number = [order for order in orders if order.order_id in text]
    if named_by_number:
        return only(named_by_number)
    named = [order for order in orders if any(item_named(text, item) for item in order.items)]
    if named:
        return only(named)
    discussed = [order for order in orders if order.order_id == discussed_order_id]
    if discussed:
        return discussed[0]
    return only(orders)


def order_suggestion(intent: str, text: str, case_orders: CaseOrders, now: datetime) -> Optional[str]:
    """The answer about the order the message means; which order, if several could be meant."""
    if not case_orders.customer_id:
        return None
    backend = case_orders.backend
    orders = backend.orders_of_customer(case_orders.customer_id, limit=ORDERS_CONSIDERED) or []
    if not orders:
        return None
    order = order_meant(text, orders, case_orders.discussed_order_id, intent)
    if order is None:
        titles = listed((order_button_title(order) for order in orders[:MAX_SUGGESTIONS]), "separator_semicolon")
        return render("agent_which_order", orders=titles)["text"]
    if intent == ASK_REFUND_STATUS_INTENT:
        replies = refund_status_replies(order)
    else:
        replies = order_response(order, backend.logistics_events(order.order_id) or [], now)
    return "\n".join(_as_text(reply) for reply in replies)


def _ranked_intents(parse_result: Optional[Mapping[str, Any]]) -> List[str]:
    if not parse_result:
        return []
    ranking = parse_result.get("intent_ranking") or [parse_result.get("intent") or {}]
    names = [entry.get("name") for entry in ranking if isinstance(entry, Mapping)]
    return [name for name in names if name and name != FALLBACK_INTENT]


def _as_text(reply: Mapping[str, Any]) -> str:
    return render(reply["template"], **{k: v for k, v in reply.items() if k != "template"})["text"]


def suggested_replies(text: str, parse_result: Optional[Mapping[str, Any]], store: KnowledgeStore,
                      agent_name: str = "", now: Optional[datetime] = None,
                      case_orders: Optional[CaseOrders] = None) -> List[str]:
    """Up to three answers for ``text``, best first; never empty."""
    text = text or ""
    now = now or shop_now()
    suggestions: List[str] = []
    intents = _ranked_intents(parse_result)[:MAX_SUGGESTIONS]

    def add(candidate: Optional[str]) -> None:
        if candidate and candidate not in suggestions and len(suggestions) < MAX_SUGGESTIONS:
            suggestions.append(candidate)

    order_intent = next((intent for intent in intents if intent in ORDER_INTENTS), None)
    if order_intent is not None and case_orders is not None:
        try:
            add(order_suggestion(order_intent, text, case_orders, now))
        except BackendFailure:
            # The agent still gets the policy answers; the order they can look up themselves.
            logger.warning("order backend unavailable for a suggested reply", exc_info=True)
    entry = best_faq(store.faq(), text)
    if entry is not None:
        add(entry.answer)
    for intent in intents:
        if intent in PROMOTION_ANSWERS:
            engine = PromotionEngine(store.promotions())
            add(_as_text(PROMOTION_ANSWERS[intent](engine, text, ShopperContext(now))))
            continue
        policies, faqs = store.policies(intent), store.faq(intent)
        if policies or faqs:
            add(knowledge_reply(policies, faqs, text)["answer"])
    if len(suggestions) < MAX_SUGGESTIONS:
        suggestions.append(render("agent_greeting", agent=agent_name)["text"])
    return suggestions


def last_shopper_text(case: Case, messages: Sequence[Message]) -> Optional[str]:
    """What the shopper said last, which the suggestions answer: since the handoff, else the last line before it."""
    for message in reversed(messages):
        if message.direction == SHOPPER:
            return message.text
    for line in reversed(case.transcript):
        if line.who == SHOPPER:
            return line.text
    return None


def suggestions_for_case(case: Case, text: str, parse_result: Optional[Mapping[str, Any]]) -> List[str]:
    """``suggested_replies`` for a case's shopper: this process's knowledge store, and the orders of the
    case's customer only, from the shop the actions read (SHOP_BACKEND)."""
    orders = CaseOrders(customer_id=(case.customer or {}).get("customer_id"),
                        discussed_order_id=(case.slots or {}).get(ORDER_ID_SLOT),
                        backend=_shop_orders())
    return suggested_replies(text, parse_result, shared_store(), case_orders=orders)


@lru_cache(maxsize=1)
def _shop_orders() -> OrderBackend:
    return backends_from_env().orders
