"""Which implementation is used is configuration, not code."""

from __future__ import annotations

import pytest

from kefu.backends.factory import BackendConfig, backends_from_env
from kefu.backends.http.after_sales import HttpAfterSalesBackend
from kefu.backends.http.orders import HttpOrderBackend
from kefu.backends.sql.after_sales import SqlAfterSalesBackend
from kefu.backends.sql.orders import SqlOrderBackend


def test_the_default_is_sql_on_the_embedded_database():
    config = BackendConfig.from_env({})

    assert config.kind == "sql" and config.database_url is None
    assert config.api_url == "http://localhost:5060"
    assert (config.api_timeout, config.api_retries) == (2.0, 2)


def test_http_is_chosen_by_environment():
    config = BackendConfig.from_env(
        {
            "SHOP_BACKEND": "HTTP",
            "SHOP_API_URL": "http://shop.internal:8080/api",
            "SHOP_API_TIMEOUT": "1.5",
            "SHOP_API_RETRIES": "4",
            "SHOP_API_BACKOFF": "0.1",
            "SHOP_API_TOKEN": "t0ken",
        }
    )

    assert config == BackendConfig(
        kind="http",
        api_url="http://shop.internal:8080/api",
        api_timeout=1.5,
        api_retries=4,
        api_backoff=0.1,
        api_token="t0ken",
    )


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="SHOP_BACKEND"):
        BackendConfig.from_env({"SHOP_BACKEND": "mongo"})


def test_backends_from_env_builds_the_chosen_kind(seeded_sqlite_shop):
    sql = backends_from_env({"DATABASE_URL": str(seeded_sqlite_shop.engine.url)})
    http = backends_from_env({"SHOP_BACKEND": "http", "SHOP_API_URL": "http://127.0.0.1:9"})

    assert isinstance(sql.orders, SqlOrderBackend)
    assert sql.customers.get_customer("C0001").name == "张三"
    assert isinstance(http.orders, HttpOrderBackend)
    assert isinstance(sql.after_sales, SqlAfterSalesBackend) and isinstance(http.after_sales, HttpAfterSalesBackend)
