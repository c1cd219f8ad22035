"""When a human can take over: business hours (HANDOFF_HOURS), agents online, and the call-back promised
for a message left when none can (docs/handoff.md has the format and the rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterator, List, Optional, Tuple

from sqlalchemy.engine import Engine

from kefu.handoff import agents as agent_accounts
from kefu.settings import Settings
from kefu.storage.clock import SHOP_TZ, in_shop_time, shop_now

CALLBACK_WITHIN = timedelta(hours=2)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

# Why a handoff cannot happen now.
OPEN = "open"
CLOSED = "closed"
NO_AGENT = "no_agent"


class HoursError(ValueError):
    """A HANDOFF_HOURS value that cannot be read."""


@dataclass(frozen=True)
class BusinessHours:
    # Per weekday (Monday first): open periods as (start, end) minutes of the
    # day, end up to 1440 (24:00), sorted and not overlapping.
    days: Tuple[Tuple[Tuple[int, int], ...], ...]

    def is_open(self, moment: datetime) -> bool:
        moment = in_shop_time(moment)
        minute = moment.hour * 60 + moment.minute + moment.second / 60 + moment.microsecond / 60e6
        return any(start <= minute < end for start, end in self.days[moment.weekday()])

    def next_opening(self, moment: datetime) -> Optional[datetime]:
        """``moment`` itself when open, else the next opening; None if never open."""
        for start, _ in self._periods_from(in_shop_time(moment)):
            return start
        return None

    def add_open_time(self, moment: datetime, duration: timedelta) -> Optional[datetime]:
        """The moment when ``duration`` of open time has passed after ``moment``; None if never open."""
        left = duration
        for start, end in self._periods_from(in_shop_time(moment)):
            if end - start >= left:
                return start + left
            left -= end - start
        return None

    def _periods_from(self, moment: datetime) -> Iterator[Tuple[datetime, datetime]]:
        """Open periods after ``moment``, the current one cut at it; endless unless never open."""
        if not any(self.days):
            return
        day = moment.date()
        while True:
            for start_minute, end_minute in self.days[day.weekday()]:
                start, end = _at(day, start_minute), _at(day, end_minute)
                if end > moment:
                    yield max(start, moment), end
            day += timedelta(days=1)


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=SHOP_TZ) + timedelta(minutes=minute)


def parse_hours(spec: str) -> BusinessHours:
    """Read a HANDOFF_HOURS value (docs/handoff.md); HoursError says what is wrong."""
    days: List[Tuple[Tuple[int, int], ...]] = [()] * 7
    entries = [entry.strip() for entry in (spec or "").split(";") if entry.strip()]
    if not entries:
        raise HoursError(f"HANDOFF_HOURS is empty: {spec!r}")
    for entry in entries:
        parts = entry.lower().split()
        if len(parts) == 1:
            which, ranges = range(7), parts[0]
        elif len(parts) == 2:
            which, ranges = _weekdays(parts[0], entry), parts[1]
        else:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: expected '[days] HH:MM-HH:MM[,HH:MM-HH:MM]' or '[days] closed'")
        periods = () if ranges == "closed" else _periods(ranges, entry)
        for weekday in which:
            days[weekday] = periods
    return BusinessHours(tuple(days))


def _weekdays(text: str, entry: str) -> List[int]:
    chosen: List[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        try:
            start = WEEKDAYS.index(first)
            end = WEEKDAYS.index(last) if last else start
        except ValueError:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: days are {', '.join(WEEKDAYS)} (e.g. mon-fri or sat,sun)")
        chosen.extend((start + step) % 7 for step in range((end - start) % 7 + 1))
    return chosen


def _periods(text: str, entry: str) -> Tuple[Tuple[int, int], ...]:
    periods = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: {part!r} is not HH:MM-HH:MM")
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start_m > 59 or end_m > 59 or start >= MINUTES_PER_DAY or end > MINUTES_PER_DAY:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: {part!r} is not a time of day (up to 24:00)")
        if end <= start:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: {part!r} ends before it starts "
                             "(for hours past midnight write 22:00-24:00 and 00:00-02:00 on the next day)")
        periods.append((start, end))
    periods.sort()
    for (_, earlier_end), (later_start, _) in zip(periods, periods[1:]):
        if later_start < earlier_end:
            raise HoursError(f"HANDOFF_HOURS entry {entry!r}: periods overlap")
    return tuple(periods)


@lru_cache(maxsize=8)
def _parsed(spec: str) -> BusinessHours:
    return parse_hours(spec)


def business_hours(settings: Optional[Settings] = None) -> BusinessHours:
    """The configured hours (HANDOFF_HOURS)."""
    return _parsed((settings or Settings.from_env()).handoff_hours)


@dataclass(frozen=True)
class Availability:
    available: bool
    why: str  # OPEN, CLOSED or NO_AGENT
    callback_at: Optional[datetime]  # the promise for a ticket, when not available
    agents_online: int  # not counted (0) when closed

    def __bool__(self) -> bool:
        return self.available


def can_hand_off_now(now: Optional[datetime], engine: Engine, hours: Optional[BusinessHours] = None,
                     settings: Optional[Settings] = None) -> Availability:
    """Whether a case opened now reaches an agent: inside business hours and an agent online."""
    settings = settings or Settings.from_env()
    hours = hours or business_hours(settings)
    now = in_shop_time(now) if now is not None else shop_now()
    if not hours.is_open(now):
        return Availability(False, CLOSED, callback_time(now, hours), 0)
    online = len(agent_accounts.online_agents(engine, now, settings.handoff_agent_online_seconds))
    if online == 0:
        return Availability(False, NO_AGENT, callback_time(now, hours), 0)
    return Availability(True, OPEN, None, online)


def callback_time(now: Optional[datetime] = None, hours: Optional[BusinessHours] = None) -> Optional[datetime]:
    """The call-back promised for a message left at ``now``, to the minute; None if the shop never opens."""
    hours = hours or business_hours()
    now = in_shop_time(now) if now is not None else shop_now()
    due = hours.add_open_time(now, CALLBACK_WITHIN)
    if due is None:
        return None
    return to_the_minute(due)


def to_the_minute(moment: datetime) -> datetime:
    """``moment`` rounded up to a whole minute: a promise is never earlier than the exact time."""
    rounded = moment.replace(second=0, microsecond=0)
    return rounded if rounded == moment else rounded + timedelta(minutes=1)

