"""kefu/channels/platform_store.py on SQLite and PostgreSQL (skipped when none is reachable): a nonce and a
buyer's message id are taken once until they expire, by any number of stores on the same database
(replicas), a message keeps its replies for its retries, and bindings map platform ids to the shop's, per
platform."""

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


# --- buyer messages sent again -----------------------------------------------------------------------------


def test_a_message_id_is_taken_once_per_platform_and_buyer_by_every_replica_until_it_expires(engine):
    clock = Clock()
    one, other = PlatformStore(engine, clock), PlatformStore(engine, clock)

    assert one.take_message("pdd", "buyer-1", "m-1", 86400) is True
    assert other.take_message("pdd", "buyer-1", "m-1", 86400) is False
    assert one.take_message("pdd", "buyer-2", "m-1", 86400) is True  # another buyer's message 1
    assert one.take_message("jd", "buyer-1", "m-1", 86400) is True  # another platform's

    clock.now += 86401
    assert other.taken_message("pdd", "buyer-1", "m-1") is None
    assert other.take_message("pdd", "buyer-1", "m-1", 86400) is True


def test_a_taken_message_keeps_its_replies_for_every_replica(engine):
    one, other = PlatformStore(engine), PlatformStore(engine)
    replies = [{"recipient_id": "pdd:buyer-1", "text": "亲，在的～", "buttons": [{"title": "转人工", "payload": "/request_human"}]}]
    one.take_message("pdd", "buyer-1", "m-1", 86400)

    assert other.taken_message("pdd", "buyer-1", "m-1").answered is False
    one.record_replies("pdd", "buyer-1", "m-1", replies)
    assert other.taken_message("pdd", "buyer-1", "m-1").replies == replies
    one.record_replies("pdd", "buyer-1", "m-2", replies)  # never taken: nothing recorded
    assert other.taken_message("pdd", "buyer-1", "m-2") is None


def test_an_answer_without_replies_is_an_answer(engine):
    store = PlatformStore(engine)
    store.take_message("pdd", "buyer-1", "m-1", 86400)
    store.record_replies("pdd", "buyer-1", "m-1", [])  # the agent has the buyer: the bot was quiet
    taken = store.taken_message("pdd", "buyer-1", "m-1")
    assert taken.answered is True and taken.replies == []


def test_a_released_message_is_new_when_sent_again(engine):
    store = PlatformStore(engine)
    store.take_message("pdd", "buyer-1", "m-1", 86400)
    store.release_message("pdd", "buyer-1", "m-1")
    assert store.taken_message("pdd", "buyer-1", "m-1") is None
    assert store.take_message("pdd", "buyer-1", "m-1", 86400) is True


def test_expired_message_ids_are_swept_with_the_nonces(engine):
    clock = Clock()
    store = PlatformStore(engine, clock)
    store.take_message("pdd", "buyer-1", "old", 86400)
    store.record_replies("pdd", "buyer-1", "old", [{"text": "亲，您的订单已发货"}])
    clock.now += 86401
    store.first_use("pdd", "nonce-fresh-0000000000", 600)
    with engine.connect() as connection:
        left = connection.exec_driver_sql("SELECT message_id FROM platform_messages").scalars().all()
    assert left == []
