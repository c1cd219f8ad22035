"""Which backend implementation the assistant talks to: configuration, not code.

``SHOP_BACKEND=sql`` (default) reads the shop database at ``DATABASE_URL``;
``SHOP_BACKEND=http`` calls the REST API at ``SHOP_API_URL``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from kefu.backends.after_sales import AfterSalesBackend
from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.customers import CustomerBackend
from kefu.backends.http.client import DEFAULT_BACKOFF, DEFAULT_RETRIES, DEFAULT_TIMEOUT
from kefu.backends.orders import OrderBackend

BACKEND_KINDS = ("sql", "http")


@dataclass(frozen=True)
class BackendConfig:
    kind: str = "sql"
    database_url: Optional[str] = None  # None: kefu.storage.db.database_url()
    api_url: str = "http://localhost:5060"
    api_timeout: float = DEFAULT_TIMEOUT
    api_retries: int = DEFAULT_RETRIES
    api_backoff: float = DEFAULT_BACKOFF
    api_token: Optional[str] = None

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "BackendConfig":
        env = os.environ if environ is None else environ

        def read(name: str, default: str) -> str:
            value = env.get(name, "").strip()
            return value or default

        kind = read("SHOP_BACKEND", cls.kind).lower()
        if kind not in BACKEND_KINDS:
            raise ValueError(f"SHOP_BACKEND must be one of {', '.join(BACKEND_KINDS)}, not {kind!r}")
        return cls(
            kind=kind,
            database_url=read("DATABASE_URL", "") or None,
            api_url=read("SHOP_API_URL", cls.api_url),
            api_timeout=float(read("SHOP_API_TIMEOUT", str(cls.api_timeout))),
            api_retries=int(read("SHOP_API_RETRIES", str(cls.api_retries))),
            api_backoff=float(read("SHOP_API_BACKOFF", str(cls.api_backoff))),
            api_token=read("SHOP_API_TOKEN", "") or None,
        )


@dataclass(frozen=True)
class Backends:
    orders: OrderBackend
    catalogue: CatalogueBackend
    customers: CustomerBackend
    after_sales: AfterSalesBackend


def build_backends(config: BackendConfig) -> Backends:
    if config.kind == "sql":
        return sql_backends(config.database_url)
    if config.kind == "http":
        return http_backends(
            config.api_url,
            timeout=config.api_timeout,
            retries=config.api_retries,
            backoff=config.api_backoff,
            token=config.api_token,
        )
    raise ValueError(f"unknown backend kind {config.kind!r}")


def backends_from_env(environ: Optional[Mapping[str, str]] = None) -> Backends:
    return build_backends(BackendConfig.from_env(environ))


def sql_backends(database_url: Optional[str] = None, engine=None) -> Backends:
    """SQL backends on ``engine``, or on a new engine for ``database_url``."""
    # Imported here so that an HTTP-only deployment never loads the schema.
    from kefu.backends.sql.after_sales import SqlAfterSalesBackend
    from kefu.backends.sql.catalogue import SqlCatalogueBackend
    from kefu.backends.sql.customers import SqlCustomerBackend
    from kefu.backends.sql.orders import SqlOrderBackend
    from kefu.backends.sql.session import SqlGateway
    from kefu.storage.db import make_engine

    gateway = SqlGateway(engine if engine is not None else make_engine(database_url))
    return Backends(
        orders=SqlOrderBackend(gateway),
        catalogue=SqlCatalogueBackend(gateway),
        customers=SqlCustomerBackend(gateway),
        after_sales=SqlAfterSalesBackend(gateway),
    )


def http_backends(api_url: str, **client_options) -> Backends:
    from kefu.backends.http.after_sales import HttpAfterSalesBackend
    from kefu.backends.http.catalogue import HttpCatalogueBackend
    from kefu.backends.http.client import ShopApiClient
    from kefu.backends.http.customers import HttpCustomerBackend
    from kefu.backends.http.orders import HttpOrderBackend

    api = ShopApiClient(api_url, **client_options)
    return Backends(
        orders=HttpOrderBackend(api),
        catalogue=HttpCatalogueBackend(api),
        customers=HttpCustomerBackend(api),
        after_sales=HttpAfterSalesBackend(api),
    )
