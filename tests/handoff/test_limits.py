"""One client cannot flood the agents (kefu/handoff/limits.py), on real databases (SQLite files and
PostgreSQL schemas): open cases per client, tickets per client and per typed call-back number per day."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from kefu.handoff.case_store import CaseNotOpen
from kefu.handoff.limits import BY_CLIENT, BY_PHONE, TooManyOpenCases, TooManyTickets
from kefu.handoff.service import HandoffService
from kefu.storage.case_client_models import CaseClient
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.storage.phrases import plain_phrase
from tests.handoff.conftest import REQUEST, handoff_settings

FLOODER = "ip:203.0.113.7"
NEIGHBOUR = "ip:198.51.100.9"
LIMITS = dict(open_cases_per_ip=3, tickets_per_client_per_day=3, tickets_per_phone_per_day=2)


@pytest.fixture
def limited(engine, clock) -> HandoffService:
    return HandoffService(engine, handoff_settings(**LIMITS), clock=clock)


def open_from(service, sender, client=FLOODER):
    return service.open_case(sender, REQUEST, client_key=client)


def ticket_from(service, clock, sender, phone, client=FLOODER, verified=True):
    case = open_from(service, sender, client).case
    return service.to_ticket(case.id, phone, clock.now + timedelta(hours=2), "请回电", contact_verified=verified)


def test_a_client_opens_at_most_its_limit_of_cases(limited):
    first, second, third = (open_from(limited, f"fake-{n}").case for n in range(3))
    with pytest.raises(TooManyOpenCases) as refused:
        open_from(limited, "fake-3")
    assert refused.value.open_case_ids == [first.id, second.id, third.id]
    assert refused.value.wait.position == 1 and refused.value.minutes == refused.value.wait.minutes
    assert [case.id for case in limited.queue()] == [first.id, second.id, third.id]  # nothing was opened
    assert limited.open_case_of("fake-3") is None
    assert open_from(limited, "someone-else", NEIGHBOUR).created  # another client is not held up


def test_one_sender_still_has_one_case_and_asking_again_is_no_new_case(limited):
    first = open_from(limited, "fake-0").case
    for n in (1, 2):
        open_from(limited, f"fake-{n}")
    again = open_from(limited, "fake-0")  # the client is at its limit: the sender's own case comes back
    assert (again.created, again.case.id) == (False, first.id)
    assert len(limited.queue()) == 3


def test_a_closed_case_or_a_ticket_frees_a_place(limited, clock, agents):
    cases = [open_from(limited, f"fake-{n}").case for n in range(3)]
    limited.close(cases[0].id, "mei")
    assert open_from(limited, "fake-3").created
    limited.to_ticket(cases[1].id, "13800000001", clock.now + timedelta(hours=2))
    assert open_from(limited, "fake-4").created
    with pytest.raises(TooManyOpenCases):
        open_from(limited, "fake-5")


def test_a_case_without_a_client_is_not_counted(limited):
    for n in range(5):
        assert limited.open_case(f"old-{n}", REQUEST).created
    assert open_from(limited, "fake-0").created


def test_a_burst_of_fake_senders_at_once_opens_exactly_the_limit(engine):
    service = HandoffService(engine, handoff_settings(**LIMITS))
    start = threading.Barrier(8)
    outcomes = []

    def open_one(n):
        start.wait()
        try:
            outcomes.append(open_from(service, f"burst-{n}").created)
        except TooManyOpenCases:
            outcomes.append("refused")

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["True"] * 3 + ["refused"] * 5
    assert len(service.queue()) == 3


def test_a_client_files_at_most_its_limit_of_tickets_a_day(limited, clock):
    for n in range(3):
        ticket_from(limited, clock, f"fake-{n}", f"1380000000{n}")
    assert limited.ticket_limit_reached(FLOODER) == BY_CLIENT
    case = open_from(limited, "fake-3").case
    with pytest.raises(TooManyTickets) as refused:
        limited.to_ticket(case.id, "13800000009", clock.now + timedelta(hours=2), "请回电")
    assert refused.value.by == BY_CLIENT
    assert limited.get(case.id).status == "queued" and limited.messages(case.id) == []  # nothing changed
    assert limited.withdraw(case.id) and limited.get(case.id).status == "closed"
    assert limited.open_case_of("fake-3") is None
    assert limited.ticket_limit_reached(NEIGHBOUR) is None
    clock.advance(days=1)
    assert limited.ticket_limit_reached(FLOODER) is None
    assert ticket_from(limited, clock, "fake-4", "13800000004").status == "ticket"


def test_a_typed_number_gets_at_most_its_limit_of_tickets_a_day(limited, clock):
    stranger = "13912345678"
    for n, client in enumerate((FLOODER, NEIGHBOUR)):
        ticket_from(limited, clock, f"s-{n}", stranger, client, verified=False)
    assert limited.ticket_limit_reached(None, stranger) == BY_PHONE
    with pytest.raises(TooManyTickets) as refused:
        ticket_from(limited, clock, "s-2", stranger, "ip:192.0.2.1", verified=False)
    assert refused.value.by == BY_PHONE
    # The shopper whose number it is, known to the shop, is still heard.
    assert ticket_from(limited, clock, "owner", stranger, "ip:192.0.2.2").status == "ticket"


def test_a_typed_number_is_marked_for_the_agent(limited, clock):
    typed = ticket_from(limited, clock, "anonymous", "13912345678", verified=False)
    own = ticket_from(limited, clock, "known", "13800000001", NEIGHBOUR)
    note = plain_phrase("ticket_note_unverified_contact")
    assert [(m.direction, m.text) for m in limited.messages(typed.id)] == [("shopper", "请回电"), ("system", note)]
    assert [m.text for m in limited.messages(own.id)] == ["请回电"]


def test_only_a_queued_case_is_withdrawn(limited, agents):
    case = open_from(limited, "fake-0").case
    assert limited.claim(case.id, "mei")
    assert not limited.withdraw(case.id)
    assert limited.get(case.id).status == "claimed"
    with pytest.raises(CaseNotOpen):
        limited.to_ticket(case.id, "13800000001", limited.get(case.id).created_at)


def test_a_database_made_before_the_limits_gets_the_client_table(sqlite_engine):
    CaseClient.__table__.drop(sqlite_engine)
    assert "case_clients" not in inspect(sqlite_engine).get_table_names()
    create_handoff_schema(sqlite_engine)
    assert "case_clients" in inspect(sqlite_engine).get_table_names()
    assert HandoffService(sqlite_engine, handoff_settings(**LIMITS)).open_case("s", REQUEST, client_key=FLOODER).created
