"""The messages of a case on real databases: what the shopper says while it is open, the agents' replies
and their delivery state."""

from __future__ import annotations

import pytest

from kefu.handoff.case_store import CaseNotOpen, NotYourCase
from kefu.handoff.triggers import decide_handoff
from tests.handoff.conftest import REQUEST, open_for

UNKNOWN = decide_handoff("ask_product_info", "能进烤箱吗", knowledge_unknown=True)


def test_messages_sent_while_waiting_are_kept_for_the_agent(service, clock, agents):
    case = open_for(service, "shopper-1")
    first = service.add_shopper_message("shopper-1", "人呢")
    clock.advance(seconds=5)
    service.add_shopper_message("shopper-1", "订单号2024111100001")
    assert service.claim(case.id, "mei")
    service.add_shopper_message("shopper-1", "你好")
    shopper_lines = [m.text for m in service.messages(case.id) if m.direction == "shopper"]
    assert shopper_lines == ["人呢", "订单号2024111100001", "你好"]
    assert [m.text for m in service.messages(case.id, since=first.id) if m.direction == "shopper"] == [
        "订单号2024111100001", "你好",
    ]


def test_without_an_open_case_a_message_is_the_bots(service, agents):
    assert service.add_shopper_message("nobody", "在吗") is None
    case = open_for(service, "shopper-1")
    service.close(case.id, "mei")
    assert service.add_shopper_message("shopper-1", "还有个问题") is None


def test_an_angry_message_while_waiting_moves_the_case_up(service):
    case = open_for(service, "shopper-1", UNKNOWN)
    service.add_shopper_message("shopper-1", "怎么还没人理我")
    assert service.get(case.id).priority == 4
    service.add_shopper_message("shopper-1", "气死了，到底有没有人管！！！")
    escalated = service.get(case.id)
    assert (escalated.reason, escalated.priority) == ("angry", 1)


def test_an_agents_reply_is_stored_and_handed_out_for_delivery(service, clock, agents):
    case = service.open_case("shopper-1", REQUEST, channel="wechat").case
    service.claim(case.id, "mei")
    delivery = service.agent_reply(case.id, "mei", " 亲，我是小美，这就帮您看 ")
    assert (delivery.sender_id, delivery.channel) == ("shopper-1", "wechat")
    assert (delivery.message.direction, delivery.message.author, delivery.message.text) == (
        "agent", "mei", "亲，我是小美，这就帮您看",
    )
    waiting = service.undelivered_agent_messages("shopper-1")
    assert [m.id for m in waiting] == [delivery.message.id]
    clock.advance(seconds=1)
    assert service.mark_delivered([delivery.message.id]) == 1
    assert service.mark_delivered([delivery.message.id]) == 0
    assert service.undelivered_agent_messages("shopper-1") == []
    assert service.messages(case.id)[-1].delivered_at == clock.now


def test_a_reply_keeps_the_claim_alive(service, clock, agents):
    case = open_for(service, "s")
    service.claim(case.id, "mei")
    clock.advance(seconds=50)
    service.agent_reply(case.id, "mei", "在的")
    clock.advance(seconds=50)
    assert service.release_stale_claims() == []


def test_only_the_holder_replies(service, agents):
    case = open_for(service, "s")
    with pytest.raises(CaseNotOpen):
        service.agent_reply(case.id, "mei", "你好")
    service.claim(case.id, "mei")
    with pytest.raises(NotYourCase):
        service.agent_reply(case.id, "wang", "你好")
    with pytest.raises(ValueError):
        service.agent_reply(case.id, "mei", "  ")


def test_a_channel_notes_something_for_the_agent_in_the_open_case_only(service, agents):
    assert service.add_note("shopper-note", "窗口已关闭") is None  # no case: nobody to tell
    case = open_for(service, "shopper-note")
    note = service.add_note("shopper-note", "窗口已关闭")
    assert (note.direction, note.text, note.case_id) == ("system", "窗口已关闭", case.id)
    assert service.undelivered_agent_messages("shopper-note") == []  # a note never goes to the shopper
