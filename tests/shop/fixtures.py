"""Pytest fixtures over ``support.py``, imported by the conftest of each test
folder that needs a real shop (tests/shop, tests/backends)."""

from __future__ import annotations

import pytest

from kefu.backends.factory import sql_backends
from kefu.shop.api_server import create_app, serve_in_thread
from tests.shop.support import SeededShop, find_postgres, seed, seeded_sqlite, throwaway_postgres_schema


@pytest.fixture(scope="session")
def seeded_sqlite_shop(tmp_path_factory) -> SeededShop:
    """The demo shop in an SQLite file; tests only read it."""
    return seeded_sqlite(tmp_path_factory.mktemp("shop") / "shop.db")


@pytest.fixture(scope="session")
def shop_api_url(seeded_sqlite_shop) -> str:
    """The reference API server, on a free localhost port, serving ``seeded_sqlite_shop``."""
    with serve_in_thread(create_app(sql_backends(engine=seeded_sqlite_shop.engine))) as url:
        yield url


@pytest.fixture(scope="session")
def seeded_postgres_shop() -> SeededShop:
    """The demo shop in a throwaway schema on the local PostgreSQL, or a skip saying why not."""
    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    with throwaway_postgres_schema(url) as engine:
        yield seed(engine)
