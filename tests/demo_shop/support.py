"""Real databases for the shop and backend tests: a seeded SQLite file (and a way to put it back as it
was while servers keep it open), and a throwaway schema on the local PostgreSQL server when one is
reachable."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator, Optional, Tuple

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from kefu.storage.clock import shop_now
from kefu.storage.db import make_engine
from kefu.demo_shop.seed import build_demo_shop

# Tried in order; TEST_POSTGRES_URL puts another server first.
POSTGRES_CANDIDATES = (
    "postgresql://postgres@localhost:5432/test",
    "postgresql://root@localhost:5432/test",
)


@dataclass(frozen=True)
class SeededShop:
    engine: Engine
    seeded_at: datetime


def seed(engine: Engine, now: Optional[datetime] = None) -> SeededShop:
    now = (now or shop_now()).replace(microsecond=0)
    build_demo_shop(engine, now=now, report=lambda line: None)
    return SeededShop(engine, now)


def seeded_sqlite(path) -> SeededShop:
    return seed(make_engine(f"sqlite:///{path}"))


def copied_sqlite(seeded: SeededShop, path) -> SeededShop:
    """The seeded SQLite shop copied to ``path``: the same shop in a file of its own, in milliseconds."""
    shutil.copyfile(seeded.engine.url.database, path)
    return SeededShop(make_engine(f"sqlite:///{path}"), seeded.seeded_at)


@contextmanager
def put_back_afterwards(database: Path, snapshot: Path) -> Iterator[None]:
    """The SQLite database ``database`` as it was before the block, put back after it, while servers keep it open.

    The rows go back table by table in one transaction (``snapshot`` keeps them meanwhile); the schema is left
    alone, so a table a server process created meanwhile, and remembers having created, stays (empty). Row ids
    of AUTOINCREMENT tables go on counting upwards, so no id is handed out twice.
    """
    with closing(_connect(database)) as live, closing(_connect(snapshot)) as copy:
        live.backup(copy)
    try:
        yield
    finally:
        with closing(_connect(database)) as live:
            live.isolation_level = None  # the transaction below is ours
            live.execute("ATTACH DATABASE ? AS snapshot", (str(snapshot),))
            kept = {name for (name,) in live.execute("SELECT name FROM snapshot.sqlite_master WHERE type = 'table'")}
            tables = [name for (name,) in live.execute("SELECT name FROM main.sqlite_master WHERE type = 'table' "
                                                       "AND name NOT LIKE 'sqlite_%'")]
            live.execute("BEGIN IMMEDIATE")
            try:
                for table in tables:
                    live.execute(f'DELETE FROM main."{table}"')
                    if table in kept:
                        live.execute(f'INSERT INTO main."{table}" SELECT * FROM snapshot."{table}"')
                live.execute("COMMIT")
            except BaseException:
                live.execute("ROLLBACK")
                raise
            live.execute("DETACH DATABASE snapshot")


def _connect(path: Path) -> sqlite3.Connection:
    # A write a server is still finishing is waited for.
    return sqlite3.connect(str(path), timeout=60)


@contextmanager
def seeded_postgres() -> Iterator[SeededShop]:
    """The demo shop in a throwaway schema on the local PostgreSQL, or a skip saying why not."""
    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    with throwaway_postgres_schema(url) as engine:
        yield seed(engine)


def find_postgres() -> Tuple[Optional[str], str]:
    """A reachable PostgreSQL URL, or None and why there is none."""
    candidates = [os.environ["TEST_POSTGRES_URL"]] if os.environ.get("TEST_POSTGRES_URL") else []
    candidates += POSTGRES_CANDIDATES
    problems = []
    for url in candidates:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return url, ""
        except Exception as error:  # any failure means "not usable here"
            problems.append(f"{url}: {str(error).strip().splitlines()[0]}")
        finally:
            engine.dispose()
    return None, "no PostgreSQL reachable (" + "; ".join(problems) + ")"


@contextmanager
def throwaway_postgres_schema(url: str) -> Iterator[Engine]:
    """An engine whose tables live in a new schema, dropped with everything in it afterwards."""
    schema = f"kefu_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 2})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
