"""The queue of handoff cases: opening one for a shopper, agents claiming, keeping and releasing it,
closing it (docs/handoff.md has the life of a case and why a claim is one conditional UPDATE)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, List, Mapping, Optional, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from kefu.handoff import agents as agent_accounts
from kefu.handoff.case_store import Case, CaseNotFound, CaseStore, NotYourCase, TranscriptLine, as_case
from kefu.handoff.limits import HandoffLimits, TooManyOpenCases, hold, record_client, refuse_too_many_open_cases
from kefu.storage.handoff_models import CLAIMED, CLOSED, QUEUED, SYSTEM, Agent, HandoffCase
from kefu.handoff.triggers import HandoffDecision
from kefu.storage.phrases import plain_phrase


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    created: bool  # False: the shopper already had an open case, which is returned


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 1: next to be picked up
    minutes: int
    agents_online: int


class CaseQueue(CaseStore):
    """Cases from opened to closed: the shopper's case, the queue, the agents' claims."""

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
        client_key: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> OpenedCase:
        """A queued case for the shopper, or their open case if they have one.

        An open case asked for again with a more urgent reason (they were
        waiting and got angry) takes the new reason and priority, and keeps
        its place in time. ``client_key`` (kefu.security.client) is recorded
        with a new case; TooManyOpenCases, and no case, if that client already
        has OPEN_CASES_PER_IP open ones.
        """
        now = self._now(now)
        lines = [line.to_json() for line in transcript]

        def change(session: Session) -> OpenedCase:
            existing = self._open_row(session, sender_id)
            if existing is not None:
                self._escalate(session, existing, decision, now)
                return OpenedCase(as_case(existing), created=False)
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
            session.flush()  # the first write: on SQLite it keeps other writers out until the count below is done
            if client_key is not None:
                hold(session, client_key)
                record_client(session, row.id, client_key)
                limit = HandoffLimits.from_settings(self._settings).open_cases_per_client
                refuse_too_many_open_cases(session, client_key, limit, row.id)
            return OpenedCase(as_case(row), created=True)

        try:
            return self._gateway.write(change)
        except TooManyOpenCases as busy:
            busy.wait = self.soonest_wait(busy.open_case_ids)  # what the shopper is told instead
            raise

    def open_case_of(self, sender_id: str) -> Optional[Case]:
        """The shopper's queued or claimed case: while there is one, the bot stays quiet."""
        with self._gateway.session() as session:
            row = self._open_row(session, sender_id)
            return as_case(row) if row is not None else None

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

    def soonest_wait(self, case_ids: Iterable[int], now: Optional[datetime] = None) -> Optional[WaitEstimate]:
        """The wait of whichever of these cases is picked up first; None if none of them is queued."""
        waits = [wait for wait in (self.expected_wait(case_id, now) for case_id in case_ids) if wait is not None]
        return min(waits, key=lambda wait: wait.position, default=None)

    def queue(self) -> List[Case]:
        """Cases waiting for an agent: the most urgent first, then the longest waiting."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == QUEUED)
                .order_by(HandoffCase.priority, HandoffCase.created_at, HandoffCase.id)
            ).scalars()
            return [as_case(row) for row in rows]

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
            note = plain_phrase("case_note_claimed", agent=agent.display_name)
            self._add_message(session, case_id, SYSTEM, note, now, author=username)
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
                    note = plain_phrase("case_note_released", agent=name)
                    self._add_message(session, case_id, SYSTEM, note, now, author=agent)
                    released.append(case_id)
            return released

        return self._gateway.write(change)

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
                return as_case(row)
            if row.status == CLAIMED and row.claimed_by != username:
                raise NotYourCase(f"case {case_id} is held by {row.claimed_by}")
            row.status, row.closed_by, row.closed_at = CLOSED, username, now
            note = plain_phrase("case_note_closed", agent=agent.display_name)
            self._add_message(session, case_id, SYSTEM, note, now, author=username)
            return as_case(row)

        return self._gateway.write(change)

    def held_by(self, username: str) -> List[Case]:
        """The cases an agent holds now, the first claimed first (the workspace's "my cases")."""
        with self._gateway.session() as session:
            rows = session.execute(
                select(HandoffCase)
                .where(HandoffCase.status == CLAIMED, HandoffCase.claimed_by == username)
                .order_by(HandoffCase.claimed_at, HandoffCase.id)
            ).scalars()
            return [as_case(row) for row in rows]

    def get(self, case_id: int) -> Optional[Case]:
        with self._gateway.session() as session:
            row = session.get(HandoffCase, case_id)
            return as_case(row) if row is not None else None

