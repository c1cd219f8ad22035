"""Every backend test body runs against each implementation:

- ``sql``: the SQL backends on a seeded SQLite file;
- ``http``: the HTTP backends against the reference API server (a real
  aiohttp server on a free localhost port) serving that same file;
- ``postgresql``: the SQL backends on a seeded throwaway PostgreSQL schema,
  skipped with the reason when no server is reachable.

``shop`` is shared by all the tests of a run, which only read it; a test
that changes the shop takes ``writable_shop``, the same three on a demo shop
of the test's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from kefu.backends.factory import Backends, http_backends, sql_backends
from tests.demo_shop.fixtures import (  # noqa: F401
    fresh_postgres_shop,
    fresh_sqlite_shop,
    seeded_postgres_shop,
    seeded_sqlite_shop,
    serving,
    shop_api_url,
)

IMPLEMENTATIONS = ["sql", "http", "postgresql"]


@dataclass(frozen=True)
class ShopUnderTest:
    name: str
    backends: Backends
    seeded_at: datetime
    engine: Engine  # the database behind the backends, to check what was really written

    @property
    def today(self):
        return self.seeded_at.date()


@pytest.fixture(scope="session", params=IMPLEMENTATIONS)
def shop(request) -> ShopUnderTest:
    if request.param == "sql":
        seeded = request.getfixturevalue("seeded_sqlite_shop")
        backends = sql_backends(engine=seeded.engine)
    elif request.param == "http":
        seeded = request.getfixturevalue("seeded_sqlite_shop")
        backends = http_backends(request.getfixturevalue("shop_api_url"))
    else:
        seeded = request.getfixturevalue("seeded_postgres_shop")
        backends = sql_backends(engine=seeded.engine)
    return ShopUnderTest(request.param, backends, seeded.seeded_at, seeded.engine)


@pytest.fixture(params=IMPLEMENTATIONS)
def writable_shop(request) -> ShopUnderTest:
    seeded = request.getfixturevalue("fresh_postgres_shop" if request.param == "postgresql" else "fresh_sqlite_shop")
    if request.param == "http":
        with serving(seeded) as url:
            yield ShopUnderTest(request.param, http_backends(url), seeded.seeded_at, seeded.engine)
    else:
        yield ShopUnderTest(request.param, sql_backends(engine=seeded.engine), seeded.seeded_at, seeded.engine)
