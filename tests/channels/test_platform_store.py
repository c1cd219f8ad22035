"""kefu/channels/platform_store.py on SQLite and PostgreSQL (skipped when none is reachable): a nonce is
taken once until it expires, by any number of stores on the same database (replicas), and bindings map
platform ids to the shop's, per platform."""

from __future__ import annotations

import pytest

from kefu.channels.platform_store import PlatformStore
from kefu.storage.db import make_engine
from kefu.storage.platform_models import BUYER, ITEM
from tests.demo_shop.support import find_postgres, throwaway_postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
        yield engine
        engine.dispose()
        return
    url, reason = find_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL not tested: {reason}")
    with throwaway_postgres_schema(url) as engine:
        yield engine


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_nonce_is_taken_once_by_every_replica_until_it_expires(engine):
    clock = Clock()
    one, other = PlatformStore(engine, clock), PlatformStore(engine, clock)

    assert one.first_use("taobao", "nonce-0123456789abcdef", 600) is True
    assert other.first_use("taobao", "nonce-0123456789abcdef", 600) is False
    assert one.first_use("jd", "nonce-0123456789abcdef", 600) is True  # per platform

    clock.now += 601
    assert other.first_use("taobao", "nonce-0123456789abcdef", 600) is True


def test_expired_nonces_are_swept(engine):
    clock = Clock()
    store = PlatformStore(engine, clock)
    for n in range(5):
        store.first_use("taobao", f"nonce-{n:016d}", 600)
    clock.now += 3600
    store.first_use("taobao", "nonce-fresh-0000000000", 600)
    with engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT nonce FROM platform_nonces").scalars().all()
    assert left == ["nonce-fresh-0000000000"]


def test_bindings_map_platform_ids_to_the_shops(engine):
    store = PlatformStore(engine)
    store.bind("taobao", BUYER, "tb_小鱼儿", "C0001")
    store.bind("taobao", ITEM, "641234567890", "P1001")

    assert store.customer_of("taobao", "tb_小鱼儿") == "C0001"
    assert store.customer_of("jd", "tb_小鱼儿") is None
    assert store.lookup("taobao", ITEM, ["641234567890", "999"]) == {"641234567890": "P1001"}

    store.bind("taobao", BUYER, "tb_小鱼儿", "C0002")  # re-bound: the latest word counts
    assert store.customer_of("taobao", "tb_小鱼儿") == "C0002"
    assert store.unbind("taobao", BUYER, "tb_小鱼儿") is True
    assert store.customer_of("taobao", "tb_小鱼儿") is None
    with pytest.raises(ValueError):
        store.bind("taobao", "order", "1", "2")
