"""Handing over to a human, on a demo shop of the test's own with its handoff tables."""

import pytest
from rasa_sdk import Tracker

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoffToHuman, ActionSubmitTicket, ValidateLeaveMessageForm, handoff_service
from kefu.handoff.agents import create_agent, mark_seen
from kefu.replies import render
from kefu.security.client import stamp_client
from kefu.storage.clock import shop_now
from kefu.storage.phrases import plain_phrase
from tests.actions.conftest import make_tracker, responses, run_action, slot_events
from tests.logged_in import logged_in

GOLD = logged_in("C0001", channel="web")
REGULAR = logged_in("C0002", channel="web")


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


def conversation(*events, slots=None, sender="shopper-1"):
    """A tracker whose latest message is the last user event."""
    latest = [e for e in events if e["event"] == "user"][-1]
    return Tracker(sender, dict(slots or {}), latest["parse_data"], list(events), False, None, {}, "action_listen")


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
    tracker = conversation(user("转人工", "request_human", REGULAR), user("衣服洗了一次就掉色", "inform", REGULAR),
                           slots={"ticket_message": "衣服洗了一次就掉色"})
    dispatcher, _ = run_action(ActionSubmitTicket(), tracker)
    assert responses(dispatcher) == ["ticket_created"]
    [ticket] = handoff_service().tickets()
    assert (ticket.status, ticket.ticket_contact) == ("ticket", "13900000002")  # 李四's phone on file
    assert ticket.callback_at > shop_now()
    assert [m.text for m in handoff_service().messages(ticket.id)] == ["衣服洗了一次就掉色"]


def test_a_known_shopper_is_called_back_on_their_own_phone_whatever_number_the_conversation_holds(
        writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", hours_excluding_now())
    tracker = conversation(user("13912345678", "inform", REGULAR),
                           slots={"ticket_message": "请回电", "ticket_contact": "13912345678"})
    run_action(ActionSubmitTicket(), tracker)
    [ticket] = handoff_service().tickets()
    assert ticket.ticket_contact == "13900000002"
    assert [m.direction for m in handoff_service().messages(ticket.id)] == ["shopper"]


def test_an_anonymous_shoppers_number_is_marked_for_the_agent(writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", hours_excluding_now())
    tracker = conversation(user("13912345678", "inform"),
                           slots={"ticket_message": "请回电", "ticket_contact": "13912345678"})
    dispatcher, _ = run_action(ActionSubmitTicket(), tracker)
    assert responses(dispatcher) == ["ticket_created"]
    [ticket] = handoff_service().tickets()
    assert ticket.ticket_contact == "13912345678" and ticket.customer is None
    assert [m.text for m in handoff_service().messages(ticket.id)] == [
        "请回电", plain_phrase("ticket_note_unverified_contact")]


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


def validated_contact(value):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateLeaveMessageForm().validate_ticket_contact(value, dispatcher, None, {}))
    return result, responses(dispatcher)


@pytest.mark.parametrize("value, accepted", [("13912345678", "13912345678"), ("139 1234 5678", "13912345678"),
                                              ("12345", None), ("", None)])
def test_the_call_back_number_must_be_a_mobile_number(writable_backends, value, accepted):
    result, _ = validated_contact(value)
    assert result == {"ticket_contact": accepted}


def test_a_gold_member_with_a_problem_goes_straight_to_a_person(shop_backends):
    from actions.after_sales import ActionStartAfterSales

    dispatcher, events = run_action(ActionStartAfterSales(), make_tracker({}, GOLD, "收到的锅是坏的", "report_problem"))
    assert responses(dispatcher) == ["vip_problem_handoff"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_handoff_to_human"}]
    dispatcher, _ = run_action(ActionStartAfterSales(), make_tracker({}, REGULAR, "收到的锅是坏的", "report_problem"))
    assert responses(dispatcher) == ["task_intro_problem"]


# --- one client cannot flood the agents (kefu/handoff/limits.py) ---

# Five made-up senders, one machine: the channel stamped the same IP on each message.
FROM_ONE_MACHINE = stamp_client({}, "203.0.113.7", "rest")


def from_one_machine(text, intent, sender, **slots):
    return conversation(user(text, intent, FROM_ONE_MACHINE), sender=sender, slots=slots)


def test_fake_senders_from_one_machine_open_at_most_the_limit_of_cases_and_hear_why(open_hours):
    replies, paused = [], []
    for n in range(5):
        dispatcher, events = run_action(ActionHandoffToHuman(), from_one_machine("气死了 转人工", "complain", f"fake-{n}"))
        replies += responses(dispatcher)
        paused.append(any(e["event"] == "pause" for e in events))
        if n >= 3:
            assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_listen"}
            assert "handoff_status" not in slot_events(events)
    assert replies == ["handoff_queued"] * 3 + ["handoff_client_busy"] * 2
    assert paused == [True] * 3 + [False] * 2  # the refused shoppers keep the bot
    assert len(open_hours.queue()) == 3
    refused = render("handoff_client_busy", count=3, minutes=open_hours.expected_wait(open_hours.queue()[0].id).minutes)
    dispatcher, _ = run_action(ActionHandoffToHuman(), from_one_machine("转人工", "request_human", "fake-9"))
    assert dispatcher.messages[0]["text"] == refused["text"]


def leave_ticket(sender, phone, metadata=FROM_ONE_MACHINE):
    tracker = conversation(user(phone, "inform", metadata), sender=sender,
                           slots={"ticket_message": "请回电", "ticket_contact": phone})
    return run_action(ActionSubmitTicket(), tracker)


@pytest.fixture
def closed_hours(writable_backends, monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", hours_excluding_now())
    return handoff_service()


def test_a_machine_that_used_up_todays_tickets_is_told_so_before_writing_a_message(closed_hours):
    for n in range(3):
        dispatcher, _ = leave_ticket(f"fake-{n}", f"1390000000{n}")
        assert responses(dispatcher) == ["ticket_created"]
    dispatcher, events = run_action(ActionHandoffToHuman(), from_one_machine("转人工", "request_human", "fake-3"))
    assert responses(dispatcher) == ["ticket_limit_client"]
    assert "handoff_status" not in slot_events(events)  # no message is taken


def test_a_ticket_past_the_limit_is_refused_and_leaves_nothing_waiting(closed_hours):
    for n in range(3):
        leave_ticket(f"fake-{n}", f"1390000000{n}")
    dispatcher, events = leave_ticket("fake-3", "13900000009")
    assert responses(dispatcher) == ["ticket_limit_client"]
    assert slot_events(events) == {"ticket_message": None, "ticket_contact": None, "handoff_status": None}
    assert closed_hours.open_case_of("fake-3") is None and len(closed_hours.tickets()) == 3


def test_strangers_number_is_refused_past_its_limit(closed_hours):
    stranger = "13912345678"
    for n in range(2):
        leave_ticket(f"s-{n}", stranger, stamp_client({}, f"198.51.100.{n}", "rest"))
    result, said = validated_contact(stranger)
    assert (result, said) == ({"ticket_contact": None}, ["ticket_limit_phone"])
    dispatcher, _ = leave_ticket("s-2", stranger, stamp_client({}, "198.51.100.2", "rest"))
    assert responses(dispatcher) == ["ticket_limit_phone"]
    assert validated_contact("13912345679") == ({"ticket_contact": "13912345679"}, [])
