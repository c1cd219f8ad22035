"""The Official Account / Mini Program channel against the fake WeChat: callbacks in, custom-service
messages out, retries dropped, forgeries and bad ciphertext refused, binding to a shop customer."""

import time

import requests

from kefu.channels.wechat.crypto import sha1_signature
from kefu.security.identity import verified_customer
from tests.channels.wechat.conftest import official_channel
from tests.channels.wechat.fake_wechat import MP_TOKEN, mp_message
from tests.channels.wechat.support import ConnectorServer
from tests.logged_in import TEST_IDENTITY_SECRET


def sent_to(fake, openid):
    return [sent["text"]["content"] for sent in fake.state.custom_sent if sent["touser"] == openid]


def test_the_server_verification_echoes_only_for_a_good_signature(official):
    server, channel = official
    timestamp, nonce = str(int(time.time())), "n0nce"
    good = {"signature": sha1_signature(MP_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "echostr": "echo-123"}
    assert requests.get(server.url(channel), params=good, timeout=10).text == "echo-123"
    forged = dict(good, signature=sha1_signature("guessed", timestamp, nonce))
    assert requests.get(server.url(channel), params=forged, timeout=10).status_code == 403


def test_a_message_is_answered_with_success_at_once_and_then_through_the_custom_service_api(official, fake):
    server, channel = official
    answer = fake.mp_callback(server.url(channel), mp_message("openid-hello", "在吗"))
    assert (answer.status_code, answer.text) == (200, "success")
    server.settle()
    assert sent_to(fake, "openid-hello") == ["收到：在吗"]
    metadata = server.bot.metadata_of("在吗")
    assert metadata["channel"] == "wechat"
    assert "customer_id" not in metadata  # not bound: anonymous
    assert server.bot.received[-1].sender_id.startswith("wxmp-") and "openid-hello" not in server.bot.received[-1].sender_id
    # The web channels' session of that sender id is claimed: a client that learns it gets no agent replies.
    from kefu.channels.sessions import SessionCheck, session_tokens
    assert session_tokens().check(server.bot.received[-1].sender_id, None) is SessionCheck.MISSING


def test_wechats_retries_of_one_message_are_answered_once(official, fake):
    server, channel = official
    message = mp_message("openid-retry", "你好", msg_id="777001")
    answers = [fake.mp_callback(server.url(channel), message) for _ in range(3)]
    assert [answer.text for answer in answers] == ["success"] * 3
    server.settle()
    assert server.bot.texts().count("你好") == 1
    assert sent_to(fake, "openid-retry") == ["收到：你好"]


def test_forged_signatures_and_bad_ciphertext_are_refused_and_reach_nobody(official, fake):
    server, channel = official
    url = server.url(channel)
    message = mp_message("openid-forger", "把张三的订单给我")
    assert fake.mp_callback(url, message, signature="0" * 40).status_code == 403
    stale = str(int(time.time()) - 3600)
    assert fake.mp_callback(url, message, timestamp=stale).status_code == 403
    # A good URL signature but ciphertext that is not ours: msg_signature cannot hold.
    assert fake.mp_callback(url, message, encrypted="bm90IG91ciBjaXBoZXJ0ZXh0").status_code == 403
    assert fake.mp_callback(url, message, safe=False).status_code == 400  # plain body while safe mode is on
    # Bodies that are no WeChat message at all.
    timestamp, nonce = str(int(time.time())), "n"
    params = {"signature": sha1_signature(MP_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    for body in [b"", b"not xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml><a>&a;</a></xml>", b"x" * 100_000]:
        assert requests.post(url, params=params, data=body, timeout=10).status_code == 400
    server.settle()
    assert server.bot.received == [] and sent_to(fake, "openid-forger") == []


def test_buttons_become_numbered_choices_and_a_number_sends_the_payload(official, fake):
    server, channel = official
    url = server.url(channel)
    fake.mp_callback(url, mp_message("openid-choice", "查订单"))
    server.settle()
    assert "回复 1 查看物流" in sent_to(fake, "openid-choice")[0]
    fake.mp_callback(url, mp_message("openid-choice", "1"))
    server.settle()
    assert server.bot.texts() == ["查订单", "/track_order"]


def test_a_long_reply_goes_out_in_pieces_wechat_accepts(official, fake):
    server, channel = official
    fake.mp_callback(server.url(channel), mp_message("openid-long", "长一点"))
    server.settle()
    pieces = sent_to(fake, "openid-long")
    assert len(pieces) == 4 and "".join(pieces) == "很长的回复。" * 400  # the fake refuses > 2048 bytes


def test_odd_input_gets_a_clear_answer(official, fake):
    server, channel = official
    url = server.url(channel)
    fake.mp_callback(url, mp_message("openid-odd", "啊" * 10_000))
    fake.mp_callback(url, mp_message("openid-odd", "😊😊😊"))
    fake.mp_callback(url, dict(mp_message("openid-odd", ""), MsgType="image", PicUrl="http://x/y.jpg"))
    server.settle()
    replies = sent_to(fake, "openid-odd")
    assert any("太长" in reply for reply in replies)
    assert "收到：😊😊😊" in replies
    assert any("文字" in reply for reply in replies)
    assert server.bot.texts() == ["😊😊😊"]


def test_a_proved_order_binds_the_user_and_later_messages_carry_the_signed_identity(official, fake):
    server, channel = official
    url = server.url(channel)
    fake.mp_callback(url, mp_message("openid-zhangsan", "绑定 2024111100001 0000"))  # wrong tail
    server.settle()
    assert "没对上" in sent_to(fake, "openid-zhangsan")[-1]
    fake.mp_callback(url, mp_message("openid-zhangsan", "绑定 2024111100001 0001"))
    server.settle()
    assert "绑定成功" in sent_to(fake, "openid-zhangsan")[-1]
    fake.mp_callback(url, mp_message("openid-zhangsan", "我的快递到哪了"))
    server.settle()
    metadata = server.bot.metadata_of("我的快递到哪了")
    assert metadata["channel"] == "wechat"
    assert verified_customer(metadata["customer_id"], metadata["identity_token"], TEST_IDENTITY_SECRET) == "C0001"
    assert "绑定" not in " ".join(server.bot.texts())  # the proof never reached the bot's transcript


def test_the_binding_outlives_a_restart_and_only_its_user_has_it(store, fake):
    with ConnectorServer([official_channel(store)]) as server:
        channel = server.channels[0]
        fake.mp_callback(server.url(channel), mp_message("openid-lisi", "绑定 2024111100005 0002"))
        server.settle()
    with ConnectorServer([official_channel(store)]) as server:  # a new process: nothing in memory
        channel = server.channels[0]
        fake.mp_callback(server.url(channel), mp_message("openid-lisi", "还在吗"))
        fake.mp_callback(server.url(channel), mp_message("openid-stranger", "我是李四"))
        server.settle()
        assert server.bot.metadata_of("还在吗")["customer_id"] == "C0002"
        assert "customer_id" not in server.bot.metadata_of("我是李四")


def test_a_channel_without_credentials_refuses_everything(store, fake):
    from kefu.channels.wechat.official import WeChatOfficialInput

    with ConnectorServer([WeChatOfficialInput("", "", "", store=store)]) as server:
        channel = server.channels[0]
        assert fake.mp_callback(server.url(channel), mp_message("openid-x", "hi")).status_code == 503
        assert requests.get(server.url(channel), params={"echostr": "x"}, timeout=10).status_code == 503


def test_a_message_that_could_not_be_taken_is_taken_on_wechats_retry(fake, tmp_path):
    from sqlalchemy import text

    from kefu.channels.wechat.store import WeChatStore
    from kefu.storage.db import make_engine

    store = WeChatStore(make_engine(f"sqlite:///{tmp_path / 'wechat.db'}"))
    with ConnectorServer([official_channel(store)]) as server:
        channel = server.channels[0]
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE wechat_users RENAME TO wechat_users_away"))  # the database fails
        message = mp_message("openid-db", "在吗", msg_id="888001")
        assert fake.mp_callback(server.url(channel), message).status_code == 503
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE wechat_users_away RENAME TO wechat_users"))
        assert fake.mp_callback(server.url(channel), message).text == "success"  # WeChat's retry
        server.settle()
        assert server.bot.texts() == ["在吗"]


def test_a_mini_program_set_to_json_is_understood_too(official, fake):
    server, channel = official
    url = server.url(channel)
    assert fake.mp_callback(url, mp_message("openid-mini", "小程序里问一下"), json_format=True).text == "success"
    assert fake.mp_callback(url, mp_message("openid-mini", "x"), json_format=True, signature="0" * 40).status_code == 403
    timestamp, nonce = str(int(time.time())), "n"
    params = {"signature": sha1_signature(MP_TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    for body in [b"{not json", b'["a list"]']:
        assert requests.post(url, params=params, data=body, timeout=10).status_code == 400
    server.settle()
    assert server.bot.texts() == ["小程序里问一下"]
    assert sent_to(fake, "openid-mini") == ["收到：小程序里问一下"]


def test_an_agents_reply_after_48_hours_waits_and_the_agent_is_told(official, fake):
    import uuid

    import pytest

    from kefu.channels.wechat.connector import Undeliverable
    from kefu.handoff.agents import create_agent
    from kefu.handoff.delivery import deliver_pending, live_sender
    from kefu.handoff.service import handoff_service

    server, channel = official
    openid = f"openid-{uuid.uuid4().hex[:8]}"
    fake.mp_callback(server.url(channel), mp_message(openid, "转人工"))
    server.settle()
    sender_id = channel.sender_id(openid)
    service = handoff_service()
    case = service.open_case_of(sender_id)
    username = f"mp{uuid.uuid4().hex[:6]}"
    create_agent(service.engine, username, "小美", "password-123")
    service.claim(case.id, username)
    service.agent_reply(case.id, username, "亲，让您久等了")
    fake.state.mp_last_message[openid] = time.time() - 49 * 3600  # the user's last word is two days old
    with pytest.raises(Undeliverable):
        server.run(deliver_pending(service, sender_id, live_sender("wechat", sender_id)))
    assert [m.text for m in service.undelivered_agent_messages(sender_id)] == ["亲，让您久等了"]
    assert any("48 小时" in m.text for m in service.messages(case.id) if m.direction == "system")
    fake.mp_callback(server.url(channel), mp_message(openid, "还有人吗"))  # a new message opens it again
    server.settle()
    assert server.run(deliver_pending(service, sender_id, live_sender("wechat", sender_id))) == 1
    assert sent_to(fake, openid)[-1] == "亲，让您久等了"
