"""The platform bridge inside the real Rasa server (credentials.yml, the launcher's environment, the trained
model, the action server): a bound Taobao buyer is known to the actions, the bot's answer comes in the
response, a handoff goes to a workspace agent whose reply the plug-in fetches, and the replies of a call
with a callback URL reach a real HTTP server, signed. Needs a current model (skips without one)."""

from __future__ import annotations

import pytest

from kefu.channels.platform_signing import Verdict, check_signature
from tests.channels.platform_support import SECRETS, Bridge, callback_receiver
from tests.channels.support import AgentClient, wait_for


@pytest.fixture(scope="module")
def live(site):
    """The channel tests' assistant (tests/channels/conftest.py), with the Taobao bridge configured."""
    return site, Bridge(f"{site.rasa_url}/webhooks/platform", agent=None)


def user_events(site, sender_id):
    return [event for event in site.tracker_events(sender_id) if event["event"] == "user"]


def test_a_bound_buyer_is_answered_as_the_shop_customer_and_handed_to_an_agent(live):
    site, bridge = live
    assert bridge.post("taobao/bindings", {"buyer_id": "tb_zhangsan", "customer_id": "C0001"}).status_code == 200

    answer = bridge.post("taobao", {"buyer_id": "tb_zhangsan", "message": "我的快递到哪了", "message_id": "m-1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["replies"] and answer.json()["in_reply_to"] == "m-1"
    [latest] = user_events(site, "taobao:tb_zhangsan")[-1:]
    assert (latest["metadata"]["channel"], latest["metadata"]["customer_id"]) == ("taobao", "C0001")
    assert latest["input_channel"] == "taobao"

    agent = AgentClient(site)  # an agent online: the bot hands over instead of taking a message
    bridge.post("taobao", {"buyer_id": "tb_zhangsan", "message": "转人工"})
    case = wait_for(lambda: site.service.open_case_of("taobao:tb_zhangsan"), message="a handoff case")
    agent.claim(case.id)
    agent.reply(case.id, "亲，我是小美，马上帮您看")
    fetched = bridge.post("taobao/messages", {"buyer_id": "tb_zhangsan"}).json()["replies"]
    assert [reply["text"] for reply in fetched] == ["亲，我是小美，马上帮您看"]
    assert bridge.post("taobao", {"buyer_id": "tb_zhangsan", "message": "好的"}).json()["replies"] == []
    agent.close(case.id)


def test_an_unknown_buyer_is_anonymous_and_answered_at_the_callback(live):
    site, bridge = live
    with callback_receiver() as receiver:
        answer = bridge.post("taobao", {"buyer_id": "tb_stranger", "message": "你好", "callback_url": receiver.url(),
                                        "metadata": {"customer_id": "C0001"}})
        assert answer.status_code == 202
        [call] = wait_for(lambda: receiver.received, timeout=60, message="the callback")
    assert check_signature(SECRETS["taobao"], call.headers, call.body, 300) is Verdict.OK
    assert call.json()["replies"]
    [latest] = user_events(site, "taobao:tb_stranger")[-1:]
    assert "customer_id" not in latest["metadata"] and latest["metadata"]["channel"] == "taobao"
