"""How the SQL backends fail: a database that is down or not set up, and a
change that is refused or collides with another."""

from __future__ import annotations

import socket

import pytest

from kefu.backends.after_sales import AfterSalesRejected
from kefu.backends.errors import BackendError, BackendUnavailable
from kefu.backends.factory import sql_backends
from kefu.backends.sql.session import SqlGateway
from kefu.storage import models


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_postgresql_down_is_unavailable():
    backends = sql_backends(f"postgresql://postgres@127.0.0.1:{unused_port()}/test")

    with pytest.raises(BackendUnavailable, match="unavailable"):
        backends.orders.get_order("2024111100001")


def test_database_without_the_shop_tables_is_unavailable(tmp_path):
    backends = sql_backends(f"sqlite:///{tmp_path / 'empty.db'}")

    with pytest.raises(BackendUnavailable):
        backends.catalogue.find_products("耳机")
    with pytest.raises(BackendUnavailable):
        backends.customers.get_customer("C0001")


def test_a_refused_change_leaves_nothing_behind(fresh_sqlite_shop):
    gateway = SqlGateway(fresh_sqlite_shop.engine)

    def change(session):
        session.get(models.Order, "2024111100003").status = "cancelled"
        session.flush()
        raise AfterSalesRejected("invalid_request", "changed my mind halfway")

    with pytest.raises(AfterSalesRejected):
        gateway.write(change)
    with gateway.session() as session:
        assert session.get(models.Order, "2024111100003").status == "paid"


def test_a_change_that_collides_runs_once_more_then_fails(fresh_sqlite_shop):
    gateway = SqlGateway(fresh_sqlite_shop.engine)
    attempts = []

    def change(session):
        attempts.append(len(attempts) + 1)
        session.add(models.ShopMeta(key="dataset", value="an id that is taken"))

    with pytest.raises(BackendError, match="database error"):
        gateway.write(change)
    assert attempts == [1, 2]
