"""Promotion and coupon answers on the real demo shop, from its imported rules."""

from actions.promotions import ActionAnswerCoupon, ActionAnswerPromotion
from tests.actions.conftest import make_tracker, responses, run_action
from tests.logged_in import logged_in

GOLD = logged_in("C0001", channel="web")
OTHER = logged_in("C0002", channel="web")


def sent(dispatcher):
    return "\n".join(message.get("text") or "" for message in dispatcher.messages)


def test_bargaining_about_the_product_in_question_prices_it_for_a_gold_member(shop_backends):
    tracker = make_tracker({"current_product_id": "P1001"}, GOLD, "能便宜点不", "ask_promotion")
    dispatcher, events = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["promotion_product"]
    assert "会员价（金卡会员）" in sent(dispatcher) and "男士纯棉圆领短袖T恤" in sent(dispatcher)


def test_the_shoppers_own_order_is_priced(shop_backends):
    tracker = make_tracker({"order_id": "2024111100001"}, GOLD, "我这单用了券还能减多少", "ask_promotion")
    dispatcher, _ = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["promotion_order_quote"]
    assert "2024111100001" in sent(dispatcher) and "商品原价" in sent(dispatcher)


def test_someone_elses_order_is_neither_priced_nor_named(shop_backends):
    tracker = make_tracker({"order_id": "2024111100001"}, OTHER, "我这单还能减多少", "ask_promotion")
    dispatcher, _ = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["promotion_need_order"]
    assert "2024111100001" not in sent(dispatcher)


def test_a_stacking_question(shop_backends):
    tracker = make_tracker({}, None, "满300减50 跟店铺券能一起用吗", "ask_promotion")
    dispatcher, _ = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["promotion_stacking"]


def test_a_stacking_question_the_nlu_heard_as_a_coupon_question(shop_backends):
    tracker = make_tracker({}, None, "满300减50 跟店铺券能一起用吗", "ask_coupon")
    dispatcher, _ = run_action(ActionAnswerCoupon(), tracker)
    assert responses(dispatcher) == ["promotion_stacking"]
    assert "可以一起用" in sent(dispatcher)


def test_coupons_on_offer(shop_backends):
    dispatcher, _ = run_action(ActionAnswerCoupon(), make_tracker({}, None, "在哪领券", "ask_coupon"))
    assert responses(dispatcher) == ["coupon_overview"]
    assert "店铺券满200减20" in sent(dispatcher)


def test_the_shop_being_down_gets_an_apology(unreachable_backends):
    tracker = make_tracker({"current_product_id": "P1001"}, GOLD, "能便宜点不", "ask_promotion")
    dispatcher, events = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["backend_unavailable"]
    assert events == []


# --- "我的优惠券怎么用不了" and price protection for the shopper's own order ---------------------------------
def test_why_a_coupon_does_not_apply_is_explained_for_the_shoppers_latest_order(shop_backends):
    dispatcher, _ = run_action(ActionAnswerCoupon(), make_tracker({}, GOLD, "我的优惠券怎么用不了", "ask_coupon"))
    assert responses(dispatcher) == ["coupon_why_not_for_order"]
    text = sent(dispatcher)
    assert "2024111100003" in text and "数码专享券满400减50：这单里没有能用这个优惠的商品" in text
    assert "平台券不能和店铺满减一起用" in text


def test_why_a_coupon_does_not_apply_to_the_product_under_discussion(shop_backends):
    tracker = make_tracker({"current_product_id": "P1001"}, GOLD, "券怎么用不了啊", "ask_coupon")
    dispatcher, _ = run_action(ActionAnswerCoupon(), tracker)
    assert responses(dispatcher) == ["coupon_why_not_for_product"]
    assert "还差" in sent(dispatcher)  # 79 元 is short of every threshold


def test_an_anonymous_shopper_hears_what_a_coupon_needs(shop_backends):
    dispatcher, _ = run_action(ActionAnswerCoupon(), make_tracker({}, None, "优惠券用不了", "ask_coupon"))
    assert responses(dispatcher) == ["coupon_why_not_general"]
    assert "门槛" in sent(dispatcher) and "（仅限数码）" in sent(dispatcher)


def test_price_protection_is_answered_for_the_shoppers_own_order(shop_backends):
    dispatcher, _ = run_action(ActionAnswerPromotion(), make_tracker({}, GOLD, "降价了能退差价吗", "ask_promotion"))
    assert responses(dispatcher) == ["protection_for_order"]
    assert "2024111100003" in sent(dispatcher) and "麦饭石色不粘炒锅" in sent(dispatcher)


def test_a_refused_price_protection_claim_is_explained(shop_backends):
    tracker = make_tracker({"order_id": "2024111100001"}, GOLD, "申请价保失败了 为什么", "ask_promotion")
    dispatcher, _ = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["protection_refused_for_order"]
    assert "2024111100001" in sent(dispatcher) and "不需要退差价" in sent(dispatcher)


def test_price_protection_for_an_anonymous_shopper_is_the_policy(shop_backends):
    dispatcher, _ = run_action(ActionAnswerPromotion(), make_tracker({}, None, "保价吗", "ask_promotion"))
    assert responses(dispatcher) == ["protection_policy"]
    assert "7天价格保护" in sent(dispatcher)
