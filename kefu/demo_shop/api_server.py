"""Reference server for the shop REST API (docs/openapi/shop-backend.yaml):
``python -m kefu.demo_shop.api_server`` serves the shop database through the
SQL backends, a working counterpart for the HTTP backends and for anyone
writing an adapter to a real shop system (see docs/backends.md)."""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import logging
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Callable, Optional, Type, TypeVar

from aiohttp import web

from kefu.backends.after_sales import AfterSalesRejected
from kefu.backends.errors import BackendError, BackendUnavailable
from kefu.backends.factory import Backends, sql_backends
from kefu.backends.http.bodies import (
    AddressChange,
    CancellationApplication,
    ExchangeApplication,
    ProblemApplication,
    ReturnApplication,
)
from kefu.backends.wire import WireFormatError, from_wire, to_wire
from kefu.demo_shop.seed import seed_if_empty
from kefu.settings import Settings
from kefu.storage.db import make_engine

log = logging.getLogger(__name__)

BACKENDS = web.AppKey("backends", Backends)
TOKEN = web.AppKey("token", str)
MAX_LIMIT = 50
# Refusals because of where the order stands (409); any other refusal is
# about what the request names (422).
CONFLICT_CODES = ("not_allowed_in_state", "already_requested", "out_of_stock")

T = TypeVar("T")

_dumps = partial(json.dumps, ensure_ascii=False)


class _BadRequest(Exception):
    pass


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _error(status: int, code: str, message: str) -> web.Response:
    return _json({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def _errors_as_json(request: web.Request, handler) -> web.StreamResponse:
    """Every failure answers with the OpenAPI error body, never an HTML page or a traceback."""
    try:
        return await handler(request)
    except _BadRequest as problem:
        return _error(400, "bad_request", str(problem))
    except AfterSalesRejected as refusal:
        if refusal.code == "unknown_order":
            return _error(404, "not_found", "order not found")
        return _error(409 if refusal.code in CONFLICT_CODES else 422, refusal.code, refusal.detail or refusal.code)
    except BackendUnavailable as problem:
        return _error(503, "unavailable", str(problem))
    except BackendError as problem:
        return _error(500, "backend_error", str(problem))
    except web.HTTPNotFound:
        return _error(404, "unknown_route", f"no such resource: {request.path}")
    except web.HTTPMethodNotAllowed:
        return _error(405, "method_not_allowed", f"{request.method} is not supported here")
    except Exception:  # pragma: no cover - the last line of defence
        log.exception("unexpected error answering %s", request.path)
        return _error(500, "internal_error", "unexpected server error")


@web.middleware
async def _bearer_token(request: web.Request, handler) -> web.StreamResponse:
    expected = request.app[TOKEN]
    if expected and request.path != "/health":
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            return _error(401, "unauthorized", "missing or wrong bearer token")
    return await handler(request)


async def _call(call: Callable, *args, **kwargs) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, partial(call, *args, **kwargs))


def _found(value: Any, what: str) -> web.Response:
    if value is None:
        return _error(404, "not_found", f"{what} not found")
    return _json(to_wire(value))


def _found_list(values: Any, key: str, what: str) -> web.Response:
    if values is None:
        return _error(404, "not_found", f"{what} not found")
    return _json({key: to_wire(values)})


# --- query parameters ---------------------------------------------------------------


def _text(request: web.Request, name: str, required: bool = False) -> Optional[str]:
    value = request.query.get(name, "").strip()
    if not value:
        if required:
            raise _BadRequest(f"query parameter {name!r} is required")
        return None
    return value


def _limit(request: web.Request, default: int) -> int:
    raw = _text(request, "limit")
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise _BadRequest(f"limit must be an integer, not {raw!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise _BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _decimal(request: web.Request, name: str, required: bool = False) -> Optional[Decimal]:
    raw = _text(request, name, required)
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _BadRequest(f"{name} must be a decimal number, not {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise _BadRequest(f"{name} must be a non-negative amount")
    return value


def _moment(request: web.Request, name: str) -> Optional[datetime]:
    raw = _text(request, name)
    if raw is None:
        return None
    try:
        # An unencoded "+" of a UTC offset arrives as a space: put it back.
        return datetime.fromisoformat(re.sub(r" (\d{2}:\d{2})$", r"+\1", raw))
    except ValueError:
        raise _BadRequest(f"{name} must be an ISO 8601 date-time, not {raw!r}") from None


def _flag(request: web.Request, name: str) -> bool:
    raw = (_text(request, name) or "false").lower()
    if raw not in ("true", "false"):
        raise _BadRequest(f"{name} must be true or false")
    return raw == "true"


async def _body(request: web.Request, kind: Type[T]) -> T:
    """The JSON body as a ``kind`` (see kefu/backends/http/bodies.py)."""
    try:
        data = await request.json()
    except ValueError:
        raise _BadRequest("the body must be JSON") from None
    try:
        return from_wire(kind, data)
    except WireFormatError as error:
        raise _BadRequest(f"body: {error}") from None


# --- handlers -----------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


async def get_order(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    return _found(await _call(request.app[BACKENDS].orders.get_order, order_id), "order")


async def get_platform_order(request: web.Request) -> web.Response:
    platform, number = request.match_info["platform"], request.match_info["platform_order_id"]
    order_id = await _call(request.app[BACKENDS].orders.find_platform_order, platform, number)
    if order_id is None:
        return _error(404, "not_found", "platform order not found")
    return _json({"platform": platform, "platform_order_id": number, "order_id": order_id})


async def get_logistics_events(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    events = await _call(request.app[BACKENDS].orders.logistics_events, order_id)
    return _found_list(events, "events", "order")


async def get_orders_of_customer(request: web.Request) -> web.Response:
    customer_id = request.match_info["customer_id"]
    orders = await _call(request.app[BACKENDS].orders.orders_of_customer, customer_id, _limit(request, 5))
    return _found_list(orders, "orders", "customer")


async def get_delivery_estimate(request: web.Request) -> web.Response:
    estimate = await _call(
        request.app[BACKENDS].orders.estimate_delivery,
        _text(request, "destination", required=True),
        warehouse_id=_text(request, "warehouse_id"),
        product_id=_text(request, "product_id"),
        at=_moment(request, "at"),
    )
    return _found(estimate, "destination or warehouse")


async def get_shipping_fee(request: web.Request) -> web.Response:
    quote = await _call(
        request.app[BACKENDS].orders.shipping_fee,
        _text(request, "region", required=True),
        _decimal(request, "goods_amount", required=True),
    )
    return _found(quote, "region")


async def get_product(request: web.Request) -> web.Response:
    product_id = request.match_info["product_id"]
    return _found(await _call(request.app[BACKENDS].catalogue.get_product, product_id), "product")


async def find_products(request: web.Request) -> web.Response:
    products = await _call(
        request.app[BACKENDS].catalogue.find_products,
        keyword=_text(request, "keyword"),
        category=_text(request, "category"),
        min_price=_decimal(request, "min_price"),
        max_price=_decimal(request, "max_price"),
        in_stock_only=_flag(request, "in_stock_only"),
        limit=_limit(request, 10),
    )
    return _json({"products": to_wire(products)})


async def get_stock(request: web.Request) -> web.Response:
    stock = await _call(
        request.app[BACKENDS].catalogue.stock,
        request.match_info["product_id"],
        color=_text(request, "color"),
        size=_text(request, "size"),
    )
    return _found_list(stock, "stock", "product")


async def get_customer(request: web.Request) -> web.Response:
    customer_id = request.match_info["customer_id"]
    return _found(await _call(request.app[BACKENDS].customers.get_customer, customer_id), "customer")


async def find_customers(request: web.Request) -> web.Response:
    customer = await _call(request.app[BACKENDS].customers.find_by_phone, _text(request, "phone", required=True))
    return _json({"customers": to_wire([customer] if customer is not None else [])})


async def get_contacts(request: web.Request) -> web.Response:
    customer_id = request.match_info["customer_id"]
    contacts = await _call(request.app[BACKENDS].customers.contact_history, customer_id, _limit(request, 10))
    return _found_list(contacts, "contacts", "customer")


def _change_handler(kind: type, status: int = 200) -> Callable:
    """A handler that decodes the body as ``kind`` and makes the change it stands for."""

    async def make_change(request: web.Request) -> web.Response:
        body = await _body(request, kind)
        result = await _call(body.apply_to, request.app[BACKENDS].after_sales, request.match_info["order_id"])
        return _json(to_wire(result), status=status)

    return make_change


async def get_problems(request: web.Request) -> web.Response:
    order_id = request.match_info["order_id"]
    reports = await _call(request.app[BACKENDS].after_sales.problem_reports, order_id)
    return _found_list(reports, "problems", "order")


def create_app(backends: Backends, token: Optional[str] = None) -> web.Application:
    app = web.Application(middlewares=[_errors_as_json, _bearer_token])
    app[BACKENDS] = backends
    app[TOKEN] = token or ""
    app.add_routes(
        [
            web.get("/health", health),
            web.get("/orders/{order_id}", get_order),
            web.get("/orders/{order_id}/logistics-events", get_logistics_events),
            web.get("/platform-orders/{platform}/{platform_order_id}", get_platform_order),
            web.post("/orders/{order_id}/returns", _change_handler(ReturnApplication, status=201)),
            web.post("/orders/{order_id}/exchanges", _change_handler(ExchangeApplication, status=201)),
            web.post("/orders/{order_id}/cancellation", _change_handler(CancellationApplication)),
            web.put("/orders/{order_id}/recipient", _change_handler(AddressChange)),
            web.get("/orders/{order_id}/problems", get_problems),
            web.post("/orders/{order_id}/problems", _change_handler(ProblemApplication, status=201)),
            web.get("/delivery-estimate", get_delivery_estimate),
            web.get("/shipping-fee", get_shipping_fee),
            web.get("/products", find_products),
            web.get("/products/{product_id}", get_product),
            web.get("/products/{product_id}/stock", get_stock),
            web.get("/customers", find_customers),
            web.get("/customers/{customer_id}", get_customer),
            web.get("/customers/{customer_id}/orders", get_orders_of_customer),
            web.get("/customers/{customer_id}/contacts", get_contacts),
        ]
    )
    return app


def main(argv=None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Serve the shop REST API from the shop database.")
    parser.add_argument("--host", default=settings.shop_api_host)
    parser.add_argument("--port", type=int, default=settings.shop_api_port)
    parser.add_argument("--database-url", help="default: $DATABASE_URL or the SQLite file under var/")
    parser.add_argument(
        "--seed-if-empty", action="store_true", help="build the demo shop first if the database is empty"
    )
    parser.add_argument("--token", default=settings.shop_api_token or None, help="require this bearer token")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    # The server is always the SQL side, whatever SHOP_BACKEND says: it is
    # what the HTTP backends talk to.
    engine = make_engine(args.database_url)
    if args.seed_if_empty:
        seed_if_empty(engine)
    print(f"shop API on http://{args.host}:{args.port} serving {engine.url.render_as_string(hide_password=True)}")
    app = create_app(sql_backends(engine=engine), token=args.token)
    web.run_app(app, host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
