"""Pytest fixtures over ``support.py``, imported by the conftest of each test
folder that needs a real shop (tests/demo_shop, tests/backends).

The session-scoped shops are shared by every test that only reads; a test
that changes the shop takes a ``fresh_…`` one of its own.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest

from kefu.backends.factory import sql_backends
from kefu.demo_shop.api_server import create_app
from tests.demo_shop.server import serve_in_thread
from tests.demo_shop.support import SeededShop, copied_sqlite, seeded_postgres, seeded_sqlite


@contextmanager
def serving(shop: SeededShop) -> Iterator[str]:
    """The reference API server, on a free localhost port, serving ``shop``; yields its URL."""
    with serve_in_thread(create_app(sql_backends(engine=shop.engine))) as url:
        yield url


@pytest.fixture(scope="session")
def seeded_sqlite_shop(tmp_path_factory) -> SeededShop:
    """The demo shop in an SQLite file; tests only read it."""
    return seeded_sqlite(tmp_path_factory.mktemp("shop") / "shop.db")


@pytest.fixture(scope="session")
def shop_api_url(seeded_sqlite_shop) -> str:
    """The reference API server, on a free localhost port, serving ``seeded_sqlite_shop``."""
    with serving(seeded_sqlite_shop) as url:
        yield url


@pytest.fixture(scope="session")
def seeded_postgres_shop() -> SeededShop:
    """The demo shop in a throwaway schema on the local PostgreSQL, or a skip saying why not."""
    with seeded_postgres() as shop:
        yield shop


@pytest.fixture
def fresh_sqlite_shop(seeded_sqlite_shop, tmp_path) -> SeededShop:
    """A demo shop in an SQLite file of this test's own, to change as it likes."""
    shop = copied_sqlite(seeded_sqlite_shop, tmp_path / "shop.db")
    yield shop
    shop.engine.dispose()


@pytest.fixture
def fresh_postgres_shop() -> SeededShop:
    """A demo shop in a PostgreSQL schema of this test's own (seeded anew), or a skip."""
    with seeded_postgres() as shop:
        yield shop


@pytest.fixture
def fresh_shop_api_url(fresh_sqlite_shop) -> str:
    """The reference API server on ``fresh_sqlite_shop``, for a test that changes the shop through it."""
    with serving(fresh_sqlite_shop) as url:
        yield url
