"""The final price of a basket: order of application, rounding, the choice of
the best legal combination, and why a promotion was left out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kefu.knowledge.promotions import Basket, BasketLine, price_with_rules
from kefu.knowledge.promotions.pricing import share_out
from tests.knowledge.promotions.support import DOUBLE_12, EARLY_DECEMBER, basket, engine_for, line, sample_engine


def test_the_price_is_explained_line_by_line():
    quote = sample_engine().price(basket([line("P1005", "399.00"), line("P1009", "199.00")], "gold", ["shop_200_20"]))
    assert quote.explain() == (
        "商品原价 598.00 元；会员价（金卡会员） -29.90；满300减50 -50.00；店铺券满200减20 -20.00；应付 498.10 元"
    )
    assert quote.final == Decimal("498.10") and quote.saved == Decimal("99.90")
    assert [rule.id for rule in quote.rules] == ["member_price", "apparel_full_reduction", "shop_200_20"]


def test_the_explanation_lines_add_up_to_the_final_price():
    quote = sample_engine().price(basket([line("P1001", "79.00", 3), line("P4001", "209.00")], "silver", ["shop_200_20"]))
    assert sum(entry.amount for entry in quote.explanation_lines()) == quote.final
    assert sum(total.final for total in quote.lines) == quote.final
    assert quote.texts()[-1] == f"应付 {quote.final:.2f} 元"


def test_member_price_is_rounded_per_unit_half_up():
    # 0.95 × 79.00 = 75.05; 0.98 × 69.00 = 67.62; 0.95 × 0.10 = 0.095 -> 0.10
    engine = engine_for("- {id: m, kind: member_price, rates: {gold: 0.95, silver: 0.98}}")
    assert engine.price(basket([BasketLine("X", "服装", "79.00", 2)], "gold")).final == Decimal("150.10")
    assert engine.price(basket([BasketLine("X", "服装", "69.00")], "silver")).final == Decimal("67.62")
    assert engine.price(basket([BasketLine("X", "服装", "0.10")], "gold")).final == Decimal("0.10")


def test_a_regular_customer_gets_no_member_price():
    quote = sample_engine().price(basket([line("P1005", "399.00")], "regular"))
    assert "member_price" not in [rule.id for rule in quote.rules]


def test_second_item_half_price_halves_the_cheaper_one_rounded_half_up():
    # Any two of the three T-shirts: the cheaper (65.55 after the gold price) is halved: 32.775 -> 32.78 off.
    quote = sample_engine().price(basket([line("P1001", "79.00"), line("P1002", "69.00")], "gold"))
    discount = next(d for d in quote.discounts if d.rule.id == "tshirt_second_half")
    assert discount.amount == Decimal("32.77")
    assert discount.per_line == (Decimal("0.00"), Decimal("32.77"))


def test_second_item_half_price_counts_whole_pairs_only():
    quote = sample_engine().price(basket([line("P1001", "79.00", 3)]))
    assert quote.explain() == "商品原价 237.00 元；T恤第二件半价 -39.50；应付 197.50 元"


def test_buy_three_get_one_free_and_two_for_ninety_percent():
    engine = sample_engine()
    masks = engine.price(basket([line("P5002", "89.00", 7)]))
    assert [(d.label, d.amount) for d in masks.discounts] == [("面膜买三免一", Decimal("178.00"))]
    cleansers = engine.price(basket([line("P5001", "69.00"), line("P5011", "59.00")]))
    assert [(d.label, d.amount) for d in cleansers.discounts] == [("洁面买二件打9折", Decimal("12.80"))]


def test_every_full_reduction_counts_each_threshold_up_to_its_cap():
    engine = sample_engine()
    assert engine.price(basket([line("P4008", "599.00")])).explain() == "商品原价 599.00 元；每满200减20 -40.00；应付 559.00 元"
    big = engine.price(basket([line("P4008", "599.00", 3)]))
    assert [(d.label, d.amount) for d in big.discounts] == [("每满200减20", Decimal("100.00"))]  # 8 × 20, capped at 100


def test_the_full_reduction_threshold_counts_the_price_after_item_discounts():
    engine = engine_for("""
        - {id: ten_percent, kind: percent_off, rate: 0.9}
        - {id: big, kind: full_reduction, tiers: [{threshold: 300, off: 30}]}
    """)
    # 320 × 0.9 = 288 is below 300: the engine may leave out the 9折 —
    # 320 - 30 = 290 beats 288? No: 288 is cheaper, so the 9折 is kept.
    quote = engine.price(basket([BasketLine("X", "服装", "320.00")]))
    assert quote.final == Decimal("288.00")
    assert [rule.id for rule in quote.rules] == ["ten_percent"]
    # 340 × 0.9 = 306 reaches 300: both, 276.
    assert engine.price(basket([BasketLine("X", "服装", "340.00")])).final == Decimal("276.00")


def test_a_discount_that_costs_a_bigger_reduction_is_left_out():
    engine = engine_for("""
        - {id: small_discount, kind: percent_off, rate: 0.98}
        - {id: big, kind: full_reduction, tiers: [{threshold: 300, off: 60}]}
    """)
    quote = engine.price(basket([BasketLine("X", "服装", "300.00")]))
    assert quote.final == Decimal("240.00")  # not 294.00 with the 98折
    assert [(left.rule_id, left.reason) for left in quote.left_out] == [("small_discount", "用了反而不如现在的组合划算")]


def test_even_the_member_price_is_left_out_when_it_keeps_a_bigger_coupon_out_of_reach():
    # Gold: 379.05 + 160.55 - 50 = 489.60 misses the 500 threshold; without the
    # member price 568 - 50 = 518 reaches it: 458.00.
    quote = sample_engine().price(basket([line("P1005", "399.00"), line("P4001", "169.00")], "gold", ["shop_500_60"]))
    assert quote.final == Decimal("458.00")
    assert [rule.id for rule in quote.rules] == ["apparel_full_reduction", "shop_500_60"]
    assert {l.rule_id: l.reason for l in quote.left_out}["member_price"] == "用了反而不如现在的组合划算"


def test_coupon_thresholds_count_the_price_after_full_reductions():
    # 520 - 50 = 470 < 500: the 500-60 coupon cannot be used, the 200-20 one can.
    quote = sample_engine().price(basket([line("P1006", "520.00")], coupons=["shop_500_60", "shop_200_20"]))
    assert [rule.id for rule in quote.rules] == ["apparel_full_reduction", "shop_200_20"]
    assert quote.final == Decimal("450.00")
    left = {l.rule_id: l.reason for l in quote.left_out}
    # Short of its threshold even on its own: that is the reason, not the one-coupon limit.
    assert left["shop_500_60"] == "还差 30.00 元才能用"


def test_a_coupon_that_reaches_its_threshold_is_left_out_for_the_limit():
    quote = sample_engine().price(basket([line("P1006", "620.00")], coupons=["shop_500_60", "shop_200_20"]))
    left = {l.rule_id: l.reason for l in quote.left_out}
    assert left["shop_200_20"].startswith("跟店铺券满500减60不能同时用")


def test_one_coupon_per_order_and_the_best_one_is_chosen():
    quote = sample_engine().price(basket([line("P3004", "899.00")], coupons=["shop_200_20", "digital_400_50", "shop_new_customer_5"]))
    coupons = [rule.id for rule in quote.rules if rule.is_coupon]
    assert coupons == ["digital_400_50"]


def test_a_platform_coupon_is_chosen_over_a_smaller_full_reduction_it_cannot_join():
    engine = engine_for("""
        - {id: fr, kind: full_reduction, tiers: [{threshold: 300, off: 20}]}
        - {id: platform, kind: platform_coupon, threshold: 300, off: 40}
    """, """
        stacking:
          not_combinable:
            - {kinds: [full_reduction, platform_coupon], reason: 平台券不能和店铺满减一起用}
    """)
    quote = engine.price(basket([BasketLine("X", "服装", "300.00")], coupons=["platform"]))
    assert [rule.id for rule in quote.rules] == ["platform"] and quote.final == Decimal("260.00")
    assert quote.left_out[0].reason == "跟平台券满300减40不能同时用（平台券不能和店铺满减一起用），已为您选了更划算的组合"


def test_an_exclusive_promotion_stands_alone():
    quote = sample_engine().price(basket([line("P1010", "59.00", 6)], "gold", ["shop_200_20"]))
    assert quote.explain() == "商品原价 354.00 元；运动短裤清仓6折 -141.60；应付 212.40 元"
    left = {l.rule_id: l.reason for l in quote.left_out}
    assert set(left) == {"member_price", "apparel_full_reduction", "shop_200_20"}
    assert "运动短裤清仓6折不与其他优惠同享" in left["member_price"]


def test_promotions_of_the_same_kind_apply_each_to_its_own_items():
    engine = engine_for("""
        - {id: clothes, kind: percent_off, rate: 0.8, categories: [服装]}
        - {id: kitchen, kind: percent_off, rate: 0.9, categories: [厨具]}
        - {id: all, kind: percent_off, rate: 0.88}
    """)
    quote = engine.price(basket([BasketLine("A", "服装", "100.00"), BasketLine("B", "厨具", "100.00")]))
    assert [rule.id for rule in quote.rules] == ["clothes", "kitchen"]  # 170 beats 88% of 200
    assert quote.final == Decimal("170.00")


def test_a_promotion_counts_only_during_its_window():
    engine = sample_engine()
    cosmetics = [line("P5003", "129.00")]
    assert engine.price(basket(cosmetics, at=EARLY_DECEMBER)).final == Decimal("129.00")
    assert engine.price(basket(cosmetics, at=DOUBLE_12)).final == Decimal("103.20")
    last_minute = DOUBLE_12.replace(day=12, hour=23, minute=59, second=59)
    assert engine.price(basket(cosmetics, at=last_minute)).final == Decimal("103.20")
    assert engine.price(basket(cosmetics, at=last_minute + timedelta(seconds=1))).final == Decimal("129.00")


def test_coupons_that_cannot_be_used_say_why():
    engine = sample_engine()
    shirt = [line("P1001", "79.00")]
    expired = engine.price(basket(shirt, coupons=["double12_platform_300_40"], at=DOUBLE_12 + timedelta(days=2)))
    assert expired.left_out[0].reason == "已过期（2026-12-12 截止）"
    early = engine.price(basket(shirt, coupons=["double12_platform_300_40"], at=EARLY_DECEMBER - timedelta(days=10)))
    assert early.left_out[0].reason == "2026-12-01 起才能用"
    wrong_goods = engine.price(basket(shirt, coupons=["digital_400_50"]))
    assert wrong_goods.left_out[0].reason == "这单里没有能用这个优惠的商品"
    unknown = engine.price(basket(shirt, coupons=["no_such_coupon"]))
    assert unknown.left_out[0].reason == "这张券在当前活动里找不到，可能已经失效了"
    short = engine.price(basket(shirt, coupons=["shop_200_20"]))
    assert {l.rule_id: l.reason for l in short.left_out} == {
        "tshirt_second_half": "再买1件才能享受", "apparel_full_reduction": "还差 221.00 元才能用", "shop_200_20": "还差 121.00 元才能用",
    }


def test_a_full_reduction_not_reached_says_how_much_is_missing():
    quote = sample_engine().price(basket([line("P1003", "159.00")]))
    assert {l.rule_id: l.reason for l in quote.left_out} == {"apparel_full_reduction": "还差 141.00 元才能用"}


def test_a_discount_never_takes_more_than_the_goods_cost():
    engine = engine_for("- {id: big, kind: shop_coupon, off: 50}")
    quote = engine.price(basket([BasketLine("X", "服装", "30.00")], coupons=["big"]))
    assert quote.final == Decimal("0.00") and quote.discounts[0].amount == Decimal("30.00")


def test_an_order_level_discount_is_shared_out_over_the_lines_to_the_fen():
    quote = sample_engine().price(basket([line("P1005", "399.00"), line("P1009", "199.00"), line("P4001", "169.00")]))
    reduction = next(d for d in quote.discounts if d.rule.id == "apparel_full_reduction")
    assert reduction.per_line == (Decimal("33.36"), Decimal("16.64"), Decimal("0.00"))
    assert share_out(Decimal("0.10"), [Decimal("1.00")] * 3, [0, 1, 2]) == [Decimal("0.04"), Decimal("0.03"), Decimal("0.03")]


def test_an_empty_basket_costs_nothing():
    quote = sample_engine().price(basket([]))
    assert (quote.original, quote.final, quote.discounts) == (0, 0, ())
    assert quote.explain() == "商品原价 0.00 元；应付 0.00 元"


def test_price_with_rules_applies_exactly_the_rules_given():
    engine = sample_engine()
    order = basket([line("P1005", "399.00")], "gold", ["shop_200_20"])
    quote = price_with_rules(order, [engine.book.rule("shop_200_20"), engine.book.rule("member_price")])
    assert quote.explain() == "商品原价 399.00 元；会员价（金卡会员） -19.95；店铺券满200减20 -20.00；应付 359.05 元"


@pytest.mark.parametrize("price, quantity", [("-1.00", 1), ("1.005", 1), ("10.00", 0), ("10.00", 1.5)])
def test_a_basket_line_must_be_a_real_price_and_quantity(price, quantity):
    with pytest.raises(ValueError):
        BasketLine("X", "服装", price, quantity)


def test_a_basket_needs_a_known_member_level():
    with pytest.raises(ValueError):
        Basket(lines=(), member_level="diamond", at=EARLY_DECEMBER)
