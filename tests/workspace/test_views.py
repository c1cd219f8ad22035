"""What the workspace's page is sent: a case as a line of the queue and in full, with a ticket's calls and
the agents by their display names."""

from datetime import timedelta

from kefu.handoff.triggers import decide_handoff
from kefu.workspace.views import case_detail, case_summary


def test_a_queue_line_has_what_the_agent_picks_by(service, clock):
    customer = {"customer_id": "C0001", "name": "张三", "member_level": "gold", "member_level_label": "金卡会员",
                "high_value": True}
    case = service.open_case("s-1", decide_handoff("report_problem", "耳机是坏的", member_level="gold"),
                             channel="taobao", intent="report_problem", customer=customer,
                             slots={"order_id": "2024111100002"}).case
    line = case_summary(case, clock.now + timedelta(minutes=3, seconds=10))
    assert line["waiting_seconds"] == 190
    assert (line["priority"], line["reason_label"], line["channel"]) == (1, "金卡会员遇到问题", "taobao")
    assert (line["customer_name"], line["member_level_label"], line["high_value"]) == ("张三", "金卡会员", True)
    assert line["intent_label"] == "收到的商品有问题"
    detail = case_detail(case, clock.now)
    assert detail["slots"] == {"order_id": "2024111100002"} and detail["customer"] == customer


def test_an_anonymous_shoppers_line(service, clock):
    line = case_summary(service.open_case("s-1", decide_handoff("request_human", "转人工"),
                                          intent="request_human").case, clock.now)
    assert line["customer_name"] is None and line["high_value"] is False and line["waiting_seconds"] == 0
    assert line["intent_label"] == "要求转人工"  # an intent that is never a button still has a name


def test_a_ticket_whose_call_back_time_has_passed_is_overdue(service, clock, agents):
    ticket = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    ticket = service.to_ticket(ticket.id, "13800000001", clock.now + timedelta(hours=2))
    assert case_summary(ticket, clock.now)["overdue"] is False
    assert case_summary(ticket, clock.now + timedelta(hours=2))["overdue"] is False, "due now is not late yet"
    assert case_summary(ticket, clock.now + timedelta(hours=2, minutes=1))["overdue"] is True
    queued = service.open_case("s-2", decide_handoff("request_human", "转人工")).case
    assert case_summary(queued, clock.now + timedelta(days=1))["overdue"] is False, "only tickets are called back"
    closed = service.record_callback(ticket.id, "mei", "reached", "已处理").case
    assert case_summary(closed, clock.now + timedelta(days=1))["overdue"] is False


def test_a_ticket_shows_the_calls_made(service, clock, agents):
    ticket = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    ticket = service.to_ticket(ticket.id, "13800000001", clock.now)
    service.record_callback(ticket.id, "mei", "no_answer", "无人接听")
    ticket = service.get(ticket.id)
    calls = service.callbacks([ticket.id])[ticket.id]
    detail = case_detail(ticket, clock.now, calls, {"mei": "小美"})
    assert detail["callback_attempts"] == 1
    assert [(c["agent"], c["agent_name"], c["outcome"], c["note"]) for c in detail["callbacks"]] == [
        ("mei", "小美", "no_answer", "无人接听")]
    assert detail["callbacks"][0]["at"] == clock.now.isoformat()
    assert case_detail(ticket, clock.now)["callbacks"] == []


def test_the_holder_is_shown_by_display_name(service, clock, agents):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    service.claim(case.id, "mei")
    case = service.get(case.id)
    assert case_summary(case, clock.now, {"mei": "小美"})["claimed_by_name"] == "小美"
    assert case_summary(case, clock.now)["claimed_by_name"] == "mei"
