"""Tickets on real databases: a waiting case turned into a message left for a call-back, and calling the
shopper back: reached, not answered, unreachable."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from kefu.handoff.case_store import CaseNotFound, CaseNotOpen, UnknownAgent
from kefu.handoff.hours import parse_hours
from kefu.handoff.service import HandoffService
from kefu.handoff.tickets import MAX_UNANSWERED_CALLBACKS, NotATicket, next_callback_slot
from kefu.storage.clock import SHOP_TZ
from tests.handoff.conftest import REQUEST, WEDNESDAY_10AM, handoff_settings, open_for

HOURS = parse_hours("09:00-22:00")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in December 2026 (the 2nd is a Wednesday)."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SHOP_TZ)


def ticket_for(service, sender="s", callback_at=None):
    case = service.open_case(sender, REQUEST).case
    callback_at = callback_at or WEDNESDAY_10AM + timedelta(hours=2)
    return service.to_ticket(case.id, "13800000001", callback_at, "耳机坏了，请回电")


def test_a_ticket(service, clock, agents):
    case = open_for(service, "s")
    callback = clock.now + timedelta(hours=2)
    ticket = service.to_ticket(case.id, "13800000001", callback, "耳机坏了，请回电")
    assert (ticket.status, ticket.ticket_contact, ticket.callback_at) == ("ticket", "13800000001", callback)
    assert service.open_case_of("s") is None  # the bot goes on meanwhile
    assert service.queue() == [] and [t.id for t in service.tickets()] == [case.id]
    assert [m.text for m in service.messages(case.id)] == ["耳机坏了，请回电"]
    with pytest.raises(CaseNotOpen):
        service.to_ticket(case.id, "13800000001", callback)
    assert service.close(ticket.id, "mei").status == "closed"
    assert service.tickets() == []


def test_a_ticket_needs_a_contact(service, clock):
    case = open_for(service, "s")
    with pytest.raises(ValueError):
        service.to_ticket(case.id, " ", clock.now)


def test_a_shopper_reached_closes_the_ticket_with_the_note_in_the_case(service, clock, agents):
    ticket = ticket_for(service)
    clock.advance(minutes=30)
    result = service.record_callback(ticket.id, "mei", "reached", "  已约好明天上门取件，补发新耳机  ")
    assert (result.case.status, result.case.closed_by, result.case.closed_at) == ("closed", "mei", clock.now)
    assert not result.unreachable and result.unanswered == 0
    assert (result.attempt.agent, result.attempt.outcome, result.attempt.note, result.attempt.called_at) == (
        "mei", "reached", "已约好明天上门取件，补发新耳机", clock.now)
    note = service.messages(ticket.id)[-1]
    assert note == result.message
    assert (note.direction, note.author, note.created_at) == ("system", "mei", clock.now)  # who, when
    assert note.text == "小美 回电，已联系上顾客：已约好明天上门取件，补发新耳机"  # what
    assert service.tickets() == [] and service.get(ticket.id).status == "closed"
    assert service.undelivered_agent_messages("s") == [], "a note for the agents never goes to the shopper"
    assert service.callbacks([ticket.id]) == {ticket.id: [result.attempt]}


def test_a_shopper_who_does_not_answer_is_called_again_two_hours_later(service, clock, agents):
    ticket = ticket_for(service)
    result = service.record_callback(ticket.id, "wang", "no_answer", "响铃无人接")
    assert result.case.status == "ticket" and result.unanswered == 1 and not result.unreachable
    assert result.case.callback_at == at(2, 12)
    assert service.get(ticket.id).callback_at == at(2, 12)
    assert [case.id for case in service.tickets()] == [ticket.id]
    assert result.message.text == "小王 回电未接通（第 1 次）：响铃无人接；下次回电 12月2日 12:00"
    assert result.message.author == "wang"

    clock.advance(hours=2, seconds=30)
    second = service.record_callback(ticket.id, "mei", "no_answer")  # no note needed
    assert second.unanswered == 2 and second.case.callback_at == at(2, 14, 1), "to the minute, never earlier"
    assert second.message.text == "小美 回电未接通（第 2 次）；下次回电 12月2日 14:01"
    assert [(a.agent, a.outcome, a.note) for a in service.callbacks([ticket.id])[ticket.id]] == [
        ("wang", "no_answer", "响铃无人接"), ("mei", "no_answer", "")]


def test_the_third_unanswered_call_closes_the_ticket_as_unreachable(service, clock, agents):
    ticket = ticket_for(service)
    for attempt in range(1, MAX_UNANSWERED_CALLBACKS):
        assert service.record_callback(ticket.id, "mei", "no_answer").case.status == "ticket"
        clock.advance(hours=2)
    last = service.record_callback(ticket.id, "wang", "no_answer", "关机")
    assert last.unanswered == MAX_UNANSWERED_CALLBACKS == 3 and last.unreachable
    assert (last.case.status, last.case.closed_by, last.case.closed_at) == ("closed", "wang", clock.now)
    assert last.message.text == "小王 回电未接通（第 3 次）：关机；3 次未接通，联系不上顾客，工单已关闭"
    assert service.tickets() == []
    with pytest.raises(NotATicket):
        service.record_callback(ticket.id, "mei", "no_answer")
    assert len(service.callbacks([ticket.id])[ticket.id]) == 3


def test_no_answer_near_closing_time_moves_the_call_back_to_the_next_opening(engine, agents):
    service = HandoffService(engine, handoff_settings(handoff_hours="09:00-22:00"), clock=lambda: at(2, 20, 30))
    ticket = ticket_for(service)
    assert service.record_callback(ticket.id, "mei", "no_answer").case.callback_at == at(3, 9)


@pytest.mark.parametrize("now, slot", [
    (at(2, 10), at(2, 12)),
    (at(2, 10, 0, 30), at(2, 12, 1)),
    (at(2, 19, 59), at(2, 21, 59)),
    (at(2, 20), at(3, 9)),  # 22:00 is closing time: the next morning
    (at(2, 23, 30), at(3, 9)),
    (at(3, 7), at(3, 9)),  # 09:00 sharp is open
], ids=["morning", "rounded-up", "just-before-closing", "at-closing", "night", "before-opening"])
def test_the_next_call_back_slot(now, slot):
    assert next_callback_slot(now, HOURS) == slot


def test_the_next_call_back_slot_skips_a_lunch_break_and_a_day_off():
    hours = parse_hours("09:00-12:00,13:30-22:00; sun closed")
    assert next_callback_slot(at(2, 11), hours) == at(2, 13, 30)
    assert next_callback_slot(at(5, 21), hours) == at(7, 9)  # Saturday night: Monday morning


def test_the_slot_follows_the_configured_hours(engine, agents):
    service = HandoffService(engine, handoff_settings(handoff_hours="09:00-11:00"), clock=lambda: WEDNESDAY_10AM)
    ticket = ticket_for(service)
    assert service.record_callback(ticket.id, "mei", "no_answer").case.callback_at == at(3, 9)


@pytest.mark.parametrize("outcome, note", [("reached", ""), ("reached", "   "), ("busy", "占线"), ("", "x")],
                         ids=["reached-without-note", "reached-blank-note", "unknown-outcome", "no-outcome"])
def test_a_bad_call_back_report_changes_nothing(service, agents, outcome, note):
    ticket = ticket_for(service)
    with pytest.raises(ValueError):
        service.record_callback(ticket.id, "mei", outcome, note)
    assert service.get(ticket.id) == ticket
    assert service.callbacks([ticket.id]) == {ticket.id: []}


def test_only_an_open_ticket_is_called_back(service, agents):
    queued = service.open_case("waiting", REQUEST).case
    with pytest.raises(NotATicket):
        service.record_callback(queued.id, "mei", "reached", "你好")
    service.claim(queued.id, "mei")
    with pytest.raises(CaseNotOpen):  # NotATicket is a CaseNotOpen
        service.record_callback(queued.id, "mei", "no_answer")
    ticket = ticket_for(service)
    service.close(ticket.id, "wang")
    with pytest.raises(NotATicket):
        service.record_callback(ticket.id, "mei", "no_answer")
    with pytest.raises(CaseNotFound):
        service.record_callback(987654, "mei", "no_answer")
    with pytest.raises(UnknownAgent):
        service.record_callback(ticket_for(service, "other").id, "intruder", "no_answer")
    assert service.callbacks([queued.id, ticket.id]) == {queued.id: [], ticket.id: []}


def test_two_agents_recording_the_last_unanswered_call_at_once_close_it_once(engine, agents):
    service = HandoffService(engine, handoff_settings(), clock=lambda: WEDNESDAY_10AM)
    for round_ in range(3):
        ticket = ticket_for(service, f"racer-{round_}")
        for _ in range(MAX_UNANSWERED_CALLBACKS - 1):
            service.record_callback(ticket.id, "mei", "no_answer")
        start = threading.Barrier(2)
        results = {}

        def call(username):
            start.wait()
            try:
                results[username] = service.record_callback(ticket.id, username, "no_answer").unreachable
            except NotATicket:
                results[username] = "not a ticket"

        threads = [threading.Thread(target=call, args=(name,)) for name in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(map(str, results.values())) == ["True", "not a ticket"], results
        assert len(service.callbacks([ticket.id])[ticket.id]) == MAX_UNANSWERED_CALLBACKS


def test_call_backs_are_listed_per_case(service, clock, agents):
    first, second = ticket_for(service, "a"), ticket_for(service, "b")
    service.record_callback(second.id, "mei", "no_answer", "无人接")
    clock.advance(minutes=1)
    service.record_callback(first.id, "wang", "no_answer")
    clock.advance(minutes=1)
    service.record_callback(second.id, "wang", "reached", "已处理")
    calls = service.callbacks([first.id, second.id, 424242])
    assert [(a.agent, a.outcome) for a in calls[second.id]] == [("mei", "no_answer"), ("wang", "reached")]
    assert [a.agent for a in calls[first.id]] == ["wang"] and calls[424242] == []
    assert service.callbacks([]) == {}
