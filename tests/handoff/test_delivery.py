"""Agents' replies on their way to the shopper: sending what waits (also when the channel fails, or the
client names the last reply it saw), and the live senders of channels that push."""

import asyncio

import pytest

from kefu.handoff.delivery import agent_payload, deliver_pending, live_sender, register_live_channel
from kefu.handoff.triggers import decide_handoff
from tests.handoff.support import Inbox, agent_replied, service_with_demo_agent


@pytest.fixture
def service(tmp_path):
    with service_with_demo_agent(tmp_path / "handoff.db") as service:
        yield service


def test_a_message_the_channel_could_not_send_stays_for_the_next_time(service):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    service.claim(case.id, "agent")
    service.agent_reply(case.id, "agent", "在的亲")

    async def broken(payloads):
        raise ConnectionError("socket gone")

    with pytest.raises(ConnectionError):
        asyncio.run(deliver_pending(service, "s-1", broken))
    assert [m.text for m in service.undelivered_agent_messages("s-1")] == ["在的亲"]
    sent = []

    async def collect(payloads):
        sent.extend(payloads)

    assert asyncio.run(deliver_pending(service, "s-1", collect)) == 1
    assert [p["text"] for p in sent] == ["在的亲"] and sent[0]["metadata"]["handoff"]["agent"] == "演示客服"
    assert service.undelivered_agent_messages("s-1") == []


def test_a_poller_that_names_what_it_saw_gets_the_later_messages_again_and_anything_still_waiting(service):
    first = agent_replied(service, "s-1", "在的亲")
    second = agent_replied(service, "s-1", "订单号发我一下哦")
    service.mark_delivered([second.id])  # went out, but the first did not (its delivery failed)
    inbox = Inbox()
    assert asyncio.run(deliver_pending(service, "s-1", inbox.send, after=second.id)) == 1
    assert inbox.texts == ["在的亲"]
    inbox = Inbox()
    assert asyncio.run(deliver_pending(service, "s-1", inbox.send, after=first.id)) == 1
    assert inbox.texts == ["订单号发我一下哦"], "delivered already, sent again after the message the client saw"
    assert service.undelivered_agent_messages("s-1") == []


def test_an_agents_message_is_sent_as_a_bot_message_naming_the_agent(service):
    message = agent_replied(service, "s-1", "在的亲")
    payload = agent_payload("s-1", message, "演示客服")
    assert (payload["recipient_id"], payload["text"]) == ("s-1", "在的亲")
    assert payload["metadata"]["handoff"] == {
        "from": "agent", "agent": "演示客服", "case_id": message.case_id, "message_id": message.id,
        "at": message.created_at.isoformat(),
    }


def test_a_live_sender_is_found_by_the_shoppers_channel():
    inbox = Inbox()
    register_live_channel("test-pushing-channel", {"s-1": inbox.send}.get)
    assert live_sender("test-pushing-channel", "s-1") == inbox.send
    assert live_sender("test-pushing-channel", "s-2") is None, "not connected"
    assert live_sender("rest", "s-1") is None and live_sender(None, "s-1") is None
