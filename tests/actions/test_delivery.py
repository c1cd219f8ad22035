from decimal import Decimal

import pytest

from actions.delivery import ActionEstimateDelivery, ActionShippingFee, amount_in
from tests.actions.conftest import entity, make_tracker, responses, run_action as run, slot_events
from tests.logged_in import logged_in

C0001 = logged_in("C0001", channel="web")
C0002 = logged_in("C0002", channel="web")


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


# --- "没收到货啊 都好几天了": the shopper's own parcel, whatever intent the NLU picked --------------------
@pytest.mark.parametrize("text", ["没收到货啊 都好几天了", "今天能到吗", "几点能送到啊"])
def test_a_known_shopper_waiting_for_a_parcel_gets_its_status(shop_backends, text):
    tracker = make_tracker({}, C0001, text=text, intent="ask_delivery_time")
    dispatcher, events = run(ActionEstimateDelivery(), tracker)
    assert responses(dispatcher)[0] == "order_summary"
    assert "2024111100002" in dispatcher.messages[0]["text"]
    assert slot_events(events)["order_id"] == "2024111100002"


def test_waiting_for_shipping_gets_the_order_still_in_the_warehouse(shop_backends):
    tracker = make_tracker({}, C0001, text="咋还没发货 都两天了", intent="ask_delivery_time")
    dispatcher, _ = run(ActionEstimateDelivery(), tracker)
    assert responses(dispatcher) == ["order_summary", "order_awaiting_shipment"]
    assert "2024111100003" in dispatcher.messages[0]["text"]


def test_a_general_question_from_a_shopper_with_open_orders_offers_their_status(shop_backends):
    tracker = make_tracker({}, C0001, text="一般几天能到", intent="ask_delivery_time")
    dispatcher, events = run(ActionEstimateDelivery(), tracker)
    assert responses(dispatcher) == ["delivery_general", "delivery_offer_order_status"]
    payloads = [button["payload"] for button in dispatcher.messages[1]["buttons"]]
    assert len(payloads) == 2 and all(payload.startswith("/track_order") for payload in payloads)
    assert {"2024111100002", "2024111100003"} == set(slot_events(events)["shown_orders"])


def test_a_shopper_with_nothing_on_the_way_gets_the_general_times_only(shop_backends):
    tracker = make_tracker({}, C0002, text="没收到货啊 都好几天了", intent="ask_delivery_time")
    dispatcher, _ = run(ActionEstimateDelivery(), tracker)
    assert responses(dispatcher) == ["delivery_general"]


def test_an_anonymous_shopper_asking_about_their_parcel_hears_how_to_have_it_looked_up(shop_backends):
    dispatcher, events = run(ActionEstimateDelivery(), make_tracker({}, {}, text="都四天了还没到", intent="ask_delivery_time"))
    assert responses(dispatcher) == ["delivery_general", "delivery_verify_to_track"]
    assert events == []
    general, _ = run(ActionEstimateDelivery(), make_tracker({}, {}, text="衣服多久到", intent="ask_delivery_time"))
    assert responses(general) == ["delivery_general"]


def test_the_shop_down_still_gives_the_general_times(unreachable_backends):
    dispatcher, _ = run(ActionEstimateDelivery(), make_tracker({}, C0001, text="没收到货", intent="ask_delivery_time"))
    assert responses(dispatcher) == ["delivery_general"]


def test_the_order_under_discussion_is_the_one_asked_about(shop_backends):
    tracker = make_tracker({"order_id": "2024111100003"}, C0001, text="今天能到吗", intent="ask_delivery_time")
    dispatcher, _ = run(ActionEstimateDelivery(), tracker)
    assert responses(dispatcher)[0] == "order_summary"
    assert "2024111100003" in dispatcher.messages[0]["text"]
