"""The promotion engine's answers: stacking, the next tier, multi-buy quotes,
price protection, and which promotions a message names."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kefu.knowledge.promotions import UnknownPromotion
from kefu.knowledge.promotions.rules import COUPON_LIMIT, EXCLUSIVE, FULL_REDUCTION, INCOMPATIBLE_KINDS, SAME_KIND, SHOP_COUPON
from tests.knowledge.promotions.support import DOUBLE_12, EARLY_DECEMBER, basket, engine_for, line, sample_engine


# --- can_stack ---------------------------------------------------------------------

def test_a_full_reduction_and_a_shop_coupon_combine_in_order():
    answer = sample_engine().can_stack("满300减50", "店铺券")
    assert answer.allowed and answer.code is None
    assert answer.text == "服装鞋靴满减和店铺券可以一起用哦：先算服装鞋靴满减，再算店铺券（店铺券的门槛按服装鞋靴满减之后的金额算）"


def test_a_platform_coupon_does_not_combine_with_a_full_reduction_for_the_merchants_reason():
    answer = sample_engine().can_stack("apparel_full_reduction", "双12平台券满300减40")
    assert not answer.allowed and answer.code == INCOMPATIBLE_KINDS
    assert answer.text == "服装鞋靴满减和双12平台券满300减40不能一起用：平台券不能和店铺满减一起用"


@pytest.mark.parametrize(
    "a, b, code, words",
    [
        ("店铺券", "平台券", COUPON_LIMIT, "每单限用1张优惠券"),
        ("shop_200_20", "shop_500_60", COUPON_LIMIT, "每单限用1张优惠券"),
        ("会员价", "运动短裤清仓6折", EXCLUSIVE, "运动短裤清仓6折不与其他优惠同享"),
        ("降噪耳机9折", "T恤第二件半价", INCOMPATIBLE_KINDS, "已打折的商品不再参加多件优惠"),
        ("earphones_90", "double12_beauty_80", SAME_KIND, None),  # a product list and a category may meet
        ("满减", "满减", SAME_KIND, "同类优惠不叠加"),
    ],
)
def test_what_does_not_combine_says_why(a, b, code, words):
    answer = sample_engine().can_stack(a, b)
    assert not answer.allowed and answer.code == code
    assert words is None or words in answer.text


def test_promotions_of_one_kind_on_different_categories_combine():
    engine = engine_for("""
        - {id: a, kind: percent_off, rate: 0.8, categories: [服装]}
        - {id: b, kind: percent_off, rate: 0.9, categories: [厨具]}
    """)
    assert engine.can_stack("a", "b").text == "8折和9折管的是不同的商品，可以各自享受"


def test_member_price_comes_first_and_a_later_threshold_counts_after_it():
    answer = sample_engine().can_stack("店铺券满200减20", "会员价")
    assert answer.allowed
    assert answer.text == "店铺券满200减20和会员价可以一起用哦：先算会员价，再算店铺券满200减20（店铺券满200减20的门槛按会员价之后的金额算）"


def test_item_discounts_of_one_stage_combine_without_a_threshold_note():
    engine = engine_for("- {id: m, kind: member_price, rates: {gold: 0.9}}\n- {id: p, kind: percent_off, rate: 0.9}")
    assert engine.can_stack("p", "m").text == "9折和会员价可以一起用哦：先算会员价，再算9折"


def test_two_coupons_combine_where_the_shop_allows_two():
    engine = engine_for("- {id: s, kind: shop_coupon, off: 5}\n- {id: p, kind: platform_coupon, off: 10}", "stacking: {max_coupons_per_order: 2}")
    assert engine.can_stack("p", "s").allowed
    order = engine.price(basket([line("P1001", "79.00")], coupons=["s", "p"]))
    assert order.final == Decimal("64.00")


def test_price_protection_never_stands_in_the_way():
    assert sample_engine().can_stack("保价", "店铺券").allowed


def test_an_unknown_promotion_is_an_error_the_caller_can_catch():
    with pytest.raises(UnknownPromotion):
        sample_engine().can_stack("砍一刀", "店铺券")


def test_the_promotions_a_message_names_are_found_in_order():
    engine = sample_engine()
    full_reduction = engine.book.rule("apparel_full_reduction")
    assert engine.mentioned("满300减50 跟店铺券能一起用吗") == [full_reduction, SHOP_COUPON]
    assert engine.mentioned("店铺券满200减20和平台券能一起用吗") == [engine.book.rule("shop_200_20"), "platform_coupon"]
    assert engine.mentioned("满200减20的券能跟满减一起用吗") == [engine.book.rule("shop_200_20"), FULL_REDUCTION]
    assert engine.mentioned("满99减10可以吗") == [FULL_REDUCTION]
    assert engine.mentioned("今天天气不错") == []


# --- how much more --------------------------------------------------------------------

def test_how_much_more_for_the_next_tier_counts_after_item_discounts():
    engine = sample_engine()
    hints = engine.how_much_more_for_next_tier(basket([line("P1005", "399.00"), line("P4013", "59.00")], "gold", ["shop_500_60"]))
    # Gold prices: clothes 379.05 (600 tier next), kitchen 56.05 (200 next);
    # the coupon's 500 counts after the 满减: 379.05 - 50 + 56.05 = 385.10.
    assert [hint.text for hint in hints] == [
        "再买 114.90 元就能用店铺券满500减60，再减 60 元",
        "再买 143.95 元就能减 20 元（每满200减20）",
        "再买 220.95 元就能减 110 元（满600减110）",
    ]
    assert hints[0].missing == Decimal("114.90") and hints[0].off == 60


def test_the_next_step_of_an_every_reduction_stops_at_its_cap():
    engine = sample_engine()
    (hint,) = engine.how_much_more_for_next_tier(basket([line("P4008", "599.00")]))
    assert hint.text == "再买 1.00 元就能减 60 元（每满200减20）"
    assert engine.how_much_more_for_next_tier(basket([line("P4008", "599.00", 2)])) == []  # 1198: 100 = the cap


def test_a_basket_past_the_top_tier_needs_nothing_more():
    assert sample_engine().how_much_more_for_next_tier(basket([line("P1006", "699.00", 2)])) == []


# --- multi-buy quotes -------------------------------------------------------------------

def test_what_two_t_shirts_cost():
    (quote,) = sample_engine().multi_buy_quote("P1001", "服装", "79.00", at=EARLY_DECEMBER)
    assert quote.quantity == 2 and quote.price == Decimal("118.50") and quote.rate == Decimal("0.75")
    assert quote.text == "T恤第二件半价：买2件共 118.50 元（原价 158.00 元），相当于打7.5折"


def test_a_quote_for_too_few_says_how_many_are_needed():
    (quote,) = sample_engine().multi_buy_quote("P5002", "美妆", "89.00", at=EARLY_DECEMBER, quantity=2)
    assert quote.text == "面膜买三免一要买够3件才有优惠，买2件还享受不到"
    (three,) = sample_engine().multi_buy_quote("P5002", "美妆", "89.00", at=EARLY_DECEMBER)
    assert three.text == "面膜买三免一：买3件共 178.00 元（原价 267.00 元），相当于打6.7折"


def test_a_product_without_multi_buy_gets_no_quote():
    assert sample_engine().multi_buy_quote("P3001", "数码", "129.00", at=EARLY_DECEMBER) == []


# --- price protection ------------------------------------------------------------------------

PAID = EARLY_DECEMBER


def test_a_price_drop_inside_the_window_is_refunded():
    answer = sample_engine().price_protection(PAID, "79.00", "69.00", PAID + timedelta(days=3), "P1001", "服装", quantity=2)
    assert answer.eligible and answer.refund == Decimal("20.00")
    assert answer.text == "在保价期内（付款后7天，到 2026-12-12 10:00），现价比您付款时每件低 10.00 元，2件可以申请退差价 20.00 元"


def test_the_window_ends_exactly_n_days_after_payment():
    engine = sample_engine()
    deadline = PAID + timedelta(days=7)
    assert engine.price_protection(PAID, "79.00", "69.00", deadline, "P1001", "服装").eligible
    late = engine.price_protection(PAID, "79.00", "69.00", deadline + timedelta(seconds=1), "P1001", "服装")
    assert not late.eligible and late.refund == 0 and "已经在 2026-12-12 10:00 结束了" in late.text


def test_the_most_specific_protection_applies():
    answer = sample_engine().price_protection(PAID, "499.00", "449.00", PAID + timedelta(days=12), "P3002", "数码")
    assert answer.eligible and answer.policy.id == "protection_digital_15_days"


def test_no_drop_no_refund():
    answer = sample_engine().price_protection(PAID, "79.00", "79.00", PAID + timedelta(days=1), "P1001", "服装")
    assert not answer.eligible and answer.text == "现在的价格 79.00 元不比您付款时的 79.00 元低，不需要退差价哦"


def test_products_outside_price_protection_say_so():
    answer = sample_engine().price_protection(PAID, "129.00", "99.00", PAID + timedelta(days=1), "P5003", "美妆")
    assert not answer.eligible and answer.policy is None and "不参加价格保护" in answer.text


def test_a_moment_before_payment_is_a_mistake():
    with pytest.raises(ValueError):
        sample_engine().price_protection(PAID, "79.00", "69.00", PAID - timedelta(hours=1), "P1001", "服装")


def test_a_protection_is_judged_at_the_moment_of_payment():
    engine = engine_for("- {id: p, kind: price_protection, days: 30, valid_from: 2026-12-01}")
    assert not engine.price_protection(DOUBLE_12 - timedelta(days=20), "10.00", "5.00", DOUBLE_12).eligible
    assert engine.price_protection(DOUBLE_12 - timedelta(days=5), "10.00", "5.00", DOUBLE_12).eligible
