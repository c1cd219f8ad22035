import time

from actions.session import ActionSessionStart
from kefu.services.session_carry_over import identity_still_safe
from tests.actions.conftest import make_tracker, run_action

PROVEN = {
    "order_id": "2024111100002",
    "current_order_status": "in_transit",
    "verified_customer_id": "C0001",
    "identity_known": True,
    "verification_attempts": 2.0,
    "product": "T恤",
    "color": None,
    "after_sales_task": "return",
    "return_reason": "尺码不合适",
    "requested_slot": "item_condition",
}


def _tracker_last_spoken(minutes_ago: float, channel: str = "web", slots=PROVEN):
    tracker = make_tracker(dict(slots), metadata={"channel": channel})
    tracker.events[0]["timestamp"] = time.time() - minutes_ago * 60
    return tracker


def _carried(events):
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_shopper_back_soon_on_the_same_channel_keeps_identity_and_current_order():
    _, events = run_action(ActionSessionStart(), _tracker_last_spoken(70))
    carried = _carried(events)
    assert carried["verified_customer_id"] == "C0001" and carried["identity_known"] is True
    assert carried["order_id"] == "2024111100002"


def test_after_the_safe_window_identity_and_order_are_forgotten_together():
    _, events = run_action(ActionSessionStart(), _tracker_last_spoken(24 * 60))
    assert _carried(events) == {"verification_attempts": 2.0, "product": "T恤"}


def test_a_half_finished_form_never_carries_over():
    _, events = run_action(ActionSessionStart(), _tracker_last_spoken(70))
    carried = _carried(events)
    assert not {"after_sales_task", "return_reason", "requested_slot"} & set(carried)


def test_another_channel_must_prove_identity_again():
    events = _tracker_last_spoken(70, channel="web").events
    assert identity_still_safe(events, time.time(), "wechat", 120) is False
    assert identity_still_safe(events, time.time(), "web", 120) is True
    assert identity_still_safe(events, time.time(), None, 120) is True


def test_no_earlier_message_means_nothing_to_trust():
    assert identity_still_safe([], time.time(), "web", 120) is False
