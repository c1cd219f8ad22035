"""The platform bridge inside the real Rasa server (credentials.yml, the launcher's environment, the trained
model, the action server): a bound Taobao buyer is known to the actions, the bot's answer comes in the
response, a handoff goes to a workspace agent whose reply the plug-in fetches, and the replies of a call
with a callback URL reach a real HTTP server, signed; a Pinduoduo buyer's order number, which the NLU
reads only a part of, finds the order (for its bound owner at once, for an anonymous buyer after the
phone tail); a message sent again reaches the tracker once. Needs a current model (skips without one)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kefu.backends.orders import ORDER_STATUS_LABELS
from kefu.channels.platform_signing import Verdict, check_signature
from kefu.storage import models
from kefu.storage.db import make_session_factory
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


def a_pdd_order(site):
    """A demo order on its way, placed on Pinduoduo: its PDD number, the shop's number, its customer, the
    recipient's phone tail and its status."""
    with make_session_factory(site.service.engine)() as session:
        number, order = session.execute(
            select(models.PlatformOrder.platform_order_id, models.Order)
            .join(models.Order, models.Order.id == models.PlatformOrder.order_id)
            .where(models.PlatformOrder.platform == "pdd", models.Order.status.in_(["shipped", "in_transit"]))
            .order_by(models.Order.id).limit(1)
        ).one()
        return number, order.id, order.customer_id, order.recipient_phone[-4:], order.status


def texts(answer):
    assert answer.status_code == 200, answer.text
    return "\n".join(reply.get("text") or "" for reply in answer.json()["replies"])


def test_a_bound_pdd_buyer_asking_with_a_pdd_order_number_gets_that_orders_status(live):
    site, bridge = live
    number, order_id, customer_id, _, status = a_pdd_order(site)
    assert bridge.post("pdd/bindings", {"buyer_id": "pdd_bound", "customer_id": customer_id}).status_code == 200

    said = texts(bridge.post("pdd", {"buyer_id": "pdd_bound", "message": f"{number} 到哪了"}))

    assert order_id in said and f"【{ORDER_STATUS_LABELS[status]}】" in said, said  # its summary, with its status


def test_an_anonymous_pdd_buyer_proves_the_pdd_order_with_the_phone_tail(live):
    site, bridge = live
    number, order_id, _, recipient_tail, _ = a_pdd_order(site)

    asked = texts(bridge.post("pdd", {"buyer_id": "pdd_stranger", "message": f"{number} 到哪了"}))
    assert "后4位" in asked and order_id not in asked, asked  # the phone tail, nothing of the order yet

    shown = texts(bridge.post("pdd", {"buyer_id": "pdd_stranger", "message": recipient_tail}))
    assert order_id in shown, shown


def test_the_same_message_id_sent_twice_reaches_the_tracker_once(live):
    site, bridge = live
    message = {"buyer_id": "tb_retry", "message": "有什么优惠活动吗", "message_id": "retry-1"}
    first = bridge.post("taobao", message)
    again = bridge.post("taobao", message)  # the plug-in's retry: a new nonce, the same message

    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["replies"] and again.json() == {**first.json(), "duplicate": True}
    assert [event["text"] for event in user_events(site, "taobao:tb_retry")].count("有什么优惠活动吗") == 1
