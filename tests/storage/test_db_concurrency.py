"""SQLite under concurrent writers (kefu/storage/db.py): WAL mode and a busy timeout below the action's
backend deadline, on every connection the engine opens."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kefu.settings import Settings
from kefu.storage.db import make_engine, sqlite_busy_timeout_seconds


def test_the_busy_timeout_is_a_share_of_the_backend_deadline_and_below_it():
    settings = replace(Settings.from_env({}), backend_deadline_seconds=2.5)

    assert sqlite_busy_timeout_seconds(settings) == pytest.approx(1.5)
    for deadline in (0.5, 2.5, 10.0):
        assert sqlite_busy_timeout_seconds(replace(settings, backend_deadline_seconds=deadline)) < deadline


def test_every_connection_is_in_wal_mode_with_the_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_BACKEND_DEADLINE", "2.5")
    path = tmp_path / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as first, engine.connect() as second:  # two pooled connections, both set up
        for connection in (first, second):
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1500
    engine.dispose()

    # WAL is a property of the file: whoever opens it next (sqlite3 by hand, another process) sees it.
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_a_writer_waiting_for_the_lock_gives_up_within_the_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_BACKEND_DEADLINE", "1.0")  # busy timeout 0.6 s
    path = tmp_path / "shop.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (1)"))
        waited = time.monotonic() - started
        assert 0.4 < waited < 1.0  # the busy timeout, not sqlite3's 5 s default
        # A reader is not blocked by the writer (WAL).
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_an_in_memory_database_still_connects():
    engine = make_engine("sqlite:///:memory:")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "memory"
