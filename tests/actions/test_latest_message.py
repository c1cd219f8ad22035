from actions.latest_message import latest_entity, latest_metadata
from tests.actions.conftest import entity, make_tracker


def test_last_value_of_an_entity_wins():
    tracker = make_tracker(entities=[entity("color", "红色"), entity("color", "白色"), entity("size", "M")])
    assert latest_entity(tracker, "color") == "白色"
    assert latest_entity(tracker, "budget") is None


def test_metadata_of_the_latest_user_message():
    assert latest_metadata(make_tracker(metadata={"channel": "jd", "customer_id": "C0002"})) == {
        "channel": "jd",
        "customer_id": "C0002",
    }
    assert latest_metadata(make_tracker()) == {}
