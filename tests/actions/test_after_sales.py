"""The after-sales actions against a real demo shop (SQLite), one of its own per test that writes."""

import asyncio
import logging
import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.after_sales import (
    ActionExplainReturn,
    ActionStartAfterSales,
    ActionSubmitAfterSales,
    ValidateAfterSalesForm,
)
from actions.orders import ActionAskOrderId
from actions.references import ActionHandleInform
from kefu.handoff.report_photos import WEB_CHAT_INPUT_CHANNEL, ReportPhotos
from kefu.storage.db import make_engine
from kefu.storage.handoff_schema import create_handoff_schema
from tests.actions.conftest import DOMAIN, entity, make_tracker, responses, run_action as run, slot_events
from tests.handoff.test_report_photos import sent as sent_photo
from tests.logged_in import logged_in

C0001 = logged_in("C0001", channel="taobao")
FORM = "after_sales_form"


def form_tracker(task, slots=None, text="", intent="inform", requested=None, metadata=C0001, **extra):
    values = {"after_sales_task": task, "requested_slot": requested, **(slots or {})}
    return make_tracker(values, metadata, text=text, intent=intent, active_loop=FORM, **extra)


async def _required(tracker):
    from tests.actions.conftest import DOMAIN
    from rasa_sdk.executor import CollectingDispatcher

    validator = ValidateAfterSalesForm()
    return await validator.required_slots(validator.domain_slots(DOMAIN), CollectingDispatcher(), tracker, DOMAIN)


def required(tracker):
    import asyncio

    return asyncio.run(_required(tracker))


# --- starting a task ---------------------------------------------------------------
def test_a_task_starts_from_the_intent_and_keeps_the_order_under_discussion(shop_backends):
    dispatcher, events = run(
        ActionStartAfterSales(), make_tracker({"order_id": "2024111100001"}, C0001, intent="ask_exchange")
    )
    assert responses(dispatcher) == ["task_intro_exchange"]
    slots = slot_events(events)
    assert slots["after_sales_task"] == "exchange" and slots["identity_known"] is True
    assert "order_id" not in slots  # kept as it is
    assert slots["after_sales_blocked"] is None


def test_an_accepted_offer_starts_the_offered_task(shop_backends):
    _, events = run(ActionStartAfterSales(), make_tracker({"offered_task": "cancel"}, C0001, intent="affirm"))
    assert slot_events(events)["after_sales_task"] == "cancel"
    assert slot_events(events)["offered_task"] is None


def test_cancelling_an_order_already_on_the_road_is_blocked_at_once(shop_backends):
    _, events = run(ActionStartAfterSales(), make_tracker({"order_id": "2024111100002"}, C0001, intent="cancel_order"))
    assert slot_events(events)["after_sales_blocked"] == "cancel_after_shipping"


def test_someone_elses_order_in_the_conversation_is_dropped(shop_backends):
    _, events = run(ActionStartAfterSales(), make_tracker({"order_id": "2024111100005"}, C0001, intent="ask_exchange"))
    assert slot_events(events)["order_id"] is None


# --- what the form asks --------------------------------------------------------------
def test_an_anonymous_shopper_is_asked_to_prove_the_order_first(shop_backends):
    assert required(form_tracker("return", metadata={})) == ["order_id", "phone_last4"]


def test_a_locked_order_refuses_the_right_phone_tail_and_ends_the_form(writable_backends, proof_guard):
    for _ in range(5):  # misses from other conversations, counted in the database
        proof_guard.attempt("2024111100003", "sender:guesser", lambda: None)
    tracker = form_tracker("cancel", {"order_id": "2024111100003"}, text="0001", requested="phone_last4", metadata={})
    result = asyncio.run(ValidateAfterSalesForm().validate_phone_last4("0001", CollectingDispatcher(), tracker, DOMAIN))
    assert "verified_customer_id" not in result
    assert required(form_tracker("cancel", result, metadata={})) == []  # nothing more asked: locked
    dispatcher, _ = submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_confirmed": True},
                           metadata={})
    assert responses(dispatcher) == ["verification_locked"]
    assert writable_backends.orders.get_order("2024111100003").status == "paid"


def test_a_known_shopper_is_asked_only_what_the_task_needs(shop_backends):
    assert required(form_tracker("return", {"order_id": "2024111100001"})) == [
        "order_id", "return_reason", "item_condition", "after_sales_confirmed",
    ]
    assert required(form_tracker("problem", {"order_id": "2024111100003"}))[1] == "return_items"  # two items
    assert required(form_tracker("refund_status", {"order_id": "2024111100001"})) == ["order_id"]


def test_a_locked_verification_stops_the_questions(shop_backends):
    assert required(form_tracker("cancel", {"verification_attempts": 3.0}, metadata={})) == []


def test_the_orders_are_offered_as_buttons_to_a_known_shopper(shop_backends):
    dispatcher, events = run(ActionAskOrderId(), form_tracker("cancel", requested="order_id"))
    assert responses(dispatcher) == ["choose_order_for_task"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[0].startswith('/inform{"order_id":"')
    assert len(slot_events(events)["shown_orders"]) == len(payloads)


def test_second_one_picks_from_the_orders_shown(shop_backends):
    shown = ["2024111100003", "2024111100002", "2024111100001"]
    tracker = form_tracker("cancel", {"shown_orders": shown}, text="第二个", requested="order_id")
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert slots["order_id"] == "2024111100002"
    assert slots["after_sales_blocked"] == "cancel_after_shipping"  # it is on the road


def test_an_order_number_that_is_not_the_shoppers_gets_no_match(shop_backends):
    tracker = form_tracker("return", text="2024111100005", requested="order_id", slot_events=[("order_id", "2024111100005")])
    dispatcher, events = run(ValidateAfterSalesForm(), tracker)
    assert "order_no_match" in responses(dispatcher)
    assert slot_events(events)["order_id"] is None


# --- giving up, correcting ---------------------------------------------------------
def test_giving_up_ends_the_form(shop_backends):
    tracker = form_tracker("return", {"order_id": "2024111100001"}, text="算了不退了", intent="deny", requested="return_reason")
    _, events = run(ValidateAfterSalesForm(), tracker)
    assert slot_events(events) == {"after_sales_cancelled": True, "requested_slot": None}


def test_another_order_takes_back_the_order_and_what_depended_on_it(shop_backends):
    tracker = form_tracker(
        "return", {"order_id": "2024111100001", "return_reason": "尺码不合适"}, text="不对，是另一个订单",
        intent="deny", requested="item_condition",
    )
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert slots["order_id"] is None and slots["return_reason"] is None
    assert slots["requested_slot"] == "order_id"


def test_another_item_keeps_the_order(shop_backends):
    tracker = form_tracker(
        "return", {"order_id": "2024111100003", "return_items": "P4001-01"}, text="不对，是另一件",
        intent="deny", requested="return_reason",
    )
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert "order_id" not in slots and slots["return_items"] is None
    assert slots["requested_slot"] == "return_items"


def test_a_corrected_order_number_given_at_once_stands(shop_backends):
    tracker = form_tracker(
        "return", {"return_reason": "尺码不合适"}, text="不对，是2024111100001", intent="deny",
        requested="item_condition", entities=[entity("order_id", "2024111100001")],
        slot_events=[("order_id", "2024111100001")],
    )
    tracker.events.insert(0, {"event": "slot", "name": "order_id", "value": "2024111100004"})
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert slots["order_id"] == "2024111100001" and slots["return_reason"] is None  # it was for the other order
    assert slots["requested_slot"] == "return_reason"


def test_a_no_can_be_an_answer(shop_backends):
    tracker = form_tracker("return", {"order_id": "2024111100001"}, text="不喜欢", intent="deny",
                           requested="return_reason", slot_events=[("return_reason", "不喜欢")])
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert slots["return_reason"] == "不喜欢/不想要了"
    assert slots["requested_slot"] == "item_condition"


# --- exchange: the size or colour wanted, and whether it is in stock -------------
def test_one_size_up_is_found_in_stock(shop_backends):
    tracker = form_tracker("exchange", {"order_id": "2024111100001"}, text="换大一码", intent="ask_exchange",
                           requested="exchange_variant", slot_events=[("exchange_variant", "换大一码")])
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert (slots["exchange_sku_id"], slots["exchange_variant"]) == ("P1001-04", "白色/XL")
    assert slots["requested_slot"] == "after_sales_confirmed"


def test_a_sold_out_variant_is_refused_with_what_is_in_stock(shop_backends):
    tracker = form_tracker("exchange", {"order_id": "2024111100001"}, text="换M码", requested="exchange_variant",
                           slot_events=[("exchange_variant", "换M码")], entities=[entity("size", "M")])
    dispatcher, events = run(ValidateAfterSalesForm(), tracker)
    assert responses(dispatcher) == ["exchange_out_of_stock"]
    assert "白色/XL" in dispatcher.messages[0]["text"]
    assert slot_events(events)["exchange_variant"] is None


# --- carrying it out ------------------------------------------------------------------
def submit(slots, metadata=C0001):
    return run(ActionSubmitAfterSales(), make_tracker(slots, metadata, intent="affirm"))


def test_a_return_request_is_written_to_the_shop(writable_backends):
    dispatcher, events = submit({"after_sales_task": "return", "order_id": "2024111100001", "return_reason": "尺码不合适",
                                 "item_condition": "unopened", "after_sales_confirmed": True})
    assert responses(dispatcher) == ["return_submitted"]
    order = writable_backends.orders.get_order("2024111100001")
    assert order.status == "return_requested"
    request = order.returns[-1]
    assert (request.kind, request.reason, request.sku_ids, request.condition) == ("return", "尺码不合适", ("P1001-03",), "unopened")
    assert request.return_id in dispatcher.messages[0]["text"]
    assert slot_events(events)["after_sales_task"] is None


def test_an_exchange_reserves_the_new_size(writable_backends):
    before = sum(l.quantity for l in writable_backends.catalogue.stock("P1001", "白色", "XL"))
    dispatcher, _ = submit({"after_sales_task": "exchange", "order_id": "2024111100001", "return_items": "P1001-03",
                            "exchange_variant": "白色/XL", "exchange_sku_id": "P1001-04", "after_sales_confirmed": True})
    assert responses(dispatcher) == ["exchange_submitted"]
    request = writable_backends.orders.get_order("2024111100001").returns[-1]
    assert (request.kind, request.new_sku_id) == ("exchange", "P1001-04")
    assert sum(l.quantity for l in writable_backends.catalogue.stock("P1001", "白色", "XL")) == before - 1


def test_cancelling_a_paid_order_refunds_it(writable_backends):
    dispatcher, events = submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_confirmed": True})
    assert responses(dispatcher) == ["cancel_done_refund"]
    order = writable_backends.orders.get_order("2024111100003")
    assert order.status == "cancelled" and order.refunds[-1].status == "processing"
    assert f"{order.paid_amount:.2f}" in dispatcher.messages[0]["text"]
    assert slot_events(events)["current_order_status"] == "cancelled"


def test_a_new_address_is_written_to_the_order(writable_backends):
    dispatcher, _ = submit({"after_sales_task": "change_address", "order_id": "2024111100003",
                            "new_address": "上海市浦东新区世纪大道88号 王五", "after_sales_confirmed": True})
    assert responses(dispatcher) == ["address_changed"]
    recipient = writable_backends.orders.get_order("2024111100003").recipient
    assert (recipient.province, recipient.address, recipient.name) == ("上海", "浦东新区世纪大道88号", "王五")
    assert recipient.phone == "13800000001"  # not given: kept


@pytest.mark.parametrize("resolution", ["reship", "refund", "agent"])
def test_a_problem_report_is_recorded_with_the_chosen_resolution(writable_backends, resolution):
    dispatcher, _ = submit({"after_sales_task": "problem", "order_id": "2024111100002", "problem_kind": "damaged",
                            "problem_description": "外壳裂了", "problem_resolution": resolution})
    assert responses(dispatcher) == [f"problem_reported_{resolution}"]
    report = writable_backends.after_sales.problem_reports("2024111100002")[-1]
    assert (report.kind, report.description, report.resolution) == ("damaged", "外壳裂了", resolution)


PROBLEM_SLOTS = {"after_sales_task": "problem", "order_id": "2024111100002", "problem_kind": "damaged",
                 "problem_description": "杯子碎了", "problem_resolution": "reship"}


def conversation(input_channel, sender_id="web-shopper", metadata=C0001):
    """A tracker of a conversation that started 10 minutes ago, its latest message from ``input_channel``."""
    now = time.time()
    latest = {"text": "给我补发一个", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    events = [{"event": "session_started", "timestamp": now - 600},
              {"event": "user", "text": "给我补发一个", "parse_data": latest, "metadata": metadata,
               "input_channel": input_channel, "timestamp": now}]
    return Tracker(sender_id, dict(PROBLEM_SLOTS), latest, events, False, None, {}, "action_listen")


def test_a_problem_report_carries_the_photos_the_shopper_sent_in_this_conversation(writable_backends, fresh_sqlite_shop):
    engine = fresh_sqlite_shop.engine
    create_handoff_schema(engine)
    now = time.time()
    sent_photo(engine, "web-shopper", now - 3 * 24 * 3600)  # another day's
    first, second = sent_photo(engine, "web-shopper", now - 700), sent_photo(engine, "web-shopper", now - 60)
    sent_photo(engine, "another-shopper", now - 30)

    dispatcher, _ = run(ActionSubmitAfterSales(), conversation(WEB_CHAT_INPUT_CHANNEL))

    assert responses(dispatcher) == ["problem_reported_reship", "problem_photos_attached"]
    report = writable_backends.after_sales.problem_reports("2024111100002")[-1]
    assert report.photo_ids == (first, second)
    assert "2 张照片" in dispatcher.messages[1]["text"] and report.report_id in dispatcher.messages[1]["text"]


def test_a_shopper_on_another_channel_reports_as_before(writable_backends, fresh_sqlite_shop):
    create_handoff_schema(fresh_sqlite_shop.engine)
    sent_photo(fresh_sqlite_shop.engine, "web-shopper", time.time() - 60)  # even under the same sender id

    dispatcher, _ = run(ActionSubmitAfterSales(), conversation("rest"))

    assert responses(dispatcher) == ["problem_reported_reship"]
    assert writable_backends.after_sales.problem_reports("2024111100002")[-1].photo_ids == ()


def test_photos_that_cannot_be_read_leave_the_report_without_them(writable_backends, monkeypatch, tmp_path, caplog):
    # The assistant's database is unreadable for the photos (no tables there); the shop still answers.
    broken = make_engine(f"sqlite:///{tmp_path / 'broken.db'}")
    monkeypatch.setattr("actions.after_sales.report_photos", lambda: ReportPhotos(lambda: broken))

    with caplog.at_level(logging.WARNING, logger="kefu.handoff.report_photos"):
        dispatcher, _ = run(ActionSubmitAfterSales(), conversation(WEB_CHAT_INPUT_CHANNEL))

    assert responses(dispatcher) == ["problem_reported_reship"]
    assert writable_backends.after_sales.problem_reports("2024111100002")[-1].photo_ids == ()
    assert "without them" in caplog.text


def test_giving_up_writes_nothing(writable_backends):
    dispatcher, _ = submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_cancelled": True})
    assert responses(dispatcher) == ["after_sales_abandoned"]
    assert writable_backends.orders.get_order("2024111100003").status == "paid"


def test_a_blocked_task_explains_why(shop_backends):
    dispatcher, _ = submit({"after_sales_task": "cancel", "order_id": "2024111100002",
                            "after_sales_blocked": "cancel_after_shipping"})
    assert responses(dispatcher) == ["cancel_after_shipping"]
    assert "SF" in dispatcher.messages[0]["text"] or "运单" in dispatcher.messages[0]["text"] or "已经发出" in dispatcher.messages[0]["text"]


def test_refund_status_after_a_cancellation(writable_backends):
    submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_confirmed": True})
    dispatcher, _ = submit({"after_sales_task": "refund_status", "order_id": "2024111100003"})
    assert responses(dispatcher) == ["refund_processing"]


def test_no_refund_yet(shop_backends):
    dispatcher, _ = submit({"after_sales_task": "refund_status", "order_id": "2024111100001"})
    assert responses(dispatcher) == ["refund_none"]


def test_nothing_is_changed_for_an_unproven_shopper(writable_backends):
    dispatcher, _ = submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_confirmed": True},
                           metadata={})
    assert responses(dispatcher) == ["verification_locked"]
    assert writable_backends.orders.get_order("2024111100003").status == "paid"


def test_shop_down_while_submitting_gets_an_apology(unreachable_backends):
    dispatcher, _ = submit({"after_sales_task": "cancel", "order_id": "2024111100003", "after_sales_confirmed": True})
    assert responses(dispatcher) == ["backend_unavailable"]


# --- "那退货呢?" ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "order_id, route, offered",
    [("2024111100001", "no_reason_return", "return"), ("2024111100002", "intercept", None),
     ("2024111100003", "cancel_instead", "cancel"), ("2024111100004", "window_closed", "problem")],
)
def test_the_return_question_is_answered_for_the_order_under_discussion(shop_backends, order_id, route, offered):
    dispatcher, events = run(ActionExplainReturn(), make_tracker({"order_id": order_id}, C0001, intent="ask_return"))
    assert responses(dispatcher)[0] == f"return_route_{route}"
    assert order_id in dispatcher.messages[0]["text"]
    assert slot_events(events).get("offered_task") == offered


def test_the_window_left_is_stated_for_a_signed_order(shop_backends):
    dispatcher, _ = run(ActionExplainReturn(), make_tracker({"order_id": "2024111100001"}, C0001, intent="ask_return"))
    assert "还剩" in dispatcher.messages[0]["text"] and "寄回" in dispatcher.messages[0]["text"]


def test_without_an_order_the_general_policy_and_an_offer(shop_backends):
    dispatcher, events = run(ActionExplainReturn(), make_tracker({}, {}, intent="ask_return"))
    assert responses(dispatcher) == ["return_policy_general"]
    assert slot_events(events) == {"offered_task": "return"}


# --- "我要退货": wanting it done starts the task -------------------------------------------
@pytest.mark.parametrize("text", ["我想退货", "我要退货，尺码买错了", "帮我把这单退了吧"])
def test_wanting_a_return_says_nothing_and_lets_the_rule_start_the_task(shop_backends, text):
    tracker = make_tracker({"order_id": "2024111100001"}, C0001, text=text, intent="ask_return")
    dispatcher, events = run(ActionExplainReturn(), tracker)
    assert dispatcher.messages == []
    assert slot_events(events) == {"after_sales_wanted": True}


def test_the_started_return_asks_which_order_and_clears_the_wish(shop_backends):
    tracker = make_tracker({"after_sales_wanted": True}, C0001, text="我要退货", intent="ask_return")
    dispatcher, events = run(ActionStartAfterSales(), tracker)
    slots = slot_events(events)
    assert responses(dispatcher) == ["task_intro_return"]
    assert slots["after_sales_task"] == "return" and slots["after_sales_wanted"] is None
    assert required(form_tracker("return", {**slots, "order_id": None})) == ["order_id"]
    asked, _ = run(ActionAskOrderId(), make_tracker({}, C0001, intent="ask_return"))
    assert responses(asked) == ["choose_order_for_task"]
    assert any("2024111100001" in button["payload"] for button in asked.messages[0]["buttons"])


def test_a_return_wanted_for_an_order_inside_the_window_goes_to_its_questions(shop_backends):
    start = make_tracker({"order_id": "2024111100001"}, C0001, text="我要退货", intent="ask_return")
    _, events = run(ActionStartAfterSales(), start)
    slots = {**slot_events(events), "order_id": "2024111100001"}
    assert slots["after_sales_blocked"] is None
    assert required(form_tracker("return", slots))[:2] == ["order_id", "return_reason"]


@pytest.mark.parametrize("text", ["怎么退货", "七天无理由吗", "我想问下怎么退货"])
def test_a_policy_question_still_gets_the_policy(shop_backends, text):
    dispatcher, events = run(ActionExplainReturn(), make_tracker({}, C0001, text=text, intent="ask_return"))
    assert responses(dispatcher) == ["return_policy_general"]
    assert "after_sales_wanted" not in slot_events(events)


def test_a_wish_in_the_middle_of_a_form_is_answered_there(shop_backends):
    tracker = form_tracker("exchange", text="我要退货", intent="ask_return", requested="exchange_variant")
    dispatcher, events = run(ActionExplainReturn(), tracker)
    assert responses(dispatcher) == ["return_policy_in_form"]
    assert "after_sales_wanted" not in slot_events(events)


# --- "第二个" outside a form ------------------------------------------------------------
def test_second_one_shows_the_second_order_listed(shop_backends):
    shown = ["2024111100003", "2024111100002", "2024111100001"]
    dispatcher, events = run(ActionHandleInform(), make_tracker({"shown_orders": shown}, C0001, text="第二个", intent="inform"))
    assert responses(dispatcher)[0] == "order_summary"
    assert "2024111100002" in dispatcher.messages[0]["text"]
    assert slot_events(events)["order_id"] == "2024111100002"


def test_a_reference_without_a_list_asks_what_the_shopper_wants(shop_backends):
    dispatcher, _ = run(ActionHandleInform(), make_tracker({}, C0001, text="第二个", intent="inform"))
    assert responses(dispatcher) == ["inform_what_next"]


def test_a_number_inside_another_answer_does_not_replace_the_order(shop_backends):
    tracker = form_tracker("change_address", text="浙江省杭州市西湖区文三路100号", requested="new_address",
                           slot_events=[("order_id", "100"), ("new_address", "浙江省杭州市西湖区文三路100号")])
    tracker.events.insert(0, {"event": "slot", "name": "order_id", "value": "2024111100003"})
    dispatcher, events = run(ValidateAfterSalesForm(), tracker)
    assert "invalid_order_id" not in responses(dispatcher)
    assert slot_events(events)["order_id"] == "2024111100003"



def test_an_item_excluded_from_no_reason_returns_is_not_taken(writable_backends, fresh_sqlite_shop):
    from sqlalchemy.orm import Session

    from kefu.storage import models
    from kefu.storage.clock import shop_now

    with Session(fresh_sqlite_shop.engine) as session, session.begin():
        order = session.get(models.Order, "2024111100003")
        order.status, order.delivered_at = "delivered", shop_now()
        product = session.get(models.Product, "P4013")
        product.attributes = {**product.attributes, "return_policy": "食品接触类拆封后不支持七天无理由退货"}
    tracker = form_tracker("return", {"order_id": "2024111100003"}, text="都退", intent="ask_return",
                           requested="return_items", slot_events=[("return_items", "都退")])
    dispatcher, events = run(ValidateAfterSalesForm(), tracker)
    assert responses(dispatcher) == ["return_item_excluded"]
    assert "硅胶厨具" in dispatcher.messages[0]["text"]
    assert slot_events(events)["return_items"] == "P4001-01"


@pytest.mark.parametrize(
    "answer, description",
    [("外壳摔裂了一大块", "外壳摔裂了一大块"), ("收到商品破损了", None)],
    ids=["in-own-words", "button"],
)
def test_a_problem_told_in_own_words_needs_no_second_description(shop_backends, answer, description):
    tracker = form_tracker("problem", {"order_id": "2024111100002"}, text=answer, intent="report_problem",
                           requested="problem_kind", slot_events=[("problem_kind", answer)])
    _, events = run(ValidateAfterSalesForm(), tracker)
    slots = slot_events(events)
    assert slots["problem_kind"] == "damaged"
    assert slots.get("problem_description") == description
    assert slots["requested_slot"] == ("problem_resolution" if description else "problem_description")
