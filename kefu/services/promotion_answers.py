"""Answers to promotion and coupon questions from the promotion engine: stacking
("满300减50 跟店铺券能一起用吗"), the shopper's order priced ("我这单用了券还能减多少"),
multi-buy ("买两件打几折"), price protection ("买贵了能退差价吗", "申请价保失败"), why a coupon does
not apply ("我的优惠券怎么用不了") and what is on ("有啥活动"); each a reply dict (template name and
values) for the action to send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from kefu.backends.catalogue import Product
from kefu.backends.orders import Order
from kefu.knowledge.promotions import Basket, BasketLine, PromotionEngine
from kefu.knowledge.promotions.pricing import shown_moment
from kefu.knowledge.promotions.rules import (
    COUPON_KINDS,
    MULTI_BUY,
    PRICE_PROTECTION,
    SHOP_COUPON,
    Rule,
)
from kefu.knowledge.body_measurements import chinese_number
from kefu.storage.money import yuan
from kefu.storage.phrases import Joined, Phrase, listed

Reply = Dict[str, Any]

_STACKING = re.compile(r"一起用|一起享|一块用|一块儿用|同时用|同时享|叠加|能叠|可叠|同享|共用|兼用|还能用|一起使用|能一起")
_PROTECTION = re.compile(r"差价|保价|价保|价格保护|买贵|降价|降了|便宜了")
_QUANTITY = re.compile(r"(?:买|拍|来|要|下单|入)\s*([0-9]+|[一两二三四五六七八九十俩仨]+)\s*(?:件|个|双|条|盒|瓶|支|套|只|份)?")
_MULTI_BUY = re.compile(r"几件|多件|第二件|两件|[2-9]件|俩|多买|买[二三两]")
_ORDER = re.compile(r"这单|这一单|这个订单|这笔|我的订单|订单|我买的|我下的")
_GENERIC_COUPON = re.compile(r"券|红包")
# "我的优惠券怎么用不了", "券没抵扣", "显示不可用": why a coupon does not apply, not which coupons there are.
_COUPON_FAILS = re.compile(
    r"用不了|不能用|没法用|用不上|没用上|无法使用|使用不了|不能使用|不可用|用不出来|不让用|选不了|"
    r"没抵扣|不抵扣|没减|没有减|不减|不生效|没生效|失效"
)
# "申请价保失败", "价保被拒了": why price protection was refused.
_PROTECTION_REFUSED = re.compile(r"失败|不通过|没通过|被拒|拒绝|驳回|申请不了|不给|不能退|退不了")
# Numbers shoppers say for two and three: "买俩", "来仨".
_COLLOQUIAL_NUMBERS = str.maketrans({"俩": "两", "仨": "三"})

# How many deals an overview names before "等": a list of twelve is not an answer.
OVERVIEW_LIMIT = 6


@dataclass(frozen=True)
class ShopperContext:
    """What the assistant knows about the shopper and the conversation."""

    now: datetime
    member_level: str = "regular"
    product: Optional[Product] = None
    # The order under discussion, only once the shopper has proved it is theirs,
    # with the category of each item's product (the rules are scoped by category).
    order: Optional[Order] = None
    order_categories: Tuple[str, ...] = ()
    # What each item of the order sells for now, for price protection.
    order_current_prices: Tuple[Decimal, ...] = ()


def refers_to_order(text: str) -> bool:
    return bool(_ORDER.search(text))


def asks_about_price_protection(text: str) -> bool:
    return bool(_PROTECTION.search(text))


def asks_why_coupon_fails(text: str) -> bool:
    """"我的优惠券怎么用不了": the answer is why, for the shopper's order or the product in question."""
    return bool(_COUPON_FAILS.search(text))


def promotion_reply(engine: PromotionEngine, text: str, context: ShopperContext) -> Reply:
    """The answer to an ``ask_promotion`` message."""
    stacking = _stacking_answer(engine, text, context)
    if stacking is not None:
        return stacking
    if asks_about_price_protection(text):
        return _protection_reply(engine, context, refused=bool(_PROTECTION_REFUSED.search(text)))
    quantity = _quantity(text)
    if _MULTI_BUY.search(text) or (quantity or 0) > 1:
        return _multi_buy_reply(engine, context, quantity)
    if refers_to_order(text):
        return order_quote_reply(engine, context) if context.order else {"template": "promotion_need_order"}
    if context.product is not None:
        return _product_deals_reply(engine, context)
    return _overview_reply(engine, context.now)


def coupon_reply(engine: PromotionEngine, text: str, context: ShopperContext) -> Reply:
    """The answer to an ``ask_coupon`` message: the coupons on offer, and what they do for this order or product.
    Whether a coupon combines with another offer ("满300减50 跟店铺券能一起用吗", which the NLU hears as a coupon
    question as often as a promotion one) gets the same stacking answer as ``promotion_reply`` gives."""
    stacking = _stacking_answer(engine, text, context)
    if stacking is not None:
        return stacking
    if asks_why_coupon_fails(text):
        return _coupon_why_not_reply(engine, text, context)
    coupons = [rule for rule in engine.book.of_kind(*COUPON_KINDS) if rule.is_active(context.now)]
    if not coupons:
        return {"template": "coupon_none"}
    on_offer = _bullets(Joined((rule.name, _validity(rule))) for rule in coupons)
    if context.order is not None and refers_to_order(text):
        basket = _order_basket(context, coupons)
        quote = engine.price(basket)
        used = [rule.name for rule in quote.rules if rule.is_coupon]
        if used:
            return {"template": "coupon_for_order", "order_id": context.order.order_id, "coupons": on_offer,
                    "used": listed(used), "explanation": quote.explain()}
        return {"template": "coupon_for_order_none", "order_id": context.order.order_id, "coupons": on_offer,
                "hints": _hints_text(engine, basket)}
    return {"template": "coupon_overview", "coupons": on_offer}


# --- the kinds of question ----------------------------------------------------------


def _stacking_answer(engine: PromotionEngine, text: str, context: ShopperContext) -> Optional[Reply]:
    """Whether the offers the message names combine, when that is what it asks; None otherwise."""
    if not _STACKING.search(text):
        return None
    mentioned = engine.mentioned(text)
    return _stacking_reply(engine, text, mentioned, context) if mentioned else None


def _stacking_reply(engine: PromotionEngine, text: str, mentioned: List[Any], context: ShopperContext) -> Reply:
    promotions = list(mentioned)
    # "满300减50还能用券吗": a coupon without saying which is the shop's own.
    if len(promotions) == 1 and _GENERIC_COUPON.search(text) and not _is_coupon(promotions[0]):
        promotions.append(SHOP_COUPON)
    if len(promotions) < 2:
        rule = engine.resolve(promotions[0])
        exclusive = isinstance(rule, Rule) and rule.exclusive
        return {"template": "promotion_stacking_exclusive" if exclusive else "promotion_stacking_which",
                "name": rule.name if isinstance(rule, Rule) else text}
    answer = engine.can_stack(promotions[0], promotions[1])
    return {"template": "promotion_stacking", "answer": answer.text}


def _coupon_why_not_reply(engine: PromotionEngine, text: str, context: ShopperContext) -> Reply:
    """Why each coupon (the one named, else every coupon of the shop) does or does not apply to the shopper's
    order, else to the product in question, else the conditions a coupon has: threshold, scope, expiry, stacking."""
    named = [rule for rule in engine.mentioned(text) if isinstance(rule, Rule) and rule.is_coupon]
    coupons = named or list(engine.book.of_kind(*COUPON_KINDS))
    if not coupons:
        return {"template": "coupon_none"}
    if context.order is not None:
        basket = _order_basket(context, coupons)
        return {"template": "coupon_why_not_for_order", "order_id": context.order.order_id,
                "reasons": _coupon_reasons(engine, basket, coupons), "rules": _coupon_rules_text(engine)}
    if context.product is not None:
        basket = replace(_product_basket(context.product, context), coupons=tuple(rule.id for rule in coupons))
        return {"template": "coupon_why_not_for_product", "product": context.product.name,
                "reasons": _coupon_reasons(engine, basket, coupons), "rules": _coupon_rules_text(engine)}
    conditions = _bullets(Joined((rule.name, _coupon_condition(rule, context.now))) for rule in coupons)
    return {"template": "coupon_why_not_general", "coupons": conditions, "rules": _coupon_rules_text(engine)}


def _coupon_reasons(engine: PromotionEngine, basket: Basket, coupons: Sequence[Rule]) -> str:
    """One line per coupon: used on this basket, or why not (the engine's left-out reasons)."""
    quote = engine.price(basket)
    used = {rule.id for rule in quote.rules if rule.is_coupon}
    why = {left.rule_id: left.reason for left in quote.left_out}
    lines = [Phrase("coupon_reason_line", name=rule.name,
                    reason=Phrase("coupon_used_here") if rule.id in used else why.get(rule.id, Phrase("left_not_better")))
             for rule in coupons]
    return _bullets(lines)


def _coupon_condition(rule: Rule, now: datetime) -> str:
    """What a coupon needs, as the shopper would check it: its validity now and where it applies."""
    if rule.valid_until is not None and now >= rule.valid_until:
        return Phrase("left_expired", until=shown_moment(rule.valid_until, is_end=True))
    if rule.valid_from is not None and now < rule.valid_from:
        return Phrase("left_not_started", since=shown_moment(rule.valid_from))
    scope = rule.scope
    if scope.is_whole_shop and not scope.except_categories and not scope.except_products:
        return _validity(rule)
    where = listed(sorted(scope.categories)) if scope.categories else Phrase("coupon_scope_some_products")
    return Joined((_validity(rule), Phrase("coupon_scope", categories=where)))


def _coupon_rules_text(engine: PromotionEngine) -> str:
    """The merchant's stacking rules for coupons: how many per order, and what they do not combine with."""
    stacking = engine.book.stacking
    rules = [Phrase("stack_coupon_limit", count=stacking.max_coupons_per_order)]
    rules += [rule.reason for rule in stacking.incompatible if rule.kinds & set(COUPON_KINDS)]
    return Joined(rules, Phrase("price_separator"))


def _protection_reply(engine: PromotionEngine, context: ShopperContext, refused: bool = False) -> Reply:
    order = context.order
    if order is None or order.paid_at is None:
        policies = [rule for rule in engine.book.of_kind(PRICE_PROTECTION) if rule.is_active(context.now)]
        if not policies:
            return {"template": "protection_policy_none"}
        days = sorted({rule.days for rule in policies})
        return {"template": "protection_policy", "policies": listed(rule.name for rule in policies),
                "days": "/".join(str(d) for d in days)}
    answers = []
    for item, category, current in zip(order.items, context.order_categories, context.order_current_prices):
        answer = engine.price_protection(order.paid_at, item.unit_price, current, context.now,
                                         product_id=item.product_id, category=category, quantity=item.quantity)
        answers.append(Phrase("protection_item_answer", product=item.product_name, answer=answer.text))
    # "申请价保失败": the same answers, told as the reasons it was refused.
    template = "protection_refused_for_order" if refused else "protection_for_order"
    return {"template": template, "order_id": order.order_id, "answers": _bullets(answers)}


def _multi_buy_reply(engine: PromotionEngine, context: ShopperContext, quantity: Optional[int]) -> Reply:
    product = context.product
    if product is None:
        offers = [rule.name for rule in engine.book.of_kind(MULTI_BUY) if rule.is_active(context.now)]
        if not offers:
            return {"template": "multi_buy_none_in_shop"}
        return {"template": "multi_buy_which_product", "offers": listed(offers)}
    quotes = engine.multi_buy_quote(product.product_id, product.category, product.price, context.now, quantity)
    if not quotes:
        return {"template": "multi_buy_none", "product": product.name, "deals": _deals_text(engine, context)}
    return {"template": "multi_buy_quotes", "product": product.name, "quotes": Joined((q.text for q in quotes), "\n")}


def order_quote_reply(engine: PromotionEngine, context: ShopperContext) -> Reply:
    """"我这单用了券还能减多少": the order priced with the best combination the shop offers now."""
    coupons = [rule for rule in engine.book.of_kind(*COUPON_KINDS) if rule.is_active(context.now)]
    basket = _order_basket(context, coupons)
    quote = engine.price(basket)
    return {"template": "promotion_order_quote", "order_id": context.order.order_id,
            "explanation": quote.explain(), "paid": yuan(context.order.paid_amount),
            "hints": _hints_text(engine, basket)}


def _product_deals_reply(engine: PromotionEngine, context: ShopperContext) -> Reply:
    product = context.product
    quote = engine.price(_product_basket(product, context))
    if not quote.discounts and not _extra_offers(engine, context):
        return {"template": "promotion_product_none", "product": product.name,
                "overview": _overview_text(engine, context.now) or Phrase("no_deals")}
    return {"template": "promotion_product", "product": product.name, "explanation": quote.explain(),
            "extras": _deals_text(engine, context)}


def _overview_reply(engine: PromotionEngine, now: datetime) -> Reply:
    overview = _overview_text(engine, now)
    if not overview:
        return {"template": "promotion_none"}
    return {"template": "promotion_overview", "deals": overview}


# --- pieces -----------------------------------------------------------------------------


def _is_coupon(promotion: Any) -> bool:
    kind = promotion.kind if isinstance(promotion, Rule) else promotion
    return kind in COUPON_KINDS


def _quantity(text: str) -> Optional[int]:
    match = _QUANTITY.search(text)
    if match is None:
        return None
    word = match.group(1)
    number = int(word) if word.isdigit() else chinese_number(word.translate(_COLLOQUIAL_NUMBERS))
    return int(number) if number and 0 < number <= 99 else None


def _validity(rule: Rule) -> str:
    if rule.valid_until is None:
        return ""
    return Phrase("valid_until", until=shown_moment(rule.valid_until, is_end=True))


def _bullets(lines: Iterable[str]) -> str:
    """One "· " line per item."""
    return Joined((Joined(("· ", line)) for line in lines), "\n")


def _overview_text(engine: PromotionEngine, now: datetime) -> str:
    active = [rule for rule in engine.book.rules if rule.is_active(now) and rule.kind != PRICE_PROTECTION]
    names = [Joined((rule.name, _validity(rule))) for rule in active[:OVERVIEW_LIMIT]]
    return _bullets(names + (["……"] if len(active) > OVERVIEW_LIMIT else []))


def _product_basket(product: Product, context: ShopperContext, quantity: int = 1) -> Basket:
    line = BasketLine(product.product_id, product.category, product.price, quantity, product.name)
    return Basket(lines=(line,), at=context.now, member_level=context.member_level)


def _order_basket(context: ShopperContext, coupons: Sequence[Rule]) -> Basket:
    lines = tuple(
        BasketLine(item.product_id, category, item.unit_price, item.quantity, item.product_name)
        for item, category in zip(context.order.items, context.order_categories)
    )
    return Basket(lines=lines, at=context.now, member_level=context.member_level,
                  coupons=tuple(rule.id for rule in coupons))


def _extra_offers(engine: PromotionEngine, context: ShopperContext) -> List[str]:
    """What buying more of the product would bring: its multi-buy offers and the next full-reduction step."""
    product = context.product
    offers = [quote.text for quote in engine.multi_buy_quote(
        product.product_id, product.category, product.price, context.now)]
    offers += [hint.text for hint in engine.how_much_more_for_next_tier(_product_basket(product, context))
               if not hint.rule.is_coupon]
    return offers


def _deals_text(engine: PromotionEngine, context: ShopperContext) -> str:
    offers = _extra_offers(engine, context)
    return _bullets(offers) if offers else Phrase("no_other_deals")


def _hints_text(engine: PromotionEngine, basket: Basket) -> str:
    hints = engine.how_much_more_for_next_tier(basket)
    return _bullets(hint.text for hint in hints) if hints else _bullets([Phrase("best_deal_already")])
