"""How the SQL backends fail: a database that is down or not set up."""

from __future__ import annotations

import socket

import pytest

from kefu.backends.errors import BackendUnavailable
from kefu.backends.factory import sql_backends


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
