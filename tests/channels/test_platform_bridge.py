"""kefu/channels/platform_bridge.py on a real Sanic server and a real SQLite database: a signed call
answered (in the response or at a real callback server), replayed, stale, forged, unsigned or oversized
calls refused, bound buyers known and unknown ones anonymous, the handoff relay as on the REST
channel, and a message sent again (a plug-in's retry) answered with the first call's replies, the bot
hearing it once. The live version against a real assistant is test_platform_bridge_live.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
import requests

from kefu.channels import platform_bridge
from kefu.channels.platform_signing import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Verdict,
    check_signature,
    signed_headers,
)
from kefu.handoff.agents import create_agent
from kefu.handoff.service import handoff_service
from kefu.handoff.triggers import decide_handoff
from kefu.security.client import CLIENT_METADATA_KEY
from kefu.security.identity import verified_customer
from tests.channels.platform_support import (
    MAX_BODY,
    SECRETS,
    RecordingAgent,
    bridge_settings,
    callback_receiver,
    running_bridge,
)
from tests.channels.support import wait_for
from tests.logged_in import TEST_IDENTITY_SECRET


@pytest.fixture
def database(tmp_path, monkeypatch):
    """The assistant's own database for this test (handoff tables, nonces, bindings)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    return handoff_service()


@pytest.fixture
def bridge(database):
    with running_bridge(bridge_settings(PLATFORM_BRIDGE_CALLBACK_HOSTS="127.0.0.1")) as running:
        yield running


def said(bridge):
    return [message.text for message in bridge.agent.processor.messages]


def test_a_signed_call_is_answered_with_the_bots_replies(bridge):
    answer = bridge.post("taobao", {"buyer_id": "tb_小鱼", "message": "你好", "message_id": "m-1"})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sender"] == "taobao:tb_小鱼" and body["in_reply_to"] == "m-1"
    assert [reply["text"] for reply in body["replies"]] == ["bot: 你好"]
    [message] = bridge.agent.processor.messages
    assert message.sender_id == "taobao:tb_小鱼" and message.input_channel == "taobao"
    assert message.metadata["channel"] == "taobao"
    assert message.metadata["platform"]["buyer_id"] == "tb_小鱼"
    assert message.metadata[CLIENT_METADATA_KEY] == {"ip": "", "channel": "taobao"}


def test_each_platform_reads_its_own_order_numbers_and_product_links(bridge):
    bridge.post("jd", {"buyer_id": "jd_pin_1", "message": "订单 290811234567 还没到，看的是 https://item.jd.com/100012043978.html"})
    bridge.post("taobao", {"buyer_id": "tb1", "message": "3712345678901234567 https://detail.tmall.com/item.htm?spm=a&id=641234567890"})

    bridge.post("pdd", {"buyer_id": "pdd_uid_1", "message": "241111-123456789012345 到哪了 mobile.yangkeduo.com/goods.html?goods_id=123456"})

    jd, taobao, pdd = (message.metadata["platform"] for message in bridge.agent.processor.messages)
    assert (jd["order_ids"], jd["item_ids"]) == (["290811234567"], ["100012043978"])
    assert (taobao["order_ids"], taobao["item_ids"]) == (["3712345678901234567"], ["641234567890"])
    assert (pdd["name"], pdd["order_ids"], pdd["item_ids"]) == ("pdd", ["241111-123456789012345"], ["123456"])


def test_a_replayed_call_is_refused_and_the_bot_hears_the_message_once(bridge):
    body = json.dumps({"buyer_id": "tb1", "message": "在吗"}).encode()
    headers = signed_headers(SECRETS["taobao"], body)
    first = bridge.post("taobao", body=body, headers=headers)
    again = bridge.post("taobao", body=body, headers=headers)

    assert first.status_code == 200
    assert (again.status_code, again.json()["error"]) == (409, Verdict.REPLAYED.error)
    assert said(bridge) == ["在吗"]


def test_a_nonce_is_remembered_for_every_replica(database):
    """Two bridges on one database, as two Rasa replicas: a call replayed to the other one is refused."""
    body = json.dumps({"buyer_id": "tb1", "message": "在吗"}).encode()
    headers = signed_headers(SECRETS["taobao"], body)
    with running_bridge(bridge_settings()) as one, running_bridge(bridge_settings()) as other:
        assert one.post("taobao", body=body, headers=headers).status_code == 200
        assert other.post("taobao", body=body, headers=headers).status_code == 409
    assert said(other) == []


@pytest.mark.parametrize("skew", [-301, 301], ids=["old", "future"])
def test_a_call_outside_the_window_is_refused(bridge, skew):
    answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "你好"}, timestamp=int(time.time()) + skew)

    assert (answer.status_code, answer.json()["error"]) == (401, Verdict.STALE.error)
    assert said(bridge) == []


def test_a_call_just_inside_the_window_is_answered(bridge):
    answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "你好"}, timestamp=int(time.time()) - 290)
    assert answer.status_code == 200


def test_forged_and_unsigned_calls_are_refused(bridge):
    body = json.dumps({"buyer_id": "tb1", "message": "你好"}).encode()
    signed = signed_headers(SECRETS["taobao"], body)
    tampered = json.dumps({"buyer_id": "tb2", "message": "你好"}).encode()
    cases = {
        "wrong secret": (body, signed_headers("guessed", body), Verdict.FORGED),
        "another platform's secret": (body, signed_headers(SECRETS["jd"], body), Verdict.FORGED),
        "body changed after signing": (tampered, signed, Verdict.FORGED),
        "nonce changed after signing": (body, {**signed, NONCE_HEADER: "another-nonce-0123456789"}, Verdict.FORGED),
        "unsigned": (body, {}, Verdict.UNSIGNED),
        "no signature": (body, {k: v for k, v in signed.items() if k != SIGNATURE_HEADER}, Verdict.UNSIGNED),
        "signature not hex": (body, {**signed, SIGNATURE_HEADER: "z" * 64}, Verdict.MALFORMED),
        "timestamp not a number": (body, {**signed, TIMESTAMP_HEADER: "yesterday"}, Verdict.MALFORMED),
        "nonce too short": (body, {**signed, NONCE_HEADER: "abc"}, Verdict.MALFORMED),
    }
    for name, (sent, headers, verdict) in cases.items():
        answer = bridge.post("taobao", body=sent, headers=headers)
        assert (answer.status_code, answer.json()["error"]) == (verdict.status, verdict.error), name
    assert said(bridge) == []


def test_an_oversized_body_is_refused_before_it_is_read(bridge):
    big = {"buyer_id": "tb1", "message": "啊" * MAX_BODY}
    answer = bridge.post("taobao", big)
    assert (answer.status_code, answer.json()["error"]) == (413, "body_too_large")

    def chunks():  # no Content-Length: the bridge counts what it reads
        for _ in range(8):
            yield b"x" * 1024

    streamed = requests.post(f"{bridge.url}/taobao", data=chunks(), timeout=30)
    assert (streamed.status_code, streamed.json()["error"]) == (413, "body_too_large")
    assert said(bridge) == []


def test_unknown_and_unconfigured_platforms_are_refused(bridge):
    assert bridge.post("amazon", {"buyer_id": "b", "message": "hi"}).status_code == 404
    unconfigured = bridge.post("douyin", {"buyer_id": "b", "message": "你好"}, secret="anything")
    assert (unconfigured.status_code, unconfigured.json()["error"]) == (403, "platform_not_configured")


@pytest.mark.parametrize("payload, error", [
    (None, "bad_json"),
    ([1, 2], "bad_json"),
    ({"message": "你好"}, "bad_buyer_id"),
    ({"buyer_id": "", "message": "你好"}, "bad_buyer_id"),
    ({"buyer_id": "a:b", "message": "你好"}, "bad_buyer_id"),
    ({"buyer_id": "b" * 129, "message": "你好"}, "bad_buyer_id"),
    ({"buyer_id": "tb1"}, "bad_message"),
    ({"buyer_id": "tb1", "message": 42}, "bad_message"),
    ({"buyer_id": "tb1", "message": "   "}, "empty_message"),
    ({"buyer_id": "tb1", "message": "hi", "message_id": {"a": 1}}, "bad_message_id"),
    ({"buyer_id": "tb1", "message": "hi", "callback_url": "http://169.254.169.254/latest"}, "callback_not_allowed"),
], ids=["not-json", "array", "no-buyer", "empty-buyer", "colon", "long-buyer", "no-message", "number",
        "blank", "bad-message-id", "ssrf"])
def test_a_bad_call_gets_a_clear_answer(bridge, payload, error):
    body = b"{not json" if payload is None else None
    answer = bridge.post("taobao", payload, body=body)
    assert (answer.status_code, answer.json()["error"]) == (400, error)
    assert said(bridge) == []


def test_long_emoji_and_flooding_messages_are_answered_as_on_the_rest_channel(bridge):
    too_long = bridge.post("taobao", {"buyer_id": "tb1", "message": "a" * 1500})
    assert too_long.status_code == 200 and too_long.json()["refused"] == "too_long"
    assert too_long.json()["replies"][0]["text"]  # the shop's notice, worded in its persona

    emoji = bridge.post("taobao", {"buyer_id": "tb2", "message": "😭😭😭"})
    assert [r["text"] for r in emoji.json()["replies"]] == ["bot: 😭😭😭"]

    answers = [bridge.post("taobao", {"buyer_id": "tb3", "message": f"第{n}条"}).status_code for n in range(22)]
    assert answers.count(429) >= 1 and answers[0] == 200
    assert "a" * 1500 not in said(bridge)


def test_a_bound_buyer_is_the_shop_customer_and_an_unknown_buyer_is_anonymous(bridge):
    bound = bridge.post("taobao/bindings", {"buyer_id": "tb_zhangsan", "customer_id": "C0001"})
    assert bound.status_code == 200, bound.text

    bridge.post("taobao", {"buyer_id": "tb_zhangsan", "message": "我的快递到哪了"})
    # A plug-in (or anyone who got hold of a secret) cannot name a customer in the message itself.
    bridge.post("taobao", {"buyer_id": "tb_stranger", "message": "我的快递到哪了",
                           "metadata": {"customer_id": "C0001", "identity_token": "C0001.9999999999.x",
                                        "channel": "web", "shop": "旗舰店"}})
    # The same nick on another platform is somebody else.
    bridge.post("jd", {"buyer_id": "tb_zhangsan", "message": "我的快递到哪了"})

    known, stranger, other_platform = (m.metadata for m in bridge.agent.processor.messages)
    assert verified_customer(known["customer_id"], known["identity_token"], TEST_IDENTITY_SECRET) == "C0001"
    assert "customer_id" not in stranger and "identity_token" not in stranger
    assert stranger["channel"] == "taobao" and stranger["shop"] == "旗舰店"
    assert "customer_id" not in other_platform

    unbound = bridge.post("taobao/bindings", {"buyer_id": "tb_zhangsan", "customer_id": None})
    assert unbound.status_code == 200
    bridge.post("taobao", {"buyer_id": "tb_zhangsan", "message": "在吗"})
    assert "customer_id" not in bridge.agent.processor.messages[-1].metadata


def test_a_bound_item_link_names_the_shop_product(bridge):
    assert bridge.post("taobao/bindings", {"item_id": "641234567890", "product_id": "P1001"}).status_code == 200
    bridge.post("taobao", {"buyer_id": "tb1", "message": "https://item.taobao.com/item.htm?id=641234567890 有M码吗"})
    assert bridge.agent.processor.messages[-1].metadata["platform"]["products"] == {"641234567890": "P1001"}


def test_a_binding_call_must_be_signed_and_complete(bridge):
    assert bridge.post("taobao/bindings", {"buyer_id": "tb1", "customer_id": "C0001"}, secret="guessed").status_code == 401
    assert bridge.post("taobao/bindings", {"buyer_id": "tb1"}).json()["error"] == "bad_binding"
    assert bridge.post("taobao/bindings", {"customer_id": "C0001"}).json()["error"] == "bad_binding"


def test_replies_go_to_an_allow_listed_callback_signed(bridge):
    with callback_receiver() as receiver:
        answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "你好", "message_id": "m-7",
                                        "callback_url": receiver.url()})
        assert answer.status_code == 202 and answer.json()["accepted"] is True
        [call] = wait_for(lambda: receiver.received, message="the callback")

    assert call.path == "/kefu-replies"
    assert check_signature(SECRETS["taobao"], call.headers, call.body, 300) is Verdict.OK
    payload = call.json()
    assert (payload["platform"], payload["buyer_id"], payload["in_reply_to"]) == ("taobao", "tb1", "m-7")
    assert [reply["text"] for reply in payload["replies"]] == ["bot: 你好"]


def test_a_failing_callback_is_tried_again(bridge):
    with callback_receiver(500) as receiver:
        bridge.post("taobao", {"buyer_id": "tb1", "message": "你好", "callback_url": receiver.url()})
        calls = wait_for(lambda: len(receiver.received) >= 2 and receiver.received, message="the retry")
    first, second = calls[:2]
    assert first.body == second.body
    assert first.headers[NONCE_HEADER] != second.headers[NONCE_HEADER]


def test_callbacks_go_only_to_allow_listed_hosts(database):
    with running_bridge(bridge_settings()) as bridge, callback_receiver() as receiver:  # no allow-list
        answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "你好", "callback_url": receiver.url()})
        assert (answer.status_code, answer.json()["error"]) == (400, "callback_not_allowed")
    with running_bridge(bridge_settings(PLATFORM_BRIDGE_CALLBACK_HOSTS="plugin.example.com")) as bridge:
        for url in ("http://127.0.0.1:9/x", "http://plugin.example.com@127.0.0.1/x", "file:///etc/passwd",
                    "http://user:pw@plugin.example.com/x", "gopher://plugin.example.com/x"):
            answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "你好", "callback_url": url})
            assert answer.status_code == 400, url
    assert receiver.received == []


def test_while_a_case_is_open_the_agent_has_the_buyer(bridge, database):
    create_agent(database.engine, "agent", "演示客服", "agent-password")
    case = database.open_case("taobao:tb1", decide_handoff("request_human", "转人工"), channel="taobao").case

    quiet = bridge.post("taobao", {"buyer_id": "tb1", "message": "人呢"})
    assert quiet.status_code == 200 and quiet.json()["replies"] == []
    assert [m.text for m in database.messages(case.id)] == ["人呢"]

    database.claim(case.id, "agent")
    database.agent_reply(case.id, "agent", "亲，我来帮您看看")
    waiting = bridge.post("taobao/messages", {"buyer_id": "tb1"})
    assert [r["text"] for r in waiting.json()["replies"]] == ["亲，我来帮您看看"]
    assert bridge.post("taobao/messages", {"buyer_id": "tb1"}).json()["replies"] == []
    assert said(bridge) == []


def test_the_bridge_says_which_platforms_it_serves(bridge):
    assert requests.get(f"{bridge.url}/", timeout=10).json() == {"status": "ok", "platforms": ["taobao", "jd", "pdd", "douyin"]}


def test_the_docs_openssl_recipe_signs_as_the_bridge_checks(bridge):
    """docs/channels/platforms.md's curl/openssl example, run by a shell: the bridge answers it."""
    if shutil.which("openssl") is None or shutil.which("curl") is None:
        pytest.skip("openssl or curl is not installed")
    script = """
    BODY='{"buyer_id":"tb_小鱼儿","message":"我的快递到哪了"}'
    TS=$(date +%s); NONCE=$(openssl rand -hex 16)
    SIG=$(printf '%s\\n%s\\n%s' "$TS" "$NONCE" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
    curl -s "$URL" -H 'Content-Type: application/json' \\
         -H "X-Kefu-Timestamp: $TS" -H "X-Kefu-Nonce: $NONCE" -H "X-Kefu-Signature: $SIG" --data-binary "$BODY"
    """
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "SECRET": SECRETS["taobao"], "URL": f"{bridge.url}/taobao"})
    assert json.loads(done.stdout)["replies"][0]["text"] == "bot: 我的快递到哪了"


def test_an_agents_reply_is_pushed_to_the_buyers_callback_and_retried_until_taken(database):
    create_agent(database.engine, "agent", "演示客服", "agent-password")
    case = database.open_case("taobao:tb1", decide_handoff("request_human", "转人工"), channel="taobao").case
    database.claim(case.id, "agent")
    settings = bridge_settings(PLATFORM_BRIDGE_CALLBACK_HOSTS="127.0.0.1", HANDOFF_SOCKET_POLL_SECONDS="0.2")
    with running_bridge(settings) as bridge, callback_receiver(200, 503) as receiver:
        answer = bridge.post("taobao", {"buyer_id": "tb1", "message": "人呢", "callback_url": receiver.url()})
        assert answer.status_code == 202
        wait_for(lambda: receiver.received, message="the (empty) answer to the buyer's message")

        database.agent_reply(case.id, "agent", "亲，我来帮您看看")

        def pushed():
            return [call for call in receiver.received if call.json()["replies"]]

        refused, taken = wait_for(lambda: len(pushed()) >= 2 and pushed(), message="the agent's reply, pushed twice")
    assert receiver.received[0].json()["replies"] == []  # the bot stays quiet while the agent has the buyer
    assert [r["text"] for r in taken.json()["replies"]] == ["亲，我来帮您看看"]
    assert check_signature(SECRETS["taobao"], taken.headers, taken.body, 300) is Verdict.OK
    assert all(m.delivered_at is not None for m in database.messages(case.id) if m.direction == "agent")


def test_the_platform_secrets_stay_out_of_the_settings_repr():
    assert SECRETS["taobao"] not in repr(bridge_settings())


def test_an_empty_body_and_a_ten_thousand_character_message_get_clear_answers(database):
    with running_bridge(bridge_settings(PLATFORM_BRIDGE_MAX_BODY="65536")) as bridge:
        empty = bridge.post("taobao", body=b"")
        assert (empty.status_code, empty.json()["error"]) == (400, "bad_json")

        wall = bridge.post("taobao", {"buyer_id": "tb1", "message": "亲" * 10_000})  # 30 KB: within the body limit
        assert wall.status_code == 200 and wall.json()["refused"] == "too_long"
        assert said(bridge) == []


# --- a message sent again ------------------------------------------------------------------------------------


def test_a_message_sent_again_gets_the_first_answer_and_the_bot_hears_it_once(bridge):
    message = {"buyer_id": "tb1", "message": "在吗", "message_id": "m-1"}
    first = bridge.post("taobao", message)
    again = bridge.post("taobao", message)  # a new nonce and timestamp: no replay, the same message

    assert first.status_code == again.status_code == 200
    assert "duplicate" not in first.json()
    assert again.json() == {**first.json(), "duplicate": True}
    assert said(bridge) == ["在吗"]

    assert bridge.post("taobao", {**message, "buyer_id": "tb2"}).json()["replies"]  # another buyer's m-1
    assert bridge.post("jd", message).json()["replies"]  # another platform's
    assert bridge.post("taobao", {**message, "message_id": "m-2"}).json()["replies"]
    assert said(bridge) == ["在吗"] * 4


def test_a_message_without_an_id_is_always_a_new_one(bridge):
    bridge.post("taobao", {"buyer_id": "tb1", "message": "在吗"})
    bridge.post("taobao", {"buyer_id": "tb1", "message": "在吗"})
    assert said(bridge) == ["在吗", "在吗"]


def test_a_plug_in_that_hung_up_gets_the_replies_when_it_sends_the_message_again(database):
    message = {"buyer_id": "tb1", "message": "我的快递到哪了", "message_id": "m-1"}
    with running_bridge(bridge_settings(), RecordingAgent(seconds=1.5)) as bridge:
        with pytest.raises(requests.exceptions.ReadTimeout):
            bridge.post("taobao", message, timeout=0.3)  # the plug-in's timeout: it hangs up
        again = bridge.post("taobao", message)  # while the first is still being answered

        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert [reply["text"] for reply in again.json()["replies"]] == ["bot: 我的快递到哪了"]
        assert said(bridge) == ["我的快递到哪了"]
        assert bridge.post("taobao", message).json()["replies"] == again.json()["replies"]  # and every later retry


def test_a_retry_that_waits_longer_than_the_first_answer_takes_hears_it_is_not_answered_yet(database, monkeypatch):
    monkeypatch.setattr(platform_bridge, "DUPLICATE_WAIT_SECONDS", 0.3)
    message = {"buyer_id": "tb1", "message": "在吗", "message_id": "m-1"}
    with running_bridge(bridge_settings(), RecordingAgent(seconds=2.0)) as bridge:
        with pytest.raises(requests.exceptions.ReadTimeout):
            bridge.post("taobao", message, timeout=0.2)
        pending = bridge.post("taobao", message)
        assert pending.status_code == 200
        assert pending.json()["duplicate"] is True and pending.json()["answered"] is False
        assert pending.json()["replies"] == []

        answered = wait_for(lambda: bridge.post("taobao", message).json().get("answered", True)
                            and bridge.post("taobao", message).json(), timeout=10, message="the first answer")
        assert answered["duplicate"] is True and [r["text"] for r in answered["replies"]] == ["bot: 在吗"]
        assert said(bridge) == ["在吗"]


def test_a_message_sent_again_to_another_replica_gets_the_first_answer(database):
    message = {"buyer_id": "tb1", "message": "在吗", "message_id": "m-1"}
    with running_bridge(bridge_settings()) as one, running_bridge(bridge_settings()) as other:
        first = one.post("taobao", message).json()
        again = other.post("taobao", message).json()
    assert again == {**first, "duplicate": True}
    assert said(other) == []


def test_a_refused_message_is_a_new_one_when_sent_again(bridge):
    message = {"buyer_id": "tb1", "message": "a" * 1500, "message_id": "m-1"}
    assert bridge.post("taobao", message).json()["refused"] == "too_long"
    again = bridge.post("taobao", message).json()
    assert again["refused"] == "too_long" and "duplicate" not in again  # screened again, not remembered

    short = bridge.post("taobao", {**message, "message": "在吗"}).json()
    assert "duplicate" not in short and said(bridge) == ["在吗"]


def test_a_message_that_failed_inside_the_assistant_is_a_new_one_when_sent_again(database):
    message = {"buyer_id": "tb1", "message": "在吗", "message_id": "m-1"}
    with running_bridge(bridge_settings(), RecordingAgent(failures=1)) as bridge:
        assert bridge.post("taobao", message).status_code == 500
        again = bridge.post("taobao", message)
        assert again.status_code == 200 and "duplicate" not in again.json()
        assert [reply["text"] for reply in again.json()["replies"]] == ["bot: 在吗"]


def test_a_callback_message_sent_again_is_answered_once_at_the_callback_and_in_the_response(bridge):
    with callback_receiver() as receiver:
        message = {"buyer_id": "tb1", "message": "你好", "message_id": "m-7", "callback_url": receiver.url()}
        assert bridge.post("taobao", message).status_code == 202
        [call] = wait_for(lambda: receiver.received, message="the callback")
        again = wait_for(lambda: (answer := bridge.post("taobao", message).json()).get("replies") and answer,
                         message="the kept replies")
        time.sleep(0.5)
        assert len(receiver.received) == 1
    assert again["duplicate"] is True and again["replies"] == call.json()["replies"]
    assert said(bridge) == ["你好"]
