"""Where the assistant's database is (``DATABASE_URL``, default an SQLite file
under ``var/``) and how to connect to it."""

from __future__ import annotations

import json
import logging
import sqlite3
from functools import partial
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from kefu.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "shop.db"

# The share of the action's backend deadline (SHOP_BACKEND_DEADLINE) a query
# may wait for SQLite's write lock: it gives up while the action still waits
# for it, so the shopper hears "busy" in time instead of a write that lands
# after they were told it failed (2.5 s deadline: 1.5 s).
SQLITE_BUSY_SHARE_OF_DEADLINE = 0.6


def sqlite_busy_timeout_seconds(settings: Optional[Settings] = None) -> float:
    """How long a connection waits for a lock another connection holds (SQLite's busy timeout,
    PostgreSQL's lock_timeout)."""
    settings = settings or Settings.from_env()
    return settings.backend_deadline_seconds * SQLITE_BUSY_SHARE_OF_DEADLINE


def database_url() -> str:
    """The database URL: ``DATABASE_URL`` or the embedded SQLite file."""
    return Settings.from_env().database_url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def make_engine(url: Optional[str] = None, **engine_options) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`).

    For SQLite the file's folder is created, connections may be used from
    worker threads (the API server and the action server run blocking
    queries in a thread pool), and every connection runs in WAL mode (readers
    never wait for a writer) with a busy timeout below the action deadline.
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = engine_options.setdefault("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", sqlite_busy_timeout_seconds())
    else:
        # A dead database server must fail fast, not hang a shopper's request.
        connect_args = engine_options.setdefault("connect_args", {})
        if parsed.get_backend_name() == "postgresql":
            connect_args.setdefault("connect_timeout", 2)
            # As SQLite's busy timeout: a write waiting for a row lock gives up within the action's deadline.
            options = connect_args.get("options", "")
            if "lock_timeout" not in options:
                lock_timeout = f"-c lock_timeout={int(sqlite_busy_timeout_seconds() * 1000)}"
                connect_args["options"] = f"{options} {lock_timeout}".strip()
        engine_options.setdefault("pool_pre_ping", True)
    # Keep Chinese readable in JSON columns (attributes, tags) for whoever
    # looks at the database directly.
    engine_options.setdefault("json_serializer", partial(json.dumps, ensure_ascii=False))
    engine = create_engine(url, future=True, **engine_options)
    if parsed.get_backend_name() == "sqlite":
        # SQLite ignores foreign keys unless asked; PostgreSQL always checks
        # them, and the embedded setup should catch the same mistakes.
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        event.listen(engine, "connect", partial(_sqlite_concurrency, connect_args["timeout"]))
    return engine


def _enable_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_concurrency(busy_timeout_seconds: float, dbapi_connection, connection_record) -> None:
    """WAL (kept in the file once set; an in-memory database stays "memory") and the busy timeout."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            # Another process holds the file right now; it switches on a later connection.
            logger.warning("could not switch SQLite to WAL mode yet: %s", error)
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> "sessionmaker[Session]":
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Create the shop tables that do not exist yet."""
    from kefu.storage.models import Base  # imported here so db.py stays importable alone

    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    """Drop every shop table (and only those)."""
    from kefu.storage.models import Base

    Base.metadata.drop_all(engine)


def has_schema(engine: Engine) -> bool:
    from kefu.storage.models import Base

    existing = set(inspect(engine).get_table_names())
    return set(Base.metadata.tables) <= existing
