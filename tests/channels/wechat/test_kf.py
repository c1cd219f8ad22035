"""The WeChat Customer Service (WeCom kf) channel against the fake WeChat: the callback only signals,
kf/sync_msg from a cursor that survives a restart, kf/send_msg within the 48-hour / 5-message window,
forgeries refused, the token renewed, and a case handed to WeChat's own agents."""

import time
import uuid

import pytest
import requests

from kefu.channels.wechat.kf import WindowClosed
from kefu.channels.wechat.store import WINDOW_CLOSED, WINDOW_EXHAUSTED
from kefu.handoff.agents import create_agent
from kefu.handoff.delivery import deliver_pending, live_sender
from kefu.handoff.service import handoff_service
from tests.channels.wechat.conftest import kf_channel
from tests.channels.wechat.fake_wechat import CORP_ID, OPEN_KFID
from tests.channels.wechat.support import ConnectorServer


def user() -> str:
    return f"wm{uuid.uuid4().hex[:12]}"


def sent_to(fake, external_userid):
    return [sent["text"]["content"] for sent in fake.state.kf_sent if sent["touser"] == external_userid]


def signal(fake, server, channel):
    """WeCom's callback, answered; then the sync it started is waited for."""
    answer = fake.kf_callback(server.url(channel))
    assert (answer.status_code, answer.text) == (200, "success")
    server.settle()


def test_the_url_verification_answers_the_decrypted_echostr_only_when_signed(kf, fake):
    server, channel = kf
    sealed = fake.kf_crypto.encrypt("8537290187460329147")
    params = {"msg_signature": sealed.msg_signature, "timestamp": sealed.timestamp, "nonce": sealed.nonce,
              "echostr": sealed.encrypted}
    assert requests.get(server.url(channel), params=params, timeout=10).text == "8537290187460329147"
    params["msg_signature"] = "f" * 40
    assert requests.get(server.url(channel), params=params, timeout=10).status_code == 403


def test_a_signal_syncs_the_messages_and_the_answers_go_out_by_send_msg(kf, fake):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "在吗")
    signal(fake, server, channel)
    assert sent_to(fake, customer) == ["收到：在吗"]
    assert fake.state.kf_sent[-1]["open_kfid"] == OPEN_KFID
    assert fake.state.sync_calls[-1]["token"]  # the callback's Token goes with the sync
    metadata = server.bot.metadata_of("在吗")
    assert metadata["channel"] == "wechat" and "customer_id" not in metadata


def test_the_cursor_survives_a_restart_so_nothing_is_lost_or_replayed(store, fake):
    first, second = user(), user()
    with ConnectorServer([kf_channel(store)]) as server:
        fake.kf_user_writes(first, "第一句")
        signal(fake, server, server.channels[0])
        assert server.bot.texts() == ["第一句"]
    fake.kf_user_writes(second, "停机时发的")  # written while the server was down
    fake.state.page_size = 2
    for number in range(3):
        fake.kf_user_writes(second, f"第{number}页")
    with ConnectorServer([kf_channel(store)]) as server:  # nothing in memory: the cursor is in the database
        signal(fake, server, server.channels[0])
        assert server.bot.texts() == ["停机时发的", "第0页", "第1页", "第2页"]
    cursor = store.cursor(OPEN_KFID)
    store.save_cursor(OPEN_KFID, str(int(cursor) - 3))  # as if a crash had lost the last pages' cursor
    with ConnectorServer([kf_channel(store)]) as server:
        signal(fake, server, server.channels[0])
        assert server.bot.texts() == []  # the message ids were seen: no replay
    assert sent_to(fake, first) == ["收到：第一句"]


def test_forged_signatures_and_bad_ciphertext_are_refused_and_nothing_is_synced(kf, fake):
    server, channel = kf
    url = server.url(channel)
    assert fake.kf_callback(url, msg_signature="0" * 40).status_code == 403
    sealed = fake.kf_crypto.encrypt("<xml/>")
    garbage = "QUJD" * 8  # base64, whole blocks, not our ciphertext
    from kefu.channels.wechat.crypto import sha1_signature
    from tests.channels.wechat.fake_wechat import KF_TOKEN
    signature = sha1_signature(KF_TOKEN, sealed.timestamp, sealed.nonce, garbage)
    answer = requests.post(url, params={"msg_signature": signature, "timestamp": sealed.timestamp,
                                        "nonce": sealed.nonce},
                           data=f"<xml><ToUserName>{CORP_ID}</ToUserName><Encrypt>{garbage}</Encrypt></xml>",
                           timeout=10)
    assert answer.status_code == 400
    assert requests.post(url, data=b"x" * 200_000, timeout=10).status_code == 400
    server.settle()
    assert fake.state.sync_calls == [] and server.bot.received == []


def test_nothing_goes_out_once_48_hours_have_passed(kf, fake, store):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "两天前的消息", send_time=time.time() - 49 * 3600)
    signal(fake, server, channel)
    assert server.bot.texts() == ["两天前的消息"]  # read and handled…
    assert sent_to(fake, customer) == []  # …but WeChat no longer allows an answer
    sender_id = channel.sender_id(OPEN_KFID, customer)
    assert channel.window_of(sender_id).state == WINDOW_CLOSED


def test_at_most_five_messages_follow_one_user_message_and_the_agent_sees_the_window_exhausted(kf, fake, store):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "好几条")
    signal(fake, server, channel)
    assert len(sent_to(fake, customer)) == 5  # seven long replies, no two fit in one message
    sender_id = channel.sender_id(OPEN_KFID, customer)
    assert store.user(sender_id).window_state == WINDOW_EXHAUSTED
    send = live_sender(channel.name(), sender_id)
    with pytest.raises(WindowClosed):
        server.run(send([{"text": "客服：您好"}]))
    assert len(sent_to(fake, customer)) == 5


def test_an_agents_reply_goes_out_through_send_msg_and_waits_when_the_window_is_closed(kf, fake):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "转人工")
    signal(fake, server, channel)
    sender_id = channel.sender_id(OPEN_KFID, customer)
    service = handoff_service()
    case = service.open_case_of(sender_id)
    username = f"kf{uuid.uuid4().hex[:6]}"
    create_agent(service.engine, username, "小美", "password-123")
    assert service.claim(case.id, username)
    service.agent_reply(case.id, username, "亲，我是小美")
    send = live_sender(channel.name(), sender_id)  # what the workspace uses for this channel
    assert server.run(deliver_pending(service, sender_id, send)) == 1
    assert sent_to(fake, customer)[-1] == "亲，我是小美"
    service.agent_reply(case.id, username, "还在吗")
    store = channel.store
    store.user_wrote(sender_id, time.time() - 49 * 3600)  # the user's last word is now too old
    with pytest.raises(WindowClosed):
        server.run(deliver_pending(service, sender_id, send))
    assert [message.text for message in service.undelivered_agent_messages(sender_id)] == ["还在吗"]
    notes = [m.text for m in service.messages(case.id) if m.direction == "system" and "48 小时" in m.text]
    assert len(notes) == 1  # the agent is told, once
    with pytest.raises(WindowClosed):
        server.run(deliver_pending(service, sender_id, send))
    assert len([m for m in service.messages(case.id) if "48 小时" in m.text]) == 1
    fake.kf_user_writes(customer, "我回来了")  # a new window: what waited goes out with the next answer
    signal(fake, server, channel)
    assert server.run(deliver_pending(service, sender_id, send)) == 1
    assert sent_to(fake, customer)[-1] == "还在吗"


def test_an_expired_token_is_renewed_without_losing_the_answer(kf, fake):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "你好")
    signal(fake, server, channel)
    fake.expire_all_tokens()
    fake.kf_user_writes(customer, "还在吗")
    signal(fake, server, channel)
    assert sent_to(fake, customer) == ["收到：你好", "收到：还在吗"]
    assert fake.state.token_fetches.get(CORP_ID) == 1


def test_a_case_is_handed_to_wechats_own_agents_once(store, fake):
    with ConnectorServer([kf_channel(store, handoff="wechat")]) as server:
        channel = server.channels[0]
        customer = user()
        fake.kf_user_writes(customer, "转人工")
        signal(fake, server, channel)
        fake.kf_user_writes(customer, "快点")
        signal(fake, server, channel)
        transfers = [t for t in fake.state.transfers if t["external_userid"] == customer]
        assert transfers == [{"open_kfid": OPEN_KFID, "external_userid": customer, "service_state": 2}]
        sender_id = channel.sender_id(OPEN_KFID, customer)
        case = handoff_service().open_case_of(sender_id)
        assert any("企业微信" in m.text for m in handoff_service().messages(case.id))  # the agents are told
        fake.kf_session_ends(customer)  # WeChat's agent ends the session: the bot takes over again
        signal(fake, server, channel)
        assert handoff_service().open_case_of(sender_id) is None
        assert store.user(sender_id).transferred_case_id is None
    with ConnectorServer([kf_channel(store, handoff="wechat", servicer="zhangxiaomei")]) as server:
        channel = server.channels[0]
        customer = user()
        fake.kf_user_writes(customer, "转人工")
        signal(fake, server, channel)
        transfer = [t for t in fake.state.transfers if t["external_userid"] == customer][0]
        assert (transfer["service_state"], transfer["servicer_userid"]) == (3, "zhangxiaomei")


def test_with_the_workspace_handling_handoffs_nothing_is_transferred(kf, fake):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "转人工")
    signal(fake, server, channel)
    assert [t for t in fake.state.transfers if t["external_userid"] == customer] == []


def test_a_user_opening_the_chat_is_welcomed_by_the_bot_once(kf, fake):
    server, channel = kf
    customer = user()
    code = fake.kf_user_opens_chat(customer)
    signal(fake, server, channel)
    signal(fake, server, channel)  # another signal: the event is not taken twice
    welcomes = [w for w in fake.state.welcomes if w["code"] == code]
    assert [w["text"]["content"] for w in welcomes] == ["收到：/greet"]
    assert server.bot.texts() == ["/greet"]
    assert sent_to(fake, customer) == []  # the welcome does not use the window's messages


def test_a_sync_wechat_refuses_is_made_up_for_by_the_next_signal(kf, fake):
    server, channel = kf
    customer = user()
    fake.kf_user_writes(customer, "第一次没同步到")
    fake.state.failing_syncs = 1
    signal(fake, server, channel)
    assert server.bot.received == []
    signal(fake, server, channel)
    assert server.bot.texts() == ["第一次没同步到"]
    assert sent_to(fake, customer) == ["收到：第一次没同步到"]
