"""The Official Account channel inside the real Rasa server (credentials.yml, the launcher's environment,
the trained model, the action server), talking to the fake WeChat: the bot answers through
message/custom/send, a bound user is known to the actions, and a handoff goes to the workspace agent
and the agent's reply back out through WeChat. Needs a current model (skips without one)."""

import time

import pytest

from kefu.channels.wechat.store import sender_id_for
from tests.channels.support import AgentClient, wait_for
from tests.channels.wechat.fake_wechat import MP_APP_ID, OPEN_KFID, mp_message
from tests.logged_in import TEST_IDENTITY_SECRET


@pytest.fixture(scope="module")
def live(site, fake_wechat):
    """The channel tests' assistant (tests/channels/conftest.py), configured for the fake WeChat."""
    return site, fake_wechat


def sent_to(fake, openid):
    return [sent["text"]["content"] for sent in fake.state.custom_sent if sent["touser"] == openid]


def says(site, fake, openid, text, replies_before):
    url = f"{site.rasa_url}/webhooks/wechat/webhook"
    assert fake.mp_callback(url, mp_message(openid, text)).text == "success"
    return wait_for(lambda: sent_to(fake, openid)[replies_before:], timeout=60, message=f"an answer to {text}")


def user_event(site, sender_id, text):
    """The tracker's user event of ``text`` (waited for: the previous turn's answer may still be going out
    in several messages when this one's first text arrives)."""
    return wait_for(lambda: next((event for event in reversed(site.tracker_events(sender_id))
                                  if event["event"] == "user" and event["text"] == text), None),
                    timeout=60, message=f"the user event of {text}")


def test_a_bound_wechat_user_talks_to_the_bot_and_then_to_an_agent(live):
    site, fake = live
    openid = f"o-live-{int(time.time())}"
    sender_id = sender_id_for("mp", MP_APP_ID, openid, TEST_IDENTITY_SECRET)
    assert says(site, fake, openid, "你好", 0)
    assert "绑定成功" in says(site, fake, openid, "绑定 2024111100002 0001", len(sent_to(fake, openid)))[-1]
    says(site, fake, openid, "我的快递到哪了", len(sent_to(fake, openid)))
    latest = user_event(site, sender_id, "我的快递到哪了")
    assert latest["metadata"]["channel"] == "wechat"
    assert latest["metadata"]["customer_id"] == "C0001"
    assert latest["input_channel"] == "wechat"

    agent = AgentClient(site)  # an agent online: the bot hands over instead of taking a message
    says(site, fake, openid, "转人工", len(sent_to(fake, openid)))
    case = wait_for(lambda: site.service.open_case_of(sender_id), message="a handoff case")
    assert case.channel == "wechat"
    agent.claim(case.id)
    before = len(sent_to(fake, openid))
    assert agent.reply(case.id, "亲，我是小美，马上帮您看")["pushed"] is True
    assert sent_to(fake, openid)[before:] == ["亲，我是小美，马上帮您看"]
    url = f"{site.rasa_url}/webhooks/wechat/webhook"
    fake.mp_callback(url, mp_message(openid, "好的谢谢"))
    wait_for(lambda: "好的谢谢" in [m.text for m in site.service.messages(case.id)], message="the message for the agent")
    assert len(sent_to(fake, openid)) == before + 1  # the bot kept quiet


def test_proving_an_order_to_the_bot_binds_the_wechat_user(live):
    site, fake = live
    openid = f"o-proof-{int(time.time())}"
    sender_id = sender_id_for("mp", MP_APP_ID, openid, TEST_IDENTITY_SECRET)
    for text in ["我的快递到哪了", "2024111100002", "0001"]:
        says(site, fake, openid, text, len(sent_to(fake, openid)))
    from kefu.channels.wechat.store import WeChatStore
    assert WeChatStore(site.service.engine).user(sender_id).customer_id == "C0001"
    says(site, fake, openid, "那退货呢", len(sent_to(fake, openid)))
    latest = user_event(site, sender_id, "那退货呢")
    assert latest["metadata"]["customer_id"] == "C0001"  # from the binding, signed by the channel


def test_a_wechat_customer_service_user_is_answered_by_the_bot(live):
    site, fake = live
    customer = f"wm-live-{int(time.time())}"
    fake.kf_user_writes(customer, "你好")
    assert fake.kf_callback(f"{site.rasa_url}/webhooks/wechat_kf/webhook").text == "success"
    replies = wait_for(lambda: [s["text"]["content"] for s in fake.state.kf_sent if s["touser"] == customer],
                       timeout=60, message="the bot's answer by kf/send_msg")
    assert replies and len(replies) <= 5
    sender_id = sender_id_for("kf", OPEN_KFID, customer, TEST_IDENTITY_SECRET)
    latest = [event for event in site.tracker_events(sender_id) if event["event"] == "user"][-1]
    assert (latest["metadata"]["channel"], latest["input_channel"]) == ("wechat", "wechat_kf")
