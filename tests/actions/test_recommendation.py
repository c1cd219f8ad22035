"""The recommendation actions against the real demo shop (SQLite).

What is expected is read from the shop through the backends (prices, stock,
a customer's orders), so the tests hold for any demo catalogue that keeps
the contract's Bluetooth earphones under and over 300 yuan in stock.
"""

import asyncio
import json
from decimal import Decimal

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.recommendation import (
    ActionAskRecommendationBudget,
    ActionAskRecommendationCategory,
    ActionRecommend,
    ActionRefineRecommendation,
    ActionStartRecommendation,
    ValidateRecommendationForm,
)
from kefu.backends.factory import http_backends
from kefu.storage.money import plain
from kefu.knowledge.recommendation import Needs
from kefu.services.recommendation import RecommendationState
from kefu.services.recommendation import recommend_for
from tests.actions.conftest import DOMAIN, entity, make_tracker, responses, run_action as run, slot_events
from tests.demo_shop.fixtures import shop_api_url  # noqa: F401
from tests.logged_in import logged_in

C0001 = logged_in("C0001", channel="taobao")
EARPHONES = "蓝牙耳机"


def tracker(slots, text="", intent="inform", entities=(), metadata=None, **extra):
    return make_tracker(slots, metadata, text=text, intent=intent, entities=entities, **extra)


def after(slots, events):
    """The slots once the action's events are applied."""
    return {**slots, **slot_events(events)}


def required(slots):
    validator = ValidateRecommendationForm()
    return asyncio.run(validator.required_slots([], CollectingDispatcher(), tracker(slots), DOMAIN))


def shown_ids(dispatcher):
    """The products of the list, in order, read from its 下单 buttons."""
    payloads = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    return [json.loads(p[len("/inform"):])["product"] for p in payloads if p.startswith("/inform{")]


def listed(shop_backends, slots, text="推荐个蓝牙耳机", metadata=None):
    """Runs action_recommend for the state in ``slots``; returns (dispatcher, slots after)."""
    dispatcher, events = run(ActionRecommend(), tracker(slots, text, "request_recommendation", metadata=metadata))
    return dispatcher, after(slots, events)


def started(text, entities=(), metadata=None):
    _, events = run(ActionStartRecommendation(), tracker({}, text, "request_recommendation", entities, metadata))
    return slot_events(events)


def in_stock(shop_backends, product_id):
    return any(level.in_stock for level in shop_backends.catalogue.stock(product_id))


def price_of(shop_backends, product_id):
    return shop_backends.catalogue.get_product(product_id).price


# --- asking what is missing ------------------------------------------------------------------
def test_everything_said_at_once_needs_no_question_and_lists_in_stock_products_within_budget(shop_backends):
    slots = started("推荐个300以内的蓝牙耳机", [entity("budget", "300"), entity("product", EARPHONES)])
    assert required(slots) == []
    dispatcher, slots = listed(shop_backends, slots)
    assert responses(dispatcher) == ["recommend_list"]
    ids = shown_ids(dispatcher)
    assert 1 <= len(ids) <= 3
    for product_id in ids:
        product = shop_backends.catalogue.get_product(product_id)
        assert EARPHONES in product.name and product.price <= 300 and in_stock(shop_backends, product_id)
    assert slots["recommendation_shown"] is True and slots["current_product_id"] == ids[0]
    assert RecommendationState.from_slot(slots["recommendation"]).shown_ids == ids


def test_each_product_has_buttons_for_details_and_ordering(shop_backends):
    dispatcher, _ = listed(shop_backends, started("推荐个300以内的蓝牙耳机"))
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    first = shown_ids(dispatcher)[0]
    assert payloads[:2] == [f'/ask_product_info{{"product":"{first}"}}', f'/inform{{"product":"{first}"}}']
    assert payloads[-1] == "/request_recommendation"  # 换一批


def test_a_present_without_a_kind_asks_the_kind_first_then_the_budget():
    slots = started("有没有适合送女朋友的")
    assert required(slots) == ["recommendation_category", "recommendation_budget"]
    dispatcher, _ = run(ActionAskRecommendationCategory(), tracker(slots))
    assert responses(dispatcher) == ["recommend_ask_category_for"] and "女朋友" in dispatcher.messages[0]["text"]
    dispatcher, _ = run(ActionAskRecommendationBudget(), tracker({**slots, "recommendation_category": "耳机"}))
    assert responses(dispatcher) == ["recommend_ask_budget"]  # who it is for is known: not asked again


def test_the_questions_cleared_at_the_start_are_not_taken_for_answers():
    slots = started("有没有适合送女朋友的")
    activation = tracker(slots, "有没有适合送女朋友的", "request_recommendation", active_loop="recommendation_form",
                         slot_events=[("recommendation_category", None), ("recommendation_budget", None)])
    events = asyncio.run(ValidateRecommendationForm().run(CollectingDispatcher(), activation, DOMAIN))
    slots = after(slots, events)
    assert (slots["recommendation_category"], slots["recommendation_budget"]) == (None, None)
    assert required(slots) == ["recommendation_category", "recommendation_budget"]


def test_an_answer_can_answer_both_questions():
    slots = started("推荐点东西")
    validator = ValidateRecommendationForm()
    answer = tracker(slots, "耳机吧 300以内", entities=[entity("product", "耳机")],
                     slot_events=[("recommendation_category", "耳机吧 300以内")], active_loop="recommendation_form")
    events = asyncio.run(validator.run(CollectingDispatcher(), answer, DOMAIN))
    slots = after(slots, events)
    needs = RecommendationState.from_slot(slots["recommendation"]).needs
    assert (needs.category, needs.budget_max) == ("耳机", Decimal(300))
    assert slots["requested_slot"] is None


def test_a_number_alone_answers_the_budget_question():
    slots = started("推荐个蓝牙耳机", [entity("product", EARPHONES)])
    assert required(slots) == ["recommendation_budget"]
    events = asyncio.run(ValidateRecommendationForm().run(CollectingDispatcher(), tracker(
        slots, "300吧", slot_events=[("recommendation_budget", "300吧")], active_loop="recommendation_form"), DOMAIN))
    assert RecommendationState.from_slot(after(slots, events)["recommendation"]).needs.budget_max == Decimal(300)


def test_giving_up_during_the_questions_ends_without_a_list(shop_backends):
    slots = started("推荐点东西")
    events = asyncio.run(ValidateRecommendationForm().run(CollectingDispatcher(), tracker(
        slots, "算了不买了", "deny", slot_events=[("recommendation_category", "算了不买了")],
        active_loop="recommendation_form"), DOMAIN))
    slots = after(slots, events)
    assert slots["requested_slot"] is None
    dispatcher, slots = listed(shop_backends, slots)
    assert responses(dispatcher) == ["recommend_ended"] and slots["recommendation_shown"] is False


# --- refining the list ------------------------------------------------------------------------
@pytest.fixture
def earphones_shown(shop_backends):
    """A list of Bluetooth earphones without a budget, as the shopper sees it."""
    dispatcher, slots = listed(shop_backends, started("推荐个蓝牙耳机", [entity("product", EARPHONES)]))
    return slots, shown_ids(dispatcher)


def refine(slots, text, intent, entities=(), metadata=None):
    dispatcher, events = run(ActionRefineRecommendation(), tracker(slots, text, intent, entities, metadata))
    return dispatcher, after(slots, events)


def test_too_expensive_shows_cheaper_products_in_stock_and_says_by_how_much(shop_backends, earphones_shown):
    slots, before = earphones_shown
    cheapest = min(price_of(shop_backends, product_id) for product_id in before)
    dispatcher, slots = refine(slots, "太贵了", "ask_promotion")
    assert responses(dispatcher) == ["recommend_list_cheaper"]
    now = shown_ids(dispatcher)
    assert now and all(price_of(shop_backends, p) < cheapest and in_stock(shop_backends, p) for p in now)
    saving = cheapest - min(price_of(shop_backends, p) for p in now)
    assert f"还省{plain(saving)}元" in dispatcher.messages[0]["text"]
    assert RecommendationState.from_slot(slots["recommendation"]).needs.budget_max < cheapest
    assert slots["recommendation_handled"] is True


def test_nothing_cheaper_than_the_cheapest_says_so_and_keeps_the_list(shop_backends):
    slots = started("推荐个300以内的蓝牙耳机")
    _, slots = listed(shop_backends, slots)
    for _ in range(3):  # cheaper and cheaper until there is nothing below
        dispatcher, slots = refine(slots, "还是太贵了", "ask_promotion")
        if responses(dispatcher) == ["recommend_none_cheaper"]:
            break
    assert responses(dispatcher) == ["recommend_none_cheaper"]
    assert shown_ids(dispatcher) == []
    assert RecommendationState.from_slot(slots["recommendation"]).shown  # what was last listed stays


def test_an_excluded_colour_is_never_shown_again(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, slots = refine(slots, "不要黑色", "deny", [entity("color", "黑色")])
    assert responses(dispatcher) == ["recommend_list_refined"]
    assert "不要黑色" in dispatcher.messages[0]["text"]
    state = RecommendationState.from_slot(slots["recommendation"])
    assert state.shown and all(item.color != "黑色" for item in state.shown)
    dispatcher, slots = refine(slots, "太贵了", "ask_promotion")
    assert all(item.color != "黑色" for item in RecommendationState.from_slot(slots["recommendation"]).shown)


def test_a_wanted_colour_lists_only_products_in_stock_in_it(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, slots = refine(slots, "有没有白色的", "ask_stock", [entity("color", "白色")])
    for product_id in shown_ids(dispatcher):
        assert any(l.in_stock for l in shop_backends.catalogue.stock(product_id, "白色"))


def test_another_batch_leaves_out_what_was_shown(shop_backends, earphones_shown):
    slots, before = earphones_shown
    dispatcher, slots = refine(slots, "换一批", "ask_exchange")
    assert responses(dispatcher) in (["recommend_list_other"], ["recommend_none_seen"])
    assert not set(shown_ids(dispatcher)) & set(before)


def test_asking_again_while_a_list_is_shown_means_others(shop_backends, earphones_shown):
    slots, before = earphones_shown
    _, events = run(ActionStartRecommendation(), tracker(slots, "还有别的推荐吗", "request_recommendation"))
    slots = after(slots, events)
    assert required(slots) == []  # no questions once a list was shown
    dispatcher, _ = listed(shop_backends, slots, "还有别的推荐吗")
    assert not set(shown_ids(dispatcher)) & set(before)


def test_another_kind_of_product_keeps_the_budget(shop_backends):
    _, slots = listed(shop_backends, started("推荐个300以内的蓝牙耳机"))
    dispatcher, slots = refine(slots, "那保温杯呢", "inform", [entity("product", "保温杯")])
    ids = shown_ids(dispatcher)
    assert ids and all("保温杯" in shop_backends.catalogue.get_product(p).name for p in ids)
    assert all(price_of(shop_backends, p) <= 300 for p in ids)


def test_the_order_button_says_how_to_buy_the_variant_shown(shop_backends, earphones_shown):
    slots, ids = earphones_shown
    state = RecommendationState.from_slot(slots["recommendation"])
    dispatcher, slots = refine(slots, f'/inform{{"product":"{ids[1]}"}}', "inform", [entity("product", ids[1])])
    assert responses(dispatcher) == ["recommend_order"]
    text = dispatcher.messages[0]["text"]
    assert ids[1] in text and state.shown[1].color in text
    assert dispatcher.messages[0]["buttons"][0]["payload"] == f'/ask_product_info{{"product":"{ids[1]}"}}'
    assert slots["current_product_id"] == ids[1]


def test_an_order_button_of_an_earlier_list_still_works(shop_backends, earphones_shown):
    slots, ids = earphones_shown
    _, slots = refine(slots, "换一批", "ask_exchange")
    dispatcher, slots = refine(slots, f'/inform{{"product":"{ids[0]}"}}', "inform", [entity("product", ids[0])])
    assert responses(dispatcher) == ["recommend_order_plain"] and ids[0] in dispatcher.messages[0]["text"]


def test_a_position_picks_from_the_list(shop_backends, earphones_shown):
    slots, ids = earphones_shown
    dispatcher, slots = refine(slots, "就要第二个", "inform")
    assert responses(dispatcher) == ["recommend_order"] and slots["current_product_id"] == ids[1]


def test_a_question_about_one_of_them_gets_the_product_answer_for_it(shop_backends, earphones_shown):
    slots, ids = earphones_shown
    _, after_question = refine(slots, "第三个续航多久", "ask_product_info")
    assert after_question["recommendation_handled"] is False  # the rules run action_product_info next
    assert after_question["current_product_id"] == ids[2]


# --- messages that are not about the list -------------------------------------------------------
@pytest.mark.parametrize(
    "text, intent, entities",
    [
        ("有什么优惠活动吗", "ask_promotion", ()),
        ("口红有优惠吗", "ask_promotion", [entity("product", "口红")]),
        ("我上次买的衣服想换个码", "ask_exchange", ()),
        ("这个是纯棉的吗", "ask_product_info", ()),
        ("蓝牙耳机哪个降噪好", "ask_product_info", [entity("product", "蓝牙耳机")]),
    ],
)
def test_a_question_about_something_else_gets_its_ordinary_answer(shop_backends, earphones_shown, text, intent, entities):
    slots, _ = earphones_shown
    dispatcher, slots = refine(slots, text, intent, entities)
    assert dispatcher.messages == []
    assert slots["recommendation_handled"] is False and slots["recommendation_shown"] is True


def test_an_order_number_ends_the_recommendation(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, slots = refine(slots, "2024111100001", "inform", [entity("order_id", "2024111100001")])
    assert dispatcher.messages == []
    assert (slots["recommendation_handled"], slots["recommendation_shown"]) == (False, False)


def test_no_thanks_ends_the_recommendation(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, slots = refine(slots, "不用了", "deny")
    assert responses(dispatcher) == ["recommend_ended"]
    assert slots["recommendation_shown"] is False and slots["recommendation"] is None


def test_not_buying_after_all_ends_the_recommendation_but_a_question_is_still_answered(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, ended = refine(slots, "先不买了", "inform")
    assert responses(dispatcher) == ["recommend_ended"] and ended["recommendation_shown"] is False
    dispatcher, asked = refine(slots, "算了 有啥活动没", "ask_promotion")
    assert dispatcher.messages == [] and asked["recommendation_handled"] is False


def test_a_no_to_an_after_sales_offer_made_since_the_list_declines_the_offer(shop_backends, earphones_shown):
    slots, _ = earphones_shown
    dispatcher, slots = refine({**slots, "offered_task": "return"}, "先不用", "deny")
    assert responses(dispatcher) == ["offer_declined"]
    assert slots["offered_task"] is None and slots["recommendation_shown"] is True


# --- the shopper's history ---------------------------------------------------------------------------
def test_a_known_shopper_is_not_offered_what_they_have_and_hears_about_brands_they_bought(shop_backends):
    orders = shop_backends.orders.orders_of_customer("C0001", 20)
    owned = {i.product_id for o in orders if o.status in ("paid", "shipped", "in_transit", "delivered") for i in o.items}
    brands = {shop_backends.catalogue.get_product(product_id).brand for product_id in owned}
    dispatcher, _ = listed(shop_backends, started("推荐个蓝牙耳机", [entity("product", EARPHONES)]), metadata=C0001)
    ids = shown_ids(dispatcher)
    assert ids and not set(ids) & owned
    lines = dispatcher.messages[0]["text"].split("\n")[1:1 + len(ids)]
    for product_id, line in zip(ids, lines):
        brand = shop_backends.catalogue.get_product(product_id).brand
        assert (f"您之前买过{brand}家的" in line) == (brand in brands)


def test_the_shop_being_down_gets_an_apology(unreachable_backends):
    dispatcher, events = run(ActionRecommend(), tracker(started("推荐个300以内的蓝牙耳机"), "推荐", "request_recommendation"))
    assert responses(dispatcher) == ["backend_unavailable"]
    assert slot_events(events) == {"recommendation_handled": True}


def test_the_ranking_is_the_same_over_the_shops_rest_api(shop_backends, shop_api_url):
    needs = Needs(category=EARPHONES, budget_max=Decimal(600), colors_excluded=("黑色",))
    over_sql = recommend_for(shop_backends, needs, "C0001")
    over_http = recommend_for(http_backends(shop_api_url), needs, "C0001")
    assert over_sql.picks and [(p.product.product_id, p.variant, p.reasons) for p in over_http.picks] == [
        (p.product.product_id, p.variant, p.reasons) for p in over_sql.picks
    ]
