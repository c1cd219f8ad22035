"""Handoff cases: opening one, the queue, agents claiming and answering, closing.

Plain Python over an SQLAlchemy engine (the action server and the agent
workspace both call it, in worker threads). Every change is one
transaction; database failures come out as ``kefu.backends.errors``
(``BackendUnavailable`` when the database cannot answer), which the actions
already meet with an apology.

The life of a case::

    open_case ──> queued ──claim──> claimed ──close──> closed (the bot resumes)
                    │  ^               │
                    │  └── release_stale_claims (no heartbeat from the agent's browser)
                    └── to_ticket ──> ticket (left a message; call-back promised) ──close──> closed
                                            │  ^
                                            │  └── record_callback no_answer: callback_at moves on
                                            └── record_callback reached, or the 3rd no_answer ──> closed

Nothing the shopper says is lost: while a case is open, their messages are
stored for the agent (``add_shopper_message``); an agent's replies wait in
the table until the shopper's channel has delivered them
(``undelivered_agent_messages`` / ``mark_delivered``).

Concurrency: a claim is one conditional UPDATE (``… WHERE status =
'queued'``), so of two agents clicking the same case exactly one gets it,
on SQLite and PostgreSQL alike. A partial unique index allows one open
case per shopper; two replicas opening one at the same moment collide on
it, and the loser runs again and finds the winner's case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kefu.backends.sql.session import SqlGateway, from_row
from kefu.handoff import agents as agent_accounts
from kefu.handoff.models import (
    AGENT,
    Agent,
    CLAIMED,
    CALLBACK_OUTCOMES,
    CLOSED,
    NO_ANSWER,
    OPEN_STATUSES,
    QUEUED,
    REACHED,
    SHOPPER,
    SYSTEM,
    TICKET,
    HandoffCase,
    HandoffMessage,
    TicketCallback,
)
from kefu.handoff.triggers import HandoffDecision, decide_handoff
from kefu.settings import Settings
from kefu.storage.clock import in_shop_time, shop_now

if TYPE_CHECKING:  # hours.py builds on this module
    from kefu.handoff.hours import BusinessHours

# A ticket's shopper who does not answer is called again this long after,
# or at the next opening if the shop is closed then; after this many
# unanswered calls the ticket is closed as unreachable.
CALLBACK_RETRY_AFTER = timedelta(hours=2)
MAX_UNANSWERED_CALLBACKS = 3
# How far back a pushing channel looks for replies to deliver.
PUSH_WINDOW = timedelta(hours=24)


class HandoffError(Exception):
    """A request the state of the case does not allow."""


class CaseNotFound(HandoffError):
    pass


class CaseNotOpen(HandoffError):
    """The case is closed, a ticket, or otherwise not in the state the request needs."""


class NotYourCase(HandoffError):
    """Another agent holds the case (or nobody does)."""


class UnknownAgent(HandoffError):
    pass


class NotATicket(CaseNotOpen):
    """A call-back recorded for a case that is no (longer an open) ticket."""


@dataclass(frozen=True)
class TranscriptLine:
    who: str  # shopper, bot, agent, system
    text: str
    at: Optional[datetime] = None

    def to_json(self) -> Dict[str, Any]:
        return {"who": self.who, "text": self.text, "at": in_shop_time(self.at).isoformat() if self.at else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TranscriptLine":
        at = data.get("at")
        return cls(str(data.get("who", "")), str(data.get("text", "")), datetime.fromisoformat(at) if at else None)


@dataclass(frozen=True)
class Case:
    id: int
    sender_id: str
    channel: Optional[str]
    status: str
    reason: str
    priority: int
    reason_label: str
    emotion_score: Optional[float]
    intent: Optional[str]
    slots: Dict[str, Any]
    customer: Optional[Dict[str, Any]]
    recent_orders: List[Dict[str, Any]]
    transcript: Tuple[TranscriptLine, ...]
    created_at: datetime
    claimed_by: Optional[str]
    claimed_at: Optional[datetime]
    agent_heartbeat_at: Optional[datetime]
    closed_by: Optional[str]
    closed_at: Optional[datetime]
    ticket_contact: Optional[str]
    callback_at: Optional[datetime]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def member_level(self) -> Optional[str]:
        return (self.customer or {}).get("member_level")


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    created: bool  # False: the shopper already had an open case, which is returned


@dataclass(frozen=True)
class Message:
    id: int
    case_id: int
    direction: str  # shopper, agent, bot, system
    author: Optional[str]
    text: str
    created_at: datetime
    delivered_at: Optional[datetime]


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


@dataclass(frozen=True)
class Delivery:
    """An agent's reply and where it goes: the shopper's conversation on their channel."""

    sender_id: str
    channel: Optional[str]
    message: Message


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 1: next to be picked up
    minutes: int
    agents_online: int


class HandoffService:
    def __init__(self, engine: Engine, settings: Optional[Settings] = None,
                 clock: Callable[[], datetime] = shop_now) -> None:
        settings = settings or Settings.from_env()
        self.engine = engine
        self._gateway = SqlGateway(engine)
        self._clock = clock
        self.average_minutes_per_case = settings.handoff_average_minutes_per_case
        self.claim_timeout_seconds = settings.handoff_claim_timeout_seconds
        self.agent_online_seconds = settings.handoff_agent_online_seconds
        self._settings = settings

    # --- the shopper's side ---------------------------------------------------------

    def open_case(
        self,
        sender_id: str,
        decision: HandoffDecision,
        *,
        channel: Optional[str] = None,
        intent: Optional[str] = None,
        slots: Optional[Mapping[str, Any]] = None,
        customer: Optional[Mapping[str, Any]] = None,
        recent_orders: Sequence[Mapping[str, Any]] = (),
        transcript: Iterable[TranscriptLine] = (),
        now: Optional[datetime] = None,
    ) -> OpenedCase:
        """A queued case for the shopper, or their open case if they have one.

        An open case asked for again with a more urgent reason (they were
        waiting and got angry) takes the new reason and priority, and keeps
        its place in time.
        """
        now = self._now(now)
        lines = [line.to_json() for line in transcript]

        def change(session: Session) -> OpenedCase:
            existing = self._open_row(session, sender_id)
            if existing is not None:
                self._escalate(session, existing, decision, now)
                return OpenedCase(_case(existing), created=False)
            row = HandoffCase(
                sender_id=sender_id,
                channel=channel,
                status=QUEUED,
                reason=decision.reason.value,
                priority=decision.priority,
                reason_label=decision.labels,
                emotion_score=decision.emotion_score,
                intent=intent,
                slots={key: value for key, value in (slots or {}).items() if value is not None},
                customer=dict(customer) if customer is not None else None,
                recent_orders=[dict(order) for order in recent_orders],
                transcript=lines,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return OpenedCase(_case(row), created=True)

        return self._gateway.write(change)

    def open_case_of(self, sender_id: str) -> Optional[Case]:
        """The shopper's queued or claimed case: while there is one, the bot stays quiet."""
        with self._gateway.session() as session:
            row = self._open_row(session, sender_id)
            return _case(row) if row is not None else None

    def add_shopper_message(self, sender_id: str, text: str, now: Optional[datetime] = None) -> Optional[Message]:
        """Store what a waiting (or served) shopper says for the agent; None if no case is open.

        An angry message moves a waiting case up the queue.
        """
        now = self._now(now)

        def change(session: Session) -> Optional[Message]:
            row = self._open_row(session, sender_id)
            if row is None:
                return None
            decision = decide_handoff(None, text, member_level=(row.customer or {}).get("member_level"))
            if decision is not None:
                self._escalate(session, row, decision, now)
            return self._add_message(session, row.id, SHOPPER, text, now)

        return self._gateway.write(change)

    def expected_wait(self, case_id: int, now: Optional[datetime] = None) -> Optional[WaitEstimate]:
        """Where a queued case stands and about how long until an agent takes it; None if not queued.

        Position × HANDOFF_AVERAGE_MINUTES_PER_CASE, shared among the agents online.
        """
        position = self.position(case_id)
        if position is None:
            return None
        online = len(agent_accounts.online_agents(self.engine, self._now(now), self.agent_online_seconds))
        minutes = math.ceil(position * self.average_minutes_per_case / max(online, 1))
        return WaitEstimate(position, minutes, online)

    # --- the agents' side -----------------------------------------------------------

    def queue(self) -> List[Case]:
        """Cases waiting for an agent: the most urgent first, then the longest waiting."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == QUEUED)
                .order_by(HandoffCase.priority, HandoffCase.created_at, HandoffCase.id)
            ).scalars()
            return [_case(row) for row in rows]

    def position(self, case_id: int) -> Optional[int]:
        """1 for the case an agent picks next; None if the case is not queued."""
        with self._gateway.session() as session:
            row = session.get(HandoffCase, case_id)
            if row is None or row.status != QUEUED:
                return None
            ahead = session.execute(
                select(func.count())
                .select_from(HandoffCase)
                .where(
                    HandoffCase.status == QUEUED,
                    or_(
                        HandoffCase.priority < row.priority,
                        and_(
                            HandoffCase.priority == row.priority,
                            or_(
                                HandoffCase.created_at < row.created_at,
                                and_(HandoffCase.created_at == row.created_at, HandoffCase.id < row.id),
                            ),
                        ),
                    ),
                )
            ).scalar_one()
            return ahead + 1

    def claim(self, case_id: int, username: str, now: Optional[datetime] = None) -> bool:
        """Take a queued case; False if another agent got it first (or it is no longer queued)."""
        now = self._now(now)
        agent = self._require_agent(username)

        def change(session: Session) -> bool:
            taken = session.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case_id, HandoffCase.status == QUEUED)
                .values(status=CLAIMED, claimed_by=username, claimed_at=now, agent_heartbeat_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                if session.get(HandoffCase, case_id) is None:
                    raise CaseNotFound(case_id)
                return False
            self._add_message(session, case_id, SYSTEM, f"{agent.display_name} 接入", now, author=username)
            return True

        won = self._gateway.write(change)
        agent_accounts.mark_seen(self.engine, username, now)
        return won

    def heartbeat(self, case_id: int, username: str, now: Optional[datetime] = None) -> bool:
        """The agent's browser still has the case open; False if the case is no longer theirs."""
        now = self._now(now)
        agent_accounts.mark_seen(self.engine, username, now)

        def change(session: Session) -> bool:
            return session.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case_id, HandoffCase.status == CLAIMED, HandoffCase.claimed_by == username)
                .values(agent_heartbeat_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount == 1

        return self._gateway.write(change)

    def release_stale_claims(self, now: Optional[datetime] = None,
                             timeout_seconds: Optional[float] = None) -> List[int]:
        """Put back in the queue the claimed cases whose agent has gone quiet; their ids.

        A released case keeps its place in time, so it is near the front again.
        """
        now = self._now(now)
        timeout = self.claim_timeout_seconds if timeout_seconds is None else timeout_seconds
        cutoff = now - timedelta(seconds=timeout)
        stale = and_(HandoffCase.status == CLAIMED, HandoffCase.agent_heartbeat_at < cutoff)

        def change(session: Session) -> List[int]:
            released = []
            for case_id, agent in session.execute(select(HandoffCase.id, HandoffCase.claimed_by).where(stale)).all():
                # Checked again row by row: a heartbeat may have come in since the SELECT.
                if session.execute(
                    update(HandoffCase)
                    .where(HandoffCase.id == case_id, stale)
                    .values(status=QUEUED, claimed_by=None, claimed_at=None, agent_heartbeat_at=None)
                    .execution_options(synchronize_session=False)
                ).rowcount:
                    name = session.execute(select(Agent.display_name).where(Agent.username == agent)).scalar() or agent
                    self._add_message(session, case_id, SYSTEM, f"{name} 超时未响应，已退回排队", now, author=agent)
                    released.append(case_id)
            return released

        return self._gateway.write(change)

    def agent_reply(self, case_id: int, username: str, text: str, now: Optional[datetime] = None) -> Delivery:
        """Store the agent's reply; what comes back is to be sent to the shopper."""
        now = self._now(now)
        text = (text or "").strip()
        if not text:
            raise ValueError("an empty reply")

        def change(session: Session) -> Delivery:
            row = self._held_row(session, case_id, username)
            row.agent_heartbeat_at = now
            message = self._add_message(session, case_id, AGENT, text, now, author=username)
            return Delivery(row.sender_id, row.channel, message)

        delivery = self._gateway.write(change)
        agent_accounts.mark_seen(self.engine, username, now)
        return delivery

    def close(self, case_id: int, username: str, now: Optional[datetime] = None) -> Case:
        """End the case: the bot takes over the conversation again.

        A claimed case is closed by the agent holding it; a queued case or a
        ticket by any agent. Closing a closed case changes nothing.
        """
        now = self._now(now)
        agent = self._require_agent(username)

        def change(session: Session) -> Case:
            row = self._row(session, case_id)
            if row.status == CLOSED:
                return _case(row)
            if row.status == CLAIMED and row.claimed_by != username:
                raise NotYourCase(f"case {case_id} is held by {row.claimed_by}")
            row.status, row.closed_by, row.closed_at = CLOSED, username, now
            self._add_message(session, case_id, SYSTEM, f"{agent.display_name} 结束了会话", now, author=username)
            return _case(row)

        return self._gateway.write(change)

    def to_ticket(self, case_id: int, contact: str, callback_at: datetime, message: Optional[str] = None,
                  now: Optional[datetime] = None) -> Case:
        """Turn a waiting case into a ticket: the shopper's contact, their message, the promised call-back."""
        now = self._now(now)
        contact = (contact or "").strip()
        if not contact:
            raise ValueError("a ticket needs a way to reach the shopper")

        def change(session: Session) -> Case:
            row = self._row(session, case_id)
            if row.status != QUEUED:
                raise CaseNotOpen(f"case {case_id} is {row.status}")
            row.status, row.ticket_contact, row.callback_at = TICKET, contact, callback_at
            if message and message.strip():
                self._add_message(session, case_id, SHOPPER, message.strip(), now)
            return _case(row)

        return self._gateway.write(change)

    def tickets(self) -> List[Case]:
        """Open tickets, the call-back due first."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == TICKET)
                .order_by(HandoffCase.callback_at, HandoffCase.id)
            ).scalars()
            return [_case(row) for row in rows]

    def record_callback(self, case_id: int, username: str, outcome: str, note: str = "",
                        now: Optional[datetime] = None, hours: Optional["BusinessHours"] = None) -> CallbackResult:
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
        if hours is None:
            from kefu.handoff.hours import business_hours

            hours = business_hours(self._settings)

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
            said = f"：{note}" if note else ""
            if outcome == REACHED:
                row.status, row.closed_by, row.closed_at = CLOSED, username, now
                text = f"{agent.display_name} 回电，已联系上顾客{said}"
            else:
                unanswered += 1
                text = f"{agent.display_name} 回电未接通（第 {unanswered} 次）{said}"
                if unanswered >= MAX_UNANSWERED_CALLBACKS:
                    row.status, row.closed_by, row.closed_at = CLOSED, username, now
                    text += f"；{unanswered} 次未接通，联系不上顾客，工单已关闭"
                else:
                    row.callback_at = next_callback_slot(now, hours)
                    text += f"；下次回电 {_day_and_time(row.callback_at)}"
            message = self._add_message(session, case_id, SYSTEM, text, now, author=username)
            return CallbackResult(_case(row), _callback(attempt), message, unanswered)

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

    def held_by(self, username: str) -> List[Case]:
        """The cases an agent holds now, the first claimed first (the workspace's "my cases")."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == CLAIMED, HandoffCase.claimed_by == username)
                .order_by(HandoffCase.claimed_at, HandoffCase.id)
            ).scalars()
            return [_case(row) for row in rows]

    def get(self, case_id: int) -> Optional[Case]:
        with self._gateway.session() as session:
            row = session.get(HandoffCase, case_id)
            return _case(row) if row is not None else None

    # --- messages -------------------------------------------------------------------

    def messages(self, case_id: int, since: Optional[int] = None) -> List[Message]:
        """The case's messages in order; with ``since`` (a message id), only the ones after it."""
        query = select(HandoffMessage).where(HandoffMessage.case_id == case_id)
        if since is not None:
            query = query.where(HandoffMessage.id > since)
        with self._gateway.session() as session:
            return [_message(row) for row in session.execute(query.order_by(HandoffMessage.id)).scalars()]

    def undelivered_agent_messages(self, sender_id: str) -> List[Message]:
        """Agents' replies the shopper has not been sent yet, oldest first (a closed case's last words too)."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffMessage)
                .join(HandoffCase, HandoffCase.id == HandoffMessage.case_id)
                .where(
                    HandoffCase.sender_id == sender_id,
                    HandoffMessage.direction == AGENT,
                    HandoffMessage.delivered_at.is_(None),
                )
                .order_by(HandoffMessage.id)
            ).scalars()
            return [_message(row) for row in rows]

    def agent_messages_after(self, sender_id: str, after: int) -> List[Message]:
        """Agents' replies to the shopper with an id above ``after``, delivered or not, oldest first.

        For a client that says which message it saw last (so that a reply
        lost on the way is sent again). The ones still undelivered come too,
        whatever their id: nothing waits forever behind a larger id.
        """
        their_cases = select(HandoffCase.id).where(HandoffCase.sender_id == sender_id)
        query = select(HandoffMessage).where(
            HandoffMessage.case_id.in_(their_cases),
            HandoffMessage.direction == AGENT,
            or_(HandoffMessage.id > after, HandoffMessage.delivered_at.is_(None)),
        )
        with self._gateway.session() as session:
            return [_message(row) for row in session.execute(query.order_by(HandoffMessage.id)).scalars()]

    def senders_awaiting_delivery(self, now: Optional[datetime] = None) -> List[str]:
        """The shoppers (sender ids) with agents' replies of the last PUSH_WINDOW not delivered yet, in one query.

        For a channel that pushes: it delivers to those connected to it.
        Older replies (a REST shopper who never came back) are left to the
        shopper's next turn, so the answer does not grow with the years.
        """
        since = self._now(now) - PUSH_WINDOW
        with self._gateway.session() as session:
            return list(session.execute(
                select(HandoffCase.sender_id)
                .join(HandoffMessage, HandoffMessage.case_id == HandoffCase.id)
                .where(HandoffMessage.direction == AGENT, HandoffMessage.delivered_at.is_(None),
                       HandoffMessage.created_at >= since)
                .distinct()
                .order_by(HandoffCase.sender_id)
            ).scalars())

    def mark_delivered(self, message_ids: Iterable[int], now: Optional[datetime] = None) -> int:
        """Record that the shopper's channel took these messages; how many were still waiting."""
        ids = list(message_ids)
        if not ids:
            return 0
        now = self._now(now)

        def change(session: Session) -> int:
            return session.execute(
                update(HandoffMessage)
                .where(HandoffMessage.id.in_(ids), HandoffMessage.delivered_at.is_(None))
                .values(delivered_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount

        return self._gateway.write(change)

    # --- inside ---------------------------------------------------------------------

    def _now(self, now: Optional[datetime]) -> datetime:
        return in_shop_time(now) if now is not None else self._clock()

    def _require_agent(self, username: str) -> agent_accounts.AgentAccount:
        account = agent_accounts.get_agent(self.engine, username)
        if account is None:
            raise UnknownAgent(username)
        return account

    @staticmethod
    def _open_row(session: Session, sender_id: str) -> Optional[HandoffCase]:
        return session.execute(
            select(HandoffCase).where(HandoffCase.sender_id == sender_id, HandoffCase.status.in_(OPEN_STATUSES))
        ).scalar_one_or_none()

    @staticmethod
    def _row(session: Session, case_id: int) -> HandoffCase:
        row = session.get(HandoffCase, case_id)
        if row is None:
            raise CaseNotFound(case_id)
        return row

    def _held_row(self, session: Session, case_id: int, username: str) -> HandoffCase:
        row = self._row(session, case_id)
        if row.status != CLAIMED:
            raise CaseNotOpen(f"case {case_id} is {row.status}")
        if row.claimed_by != username:
            raise NotYourCase(f"case {case_id} is held by {row.claimed_by}")
        return row

    def _escalate(self, session: Session, row: HandoffCase, decision: HandoffDecision, now: datetime) -> None:
        if decision.priority >= row.priority:
            return
        row.reason, row.priority, row.reason_label = decision.reason.value, decision.priority, decision.labels
        row.emotion_score = max(row.emotion_score or 0.0, decision.emotion_score)
        self._add_message(session, row.id, SYSTEM, f"升级：{decision.labels}", now)

    @staticmethod
    def _add_message(session: Session, case_id: int, direction: str, text: str, now: datetime,
                     author: Optional[str] = None) -> Message:
        row = HandoffMessage(case_id=case_id, direction=direction, author=author, text=text, created_at=now)
        session.add(row)
        session.flush()
        return _message(row)


def _case(row: HandoffCase) -> Case:
    return from_row(
        Case,
        row,
        slots=dict(row.slots or {}),
        customer=dict(row.customer) if row.customer is not None else None,
        recent_orders=list(row.recent_orders or []),
        transcript=tuple(TranscriptLine.from_json(line) for line in row.transcript or []),
    )


def _message(row: HandoffMessage) -> Message:
    return from_row(Message, row)


def _callback(row: TicketCallback) -> CallbackAttempt:
    return from_row(CallbackAttempt, row)


def next_callback_slot(now: datetime, hours: "BusinessHours") -> datetime:
    """When to call an unanswered shopper again: CALLBACK_RETRY_AFTER later, to the minute, if the shop
    is open then, else its next opening (a call at 21:00 on a 22:00 close: 09:00 the next morning)."""
    due = in_shop_time(now) + CALLBACK_RETRY_AFTER
    rounded = due.replace(second=0, microsecond=0)
    if rounded != due:
        rounded += timedelta(minutes=1)
    return hours.next_opening(rounded) or rounded


def _day_and_time(moment: datetime) -> str:
    moment = in_shop_time(moment)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
