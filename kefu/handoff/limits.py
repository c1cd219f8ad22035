"""How much of the agents' time one client may take: open cases per client, tickets per client and per
call-back phone number per shop day (docs/handoff.md "Limits").

A client is what the channel saw (``kefu.security.client.client_key``: the IP, else the sender id), so a
flood of made-up sender ids from one machine counts as one client. The checks run inside the transaction
that opens the case or files the ticket, after a write that serialises them (see :func:`hold`), so that
concurrent requests cannot all slip under the limit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Optional

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kefu.handoff.case_store import HandoffError
from kefu.settings import Settings
from kefu.storage.case_client_models import CaseClient
from kefu.storage.clock import in_shop_time
from kefu.storage.handoff_models import OPEN_STATUSES, HandoffCase

BY_CLIENT = "client"
BY_PHONE = "phone"


@dataclass(frozen=True)
class HandoffLimits:
    open_cases_per_client: int
    tickets_per_client_per_day: int
    tickets_per_phone_per_day: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "HandoffLimits":
        return cls(settings.open_cases_per_ip, settings.tickets_per_client_per_day, settings.tickets_per_phone_per_day)


class TooManyOpenCases(HandoffError):
    """The client already has as many open cases as it may; nothing was opened."""

    def __init__(self, client_key: str, open_case_ids: List[int]) -> None:
        super().__init__(f"{client_key} has {len(open_case_ids)} open cases")
        self.client_key = client_key
        self.open_case_ids = open_case_ids
        self.wait: Any = None  # the queue's WaitEstimate of the one picked up first, once it is known

    @property
    def minutes(self) -> int:
        """About how long until an agent takes the first of them (1 when they are all with an agent)."""
        return self.wait.minutes if self.wait is not None else 1


class TooManyTickets(HandoffError):
    """Today's tickets for this client (``by`` = "client") or this phone ("phone") are used up."""

    def __init__(self, by: str) -> None:
        super().__init__(f"ticket limit per {by} reached for today")
        self.by = by


def hold(session: Session, *keys: str) -> None:
    """Serialise the limit checks of these keys until the transaction ends.

    SQLite: the caller's first write already locks the whole database for
    writing. PostgreSQL: a transaction-scoped advisory lock per key, so two
    transactions for one client (or phone) count one after the other.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"kefu-limit:{key}"})


def record_client(session: Session, case_id: int, client_key: str) -> None:
    session.add(CaseClient(case_id=case_id, client_key=client_key))
    session.flush()


def client_of(session: Session, case_id: int) -> Optional[str]:
    return session.execute(select(CaseClient.client_key).where(CaseClient.case_id == case_id)).scalar()


def open_case_ids(session: Session, client_key: str) -> List[int]:
    """The client's open cases, the first opened first."""
    return list(session.execute(
        select(HandoffCase.id)
        .join(CaseClient, CaseClient.case_id == HandoffCase.id)
        .where(CaseClient.client_key == client_key, HandoffCase.status.in_(OPEN_STATUSES))
        .order_by(HandoffCase.created_at, HandoffCase.id)
    ).scalars())


def refuse_too_many_open_cases(session: Session, client_key: str, limit: int, new_case_id: int) -> None:
    """Called after the new case and its client row were written: TooManyOpenCases if that went past the limit."""
    open_ids = open_case_ids(session, client_key)
    if len(open_ids) > limit:
        raise TooManyOpenCases(client_key, [case_id for case_id in open_ids if case_id != new_case_id])


def start_of_shop_day(now: datetime) -> datetime:
    return in_shop_time(now).replace(hour=0, minute=0, second=0, microsecond=0)


def tickets_since(session: Session, since: datetime, *, client_key: Optional[str] = None,
                  phone: Optional[str] = None, excluding: Optional[int] = None) -> int:
    """Tickets (open or since closed) filed since ``since`` by this client, or for this call-back number."""
    query = select(func.count()).select_from(HandoffCase).where(
        HandoffCase.ticket_contact.is_not(None), HandoffCase.created_at >= since, HandoffCase.id != (excluding or -1))
    if client_key is not None:
        query = query.join(CaseClient, CaseClient.case_id == HandoffCase.id).where(CaseClient.client_key == client_key)
    if phone is not None:
        query = query.where(HandoffCase.ticket_contact == phone)
    return session.execute(query).scalar_one()


def tickets_used_up(session: Session, limits: HandoffLimits, now: datetime, *, client_key: Optional[str],
                    phone: Optional[str], excluding: Optional[int] = None) -> Optional[str]:
    """BY_CLIENT or BY_PHONE if today's tickets of this client or for this call-back number (other than the
    case ``excluding``) are used up; None if one more may be filed. An unknown client or number is not counted."""
    since = start_of_shop_day(now)
    if client_key is not None and (
            tickets_since(session, since, client_key=client_key, excluding=excluding)
            >= limits.tickets_per_client_per_day):
        return BY_CLIENT
    if phone is not None and (
            tickets_since(session, since, phone=phone, excluding=excluding) >= limits.tickets_per_phone_per_day):
        return BY_PHONE
    return None
