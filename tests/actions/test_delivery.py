from decimal import Decimal

import pytest

from actions.delivery import ActionEstimateDelivery, ActionShippingFee, amount_in
from tests.actions.conftest import entity, make_tracker, responses, run_action as run, slot_events


def tracker_with(entities, slots=None):
    return make_tracker(slots, intent="ask_delivery_time", entities=entities)


def location(value):
    return entity("location", value)


def test_without_a_place_the_general_delivery_times_are_given(shop_backends):
    dispatcher, events = run(ActionEstimateDelivery(), tracker_with([]))
    assert responses(dispatcher) == ["delivery_general"]


def test_estimate_names_the_place_warehouse_and_carrier(shop_backends):
    dispatcher, events = run(ActionEstimateDelivery(), tracker_with([location("乌鲁木齐")]))
    assert responses(dispatcher) == ["delivery_estimate"]
    estimate = shop_backends.orders.estimate_delivery("乌鲁木齐")
    text = dispatcher.messages[0]["text"]
    assert estimate.warehouse_name in text and estimate.carrier in text and "乌鲁木齐" in text
    assert slot_events(events) == {"location": "乌鲁木齐"}


def test_place_from_earlier_in_the_conversation_is_reused(shop_backends):
    dispatcher, _ = run(ActionEstimateDelivery(), tracker_with([], {"location": "广州"}))
    assert responses(dispatcher) == ["delivery_estimate"]


def test_unknown_place_is_said_so(shop_backends):
    dispatcher, events = run(ActionEstimateDelivery(), tracker_with([location("火星")]))
    assert responses(dispatcher) == ["delivery_unknown_place"]
    assert slot_events(events) == {"location": None}


@pytest.mark.parametrize(
    "place, budget, template, expected",
    [
        ("杭州", None, "shipping_fee_free", None),
        ("新疆", "500", "shipping_fee_never_free", "25"),
        ("广州", "60块", "shipping_fee_below_threshold", "39"),
        ("广州", "120", "shipping_fee_free", None),
    ],
)
def test_postage_comes_from_the_zone_rules(shop_backends, place, budget, template, expected):
    entities = [location(place)] + ([entity("budget", budget)] if budget else [])
    dispatcher, _ = run(ActionShippingFee(), tracker_with(entities))
    assert responses(dispatcher) == [template]
    if expected:
        assert expected in dispatcher.messages[0]["text"]


def test_postage_without_a_place_gives_the_rules(shop_backends):
    dispatcher, _ = run(ActionShippingFee(), tracker_with([]))
    assert responses(dispatcher) == ["shipping_fee_general"]


def test_shop_down_gets_an_apology(unreachable_backends):
    for action in (ActionEstimateDelivery(), ActionShippingFee()):
        dispatcher, _ = run(action, tracker_with([location("广州")]))
        assert responses(dispatcher) == ["backend_unavailable"]


@pytest.mark.parametrize("text, amount", [("200", "200"), ("199.9元", "199.9"), ("两百", "0"), (None, "0")])
def test_amounts_are_read_from_budget_values(text, amount):
    assert amount_in(text) == Decimal(amount)
