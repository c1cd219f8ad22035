"""Sessions for the SQL backends, with database failures turned into backend errors."""

from __future__ import annotations

import dataclasses
import threading
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Callable, Iterator, Optional, Type, TypeVar

from sqlalchemy import Table, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from kefu.backends.deadline import may_commit
from kefu.backends.errors import BackendError, BackendFailure, BackendUnavailable
from kefu.storage.db import make_session_factory

T = TypeVar("T")

_CENTS_PER_YUAN = 100


class SqlGateway:
    """Opens sessions on the shop database for the SQL backends: reads, and writes in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)
        self._tables_there: set = set()
        self._tables_lock = threading.Lock()

    def ensure_table(self, table: Table) -> None:
        """Create ``table`` if this shop database was made before it, once per process.

        The shop's schema grows by whole tables (``create_all`` never adds a
        column), so a merchant's database made by an older version gains a new
        one on first use without anybody running a migration. Nothing is
        created in a database without the tables it refers to (not a shop
        database, or not set up yet): the query that follows says it cannot
        answer. Another process creating it at the same moment is fine: the
        table is there either way.
        """
        if table.name in self._tables_there:
            return
        with self._tables_lock:
            if table.name in self._tables_there:
                return
            try:
                there = self._create_if_missing(table)
            except BackendFailure:
                there = self._has_table(table.name)  # made meanwhile by another process, or a real failure
                if not there:
                    raise
            if there:
                self._tables_there.add(table.name)

    def _create_if_missing(self, table: Table) -> bool:
        with self.session() as session:
            found = inspect(session.connection())
            if found.has_table(table.name):
                return True
            if not all(found.has_table(key.column.table.name) for key in table.foreign_keys):
                return False
            table.create(session.connection())
            session.commit()
            return True

    def _has_table(self, name: str) -> bool:
        with self.session() as session:
            return inspect(session.connection()).has_table(name)

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except (OperationalError, PoolTimeoutError) as error:
            # Connection refused, server gone, database locked or missing
            # tables: the database cannot answer right now.
            raise BackendUnavailable(f"shop database unavailable: {_first_line(error)}") from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise BackendUnavailable(f"shop database connection lost: {_first_line(error)}") from error
            raise BackendError(f"shop database error: {_first_line(error)}") from error
        except SQLAlchemyError as error:
            raise BackendError(f"shop database error: {_first_line(error)}") from error

    def write(self, change: Callable[[Session], T]) -> T:
        """``change(session)`` in one transaction: all of it is committed, or nothing.

        Anything ``change`` raises (a refusal included) rolls it all back.
        Two changes to one order at the same moment may collide on the id
        they both numbered (R<order>-NN); the one that lost runs once more,
        and then sees what the other wrote.
        """
        try:
            return self._in_one_transaction(change)
        except BackendError as error:
            if not isinstance(error.__cause__, IntegrityError):
                raise
        return self._in_one_transaction(change)

    def _in_one_transaction(self, change: Callable[[Session], T]) -> T:
        with self.session() as session, session.begin():
            result = change(session)
            # Written (and the locks taken, the slow part) before the last look
            # at the deadline: the action may have told the shopper this failed
            # meanwhile, and raising here rolls it all back (kefu/backends/deadline.py).
            session.flush()
            may_commit(getattr(change, "__qualname__", "a change"))
            return result


def from_row(kind: Type[T], row: Any, **differing: Any) -> T:
    """A ``kind`` whose fields are the row's attributes of the same names, but for ``differing``."""
    same = {field.name: getattr(row, field.name) for field in dataclasses.fields(kind) if field.name not in differing}
    return kind(**same, **differing)


def yuan(cents: Optional[int]) -> Optional[Decimal]:
    """Cents as stored -> yuan as shown (Decimal with two places)."""
    if cents is None:
        return None
    return (Decimal(cents) / _CENTS_PER_YUAN).quantize(Decimal("0.01"))


def cents(amount: Decimal) -> int:
    """Yuan -> cents, rounding to the nearest cent."""
    return int((Decimal(amount) * _CENTS_PER_YUAN).to_integral_value())


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
