from actions.session import ActionSessionStart
from tests.actions.conftest import make_tracker, run_action


def test_new_session_keeps_the_conversation_but_not_the_proof_of_identity():
    tracker = make_tracker(
        {
            "order_id": "2024111100002",
            "verified_customer_id": "C0001",
            "identity_known": True,
            "verification_attempts": 2.0,
            "product": "T恤",
            "color": None,
        }
    )
    _, events = run_action(ActionSessionStart(), tracker)
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert carried == {"order_id": "2024111100002", "verification_attempts": 2.0, "product": "T恤"}
