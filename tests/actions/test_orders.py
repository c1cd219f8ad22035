import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionIdentifyShopper, ActionTrackOrder, ValidateOrderVerificationForm
from kefu.security.client import stamp_client
from kefu.security.identity import sign_identity
from kefu.security.verification import ProofGuard, ProofLimits
from tests.actions.conftest import DOMAIN, make_tracker, responses, run_action as run, slot_events
from tests.logged_in import TEST_IDENTITY_SECRET, logged_in

C0001 = logged_in("C0001", channel="taobao")


def test_authenticated_shopper_sees_status_and_logistics_of_own_order(shop_backends):
    dispatcher, events = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100002"}, C0001))
    assert responses(dispatcher)[:2] == ["order_summary", "order_logistics"]
    summary, logistics = dispatcher.messages[0]["text"], dispatcher.messages[1]["text"]
    assert "2024111100002" in summary
    assert "【已发货】" in summary or "【运输中】" in summary
    assert logistics.count("\n· ") >= 2, "at least two logistics events are shown"
    assert slot_events(events)["verified_customer_id"] == "C0001"


def test_in_the_web_chat_the_order_comes_with_an_order_card_in_the_same_message_as_its_summary(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100002"}, C0001, input_channel="webchat"))
    summary = dispatcher.messages[0]
    card = summary["custom"]
    assert summary["text"] and card["type"] == "order_card"
    order = card["order"]
    assert order["order_id"] == "2024111100002" and order["status"] in summary["text"]
    assert order["items"] and all(item["name"] and item["quantity"] >= 1 for item in order["items"])
    assert order["carrier"] and order["tracking_number"], "a shipped order's card names its parcel"
    assert not any(message.get("custom") for message in dispatcher.messages[1:])


def test_an_order_not_shipped_yet_has_a_card_without_a_parcel(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100003"}, C0001, input_channel="webchat"))
    order = dispatcher.messages[0]["custom"]["order"]
    assert order["order_id"] == "2024111100003" and order["tracking_number"] is None


@pytest.mark.parametrize("input_channel", ["rest", "socketio", "wechat", "platform_bridge", None])
def test_channels_that_draw_no_cards_get_the_text_alone(shop_backends, input_channel):
    # Rasa's output channels send a custom payload as a message of its own: a REST client would get
    # a message without text.
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100002"}, C0001,
                                                         input_channel=input_channel))
    assert dispatcher.messages and not any(message.get("custom") for message in dispatcher.messages)


@pytest.mark.parametrize("order_id", ["2024111100005", "2099123112345"], ids=["someone-elses", "non-existent"])
def test_someone_elses_order_and_a_missing_order_get_the_same_answer(shop_backends, order_id):
    dispatcher, events = run(ActionTrackOrder(), make_tracker({"order_id": order_id}, C0001))
    assert responses(dispatcher) == ["order_no_match"]
    assert "2024111100005" not in str(dispatcher.messages)
    assert slot_events(events) == {"order_id": None}


def test_signed_order_inside_the_return_window_says_until_when(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100001"}, C0001))
    assert responses(dispatcher) == ["order_summary", "order_signed_return_open"]


def test_signed_order_outside_the_return_window(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100004"}, C0001))
    assert responses(dispatcher) == ["order_summary", "order_signed"]


def test_paid_order_is_waiting_for_shipment(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100003"}, C0001))
    assert responses(dispatcher) == ["order_summary", "order_awaiting_shipment"]


def test_without_an_order_number_the_recent_orders_are_offered_as_buttons(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({}, C0001))
    assert responses(dispatcher) == ["choose_order"]
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 3
    own_orders = {o.order_id for o in shop_backends.orders.orders_of_customer("C0001", 10)}
    for button in buttons:
        order_id = button["payload"].split('"order_id":"')[1][:13]
        assert order_id in own_orders


def test_a_grievance_about_the_parcel_shows_the_order_on_the_road_without_asking(shop_backends):
    dispatcher, events = run(ActionTrackOrder(), make_tracker({}, C0001, text="没收到货啊 都好几天了"))
    assert responses(dispatcher)[:2] == ["order_summary", "order_logistics"]
    assert "2024111100002" in dispatcher.messages[0]["text"]
    assert slot_events(events)["order_id"] == "2024111100002"


def test_signed_for_but_not_received_shows_the_order_signed_lately(shop_backends):
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({}, C0001, text="显示签收了但我没收到啊"))
    assert responses(dispatcher)[0] == "order_summary"
    assert "2024111100001" in dispatcher.messages[0]["text"]


def test_channel_authenticated_shopper_is_known(shop_backends):
    _, events = run(ActionIdentifyShopper(), make_tracker({}, C0001))
    assert slot_events(events) == {"verified_customer_id": "C0001", "identity_known": True}


def test_anonymous_shopper_is_unknown(shop_backends):
    _, events = run(ActionIdentifyShopper(), make_tracker({}))
    assert slot_events(events) == {"verified_customer_id": None, "identity_known": False}


def test_shopper_verified_earlier_in_the_conversation_stays_known(shop_backends):
    _, events = run(ActionIdentifyShopper(), make_tracker({"verified_customer_id": "C0002"}))
    assert slot_events(events)["identity_known"] is True


@pytest.mark.parametrize(
    "metadata",
    [
        {"customer_id": "C0001", "channel": "web"},
        {**logged_in("C0002"), "customer_id": "C0001"},
        {"customer_id": "C0001", "identity_token": sign_identity("C0001", TEST_IDENTITY_SECRET, expires_at=1)},
        {"customer_id": "C0001", "identity_token": sign_identity("C0001", "another shop's key")},
    ],
    ids=["no-token", "someone-elses-token", "expired-token", "wrong-key"],
)
def test_a_customer_id_without_its_valid_token_is_ignored(shop_backends, metadata):
    _, events = run(ActionIdentifyShopper(), make_tracker({}, metadata))
    assert slot_events(events) == {"verified_customer_id": None, "identity_known": False}
    dispatcher, _ = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100002"}, metadata))
    assert "2024111100002" not in str(dispatcher.messages)


def test_the_dangerous_switch_trusts_a_bare_customer_id(shop_backends, monkeypatch):
    monkeypatch.setenv("DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID", "true")
    _, events = run(ActionIdentifyShopper(), make_tracker({}, {"customer_id": "C0001"}))
    assert slot_events(events)["verified_customer_id"] == "C0001"


def validate(slots, typed_slot_events):
    tracker = make_tracker(slots, slot_events=typed_slot_events, active_loop="order_verification_form")
    return run(ValidateOrderVerificationForm(), tracker)


def test_order_number_and_phone_tail_prove_who_the_shopper_is(shop_backends):
    dispatcher, events = validate({"order_id": "2024111100002"}, [("phone_last4", "尾号是0001")])
    assert dispatcher.messages == []
    slots = slot_events(events)
    assert slots["verified_customer_id"] == "C0001"
    assert slots["identity_known"] is True
    assert slots["phone_last4"] == "0001"


@pytest.mark.parametrize(
    "order_id, typed",
    [("2024111100002", "9999"), ("2024111100005", "0001"), ("2099123112345", "0001")],
    ids=["wrong-digits", "someone-elses-order", "non-existent-order"],
)
def test_every_kind_of_mismatch_gets_the_same_answer_and_counts(shop_backends, order_id, typed):
    dispatcher, events = validate({"order_id": order_id, "verification_attempts": 0.0}, [("phone_last4", typed)])
    assert responses(dispatcher) == ["order_no_match"]
    slots = slot_events(events)
    assert slots["verification_attempts"] == 1.0
    assert slots["order_id"] is None and slots["phone_last4"] is None
    assert "verified_customer_id" not in slots


def test_third_failure_locks_the_lookup_and_offers_a_human(shop_backends):
    _, events = validate({"order_id": "2024111100002", "verification_attempts": 2.0}, [("phone_last4", "9999")])
    assert slot_events(events)["verification_attempts"] == 3.0
    dispatcher, events = run(ActionTrackOrder(), make_tracker({"verification_attempts": 3.0}))
    assert responses(dispatcher) == ["verification_locked"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"
    assert events == []


def test_locked_form_asks_nothing_more(shop_backends):
    slots = asyncio.run(
        ValidateOrderVerificationForm().required_slots(
            ["order_id", "phone_last4"], CollectingDispatcher(),
            make_tracker({"verification_attempts": 3.0}), DOMAIN,
        )
    )
    assert slots == []


def test_failures_are_counted_beyond_the_conversation_and_a_locked_order_refuses_the_right_answer(
    shop_backends, proof_guard
):
    for sender in range(5):  # five conversations, one miss each: none reaches its own limit of three
        tracker = make_tracker({"order_id": "2024111100003"}, slot_events=[("phone_last4", "9999")],
                               active_loop="order_verification_form")
        tracker.sender_id = f"guesser-{sender}"
        run(ValidateOrderVerificationForm(), tracker)
    assert proof_guard.is_locked("2024111100003", "sender:someone-new")
    dispatcher, events = validate({"order_id": "2024111100003", "verification_attempts": 0.0}, [("phone_last4", "0001")])
    slots = slot_events(events)
    assert "verified_customer_id" not in slots
    assert slots["verification_attempts"] == 3.0  # the form stops here, as after three misses
    assert dispatcher.messages == []  # action_track_order then says verification_locked


def test_a_miss_is_counted_against_the_client_the_channel_stamped(shop_backends, proof_database):
    metadata = stamp_client({}, "203.0.113.7", "rest")
    tracker = make_tracker({"order_id": "2024111100002"}, metadata, slot_events=[("phone_last4", "9999")],
                           active_loop="order_verification_form")
    run(ValidateOrderVerificationForm(), tracker)
    one_miss_locks = ProofGuard(proof_database, ProofLimits(failures_per_order=99, failures_per_client=1))
    assert one_miss_locks.is_locked("2099123112345", "ip:203.0.113.7")
    assert not one_miss_locks.is_locked("2099123112345", "sender:shopper")


def test_order_number_must_have_13_or_14_digits(shop_backends):
    dispatcher, events = validate({}, [("order_id", "12345")])
    assert responses(dispatcher) == ["invalid_order_id"]
    assert slot_events(events)["order_id"] is None


def test_shop_system_down_gets_an_apology_and_an_offer_of_a_human(unreachable_backends):
    dispatcher, events = run(ActionTrackOrder(), make_tracker({"order_id": "2024111100002"}, C0001))
    assert responses(dispatcher) == ["backend_unavailable"]
    assert events == []


def test_shop_system_down_during_verification_stops_the_form(unreachable_backends):
    dispatcher, events = validate({"order_id": "2024111100002"}, [("phone_last4", "0001")])
    assert responses(dispatcher) == ["backend_unavailable"]
    assert slot_events(events)["lookup_failed"] is True
