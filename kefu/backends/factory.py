"""Which backend implementation the assistant talks to is configuration, not
code: ``SHOP_BACKEND=sql`` (default) reads the shop database, ``http`` calls
the shop's REST API (settings in ``kefu.settings``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from kefu.backends.after_sales import AfterSalesBackend
from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import OrderBackend
from kefu.settings import Settings

BACKEND_KINDS = ("sql", "http")


@dataclass(frozen=True)
class BackendConfig:
    kind: str
    api_url: str
    api_timeout: float
    api_retries: int
    api_backoff: float
    api_token: Optional[str]
    database_url: Optional[str] = None  # None: kefu.storage.db.database_url()

    @classmethod
    def from_settings(cls, settings: Settings) -> "BackendConfig":
        if settings.shop_backend not in BACKEND_KINDS:
            raise ValueError(
                f"SHOP_BACKEND must be one of {', '.join(BACKEND_KINDS)}, not {settings.shop_backend!r}"
            )
        return cls(
            kind=settings.shop_backend,
            api_url=settings.shop_api_url,
            api_timeout=settings.shop_api_timeout_seconds,
            api_retries=settings.shop_api_retries,
            api_backoff=settings.shop_api_backoff_seconds,
            api_token=settings.shop_api_token or None,
            database_url=settings.database_url or None,
        )

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "BackendConfig":
        return cls.from_settings(Settings.from_env(environ))


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
