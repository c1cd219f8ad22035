"""The queue of cases on real databases (SQLite files and PostgreSQL schemas): opening, the order of the
queue, claiming, releasing, closing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from kefu.handoff.agents import mark_seen
from kefu.handoff.case_store import CaseNotFound, NotYourCase, TranscriptLine, UnknownAgent
from kefu.handoff.service import HandoffService
from kefu.handoff.triggers import HandoffReason, decide_handoff
from kefu.storage.clock import SHOP_TZ
from tests.handoff.conftest import REQUEST, handoff_settings, open_for

COMPLAINT = decide_handoff("complain", "我要投诉")
UNKNOWN = decide_handoff("ask_product_info", "能进烤箱吗", knowledge_unknown=True)

GOLD_CUSTOMER = {"customer_id": "C0001", "name": "张三", "member_level": "gold"}
ORDERS = [{"order_id": "2024111100001", "status": "delivered", "paid_amount": "99.00"}]


def test_a_case_holds_everything_the_agent_needs(service, clock):
    earlier = clock.now - timedelta(minutes=2)
    transcript = [TranscriptLine("shopper", "耳机收到是坏的", earlier), TranscriptLine("bot", "亲，非常抱歉", earlier)]
    decision = decide_handoff("report_problem", "耳机收到是坏的", member_level="gold")
    opened = service.open_case(
        "shopper-1", decision, channel="web", intent="report_problem",
        slots={"order_id": "2024111100001", "current_product_id": "P-EAR-01", "size": None},
        customer=GOLD_CUSTOMER, recent_orders=ORDERS, transcript=transcript,
    )
    assert opened.created
    case = service.get(opened.case.id)
    assert case == opened.case
    assert (case.sender_id, case.channel, case.status) == ("shopper-1", "web", "queued")
    assert (case.reason, case.priority, case.reason_label) == ("vip_problem", 1, "金卡会员遇到问题")
    assert case.intent == "report_problem"
    assert case.slots == {"order_id": "2024111100001", "current_product_id": "P-EAR-01"}
    assert case.customer == GOLD_CUSTOMER and case.member_level == "gold"
    assert case.recent_orders == ORDERS
    assert case.transcript == tuple(transcript)
    assert case.created_at == clock.now and case.created_at.tzinfo is not None
    assert case.created_at.utcoffset() == timedelta(hours=8)


def test_a_shopper_with_an_open_case_gets_the_same_case(service):
    first = service.open_case("shopper-1", REQUEST)
    again = service.open_case("shopper-1", REQUEST, intent="request_human")
    assert not again.created and again.case.id == first.case.id
    assert len(service.queue()) == 1


def test_asking_again_more_urgently_moves_the_case_up_without_losing_its_time(service, clock):
    first = open_for(service, "shopper-1", UNKNOWN)
    clock.advance(minutes=3)
    again = service.open_case("shopper-1", COMPLAINT).case
    assert (again.id, again.reason, again.priority) == (first.id, "complaint", 1)
    assert again.created_at == first.created_at
    assert service.messages(first.id)[-1].text == "升级：投诉/索赔"


def test_the_queue_is_by_priority_then_by_waiting_time(service, clock):
    requested = open_for(service, "a", REQUEST)
    clock.advance(seconds=30)
    unknown = open_for(service, "b", UNKNOWN)
    clock.advance(seconds=30)
    complaint = open_for(service, "c", COMPLAINT)
    clock.advance(seconds=30)
    later_request = open_for(service, "d", REQUEST)
    assert [case.id for case in service.queue()] == [complaint.id, requested.id, later_request.id, unknown.id]
    assert [service.position(case.id) for case in (complaint, requested, later_request, unknown)] == [1, 2, 3, 4]


def test_cases_opened_at_the_same_moment_keep_their_order(service):
    ids = [open_for(service, f"s{n}").id for n in range(3)]
    assert [service.position(case_id) for case_id in ids] == [1, 2, 3]


def test_the_expected_wait_is_the_position_times_the_minutes_per_case_shared_by_agents(service, clock, agents):
    ids = [open_for(service, f"s{n}").id for n in range(3)]
    wait = service.expected_wait(ids[2])
    assert (wait.position, wait.minutes, wait.agents_online) == (3, 15, 0)  # nobody online counts as one
    mark_seen(service.engine, "mei", clock.now)
    mark_seen(service.engine, "wang", clock.now)
    assert service.expected_wait(ids[2]).minutes == 8  # ceil(3 × 5 / 2)
    assert service.claim(ids[0], "mei")
    assert service.expected_wait(ids[0]) is None and service.position(ids[0]) is None
    assert service.expected_wait(ids[2]).position == 2


def test_the_minutes_per_case_are_configurable(engine, clock):
    service = HandoffService(engine, handoff_settings(handoff_average_minutes_per_case=2.5), clock=clock)
    case = open_for(service, "s")
    assert service.expected_wait(case.id).minutes == 3


def test_claiming(service, clock, agents):
    case = open_for(service, "shopper-1")
    assert service.claim(case.id, "mei")
    claimed = service.get(case.id)
    assert (claimed.status, claimed.claimed_by, claimed.claimed_at) == ("claimed", "mei", clock.now)
    assert service.queue() == []
    assert not service.claim(case.id, "wang")
    assert service.get(case.id).claimed_by == "mei"


def test_claiming_needs_a_real_agent_and_case(service, agents):
    case = open_for(service, "shopper-1")
    with pytest.raises(UnknownAgent):
        service.claim(case.id, "intruder")
    with pytest.raises(CaseNotFound):
        service.claim(9999, "mei")


def test_two_agents_racing_for_a_case_exactly_one_wins(engine, agents):
    service = HandoffService(engine, handoff_settings())
    for round_ in range(5):
        case = open_for(service, f"racer-{round_}")
        start = threading.Barrier(2)
        results = {}

        def grab(username):
            start.wait()
            results[username] = service.claim(case.id, username)

        threads = [threading.Thread(target=grab, args=(name,)) for name in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(results.values()) == [False, True], results
        winner = next(name for name, won in results.items() if won)
        assert service.get(case.id).claimed_by == winner
        notes = [m.text for m in service.messages(case.id) if m.direction == "system"]
        display_name = {"mei": "小美", "wang": "小王"}[winner]
        assert notes == [f"{display_name} 接入"]


def test_two_replicas_opening_a_case_for_one_shopper_at_once_make_one_case(engine):
    service = HandoffService(engine, handoff_settings())
    start = threading.Barrier(4)
    opened = []

    def open_one():
        start.wait()
        opened.append(service.open_case("same-shopper", REQUEST))

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(opened) == 4
    assert len({result.case.id for result in opened}) == 1
    assert sum(result.created for result in opened) == 1


def test_a_claim_without_heartbeats_goes_back_to_the_queue(service, clock, agents):
    waiting_long = open_for(service, "first")
    clock.advance(minutes=1)
    open_for(service, "second")
    assert service.claim(waiting_long.id, "mei")
    clock.advance(seconds=45)
    assert service.heartbeat(waiting_long.id, "mei")
    clock.advance(seconds=45)
    assert service.release_stale_claims() == []  # 45 s since the last heartbeat
    clock.advance(seconds=20)
    assert service.release_stale_claims() == [waiting_long.id]
    released = service.get(waiting_long.id)
    assert (released.status, released.claimed_by, released.agent_heartbeat_at) == ("queued", None, None)
    assert service.position(waiting_long.id) == 1  # its place in time is kept
    assert service.messages(waiting_long.id)[-1].text == "小美 超时未响应，已退回排队"
    assert not service.heartbeat(waiting_long.id, "mei")  # the workspace learns it lost the case
    assert service.claim(waiting_long.id, "wang")


def test_the_release_timeout_can_be_given(service, clock, agents):
    case = open_for(service, "s")
    service.claim(case.id, "mei")
    clock.advance(seconds=11)
    assert service.release_stale_claims(clock.now, timeout_seconds=10) == [case.id]


def test_a_heartbeat_only_counts_for_the_holder(service, agents):
    case = open_for(service, "s")
    service.claim(case.id, "mei")
    assert not service.heartbeat(case.id, "wang")
    assert service.heartbeat(case.id, "mei")


def test_closing_gives_the_conversation_back_to_the_bot(service, clock, agents):
    case = open_for(service, "shopper-1")
    service.claim(case.id, "mei")
    service.agent_reply(case.id, "mei", "已经帮您补发了")
    with pytest.raises(NotYourCase):
        service.close(case.id, "wang")
    clock.advance(minutes=4)
    closed = service.close(case.id, "mei")
    assert (closed.status, closed.closed_by, closed.closed_at) == ("closed", "mei", clock.now)
    assert service.open_case_of("shopper-1") is None
    assert service.close(case.id, "mei") == closed  # twice is once
    # The last words still reach the shopper after the close.
    assert [m.text for m in service.undelivered_agent_messages("shopper-1")] == ["已经帮您补发了"]
    # A new request later is a new case.
    assert open_for(service, "shopper-1").id != case.id


def test_a_waiting_case_may_be_closed_by_any_agent(service, agents):
    case = open_for(service, "s")
    assert service.close(case.id, "wang").status == "closed"
    with pytest.raises(UnknownAgent):
        service.close(case.id, "intruder")


def test_open_case_of(service, agents):
    assert service.open_case_of("s") is None
    case = open_for(service, "s")
    assert service.open_case_of("s").status == "queued"
    service.claim(case.id, "mei")
    assert service.open_case_of("s").status == "claimed"


def test_times_given_in_another_zone_are_stored_as_shop_time(service, clock):
    from datetime import timezone

    utc = clock.now.astimezone(timezone.utc)
    case = service.open_case("s", REQUEST, now=utc).case
    assert service.get(case.id).created_at == clock.now
    assert service.get(case.id).created_at.tzinfo == SHOP_TZ


def test_the_reason_is_stored_by_its_stable_name(service):
    case = open_for(service, "s", decide_handoff("inform", "0001", verification_locked=True))
    assert case.reason == HandoffReason.VERIFICATION_FAILED.value == "verification_failed"


def test_the_notes_of_a_case_name_the_agent_by_their_display_name(service, agents):
    case = open_for(service, "s")
    service.claim(case.id, "mei")
    service.close(case.id, "mei")
    notes = [(m.direction, m.author, m.text) for m in service.messages(case.id)]
    assert notes == [("system", "mei", "小美 接入"), ("system", "mei", "小美 结束了会话")]


def test_the_cases_an_agent_holds(service, clock, agents):
    mei, wang = agents
    first = service.open_case("a", decide_handoff("request_human", "转人工")).case
    second = service.open_case("b", decide_handoff("request_human", "转人工")).case
    third = service.open_case("c", decide_handoff("request_human", "转人工")).case
    service.claim(second.id, mei)
    clock.advance(seconds=5)
    service.claim(first.id, mei)
    service.claim(third.id, wang)
    assert [case.id for case in service.held_by(mei)] == [second.id, first.id]
    service.close(second.id, mei)
    assert [case.id for case in service.held_by(mei)] == [first.id]
    assert service.held_by("nobody") == []
