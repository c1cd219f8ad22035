"""The handoff in Rasa's conversation: what hands it back to the bot."""

from rasa.shared.core.domain import Domain

from kefu.handoff.conversation import resume_events


def test_resuming_clears_the_handoff_status_and_listens():
    domain = Domain.from_dict({"slots": {"handoff_status": {
        "type": "categorical", "values": ["queued", "ticket"], "influence_conversation": True,
        "mappings": [{"type": "custom"}]}}})
    assert [event.as_dict()["event"] for event in resume_events(domain)] == ["resume", "slot", "action"]
    slot, listen = resume_events(domain)[1:]
    assert (slot.key, slot.value, listen.action_name) == ("handoff_status", None, "action_listen")


def test_resuming_without_the_slot():
    assert [event.as_dict()["event"] for event in resume_events(Domain.empty())] == ["resume", "action"]
