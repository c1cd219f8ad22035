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


def test_coupons_on_offer(shop_backends):
    dispatcher, _ = run_action(ActionAnswerCoupon(), make_tracker({}, None, "在哪领券", "ask_coupon"))
    assert responses(dispatcher) == ["coupon_overview"]
    assert "店铺券满200减20" in sent(dispatcher)


def test_the_shop_being_down_gets_an_apology(unreachable_backends):
    tracker = make_tracker({"current_product_id": "P1001"}, GOLD, "能便宜点不", "ask_promotion")
    dispatcher, events = run_action(ActionAnswerPromotion(), tracker)
    assert responses(dispatcher) == ["backend_unavailable"]
    assert events == []
