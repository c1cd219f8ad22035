"""Every backend test body runs against each implementation:

- ``sql``: the SQL backends on a seeded SQLite file;
- ``http``: the HTTP backends against the reference API server (a real
  aiohttp server on a free localhost port) serving that same file;
- ``postgresql``: the SQL backends on a seeded throwaway PostgreSQL schema,
  skipped with the reason when no server is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from kefu.backends.factory import Backends, http_backends, sql_backends
from tests.shop.fixtures import seeded_postgres_shop, seeded_sqlite_shop, shop_api_url  # noqa: F401


@dataclass(frozen=True)
class ShopUnderTest:
    name: str
    backends: Backends
    seeded_at: datetime

    @property
    def today(self):
        return self.seeded_at.date()


@pytest.fixture(scope="session", params=["sql", "http", "postgresql"])
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
    return ShopUnderTest(request.param, backends, seeded.seeded_at)
