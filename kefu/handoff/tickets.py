"""Tickets: a waiting case turned into a message left for a call-back, the agents' calls to the
shopper, and when to call again (docs/handoff.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kefu.backends.sql.session import from_row
from kefu.handoff.case_store import Case, CaseNotOpen, CaseStore, Message, as_case
from kefu.handoff.hours import BusinessHours, business_hours, to_the_minute
from kefu.handoff.limits import HandoffLimits, TooManyTickets, client_of, hold, tickets_used_up
from kefu.storage.handoff_models import (
    CALLBACK_OUTCOMES,
    CLOSED,
    NO_ANSWER,
    QUEUED,
    REACHED,
    SHOPPER,
    SYSTEM,
    TICKET,
    HandoffCase,
    TicketCallback,
)
from kefu.storage.clock import in_shop_time
from kefu.storage.phrases import plain_phrase

# A ticket's shopper who does not answer is called again this long after,
# or at the next opening if the shop is closed then; after this many
# unanswered calls the ticket is closed as unreachable.
CALLBACK_RETRY_AFTER = timedelta(hours=2)
MAX_UNANSWERED_CALLBACKS = 3


class NotATicket(CaseNotOpen):
    """A call-back recorded for a case that is no (longer an open) ticket."""


@dataclass(frozen=True)
class CallbackAttempt:
    """One call to a ticket's shopper."""

    id: int
    case_id: int
    agent: str  # username
    outcome: str  # reached, no_answer
    note: str
    called_at: datetime


@dataclass(frozen=True)
class CallbackResult:
    case: Case  # closed, or the ticket with its next callback_at
    attempt: CallbackAttempt
    message: Message  # the note in the case's messages: who called, when, what came of it
    unanswered: int  # unanswered calls so far, this one included

    @property
    def unreachable(self) -> bool:
        return self.attempt.outcome == NO_ANSWER and self.case.status == CLOSED


class Tickets(CaseStore):
    """Messages left for a call-back, and the calls made to their shoppers."""

    def to_ticket(self, case_id: int, contact: str, callback_at: datetime, message: Optional[str] = None,
                  now: Optional[datetime] = None, contact_verified: bool = True) -> Case:
        """Turn a waiting case into a ticket: the shopper's contact, their message, the promised call-back.

        TooManyTickets (nothing changed) past today's tickets of the case's
        client (kefu/handoff/limits.py). A number an anonymous shopper typed
        (``contact_verified`` False) may be anybody's: it is refused past
        today's tickets for that number, and a note in the case tells the
        agent it is only a call-back number. A known shopper's own number
        (the default) counts for that limit but is never refused by it.
        """
        now = self._now(now)
        contact = (contact or "").strip()
        if not contact:
            raise ValueError("a ticket needs a way to reach the shopper")

        def change(session: Session) -> Case:
            row = self._row(session, case_id)
            if row.status != QUEUED:
                raise CaseNotOpen(f"case {case_id} is {row.status}")
            row.status, row.ticket_contact, row.callback_at = TICKET, contact, callback_at
            session.flush()  # the first write: on SQLite it keeps other writers out until the counts are done
            client_key = client_of(session, case_id)
            hold(session, f"phone:{contact}", *([client_key] if client_key else []))
            used_up = tickets_used_up(session, HandoffLimits.from_settings(self._settings), now,
                                      client_key=client_key, phone=None if contact_verified else contact,
                                      excluding=case_id)
            if used_up:
                raise TooManyTickets(used_up)
            if message and message.strip():
                self._add_message(session, case_id, SHOPPER, message.strip(), now)
            if not contact_verified:
                self._add_message(session, case_id, SYSTEM, plain_phrase("ticket_note_unverified_contact"), now)
            return as_case(row)

        return self._gateway.write(change)

    def ticket_limit_reached(self, client_key: Optional[str], phone: Optional[str] = None,
                             now: Optional[datetime] = None) -> Optional[str]:
        """Before asking for a message: BY_CLIENT or BY_PHONE if today's tickets are used up, else None."""
        now = self._now(now)
        with self._gateway.session() as session:
            return tickets_used_up(session, HandoffLimits.from_settings(self._settings), now,
                                   client_key=client_key, phone=phone)

    def withdraw(self, case_id: int, now: Optional[datetime] = None) -> bool:
        """Close a queued case that no agent has seen, opened for a ticket that was then refused; False if
        it is no longer queued (an agent took it meanwhile, and keeps it)."""
        now = self._now(now)

        def change(session: Session) -> bool:
            return session.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case_id, HandoffCase.status == QUEUED)
                .values(status=CLOSED, closed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount == 1

        return self._gateway.write(change)

    def tickets(self) -> List[Case]:
        """Open tickets, the call-back due first."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == TICKET)
                .order_by(HandoffCase.callback_at, HandoffCase.id)
            ).scalars()
            return [as_case(row) for row in rows]

    def record_callback(self, case_id: int, username: str, outcome: str, note: str = "",
                        now: Optional[datetime] = None, hours: Optional[BusinessHours] = None) -> CallbackResult:
        """An agent called the shopper of a ticket back; the call and the note go into the case.

        ``reached`` (the note, what was agreed, is required) closes the
        ticket. ``no_answer`` keeps it, with the call-back moved to the next
        slot (``next_callback_slot`` in HANDOFF_HOURS), until the
        MAX_UNANSWERED_CALLBACKS-th unanswered call closes it as unreachable.
        NotATicket if the case is not an open ticket (closed meanwhile, say).
        """
        if outcome not in CALLBACK_OUTCOMES:
            raise ValueError(f"a call-back is {' or '.join(CALLBACK_OUTCOMES)}, not {outcome!r}")
        note = (note or "").strip()
        if outcome == REACHED and not note:
            raise ValueError("a call that reached the shopper needs a note of what was agreed")
        now = self._now(now)
        agent = self._require_agent(username)
        hours = hours or business_hours(self._settings)

        def change(session: Session) -> CallbackResult:
            # A write first: it holds the row (PostgreSQL) or the database
            # (SQLite) until the commit, so two agents recording a call at
            # once count the attempts one after the other.
            if session.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case_id, HandoffCase.status == TICKET)
                .values(callback_at=HandoffCase.callback_at)
                .execution_options(synchronize_session=False)
            ).rowcount != 1:
                raise NotATicket(f"case {case_id} is {self._row(session, case_id).status}")
            row = self._row(session, case_id)
            unanswered = session.execute(
                select(func.count()).select_from(TicketCallback)
                .where(TicketCallback.case_id == case_id, TicketCallback.outcome == NO_ANSWER)
            ).scalar_one()
            attempt = TicketCallback(case_id=case_id, agent=username, outcome=outcome, note=note, called_at=now)
            session.add(attempt)
            said = plain_phrase("callback_said", note=note) if note else ""
            if outcome == REACHED:
                row.status, row.closed_by, row.closed_at = CLOSED, username, now
                text = plain_phrase("callback_reached", agent=agent.display_name, said=said)
            else:
                unanswered += 1
                if unanswered >= MAX_UNANSWERED_CALLBACKS:
                    row.status, row.closed_by, row.closed_at = CLOSED, username, now
                    then = plain_phrase("callback_unreachable", count=unanswered)
                else:
                    row.callback_at = next_callback_slot(now, hours)
                    then = plain_phrase("callback_next_call", moment=_day_and_time(row.callback_at))
                text = plain_phrase("callback_no_answer", agent=agent.display_name, count=unanswered, said=said,
                                    then=then)
            message = self._add_message(session, case_id, SYSTEM, text, now, author=username)
            return CallbackResult(as_case(row), _callback(attempt), message, unanswered)

        return self._gateway.write(change)

    def callbacks(self, case_ids: Iterable[int]) -> Dict[int, List[CallbackAttempt]]:
        """The calls made to the shoppers of these cases, the first first; {case id: calls}."""
        ids = list(case_ids)
        found: Dict[int, List[CallbackAttempt]] = {case_id: [] for case_id in ids}
        if not ids:
            return found
        with self._gateway.session() as session:
            rows = session.execute(
                select(TicketCallback)
                .where(TicketCallback.case_id.in_(ids))
                .order_by(TicketCallback.called_at, TicketCallback.id)
            ).scalars()
            for row in rows:
                found[row.case_id].append(_callback(row))
        return found


def _callback(row: TicketCallback) -> CallbackAttempt:
    return from_row(CallbackAttempt, row)


def next_callback_slot(now: datetime, hours: BusinessHours) -> datetime:
    """When to call an unanswered shopper again: CALLBACK_RETRY_AFTER later, to the minute, if the shop
    is open then, else its next opening (a call at 21:00 on a 22:00 close: 09:00 the next morning)."""
    due = to_the_minute(in_shop_time(now) + CALLBACK_RETRY_AFTER)
    return hours.next_opening(due) or due


def _day_and_time(moment: datetime) -> str:
    moment = in_shop_time(moment)
    return plain_phrase("month_day_time", month=moment.month, day=moment.day, time=f"{moment:%H:%M}")
