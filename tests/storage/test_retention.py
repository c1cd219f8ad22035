"""The retention purge on real databases: an SQLite tracker store and handoff database in files, and the
same on the local PostgreSQL (skipped, with the reason, when no server is reachable). Conversations are
written by Rasa's own SQLTrackerStore, so the purge is tested against the table Rasa really makes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kefu.settings import PROJECT_ROOT, Settings
from kefu.storage.clock import shop_now
from kefu.storage.db import make_engine
from kefu.storage.handoff_models import (
    CLAIMED, CLOSED, QUEUED, REACHED, SHOPPER, TICKET, Agent, HandoffCase, HandoffMessage, TicketCallback,
)
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.storage.retention import purge, tracker_store_engine, tracker_store_url
from tests.demo_shop.support import find_postgres, throwaway_postgres_schema

DAY = 86400.0
NOW = shop_now().replace(microsecond=0)


@dataclass
class Databases:
    engine: sa.engine.Engine  # the assistant's own database (handoff tables)
    tracker_engine: sa.engine.Engine
    store: object  # rasa's SQLTrackerStore on the same database as tracker_engine


def rasa_store(**arguments):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(Domain.empty(), **arguments)


@pytest.fixture
def sqlite_databases(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_handoff_schema(engine)
    store = rasa_store(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    yield Databases(engine, store.engine, store)
    engine.dispose()
    store.engine.dispose()


@pytest.fixture
def postgresql_databases():
    url, reason = find_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL not tested: {reason}")
    with throwaway_postgres_schema(url) as engine:
        create_handoff_schema(engine)
        with engine.connect() as connection:
            schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        # Rasa's store in the same throwaway schema: a whole URL as the host, as TRACKER_DB_HOST allows.
        store = rasa_store(dialect="postgresql", host=f"{url}?options=-csearch_path%3D{schema}")
        yield Databases(engine, store.engine, store)
        store.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request):
    return request.getfixturevalue(f"{request.param}_databases")


# --- conversations -----------------------------------------------------------------------------------


def write_conversation(store, sender, *days_ago):
    """A conversation with one shopper message on each of the given days (a phone number in each)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    start = time.time() - days_ago[0] * DAY
    events = [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start)]
    for days in days_ago:
        moment = time.time() - days * DAY
        events += [UserUttered("我的手机是13800000001", timestamp=moment), BotUttered("好的亲", timestamp=moment + 1)]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return len(events)


def stored_events(store, sender):
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    return len(tracker.events) if tracker else 0


def run_purge(databases, days=180, dry_run=False):
    lines = []
    results = purge(databases.engine, databases.tracker_engine, days, dry_run=dry_run, report=lines.append, now=NOW)
    return {result.kind: result for result in results}, lines


def test_a_conversation_silent_for_longer_than_the_retention_is_purged_whole(databases):
    store = databases.store
    old = write_conversation(store, "old-shopper", 400, 200)
    still_going = write_conversation(store, "still-going", 300, 10)  # began long ago, wrote again lately
    recent = write_conversation(store, "recent", 5)

    results, lines = run_purge(databases)

    assert stored_events(store, "old-shopper") == 0
    assert stored_events(store, "still-going") == still_going  # not a single old event lost
    assert stored_events(store, "recent") == recent
    conversations = results["conversations"]
    assert (conversations.count, conversations.along["events"]) == (1, old)
    assert f"conversations: 1 purged (with {old} events)" in "\n".join(lines)


def test_the_conversation_of_a_shopper_still_waiting_for_people_is_kept(databases):
    write_conversation(databases.store, "waiting", 300)
    write_conversation(databases.store, "called-back-later", 300)
    with sa.orm.Session(databases.engine) as session:
        session.add_all([case("waiting", QUEUED, created_days_ago=300),
                         case("called-back-later", TICKET, created_days_ago=300)])
        session.commit()

    run_purge(databases)

    assert stored_events(databases.store, "waiting") > 0
    assert stored_events(databases.store, "called-back-later") > 0


# --- handoff cases -----------------------------------------------------------------------------------


def case(sender, status, created_days_ago, closed_days_ago=None):
    closed = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return HandoffCase(
        sender_id=sender, channel="rest", status=status, reason="request_human", priority=2, reason_label="转人工",
        slots={"order_id": "2024111100001"}, customer={"name": "张三", "phone": "13800000001"},
        recent_orders=[], transcript=[{"who": "shopper", "text": "转人工", "at": "10:00"}],
        created_at=NOW - timedelta(days=created_days_ago),
        closed_by="mei" if closed else None, closed_at=closed,
    )


def add_cases(engine):
    """Cases of every kind, each with a message; the old closed one also with a call-back and a row in a
    table the purge has never heard of (any table pointing at a case goes with it)."""
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE TABLE case_notes (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES handoff_cases(id))"))
    with sa.orm.Session(engine) as session:
        session.add(Agent(username="mei", display_name="小美", password_hash="x", created_at=NOW))
        cases = {
            "closed-long-ago": case("s1", CLOSED, created_days_ago=400, closed_days_ago=200),
            "closed-lately": case("s2", CLOSED, created_days_ago=400, closed_days_ago=10),
            "queued-long-ago": case("s3", QUEUED, created_days_ago=300),
            "claimed-long-ago": case("s4", CLAIMED, created_days_ago=300),
            "ticket-long-ago": case("s5", TICKET, created_days_ago=300),
        }
        session.add_all(cases.values())
        session.flush()
        for row in cases.values():
            session.add(HandoffMessage(case_id=row.id, direction=SHOPPER, text="我的电话13800000001", created_at=row.created_at))
        old = cases["closed-long-ago"]
        session.add(TicketCallback(case_id=old.id, agent="mei", outcome=REACHED, note="", called_at=old.created_at))
        session.commit()
        ids = {name: row.id for name, row in cases.items()}
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO case_notes (id, case_id) VALUES (1, :case)"), {"case": ids["closed-long-ago"]})
    return ids


def remaining(engine, table, column="case_id"):
    with engine.connect() as connection:
        return sorted(connection.execute(sa.text(f"SELECT {column} FROM {table}")).scalars())


def test_cases_closed_before_the_retention_go_with_everything_pointing_at_them(databases):
    ids = add_cases(databases.engine)

    results, lines = run_purge(databases)

    kept = sorted(ids[name] for name in ids if name != "closed-long-ago")
    assert remaining(databases.engine, "handoff_cases", "id") == kept
    assert remaining(databases.engine, "handoff_messages") == kept
    assert remaining(databases.engine, "ticket_callbacks") == []
    assert remaining(databases.engine, "case_notes") == []
    cases = results["closed handoff cases"]
    assert cases.count == 1
    assert (cases.along["handoff_messages"], cases.along["ticket_callbacks"], cases.along["case_notes"]) == (1, 1, 1)


def test_a_dry_run_counts_but_deletes_nothing(databases):
    events = write_conversation(databases.store, "old-shopper", 200)
    ids = add_cases(databases.engine)

    results, lines = run_purge(databases, dry_run=True)

    assert stored_events(databases.store, "old-shopper") == events
    assert remaining(databases.engine, "handoff_cases", "id") == sorted(ids.values())
    assert results["conversations"].count == 1 and results["closed handoff cases"].count == 1
    assert "conversations: 1 would be purged" in "\n".join(lines)
    assert lines[0].startswith("Dry run: nothing is deleted.")


def test_zero_days_keeps_everything_and_says_so(databases):
    events = write_conversation(databases.store, "old-shopper", 2000)
    ids = add_cases(databases.engine)

    results, lines = run_purge(databases, days=0)

    assert results == {}
    assert "kept forever" in lines[0]
    assert stored_events(databases.store, "old-shopper") == events
    assert remaining(databases.engine, "handoff_cases", "id") == sorted(ids.values())


def test_a_negative_period_is_refused(sqlite_databases):
    with pytest.raises(ValueError):
        run_purge(sqlite_databases, days=-1)


# --- other tables holding personal data by time ------------------------------------------------------


def test_old_failed_proofs_go(databases):
    with databases.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE IF NOT EXISTS verification_failures "
                                   "(id INTEGER PRIMARY KEY, order_id VARCHAR(32), client_key VARCHAR(300), failed_at FLOAT)"))
        connection.execute(sa.text("DELETE FROM verification_failures"))
        for number, days in enumerate((200, 1), start=1):
            connection.execute(sa.text("INSERT INTO verification_failures VALUES (:id, '2024111100001', 'ip:203.0.113.7', :at)"),
                               {"id": number, "at": time.time() - days * DAY})

    results, _ = run_purge(databases)

    assert results["failed order proofs"].count == 1
    assert remaining(databases.engine, "verification_failures", "id") == [2]


def test_wechat_users_silent_for_longer_than_the_retention_go_with_their_binding(databases):
    from kefu.channels.wechat.store import WeChatStore

    store = WeChatStore(databases.engine)
    for sender, days in (("wxmp-silent", 200), ("wxmp-recent", 1)):
        store.ensure_user(sender, "mp", "wx1", f"openid-{sender}")
        store.bind(sender, "C0001", "2024111100001")
        store.user_wrote(sender, time.time() - days * DAY)

    results, _ = run_purge(databases)

    assert results["WeChat users"].count == 1
    assert store.user("wxmp-silent") is None and store.user("wxmp-recent").customer_id == "C0001"


def test_web_chat_photos_older_than_the_retention_go(databases):
    from kefu.storage.webchat_models import WebchatPhoto

    with databases.engine.begin() as connection:
        connection.execute(sa.insert(WebchatPhoto), [
            dict(id=photo_id, sender_id="web-1", content_type="image/png", size=4, data=b"\x89PNG",
                 created_at=NOW - timedelta(days=days))
            for photo_id, days in (("old", 200), ("new", 1))
        ])

    results, _ = run_purge(databases)

    assert results["web chat photos"].count == 1
    assert remaining(databases.engine, "webchat_photos", "id") == ["new"]


def test_platform_bridge_replies_older_than_the_retention_go(databases):
    from kefu.channels.platform_store import PlatformStore

    # The newer first: taking a message sweeps what has expired by the store's clock.
    for message_id, days in (("m-new", 1), ("m-old", 200)):
        store = PlatformStore(databases.engine, clock=lambda days=days: time.time() - days * DAY)
        assert store.take_message("taobao", "tb_小鱼儿", message_id, keep_seconds=DAY)
        store.record_replies("taobao", "tb_小鱼儿", message_id, [{"text": "亲，在的~"}])

    results, _ = run_purge(databases)

    assert results["platform bridge replies"].count == 1
    assert remaining(databases.engine, "platform_messages", "message_id") == ["m-new"]


def test_channel_sessions_go_once_their_shopper_has_been_silent(databases):
    with databases.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE IF NOT EXISTS channel_sessions "
                                   "(sender_id VARCHAR(255) PRIMARY KEY, token_hash VARCHAR(64), created_at TIMESTAMP)"))
        connection.execute(sa.text("DELETE FROM channel_sessions"))
        for sender, days in (("silent", 300), ("still-going", 300), ("new", 1)):
            connection.execute(sa.text("INSERT INTO channel_sessions VALUES (:sender, 'h', :at)"),
                               {"sender": sender, "at": (NOW - timedelta(days=days)).replace(tzinfo=None)})
    write_conversation(databases.store, "silent", 300)
    write_conversation(databases.store, "still-going", 300, 3)

    results, _ = run_purge(databases)

    assert remaining(databases.engine, "channel_sessions", "sender_id") == ["new", "still-going"]
    assert results["channel sessions"].count == 1


def test_tables_not_created_yet_are_skipped_with_a_note(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    lines = []
    results = purge(engine, None, 180, report=lines.append)
    assert [result.note for result in results] == ["no tracker store yet", "no such table yet",
                                                   "no handoff tables yet", "no such table yet",
                                                   "no such table yet", "no such table yet",
                                                   "no such table yet"]
    assert not (tmp_path / "tracker.db").exists()


# --- where the tracker store is, and the command -----------------------------------------------------


def test_the_tracker_store_url_is_built_as_rasa_builds_it():
    base = Settings.from_env()
    sqlite = replace(base, tracker_db_dialect="sqlite", tracker_db_host="", tracker_db_name="/data/tracker.db")
    assert str(tracker_store_url(sqlite)) == "sqlite:////data/tracker.db"
    host = replace(base, tracker_db_dialect="postgresql", tracker_db_host="db.internal:5433", tracker_db_name="rasa")
    assert str(tracker_store_url(host)) == "postgresql://db.internal:5433/rasa"
    whole = replace(host, tracker_db_host="postgresql://postgres@localhost:5432/test")
    assert tracker_store_url(whole) == "postgresql://postgres@localhost:5432/test"
    missing = replace(sqlite, tracker_db_name=str(PROJECT_ROOT / "var" / "no-such-tracker.db"))
    assert tracker_store_engine(missing) is None


def test_the_command_purges_the_configured_databases(sqlite_databases, tmp_path):
    write_conversation(sqlite_databases.store, "old-shopper", 200)
    write_conversation(sqlite_databases.store, "recent", 100)
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": str(sqlite_databases.engine.url),
                   "TRACKER_DB_DIALECT": "sqlite", "TRACKER_DB_HOST": "", "TRACKER_DB_NAME": str(tmp_path / "tracker.db"),
                   "RETENTION_DAYS": "150"}

    def command(*arguments):
        done = subprocess.run([sys.executable, "-m", "kefu.storage.retention", *arguments], env=environment,
                              capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "conversations: 1 would be purged" in command("--dry-run")
    assert stored_events(sqlite_databases.store, "old-shopper") > 0
    assert "conversations: 2 purged" in command("--days", "50")
    assert "kept forever" in command("--days", "0")
