from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kefu.handoff.agents import mark_seen
from kefu.handoff.hours import (
    CLOSED,
    NO_AGENT,
    OPEN,
    HoursError,
    business_hours,
    callback_time,
    can_hand_off_now,
    parse_hours,
)
from kefu.storage.clock import SHOP_TZ
from tests.handoff.conftest import handoff_settings

DEFAULT = parse_hours("09:00-22:00")


def at(day, hour, minute=0, second=0):
    """December 2026 in shop time: the 2nd is a Wednesday, the 5th a Saturday, the 6th a Sunday."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SHOP_TZ)


@pytest.mark.parametrize("moment, open_", [
    (at(2, 8, 59, 59), False), (at(2, 9), True), (at(2, 21, 59), True), (at(2, 22), False), (at(3, 0, 30), False),
])
def test_one_range_for_every_day(moment, open_):
    assert DEFAULT.is_open(moment) is open_


def test_per_weekday_hours_with_later_entries_overriding():
    hours = parse_hours("09:00-22:00; sat,sun 10:00-18:00; sun closed")
    assert hours.is_open(at(4, 21))  # Friday
    assert not hours.is_open(at(5, 9, 30)) and hours.is_open(at(5, 10))  # Saturday
    assert not hours.is_open(at(6, 12))  # Sunday


def test_a_lunch_break_and_day_ranges():
    hours = parse_hours("mon-fri 09:00-12:00,13:30-18:00; sat-sun closed")
    assert hours.is_open(at(2, 11, 59)) and not hours.is_open(at(2, 12, 30)) and hours.is_open(at(2, 13, 30))
    assert not hours.is_open(at(5, 10))
    assert parse_hours("fri-mon 10:00-11:00").is_open(at(6, 10, 30))  # a range across the week's end


def test_hours_to_midnight_and_beyond():
    hours = parse_hours("18:00-24:00; sat 00:00-02:00,18:00-24:00")
    assert hours.is_open(at(4, 23, 59, 59))
    assert hours.is_open(at(5, 1)) and not hours.is_open(at(5, 3))


@pytest.mark.parametrize("spec", ["", "9-22", "09:00-25:00", "22:00-02:00", "10:00-09:00", "funday 09:00-10:00",
                                  "mon 09:00-12:00,11:00-13:00", "mon 09:00 - 12:00", "09:60-10:00"])
def test_unreadable_hours_are_refused_with_the_reason(spec):
    with pytest.raises(HoursError, match="HANDOFF_HOURS"):
        parse_hours(spec)


def test_the_hours_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("HANDOFF_HOURS", "mon-fri 08:00-20:00; sat,sun closed")
    hours = business_hours()
    assert hours.is_open(at(2, 8)) and not hours.is_open(at(5, 12))
    monkeypatch.delenv("HANDOFF_HOURS")
    assert business_hours() == DEFAULT


def test_next_opening():
    assert DEFAULT.next_opening(at(2, 10)) == at(2, 10)
    assert DEFAULT.next_opening(at(2, 23)) == at(3, 9)
    assert DEFAULT.next_opening(at(3, 1)) == at(3, 9)
    assert parse_hours("sat 10:00-12:00").next_opening(at(2, 10)) == at(5, 10)
    assert parse_hours("closed").next_opening(at(2, 10)) is None


@pytest.mark.parametrize("left_at, promised", [
    (at(2, 10), at(2, 12)),  # open: within two hours
    (at(3, 0, 30), at(3, 11)),  # at night: two hours after opening
    (at(2, 21, 30), at(3, 10, 30)),  # half an hour today, an hour and a half tomorrow
    (at(2, 8), at(2, 11)),
    (at(2, 10, 0, 30), at(2, 12, 1)),  # promised to the minute, never earlier than the exact time
])
def test_the_call_back_promise(left_at, promised):
    assert callback_time(left_at, DEFAULT) == promised


def test_the_call_back_skips_closed_days():
    hours = parse_hours("mon-fri 09:00-18:00; sat,sun closed")
    assert callback_time(at(4, 17, 30), hours) == at(7, 10, 30)  # Friday evening -> Monday morning
    assert callback_time(at(2, 10), parse_hours("closed")) is None


def test_times_in_another_zone_are_read_as_shop_time():
    utc_2am = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    assert DEFAULT.is_open(utc_2am)
    assert callback_time(utc_2am, DEFAULT) == at(2, 12)


def test_a_handoff_needs_business_hours_and_an_agent_online(engine, agents):
    settings = handoff_settings()
    closed = can_hand_off_now(at(2, 23), engine, settings=settings)
    assert (bool(closed), closed.why, closed.callback_at) == (False, CLOSED, at(3, 11))

    nobody = can_hand_off_now(at(2, 10), engine, settings=settings)
    assert (bool(nobody), nobody.why, nobody.callback_at) == (False, NO_AGENT, at(2, 12))

    mark_seen(engine, "mei", at(2, 9, 59))
    available = can_hand_off_now(at(2, 10), engine, settings=settings)
    assert (bool(available), available.why, available.agents_online, available.callback_at) == (True, OPEN, 1, None)

    # Seen too long ago is not online.
    assert can_hand_off_now(at(2, 10, 3), engine, settings=settings).why == NO_AGENT
    assert can_hand_off_now(at(2, 10, 3), engine, settings=handoff_settings(handoff_agent_online_seconds=300))


def test_configured_hours_decide(engine, agents):
    mark_seen(engine, "mei", at(5, 12))
    settings = handoff_settings(handoff_hours="mon-fri 09:00-18:00; sat,sun closed")
    assert can_hand_off_now(at(5, 12), engine, settings=settings).why == CLOSED
