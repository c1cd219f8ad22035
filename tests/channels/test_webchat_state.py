"""What a web chat message carries and where a shopper's handoff stands as the widget shows it
(kefu/channels/webchat.py), on a real SQLite handoff database."""

import pytest

from kefu.channels.webchat import handoff_state, web_metadata
from kefu.handoff.agents import create_agent
from kefu.handoff.service import handoff_service
from kefu.handoff.triggers import decide_handoff


@pytest.fixture
def service(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("HANDOFF_HOURS", "00:00-24:00")
    running = handoff_service()
    create_agent(running.engine, "xiaomei", "小美", "password-123")
    return running


def open_case(service, sender_id):
    return service.open_case(sender_id, decide_handoff("request_human", "转人工"), channel="web").case


def test_only_the_channel_the_identity_the_page_vouched_for_and_the_ids_survive():
    sent = {"channel": "wechat", "customer_id": "C0001", "identity_token": "C0001.9.abc", "kefu_client": {"ip": "1.2.3.4"},
            "display_text": "  查物流 ", "member_level": "gold"}
    assert web_metadata(sent, "m1") == {"channel": "web", "customer_id": "C0001", "identity_token": "C0001.9.abc",
                                        "display_text": "查物流", "client_message_id": "m1"}
    assert web_metadata('{"customer_id": "C0001"}', None) == {"channel": "web"}, "no id without its token"
    assert web_metadata("not json", None) == {"channel": "web"}
    assert web_metadata(["a"], None) == {"channel": "web"}
    assert web_metadata({"display_text": "长" * 500}, None)["display_text"] == "长" * 100


def test_the_queue_the_agent_and_the_bot_again(service):
    first = open_case(service, "ahead-of-me")
    mine = open_case(service, "me")
    state = handoff_state("me", {})
    assert state == {"state": "queued", "case_id": mine.id, "ahead": 1,
                     "text": "排队中，前面还有 1 位，客服马上就来，请您稍等哦～"}

    service.claim(first.id, "xiaomei")
    service.close(first.id, "xiaomei")
    assert handoff_state("me", state)["ahead"] == 0
    assert handoff_state("me", state)["text"] == "排队中，下一位就是您啦，请稍等哦～"

    service.claim(mine.id, "xiaomei")
    serving = handoff_state("me", state)
    assert serving == {"state": "serving", "case_id": mine.id, "agent": "小美", "text": "客服 小美 为您服务"}

    service.close(mine.id, "xiaomei")
    back = handoff_state("me", serving)
    assert back == {"state": "bot", "closed_case_id": mine.id, "text": "人工客服已结束本次服务，小蜜蜂继续为您服务哦～"}
    assert handoff_state("me", back) == back, "the same state: nothing new to tell"
    assert handoff_state("me", {}) == {"state": "bot"}, "a new connection is not asked to rate an old case"
