"""Personal data is not kept forever: ``python -m kefu.storage.retention [--days N] [--dry-run]`` (``make
purge``) deletes what is older than the retention period (``RETENTION_DAYS``, default 180; 0 keeps
everything):

* conversations in Rasa's SQL tracker store whose LAST event is older: the whole conversation, never
  the old half of one still going on;
* handoff cases closed before then, with every row that points at them (messages, call-backs, …);
* channel sessions of shoppers not heard from since, and the failed order proofs of that time.

Open cases and tickets still waiting for their call-back are never purged, nor the conversations of
their shoppers.

The purge is a list of small purgers (:func:`purgers`); a new table that holds personal data by time
gets one entry there. Rasa's ``events`` table is read by name with SQLAlchemy Core (its schema is
``rasa.core.tracker_store.SQLTrackerStore.SQLEvent``), so this ground-floor module does not import Rasa.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from kefu.settings import Settings
from kefu.storage.clock import in_shop_time, shop_now
from kefu.storage.db import make_engine
from kefu.storage.handoff_models import CLOSED, OPEN_STATUSES, TICKET, HandoffCase

# Rows deleted per statement: short transactions that never hold the tracker store for long, and
# IN-lists well below SQLite's limit on bound parameters.
CHUNK = 500

Report = Callable[[str], None]


@dataclass
class Purged:
    """What one purger removed (or, in a dry run, would remove)."""

    kind: str
    count: int = 0
    # Rows removed along with them, per table ("events": 41, "handoff_messages": 4 …).
    along: Dict[str, int] = field(default_factory=dict)
    note: str = ""  # why nothing was looked at, e.g. the table does not exist yet

    def describe(self, dry_run: bool) -> str:
        if self.note:
            return f"{self.kind}: {self.note}"
        verb = "would be purged" if dry_run else "purged"
        extra = ", ".join(f"{count} {table}" for table, count in self.along.items() if count)
        return f"{self.kind}: {self.count} {verb}" + (f" (with {extra})" if extra else "")


@dataclass(frozen=True)
class Cutoff:
    """The moment before which data goes, in the forms the tables store times in."""

    moment: datetime  # aware

    @property
    def epoch_seconds(self) -> float:  # Rasa's events.timestamp, verification_failures.failed_at
        return self.moment.timestamp()

    @property
    def shop_time(self) -> datetime:  # ShopDateTime columns: naive shop time
        return in_shop_time(self.moment).replace(tzinfo=None)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _has_table(engine: Optional[Engine], name: str) -> bool:
    return engine is not None and sa.inspect(engine).has_table(name)


def _table(engine: Engine, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=engine)


# --- Rasa's tracker store ---------------------------------------------------------------------------

EVENTS = "events"


def tracker_store_url(settings: Settings) -> Union[str, URL]:
    """The tracker store's URL, built from the settings as Rasa builds it from endpoints.yml
    (``SQLTrackerStore.get_db_url``): a host holding a whole URL is that URL."""
    host, dialect, name = settings.tracker_db_host, settings.tracker_db_dialect, settings.tracker_db_name
    if "://" in host:
        return host
    if host:
        parsed = urlsplit(f"scheme://{host}")
        return URL.create(dialect, host=parsed.hostname or host, port=parsed.port, database=name)
    return URL.create(dialect, database=name)


def tracker_store_engine(settings: Settings) -> Optional[Engine]:
    """An engine on the tracker store; None for an SQLite file that does not exist (nothing stored,
    and no empty file left behind)."""
    url = sa.engine.make_url(tracker_store_url(settings))
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, future=True, connect_args=connect_args)


class TrackerEvents:
    """The ``events`` table of Rasa's SQL tracker store: one row per event, ``timestamp`` in Unix seconds."""

    def __init__(self, engine: Optional[Engine]) -> None:
        self.engine = engine

    def exists(self) -> bool:
        return _has_table(self.engine, EVENTS)

    def _events(self) -> sa.Table:
        return _table(self.engine, EVENTS)

    def silent_senders(self, cutoff: Cutoff) -> List[str]:
        """Sender ids whose last event is older than the cutoff."""
        events = self._events()
        query = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                 .having(sa.func.max(events.c.timestamp) < cutoff.epoch_seconds))
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def heard_from(self, sender_ids: Sequence[str], cutoff: Cutoff) -> Set[str]:
        """Those of ``sender_ids`` with an event since the cutoff."""
        events = self._events()
        query = (sa.select(events.c.sender_id).distinct()
                 .where(events.c.sender_id.in_(sender_ids), events.c.timestamp >= cutoff.epoch_seconds))
        with self.engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def count_events(self, sender_ids: Sequence[str]) -> int:
        events = self._events()
        query = sa.select(sa.func.count()).select_from(events).where(events.c.sender_id.in_(sender_ids))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def delete_silent(self, sender_ids: Sequence[str], cutoff: Cutoff) -> int:
        """Deletes the conversations of ``sender_ids`` that are still silent since the cutoff (checked in
        the same statement: a shopper who wrote again meanwhile keeps the whole conversation)."""
        events = self._events()
        still_active = (sa.select(events.c.sender_id)
                        .where(events.c.sender_id.in_(sender_ids), events.c.timestamp >= cutoff.epoch_seconds))
        with self.engine.begin() as connection:
            return connection.execute(
                events.delete().where(events.c.sender_id.in_(sender_ids), events.c.sender_id.not_in(still_active))
            ).rowcount


# --- the assistant's database ------------------------------------------------------------------------


def senders_awaiting_people(engine: Engine) -> Set[str]:
    """Shoppers with an open case or a ticket waiting for its call-back: kept whatever their age."""
    if not _has_table(engine, HandoffCase.__tablename__):
        return set()
    query = sa.select(HandoffCase.sender_id).where(HandoffCase.status.in_((*OPEN_STATUSES, TICKET)))
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def rows_pointing_at(engine: Engine, table: str) -> List[Tuple[str, str]]:
    """(table, column) of every foreign key in the database that refers to ``table``: read from the
    database itself, so a table another module adds (case_clients …) is purged with its case too."""
    inspector = sa.inspect(engine)
    pointing = []
    for name in inspector.get_table_names():
        for key in inspector.get_foreign_keys(name):
            if key["referred_table"] == table and len(key["constrained_columns"]) == 1:
                pointing.append((name, key["constrained_columns"][0]))
    return pointing


# --- the purgers -------------------------------------------------------------------------------------


class StaleConversations:
    """Conversations whose last event is older than the cutoff, all their events."""

    kind = "conversations"

    def __init__(self, tracker: TrackerEvents, keep: Callable[[], Set[str]]) -> None:
        self.tracker, self.keep = tracker, keep

    def run(self, cutoff: Cutoff, dry_run: bool, report: Report) -> Purged:
        purged = Purged(self.kind, along={"events": 0})
        if not self.tracker.exists():
            purged.note = "no tracker store yet"
            return purged
        kept = self.keep()
        senders = [sender for sender in self.tracker.silent_senders(cutoff) if sender not in kept]
        for done, chunk in enumerate(_chunks(senders), start=1):
            if dry_run:
                purged.count += len(chunk)
                purged.along["events"] += self.tracker.count_events(chunk)
            else:
                deleted_events = self.tracker.delete_silent(chunk, cutoff)
                purged.count += len(chunk) - len(self.tracker.heard_from(chunk, cutoff))
                purged.along["events"] += deleted_events
            if len(senders) > CHUNK:
                report(f"  {self.kind}: {min(done * CHUNK, len(senders))} of {len(senders)}")
        return purged


class StaleChannelSessions:
    """Channel sessions (kefu/storage/session_models.py) started before the cutoff whose shopper has not
    written since: a shopper still talking keeps the token their browser holds."""

    kind = "channel sessions"
    TABLE = "channel_sessions"

    def __init__(self, engine: Engine, tracker: TrackerEvents, keep: Callable[[], Set[str]]) -> None:
        self.engine, self.tracker, self.keep = engine, tracker, keep

    def run(self, cutoff: Cutoff, dry_run: bool, report: Report) -> Purged:
        purged = Purged(self.kind)
        if not _has_table(self.engine, self.TABLE):
            purged.note = "no such table yet"
            return purged
        sessions = _table(self.engine, self.TABLE)
        with self.engine.connect() as connection:
            old = list(connection.execute(
                sa.select(sessions.c.sender_id).where(sessions.c.created_at < cutoff.shop_time)).scalars())
        kept = self.keep()
        tracker_known = self.tracker.exists()
        for chunk in _chunks(old):
            active = self.tracker.heard_from(chunk, cutoff) if tracker_known else set()
            gone = [sender for sender in chunk if sender not in active and sender not in kept]
            if gone and not dry_run:
                with self.engine.begin() as connection:
                    connection.execute(sessions.delete().where(sessions.c.sender_id.in_(gone),
                                                               sessions.c.created_at < cutoff.shop_time))
            purged.count += len(gone)
        return purged


class ClosedCases:
    """Handoff cases closed before the cutoff, with every row that refers to them. Open cases and
    tickets are never touched: only status ``closed`` qualifies."""

    kind = "closed handoff cases"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _closed_before(self, cutoff: Cutoff):
        return sa.select(HandoffCase.id).where(HandoffCase.status == CLOSED,
                                               HandoffCase.closed_at < cutoff.shop_time)

    def run(self, cutoff: Cutoff, dry_run: bool, report: Report) -> Purged:
        purged = Purged(self.kind)
        if not _has_table(self.engine, HandoffCase.__tablename__):
            purged.note = "no handoff tables yet"
            return purged
        with self.engine.connect() as connection:
            case_ids = list(connection.execute(self._closed_before(cutoff)).scalars())
        dependents = [(_table(self.engine, name), column)
                      for name, column in rows_pointing_at(self.engine, HandoffCase.__tablename__)]
        purged.along = {table.name: 0 for table, _ in dependents}
        cases = HandoffCase.__table__
        for done, chunk in enumerate(_chunks(case_ids), start=1):
            with self.engine.begin() as connection:
                # Re-read inside the transaction: only what is still closed and old goes.
                ids = list(connection.execute(self._closed_before(cutoff).where(HandoffCase.id.in_(chunk))).scalars())
                for table, column in dependents:
                    where = table.c[column].in_(ids)
                    if dry_run:
                        rows = connection.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
                    else:
                        rows = connection.execute(table.delete().where(where)).rowcount
                    purged.along[table.name] += rows
                if not dry_run:
                    connection.execute(cases.delete().where(cases.c.id.in_(ids)))
                purged.count += len(ids)
            if len(case_ids) > CHUNK:
                report(f"  {self.kind}: {min(done * CHUNK, len(case_ids))} of {len(case_ids)}")
        return purged


EPOCH_SECONDS = "epoch_seconds"
SHOP_TIME = "shop_time"


class RowsOlderThan:
    """Rows of one table whose time column is older than the cutoff (the column holds Unix seconds or
    naive shop time); a table not created yet is skipped."""

    def __init__(self, engine: Engine, kind: str, table: str, column: str, unit: str = SHOP_TIME) -> None:
        self.engine, self.kind, self.table, self.column, self.unit = engine, kind, table, column, unit

    def run(self, cutoff: Cutoff, dry_run: bool, report: Report) -> Purged:
        purged = Purged(self.kind)
        if not _has_table(self.engine, self.table):
            purged.note = "no such table yet"
            return purged
        table = _table(self.engine, self.table)
        where = table.c[self.column] < getattr(cutoff, self.unit)
        with self.engine.begin() as connection:
            if dry_run:
                purged.count = connection.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()
            else:
                purged.count = connection.execute(table.delete().where(where)).rowcount
        return purged


def purgers(engine: Engine, tracker_engine: Optional[Engine]) -> list:
    """Everything the purge goes through, in order. A table holding personal data by time: one entry.

    Conversations go before channel sessions (a session outlives its conversation only while the
    shopper still writes)."""
    tracker = TrackerEvents(tracker_engine)

    def keep() -> Set[str]:
        return senders_awaiting_people(engine)

    return [
        StaleConversations(tracker, keep),
        StaleChannelSessions(engine, tracker, keep),
        ClosedCases(engine),
        RowsOlderThan(engine, "failed order proofs", "verification_failures", "failed_at", EPOCH_SECONDS),
        # A WeChat user's openid and the customer it is bound to, once they have been silent that long.
        RowsOlderThan(engine, "WeChat users", "wechat_users", "last_user_message_at", EPOCH_SECONDS),
        # Photos shoppers sent in the web chat (a damaged parcel, a face in a mirror): personal data.
        # The ratings stay: they are the analytics' figures, with no one's words but an optional comment.
        RowsOlderThan(engine, "web chat photos", "webchat_photos", "created_at"),
        # The bridge keeps a buyer message's replies a day for the plug-in's retries and prunes them only
        # while calls come in: a bridge that fell silent would keep buyers' words for ever.
        RowsOlderThan(engine, "platform bridge replies", "platform_messages", "expires_at", EPOCH_SECONDS),
    ]


def purge(engine: Engine, tracker_engine: Optional[Engine], days: int, dry_run: bool = False,
          report: Report = print, now: Optional[datetime] = None) -> List[Purged]:
    """Runs every purger for data older than ``days`` days and reports a count per kind; ``days`` 0:
    nothing is purged."""
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    if days == 0:
        report("Retention is 0 days: personal data is kept forever, nothing purged (set RETENTION_DAYS).")
        return []
    cutoff = Cutoff((now or shop_now()) - timedelta(days=days))
    mode = "Dry run: nothing is deleted. Counting" if dry_run else "Purging"
    report(f"{mode} personal data older than {days} days "
           f"(last touched before {in_shop_time(cutoff.moment):%Y-%m-%d %H:%M} shop time).")
    results = []
    for purger in purgers(engine, tracker_engine):
        report(f"  {purger.kind} …")
        result = purger.run(cutoff, dry_run, report)
        report(f"  {result.describe(dry_run)}")
        results.append(result)
    report("Open handoff cases and tickets waiting for a call-back are kept, with their conversations.")
    return results


def main(argv: Optional[Iterable[str]] = None, settings: Optional[Settings] = None) -> int:
    settings = settings or Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m kefu.storage.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=settings.retention_days,
                        help=f"retention period in days (default RETENTION_DAYS: {settings.retention_days}; 0 keeps all)")
    parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    arguments = parser.parse_args(list(argv) if argv is not None else None)
    if arguments.days < 0:
        parser.error("--days cannot be negative")
    engine = make_engine(settings.database_url or None)
    tracker_engine = tracker_store_engine(settings)
    try:
        purge(engine, tracker_engine, arguments.days, arguments.dry_run)
    finally:
        engine.dispose()
        if tracker_engine is not None:
            tracker_engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
