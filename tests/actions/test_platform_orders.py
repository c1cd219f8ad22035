"""A marketplace buyer's order number (the platform bridge reads it into ``metadata.platform.order_ids``,
docs/channels/platforms.md) is the order the actions look up when the NLU missed it (JD's 12 digits) or
took a part of it (PDD's 15-digit tail), on the real demo shop, where marketplace orders carry their
platform's number (``platform_orders``). Ownership is checked exactly as for the shop's own numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from actions.after_sales import ValidateAfterSalesForm
from actions.orders import ActionTrackOrder, ValidateOrderVerificationForm
from actions.references import ActionHandleInform
from kefu.storage import models
from kefu.storage.db import make_session_factory
from tests.actions.conftest import entity, make_tracker, responses, run_action as run, slot_events
from tests.logged_in import logged_in

UNKNOWN_PDD = "241111-123456789012345"
UNKNOWN_JD = "290811234567"


@dataclass(frozen=True)
class ShopOrder:
    platform: str
    number: str  # as the platform writes it
    order_id: str  # the shop's
    customer_id: str
    phone_last4: str


def platform_orders(engine, platform):
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(models.PlatformOrder.platform_order_id, models.Order.id, models.Order.customer_id,
                   models.Customer.phone)
            .join(models.Order, models.Order.id == models.PlatformOrder.order_id)
            .join(models.Customer, models.Customer.id == models.Order.customer_id)
            .where(models.PlatformOrder.platform == platform)
            .order_by(models.Order.id)
        ).all()
    return [ShopOrder(platform, number, order_id, customer_id, phone[-4:]) for number, order_id, customer_id, phone in rows]


@pytest.fixture
def pdd(seeded_sqlite_shop):
    return platform_orders(seeded_sqlite_shop.engine, "pdd")


@pytest.fixture
def jd(seeded_sqlite_shop):
    return platform_orders(seeded_sqlite_shop.engine, "jd")


def bridged(platform, *numbers, customer_id=None):
    """The metadata the bridge gives a buyer's message: the platform's numbers in it; a bound buyer's identity."""
    metadata = {"channel": platform, "platform": {"name": platform, "buyer_id": "buyer-1", "order_ids": list(numbers),
                                                  "item_ids": [], "products": {}}}
    if customer_id:
        metadata.update(logged_in(customer_id, channel=platform))
    return metadata


def pdd_tail(number):
    """What the NLU's order_id regex (13-19 digits) takes of a PDD number: the digits after the dash."""
    return [entity("order_id", number.split("-")[1])]


def test_a_bound_pdd_buyer_sees_the_order_their_pdd_number_is(shop_backends, pdd):
    order = pdd[0]
    tracker = make_tracker({"order_id": "2024111100001"}, bridged("pdd", order.number, customer_id=order.customer_id),
                           text=f"{order.number} 到哪了", entities=pdd_tail(order.number))
    dispatcher, events = run(ActionTrackOrder(), tracker)
    assert responses(dispatcher)[0] == "order_summary"
    assert order.order_id in dispatcher.messages[0]["text"]
    assert slot_events(events)["order_id"] == order.order_id  # the slot's older order does not win


def test_a_jd_number_the_nlu_does_not_read_is_looked_up(shop_backends, jd):
    order = jd[0]
    tracker = make_tracker({}, bridged("jd", order.number, customer_id=order.customer_id),
                           text=f"订单{order.number}怎么还没发货")
    dispatcher, _ = run(ActionTrackOrder(), tracker)
    assert responses(dispatcher)[0] == "order_summary" and order.order_id in dispatcher.messages[0]["text"]


def test_a_taobao_number_the_nlu_reads_whole_is_the_shop_order_it_stands_for(shop_backends, seeded_sqlite_shop):
    [fixture] = [order for order in platform_orders(seeded_sqlite_shop.engine, "taobao") if order.order_id == "2024111100004"]
    tracker = make_tracker({}, bridged("taobao", fixture.number, customer_id="C0001"), text=f"{fixture.number} 到哪了",
                           entities=[entity("order_id", fixture.number)])
    dispatcher, _ = run(ActionTrackOrder(), tracker)
    assert "2024111100004" in dispatcher.messages[0]["text"]


def test_the_shops_own_number_in_a_platforms_shape_is_still_the_shops(shop_backends):
    # 13 digits are a JD order number too; the shop knows none such on JD, so it is its own.
    tracker = make_tracker({}, bridged("jd", "2024111100005", customer_id="C0002"), text="2024111100005 到哪了",
                           entities=[entity("order_id", "2024111100005")])
    dispatcher, _ = run(ActionTrackOrder(), tracker)
    assert responses(dispatcher)[0] == "order_summary" and "2024111100005" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("whose", ["someone-elses", "unknown"])
def test_someone_elses_platform_number_and_an_unknown_one_get_the_same_answer(shop_backends, pdd, whose):
    order = pdd[0]
    number = order.number if whose == "someone-elses" else UNKNOWN_PDD
    tracker = make_tracker({}, bridged("pdd", number, customer_id="C0001"), text=f"{number} 到哪了",
                           entities=pdd_tail(number))
    dispatcher, events = run(ActionTrackOrder(), tracker)
    assert responses(dispatcher) == ["order_no_match"]
    assert order.order_id not in str(dispatcher.messages)
    assert slot_events(events) == {"order_id": None}


def test_a_platform_number_on_its_own_is_answered_as_an_order_number(shop_backends, pdd):
    order = pdd[0]
    tracker = make_tracker({}, bridged("pdd", order.number, customer_id=order.customer_id), text=order.number,
                           intent="inform", entities=pdd_tail(order.number))
    dispatcher, _ = run(ActionHandleInform(), tracker)
    assert responses(dispatcher)[0] == "order_summary" and order.order_id in dispatcher.messages[0]["text"]


def test_with_the_shop_down_the_buyer_hears_so(unreachable_backends, pdd):
    order = pdd[0]
    tracker = make_tracker({}, bridged("pdd", order.number, customer_id=order.customer_id), text=f"{order.number} 到哪了")
    dispatcher, _ = run(ActionTrackOrder(), tracker)
    assert responses(dispatcher) == ["backend_unavailable"]


# --- an anonymous buyer proves the order: the verification form ----------------------------------------------


def verification(metadata, text, entities=(), slots=None, typed=()):
    tracker = make_tracker(slots or {}, metadata, text=text, entities=entities, slot_events=typed,
                           active_loop="order_verification_form")
    return run(ValidateOrderVerificationForm(), tracker)


def test_an_anonymous_buyer_gives_a_pdd_number_and_proves_it_with_the_phone_tail(shop_backends, pdd):
    order = pdd[0]
    tail = order.number.split("-")[1]
    # The NLU's mapping filled the slot with the tail; the form takes the whole number, as the shop knows it.
    dispatcher, events = verification(bridged("pdd", order.number), f"{order.number} 到哪了", pdd_tail(order.number),
                                      typed=[("order_id", tail)])
    assert dispatcher.messages == []
    assert slot_events(events) == {"order_id": order.order_id}  # Rasa's form then asks the phone tail

    _, events = verification({}, order.phone_last4, slots={"order_id": order.order_id},
                             typed=[("phone_last4", order.phone_last4)])
    assert slot_events(events)["verified_customer_id"] == order.customer_id


def test_an_unknown_platform_number_is_asked_the_phone_tail_like_a_known_one_and_then_matches_nothing(shop_backends):
    # Nobody learns from the questions which numbers are the shop's: a wrong one is asked the same.
    for platform, number, entities in (("pdd", UNKNOWN_PDD, pdd_tail(UNKNOWN_PDD)), ("jd", UNKNOWN_JD, [])):
        dispatcher, events = verification(bridged(platform, number), f"{number} 到哪了", entities)
        assert dispatcher.messages == []
        assert slot_events(events) == {"order_id": number}

        dispatcher, events = verification({}, "0001", slots={"order_id": number, "verification_attempts": 0.0},
                                          typed=[("phone_last4", "0001")])
        assert responses(dispatcher) == ["order_no_match"]
        assert slot_events(events)["verification_attempts"] == 1.0


def test_a_message_without_a_platform_number_is_left_to_the_nlu(shop_backends):
    dispatcher, events = verification({"channel": "web"}, "2024111100002", [entity("order_id", "2024111100002")],
                                      typed=[("order_id", "2024111100002")])
    assert slot_events(events) == {"order_id": "2024111100002"}


def test_the_after_sales_form_takes_a_platform_number_too(shop_backends, pdd):
    # Every form that guards an order gets it from OrderProof, the after-sales one as well.
    order = pdd[0]
    tracker = make_tracker({"after_sales_task": "return", "requested_slot": "order_id"},
                           bridged("pdd", order.number, customer_id=order.customer_id), text=order.number,
                           intent="inform", entities=pdd_tail(order.number), active_loop="after_sales_form")
    _, events = run(ValidateAfterSalesForm(), tracker)
    assert slot_events(events)["order_id"] == order.order_id
