"""Limits on proving an order with the phone's last four digits (docs/security.md).

Only 10⁴ answers are possible, so failures are counted in the database, per order number and per client
(:func:`kefu.security.client.client_key`), across conversations, sender ids and restarts. Once an order
or a client has ``limit`` failures within :data:`FAILURE_MEMORY`, it is locked until the cool-down has
passed since its latest failure: even the right answer is refused meanwhile (a human is offered instead).
After the cool-down a single answer is let through; if it is wrong again the lock starts over, so a
guesser gets one try per cool-down instead of ``limit``. A right answer does not wipe earlier failures.

Every attempt is written down *before* its answer is checked and removed when the answer was right (or
could not be checked): guesses sent at the same moment count against each other.
"""

from __future__ import annotations

import enum
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator, Optional

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kefu.backends.errors import BackendUnavailable
from kefu.settings import Settings
from kefu.storage.db import database_url, make_engine
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.storage.verification_models import VerificationFailure

# How long a failure is remembered (and then pruned): a day, or the cool-down if that is longer.
FAILURE_MEMORY_SECONDS = 24 * 3600.0


class ProofOutcome(enum.Enum):
    VERIFIED = "verified"
    NO_MATCH = "no_match"
    LOCKED = "locked"


@dataclass(frozen=True)
class ProofResult:
    outcome: ProofOutcome
    customer_id: Optional[str] = None


@dataclass(frozen=True)
class ProofLimits:
    failures_per_order: int = 5
    failures_per_client: int = 10
    lock_seconds: float = 30 * 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "ProofLimits":
        return cls(
            failures_per_order=settings.verification_failures_per_order,
            failures_per_client=settings.verification_failures_per_client,
            lock_seconds=settings.verification_lock_minutes * 60,
        )

    @property
    def memory_seconds(self) -> float:
        return max(FAILURE_MEMORY_SECONDS, self.lock_seconds)


class ProofGuard:
    """Counts failed proofs in the database and refuses proofs of locked orders and clients
    (plain Python, blocking: the actions run it in a worker thread)."""

    def __init__(self, engine: Engine, limits: ProofLimits, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._limits = limits
        self._clock = clock

    def attempt(self, order_id: str, client: str, check: Callable[[], Optional[str]]) -> ProofResult:
        """Runs ``check`` (the customer id when the answer is right, else None) unless the order or the
        client is locked, and counts it when it is not right."""
        now = self._clock()
        with self._writing() as session:
            session.execute(delete(VerificationFailure).where(VerificationFailure.failed_at < self._forgotten_before(now)))
            attempt = VerificationFailure(order_id=order_id, client_key=client, failed_at=now)
            session.add(attempt)
            session.flush()
            if self._locked(session, order_id, client, now, other_than=attempt.id):
                session.delete(attempt)  # a refused answer was never checked: it is no guess
                return ProofResult(ProofOutcome.LOCKED)
            attempt_id = attempt.id
        try:
            customer_id = check()
        except BaseException:
            self._forget(attempt_id)  # the shop could not say: the answer was never checked
            raise
        if customer_id is not None:
            self._forget(attempt_id)  # right: no failure (earlier failures stay counted)
            return ProofResult(ProofOutcome.VERIFIED, customer_id)
        with self._reading() as session:
            locked = self._locked(session, order_id, client, now)
        return ProofResult(ProofOutcome.LOCKED if locked else ProofOutcome.NO_MATCH)

    def is_locked(self, order_id: str, client: str) -> bool:
        with self._reading() as session:
            return self._locked(session, order_id, client, self._clock())

    def prune(self) -> int:
        """Forgets failures older than the memory; the number forgotten."""
        with self._writing() as session:
            stale = VerificationFailure.failed_at < self._forgotten_before(self._clock())
            return session.execute(delete(VerificationFailure).where(stale)).rowcount

    def _forget(self, attempt_id: int) -> None:
        with self._writing() as session:
            session.execute(delete(VerificationFailure).where(VerificationFailure.id == attempt_id))

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._store_errors(), Session(self._engine) as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._store_errors(), Session(self._engine) as session, session.begin():
            yield session

    @staticmethod
    @contextmanager
    def _store_errors() -> Iterator[None]:
        """A database that cannot count the proofs refuses them like a shop that is down: the shopper
        gets an apology and the offer of a human, never an unguarded check."""
        try:
            yield
        except SQLAlchemyError as error:
            raise BackendUnavailable(f"the verification store failed: {error.__class__.__name__}") from error

    def _forgotten_before(self, now: float) -> float:
        return now - self._limits.memory_seconds

    def _locked(self, session: Session, order_id: str, client: str, now: float, other_than: Optional[int] = None) -> bool:
        return self._subject_locked(
            session, VerificationFailure.order_id == order_id, self._limits.failures_per_order, now, other_than
        ) or self._subject_locked(
            session, VerificationFailure.client_key == client, self._limits.failures_per_client, now, other_than
        )

    def _subject_locked(self, session: Session, subject, limit: int, now: float, other_than: Optional[int]) -> bool:
        query = select(func.count(), func.max(VerificationFailure.failed_at)).where(
            subject, VerificationFailure.failed_at >= self._forgotten_before(now)
        )
        if other_than is not None:
            query = query.where(VerificationFailure.id != other_than)
        count, latest = session.execute(query).one()
        return count >= limit and latest is not None and now < latest + self._limits.lock_seconds


def proof_guard(settings: Optional[Settings] = None) -> ProofGuard:
    """The guard over the assistant's own database (DATABASE_URL), with the configured limits."""
    settings = settings or Settings.from_env()
    return ProofGuard(_engine_on(database_url()), ProofLimits.from_settings(settings))


@lru_cache(maxsize=4)
def _engine_on(url: str) -> Engine:
    engine = make_engine(url)
    create_handoff_schema(engine)  # the failures table lives beside the handoff tables
    return engine
