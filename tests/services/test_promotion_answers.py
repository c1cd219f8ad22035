"""Promotion and coupon answers computed from the sample promotion rules."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from kefu.backends.catalogue import Product, Sku
from kefu.backends.orders import Order, OrderItem, Recipient
from kefu.knowledge.promotions import SAMPLE_PROMOTIONS, PromotionEngine
from kefu.replies import render
from kefu.services.promotion_answers import ShopperContext, asks_why_coupon_fails, coupon_reply, promotion_reply
from kefu.storage.clock import in_shop_time
from kefu.storage.models import CATEGORIES

NOW = in_shop_time(datetime(2026, 12, 1, 10, 0))
TSHIRT = Product("P1001", "男士纯棉圆领短袖T恤", "服装", "棉语", Decimal("79"), {}, "",
                 [Sku("P1001-01", "白色", "M", Decimal("79"))])
PAN = Product("P4001", "麦饭石色不粘炒锅", "厨具", "厨小二", Decimal("169"), {}, "",
              [Sku("P4001-01", "灰色", "28cm", Decimal("169"))])


@pytest.fixture(scope="module")
def engine():
    return PromotionEngine.from_file(SAMPLE_PROMOTIONS, categories=CATEGORIES)


def order(*items, paid_days_ago=2):
    lines = [OrderItem(f"{pid}-01", pid, name, None, None, Decimal(price), qty) for pid, name, price, qty in items]
    goods = sum((line.subtotal for line in lines), Decimal(0))
    paid_at = NOW - timedelta(days=paid_days_ago)
    return Order("2024111100001", "C0001", "delivered", "taobao", Recipient("张三", "13800000001", "浙江", "杭州", "x"),
                 lines, goods, Decimal(0), Decimal(0), goods, "支付宝", paid_at, paid_at, None, None, None)


def text_of(reply):
    return render(reply["template"], **{k: v for k, v in reply.items() if k != "template"})["text"]


def test_a_stacking_question_names_both_promotions_and_the_order_they_apply_in(engine):
    reply = promotion_reply(engine, "满300减50 跟店铺券能一起用吗", ShopperContext(NOW))
    assert reply["template"] == "promotion_stacking"
    assert "可以一起用" in reply["answer"] and "先算服装鞋靴满减，再算店铺券" in reply["answer"]


@pytest.mark.parametrize("text", ["满300减50 跟店铺券能一起用吗", "平台券和满减能叠加吗"])
def test_a_stacking_question_heard_as_a_coupon_question_gets_the_same_stacking_answer(engine, text):
    assert coupon_reply(engine, text, ShopperContext(NOW)) == promotion_reply(engine, text, ShopperContext(NOW))
    assert coupon_reply(engine, text, ShopperContext(NOW))["template"] == "promotion_stacking"


def test_a_coupon_question_naming_no_offer_to_combine_is_not_a_stacking_question(engine):
    assert coupon_reply(engine, "券能一起用吗", ShopperContext(NOW))["template"] == "coupon_overview"


def test_a_coupon_without_saying_which_is_taken_as_the_shops_own(engine):
    reply = promotion_reply(engine, "满300减50还能用券吗", ShopperContext(NOW))
    assert "店铺券" in reply["answer"]


def test_combinations_the_merchant_forbids_are_refused_with_the_merchants_reason(engine):
    reply = promotion_reply(engine, "平台券和满减能叠加吗", ShopperContext(NOW))
    assert "不能一起用" in reply["answer"] and "平台券不能和店铺满减一起用" in reply["answer"]


def test_an_exclusive_promotion_says_it_does_not_combine(engine):
    reply = promotion_reply(engine, "运动短裤清仓6折能一起用吗", ShopperContext(NOW))
    assert reply == {"template": "promotion_stacking_exclusive", "name": "运动短裤清仓6折"}


def test_multi_buy_for_the_product_under_discussion_gives_the_price_and_rate(engine):
    reply = promotion_reply(engine, "买两件打几折", ShopperContext(NOW, product=TSHIRT))
    assert reply["template"] == "multi_buy_quotes"
    # 79 + 79 × 0.5 = 118.50, i.e. 7.5 折 of 158
    assert "买2件共 118.50 元" in reply["quotes"] and "7.5折" in reply["quotes"]


def test_multi_buy_with_a_quantity_in_digits(engine):
    reply = promotion_reply(engine, "拍3件多少钱", ShopperContext(NOW, product=TSHIRT))
    assert "买3件" in reply["quotes"]


def test_multi_buy_without_a_product_lists_the_offers_and_asks_which(engine):
    reply = promotion_reply(engine, "买两件打几折", ShopperContext(NOW))
    assert reply["template"] == "multi_buy_which_product"
    assert "T恤第二件半价" in reply["offers"] and "面膜买三免一" in reply["offers"]


def test_a_product_without_multi_buy_offers_says_so_and_what_else_applies(engine):
    reply = promotion_reply(engine, "买两个有优惠吗", ShopperContext(NOW, product=PAN))
    assert reply["template"] == "multi_buy_none"
    assert "每满200减20" in reply["deals"]  # 169 → 31 more for the kitchen full reduction


def test_bargaining_about_a_product_prices_it_for_the_shoppers_member_level(engine):
    reply = promotion_reply(engine, "能便宜点不", ShopperContext(NOW, member_level="gold", product=TSHIRT))
    assert reply["template"] == "promotion_product"
    assert "会员价（金卡会员） -3.95" in reply["explanation"] and "应付 75.05 元" in reply["explanation"]
    assert "再买 224.95 元就能减 50 元" in reply["extras"]


def test_a_regular_shopper_gets_no_member_price(engine):
    reply = promotion_reply(engine, "有优惠吗", ShopperContext(NOW, product=TSHIRT))
    assert "会员价" not in reply["explanation"]


def test_what_is_on_lists_the_active_promotions_only(engine):
    reply = promotion_reply(engine, "有啥活动", ShopperContext(NOW))
    assert reply["template"] == "promotion_overview"
    assert "降噪耳机9折" in reply["deals"]
    assert "双12美妆8折" not in reply["deals"]  # from 12-10 only
    during_double12 = promotion_reply(engine, "有啥活动", ShopperContext(NOW.replace(day=11)))
    assert during_double12["deals"].count("·") >= 6


def test_the_shoppers_order_is_priced_line_by_line_with_what_more_would_bring(engine):
    context = ShopperContext(NOW, "gold", order=order(("P1001", "男士纯棉圆领短袖T恤", "79", 1)),
                             order_categories=("服装",), order_current_prices=(Decimal("79"),))
    reply = promotion_reply(engine, "我这单用了券还能减多少", context)
    assert reply["template"] == "promotion_order_quote"
    assert reply["explanation"].startswith("商品原价 79.00 元") and "应付" in reply["explanation"]
    assert "再买" in reply["hints"]
    assert "2024111100001" in text_of(reply)


def test_an_order_question_without_a_proven_order_asks_for_it(engine):
    assert promotion_reply(engine, "我这单还能减多少", ShopperContext(NOW)) == {"template": "promotion_need_order"}


def test_price_protection_on_the_order_refunds_the_drop_inside_the_window(engine):
    context = ShopperContext(NOW, order=order(("P1001", "男士纯棉圆领短袖T恤", "79", 2)),
                             order_categories=("服装",), order_current_prices=(Decimal("69"),))
    reply = promotion_reply(engine, "买贵了能退差价吗", context)
    assert reply["template"] == "protection_for_order"
    assert "退差价 20.00 元" in reply["answers"]  # 10 元 × 2


def test_price_protection_after_the_window_is_refused(engine):
    context = ShopperContext(NOW, order=order(("P1001", "男士纯棉圆领短袖T恤", "79", 1), paid_days_ago=10),
                             order_categories=("服装",), order_current_prices=(Decimal("69"),))
    assert "已经在" in promotion_reply(engine, "降价了能保价吗", context)["answers"]


def test_price_protection_without_an_order_explains_the_policy(engine):
    reply = promotion_reply(engine, "买贵了能退差价吗", ShopperContext(NOW))
    assert reply["template"] == "protection_policy" and "7" in reply["days"]


def test_coupons_on_offer_with_their_validity(engine):
    reply = coupon_reply(engine, "在哪领券", ShopperContext(NOW))
    assert reply["template"] == "coupon_overview"
    assert "店铺券满200减20（2027-01-31前有效）" in reply["coupons"]


def test_the_coupon_that_fits_the_order(engine):
    context = ShopperContext(NOW, order=order(("P1003", "男士加绒连帽卫衣", "159", 2)), order_categories=("服装",),
                             order_current_prices=(Decimal("159"),))
    reply = coupon_reply(engine, "我这单能用哪张券", context)
    assert reply["template"] == "coupon_for_order"
    assert "店铺券满200减20" in reply["used"]


def test_no_rules_imported_means_no_promotions_rather_than_made_up_ones():
    from kefu.knowledge.promotions.rules import PromotionBook, StackingPolicy

    empty = PromotionEngine(PromotionBook(rules=(), stacking=StackingPolicy()))
    assert promotion_reply(empty, "有啥活动", ShopperContext(NOW)) == {"template": "promotion_none"}
    assert coupon_reply(empty, "有券吗", ShopperContext(NOW)) == {"template": "coupon_none"}
    assert promotion_reply(empty, "买贵了能退差价吗", ShopperContext(NOW)) == {"template": "protection_policy_none"}


@pytest.mark.parametrize("text", ["", "😀😀😀", "有" * 10000])
def test_odd_messages_still_get_an_answer(engine, text):
    assert text_of(promotion_reply(engine, text, ShopperContext(NOW)))


# --- why a coupon does not apply ------------------------------------------------------------
@pytest.mark.parametrize("text", ["我的优惠券怎么用不了", "券没抵扣", "结算显示不可用", "领了券下单没减"])
def test_a_coupon_that_does_not_apply_is_a_why_question(text):
    assert asks_why_coupon_fails(text)


@pytest.mark.parametrize("text", ["在哪领券", "有优惠券吗", "优惠券咋用"])
def test_asking_for_coupons_is_not(text):
    assert not asks_why_coupon_fails(text)


def test_each_coupon_is_used_or_told_why_not_for_the_order(engine):
    context = ShopperContext(NOW, order=order(("P4001", "炒锅", "169", 1)), order_categories=("厨具",),
                             order_current_prices=(Decimal("169"),))
    reply = coupon_reply(engine, "我的优惠券怎么用不了", context)
    assert reply["template"] == "coupon_why_not_for_order"
    reasons = str(reply["reasons"])
    assert "店铺券满200减20：还差 31.00 元才能用" in reasons
    assert "数码专享券满400减50：这单里没有能用这个优惠的商品" in reasons
    assert "新人无门槛5元券：能用" in reasons
    assert "每单限用1张优惠券" in str(reply["rules"])


def test_a_named_coupon_is_the_only_one_explained(engine):
    context = ShopperContext(NOW, product=TSHIRT)
    reply = coupon_reply(engine, "数码专享券满400减50的券怎么用不了", context)
    assert reply["template"] == "coupon_why_not_for_product"
    assert str(reply["reasons"]) == "· 数码专享券满400减50：这单里没有能用这个优惠的商品"


def test_an_expired_coupon_says_when_it_ended(engine):
    later = ShopperContext(in_shop_time(datetime(2026, 12, 20, 10, 0)))
    reply = coupon_reply(engine, "双12平台券怎么用不了", later)
    assert reply["template"] == "coupon_why_not_general"
    assert "已过期（2026-12-12 截止）" in text_of(reply)


def test_a_refused_price_protection_claim_gets_the_reasons(engine):
    context = ShopperContext(NOW, order=order(("P1001", "T恤", "79", 1), paid_days_ago=10),
                             order_categories=("服装",), order_current_prices=(Decimal("59"),))
    reply = promotion_reply(engine, "申请价保失败", context)
    assert reply["template"] == "protection_refused_for_order"
    assert "已经在" in text_of(reply) and "结束了" in text_of(reply)
