"""Handing over to a human, on a demo shop of the test's own with its handoff tables."""

import pytest
from rasa_sdk import Tracker

from actions.handoff import ActionHandoffToHuman, ActionSubmitTicket, ValidateLeaveMessageForm, handoff_service
from kefu.handoff.agents import create_agent, mark_seen
from kefu.replies import render
from kefu.storage.clock import shop_now
from tests.actions.conftest import make_tracker, responses, run_action, slot_events

GOLD = {"customer_id": "C0001", "channel": "web"}
REGULAR = {"customer_id": "C0002", "channel": "web"}


@pytest.fixture
def open_hours(writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", "00:00-24:00")
    service = handoff_service()
    create_agent(service.engine, "xiaomei", "小美", "secret-123")
    mark_seen(service.engine, "xiaomei")
    return service


def user(text, intent, metadata=None):
    return {"event": "user", "text": text, "metadata": metadata or {},
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}}


def bot(template, **values):
    reply = render(template, **values)
    return {"event": "bot", "text": reply["text"], "data": {"buttons": reply.get("buttons")}}


def conversation(*events, slots=None):
    """A tracker whose latest message is the last user event."""
    latest = [e for e in events if e["event"] == "user"][-1]
    return Tracker("shopper-1", dict(slots or {}), latest["parse_data"], list(events), False, None, {}, "action_listen")


def test_asking_for_a_human_opens_a_case_with_everything_and_pauses_the_bot(open_hours):
    tracker = conversation(
        user("帮我查下订单2024111100001", "track_order", GOLD),
        bot("order_summary", order_id="2024111100001", items="T恤×1", status="已签收"),
        user("转人工", "request_human", GOLD),
        slots={"order_id": "2024111100001"},
    )
    dispatcher, events = run_action(ActionHandoffToHuman(), tracker)
    assert responses(dispatcher) == ["handoff_queued"]
    assert events[-1]["event"] == "pause"
    assert slot_events(events)["handoff_status"] == "queued"
    case = open_hours.open_case_of("shopper-1")
    assert (case.reason, case.intent, case.channel) == ("requested", "request_human", "web")
    assert case.priority == 2  # a gold member moves up one step
    assert case.slots["order_id"] == "2024111100001"
    assert [line.who for line in case.transcript] == ["shopper", "bot", "shopper"]
    assert case.transcript[0].text == "帮我查下订单2024111100001"
    assert case.customer["name"] == "张三" and case.customer["member_level"] == "gold"
    assert "2024111100001" in {order["order_id"] for order in case.recent_orders}


def test_asking_again_while_waiting_keeps_one_case(open_hours):
    tracker = conversation(user("转人工", "request_human", REGULAR))
    run_action(ActionHandoffToHuman(), tracker)
    dispatcher, _ = run_action(ActionHandoffToHuman(), tracker)
    assert responses(dispatcher) == ["handoff_still_waiting"]
    assert len(open_hours.queue()) == 1


def test_an_angry_shopper_is_the_most_urgent(open_hours):
    run_action(ActionHandoffToHuman(), conversation(user("气死了 三次都发错", "report_problem", REGULAR)))
    case = open_hours.open_case_of("shopper-1")
    assert (case.reason, case.priority) == ("angry", 1)


def test_accepting_the_offer_after_two_misunderstandings_records_why(open_hours):
    tracker = conversation(
        user("阿巴阿巴", "nlu_fallback"), {"event": "bot", "text": "?"},
        user("嗯嗯那个啥", "nlu_fallback"), {"event": "bot", "text": "?", "data": {"buttons": [
            {"title": "转人工客服", "payload": "/request_human"}]}},
        user("/request_human", "request_human"),
    )
    run_action(ActionHandoffToHuman(), tracker)
    case = open_hours.open_case_of("shopper-1")
    assert "机器人多次没听懂" in case.reason_label and "顾客接受了转人工" in case.reason_label


def test_a_question_the_knowledge_could_not_answer_is_named_in_the_case(open_hours):
    tracker = conversation(user("你们有以旧换新吗", "ask_warranty"), bot("knowledge_unknown"),
                           user("/request_human", "request_human"))
    run_action(ActionHandoffToHuman(), tracker)
    assert "知识库答不上来" in open_hours.open_case_of("shopper-1").reason_label


def test_a_locked_verification_is_urgent(open_hours):
    tracker = conversation(user("0001", "inform"), bot("verification_locked"), user("/request_human", "request_human"))
    run_action(ActionHandoffToHuman(), tracker)
    case = open_hours.open_case_of("shopper-1")
    assert (case.reason, case.priority) == ("verification_failed", 2)


def test_the_case_is_opened_even_when_the_crm_is_down(open_hours, unreachable_backends):
    dispatcher, events = run_action(ActionHandoffToHuman(), conversation(user("转人工", "request_human", GOLD)))
    assert responses(dispatcher) == ["handoff_queued"]
    assert open_hours.open_case_of("shopper-1").customer is None


def hours_excluding_now():
    opening = (shop_now().hour + 2) % 24
    return f"{opening:02d}:00-{opening:02d}:30"


def test_outside_business_hours_the_shopper_leaves_a_message_with_a_call_back_time(writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", hours_excluding_now())
    dispatcher, events = run_action(ActionHandoffToHuman(), conversation(user("转人工", "request_human", REGULAR)))
    assert responses(dispatcher) == ["handoff_closed"]
    assert slot_events(events)["handoff_status"] == "ticket"
    assert not [e for e in events if e["event"] == "pause"]
    tracker = conversation(user("转人工", "request_human", REGULAR), user("13912345678", "inform", REGULAR),
                           slots={"ticket_message": "衣服洗了一次就掉色", "ticket_contact": "13912345678"})
    dispatcher, _ = run_action(ActionSubmitTicket(), tracker)
    assert responses(dispatcher) == ["ticket_created"]
    [ticket] = handoff_service().tickets()
    assert (ticket.status, ticket.ticket_contact) == ("ticket", "13912345678")
    assert ticket.callback_at > shop_now()
    assert [m.text for m in handoff_service().messages(ticket.id)] == ["衣服洗了一次就掉色"]


def test_with_no_agent_online_the_shopper_is_told_so(writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", "00:00-24:00")
    dispatcher, _ = run_action(ActionHandoffToHuman(), conversation(user("转人工", "request_human", REGULAR)))
    assert responses(dispatcher) == ["handoff_no_agent"]


def test_a_known_shopper_is_not_asked_for_a_phone(writable_backends):
    form = ValidateLeaveMessageForm()
    import asyncio
    from rasa_sdk.executor import CollectingDispatcher

    known = make_tracker({}, GOLD, "转人工", "request_human")
    anonymous = make_tracker({}, None, "转人工", "request_human")
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), known, {})) == ["ticket_message"]
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), anonymous, {})) == [
        "ticket_message", "ticket_contact"]


def test_with_the_crm_down_the_shopper_is_asked_for_a_phone(unreachable_backends):
    import asyncio
    from rasa_sdk.executor import CollectingDispatcher

    known = make_tracker({}, GOLD, "转人工", "request_human")
    assert asyncio.run(ValidateLeaveMessageForm().required_slots([], CollectingDispatcher(), known, {})) == [
        "ticket_message", "ticket_contact"]


@pytest.mark.parametrize("value, accepted", [("13912345678", "13912345678"), ("139 1234 5678", "13912345678"),
                                              ("12345", None), ("", None)])
def test_the_call_back_number_must_be_a_mobile_number(value, accepted):
    from rasa_sdk.executor import CollectingDispatcher

    result = ValidateLeaveMessageForm().validate_ticket_contact(value, CollectingDispatcher(), None, {})
    assert result == {"ticket_contact": accepted}


def test_a_gold_member_with_a_problem_goes_straight_to_a_person(shop_backends):
    from actions.after_sales import ActionStartAfterSales

    dispatcher, events = run_action(ActionStartAfterSales(), make_tracker({}, GOLD, "收到的锅是坏的", "report_problem"))
    assert responses(dispatcher) == ["vip_problem_handoff"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_handoff_to_human"}]
    dispatcher, _ = run_action(ActionStartAfterSales(), make_tracker({}, REGULAR, "收到的锅是坏的", "report_problem"))
    assert responses(dispatcher) == ["task_intro_problem"]
