"""What every part of the handoff service stands on: the case and message records, the errors, and the
store that reads and writes the handoff tables, one transaction per change (docs/handoff.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kefu.backends.sql.session import SqlGateway, from_row
from kefu.handoff import agents as agent_accounts
from kefu.storage.handoff_models import CLAIMED, OPEN_STATUSES, SYSTEM, HandoffCase, HandoffMessage
from kefu.handoff.triggers import HandoffDecision
from kefu.settings import Settings
from kefu.storage.clock import in_shop_time, shop_now
from kefu.storage.phrases import plain_phrase


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
class Message:
    id: int
    case_id: int
    direction: str  # shopper, agent, bot, system
    author: Optional[str]
    text: str
    created_at: datetime
    delivered_at: Optional[datetime]


class CaseStore:
    """The handoff tables on one engine, with the reads and writes the queue, the messages and the tickets share."""

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
        note = plain_phrase("case_note_escalated", reasons=decision.labels)
        self._add_message(session, row.id, SYSTEM, note, now)

    @staticmethod
    def _add_message(session: Session, case_id: int, direction: str, text: str, now: datetime,
                     author: Optional[str] = None) -> Message:
        row = HandoffMessage(case_id=case_id, direction=direction, author=author, text=text, created_at=now)
        session.add(row)
        session.flush()
        return as_message(row)


def as_case(row: HandoffCase) -> Case:
    return from_row(
        Case,
        row,
        slots=dict(row.slots or {}),
        customer=dict(row.customer) if row.customer is not None else None,
        recent_orders=list(row.recent_orders or []),
        transcript=tuple(TranscriptLine.from_json(line) for line in row.transcript or []),
    )


def as_message(row: HandoffMessage) -> Message:
    return from_row(Message, row)
