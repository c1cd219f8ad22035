"""The reference API server speaks docs/openapi/shop-backend.yaml.

Each answer of the real server is validated against the schema the contract
gives for that operation and status, and the contract's schemas are checked
against the dataclasses both sides encode and decode. Reads go to the
shared server; every change goes to a server on a shop of its own.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import requests
import yaml

from kefu.backends import after_sales, catalogue, customers, orders
from kefu.backends.errors import BackendUnavailable
from kefu.backends.factory import http_backends, sql_backends
from kefu.backends.http import bodies
from kefu.storage import models
from kefu.demo_shop.api_server import create_app
from kefu.storage.db import make_session_factory
from tests.demo_shop.server import serve_in_thread

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((PROJECT_ROOT / "docs" / "openapi" / "shop-backend.yaml").read_text(encoding="utf-8"))

# (path template, path arguments, query, expected status)
EXCHANGES = [
    ("/health", {}, {}, 200),
    ("/orders/{order_id}", {"order_id": "2024111100001"}, {}, 200),
    ("/orders/{order_id}", {"order_id": "2024111100002"}, {}, 200),
    ("/orders/{order_id}", {"order_id": "2099999999999"}, {}, 404),
    ("/platform-orders/{platform}/{platform_order_id}", {"platform": "taobao", "platform_order_id": "3263434469888483731"},
     {}, 200),
    ("/platform-orders/{platform}/{platform_order_id}", {"platform": "pdd", "platform_order_id": "241111-123456789012345"},
     {}, 404),
    ("/orders/{order_id}/logistics-events", {"order_id": "2024111100002"}, {}, 200),
    ("/orders/{order_id}/logistics-events", {"order_id": "2099999999999"}, {}, 404),
    ("/orders/{order_id}/problems", {"order_id": "2024111100002"}, {}, 200),
    ("/orders/{order_id}/problems", {"order_id": "2099999999999"}, {}, 404),
    ("/customers/{customer_id}/orders", {"customer_id": "C0001"}, {"limit": "3"}, 200),
    ("/customers/{customer_id}/orders", {"customer_id": "C0001"}, {"limit": "0"}, 400),
    ("/customers/{customer_id}/orders", {"customer_id": "C0001"}, {"limit": "many"}, 400),
    ("/customers/{customer_id}/orders", {"customer_id": "C9999"}, {}, 404),
    ("/delivery-estimate", {}, {"destination": "乌鲁木齐", "at": "2024-11-11T15:00:00+08:00"}, 200),
    ("/delivery-estimate", {}, {"destination": "上海", "warehouse_id": "WH-HZ"}, 200),
    ("/delivery-estimate", {}, {"destination": "上海", "product_id": "P3002"}, 200),
    ("/delivery-estimate", {}, {"destination": "火星"}, 404),
    ("/delivery-estimate", {}, {}, 400),
    ("/delivery-estimate", {}, {"destination": "上海", "at": "tomorrow"}, 400),
    ("/shipping-fee", {}, {"region": "新疆", "goods_amount": "300"}, 200),
    ("/shipping-fee", {}, {"region": "成都", "goods_amount": "79.5"}, 200),
    ("/shipping-fee", {}, {"region": "成都", "goods_amount": "-1"}, 400),
    ("/shipping-fee", {}, {"region": "成都"}, 400),
    ("/shipping-fee", {}, {"region": "火星", "goods_amount": "1"}, 404),
    ("/products", {}, {"keyword": "蓝牙耳机", "max_price": "300", "in_stock_only": "true"}, 200),
    ("/products", {}, {"category": "衣服", "limit": "50"}, 200),
    ("/products", {}, {"in_stock_only": "maybe"}, 400),
    ("/products/{product_id}", {"product_id": "P1001"}, {}, 200),
    ("/products/{product_id}", {"product_id": "P0000"}, {}, 404),
    ("/products/{product_id}/stock", {"product_id": "P1001"}, {"color": "白色", "size": "M"}, 200),
    ("/products/{product_id}/stock", {"product_id": "P0000"}, {}, 404),
    ("/customers", {}, {"phone": "13800000001"}, 200),
    ("/customers", {}, {"phone": "13000000000"}, 200),
    ("/customers", {}, {}, 400),
    ("/customers/{customer_id}", {"customer_id": "C0001"}, {}, 200),
    ("/customers/{customer_id}", {"customer_id": "C9999"}, {}, 404),
    ("/customers/{customer_id}/contacts", {"customer_id": "C0001"}, {"limit": "2"}, 200),
    ("/customers/{customer_id}/contacts", {"customer_id": "C9999"}, {}, 404),
]

RETURN = {"sku_ids": ["P1001-03"], "reason": "尺码不合适", "condition": "未拆封"}  # the white L T-shirt
EXCHANGE = {"sku_id": "P1001-03", "new_sku_id": "P1001-04", "reason": "码小了，换XL"}  # white XL
RECIPIENT = {"name": "王五", "phone": "13700000000", "province": "浙江", "city": "杭州", "address": "西湖区文三路100号"}
PROBLEM = {"sku_id": None, "kind": "damaged", "description": "外箱压坏了", "resolution": "reship",
           "photo_ids": ["9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a"]}

# (method, path template, order, body, expected status, error code of a refusal)
CHANGES = [
    ("post", "/orders/{order_id}/returns", "2024111100001", RETURN, 201, None),
    ("post", "/orders/{order_id}/returns", "2024111100003", RETURN, 409, "not_allowed_in_state"),
    ("post", "/orders/{order_id}/returns", "2024111100001", dict(RETURN, sku_ids=["P3001-01"]), 422,
     "item_not_in_order"),
    ("post", "/orders/{order_id}/returns", "2099999999999", RETURN, 404, "not_found"),
    ("post", "/orders/{order_id}/returns", "2024111100001", dict(RETURN, sku_ids="P1001-03"), 400, "bad_request"),
    ("post", "/orders/{order_id}/exchanges", "2024111100001", EXCHANGE, 201, None),
    ("post", "/orders/{order_id}/exchanges", "2024111100001", dict(EXCHANGE, new_sku_id="P1001-02"), 409,
     "out_of_stock"),  # white M is sold out
    ("post", "/orders/{order_id}/exchanges", "2024111100001", dict(EXCHANGE, new_sku_id="P3001-01"), 422,
     "unknown_sku"),
    ("post", "/orders/{order_id}/cancellation", "2024111100003", {"reason": "拍错了"}, 200, None),
    ("post", "/orders/{order_id}/cancellation", "2024111100002", {"reason": "拍错了"}, 409, "not_allowed_in_state"),
    ("post", "/orders/{order_id}/cancellation", "2024111100003", {}, 400, "bad_request"),
    ("put", "/orders/{order_id}/recipient", "2024111100003", RECIPIENT, 200, None),
    ("put", "/orders/{order_id}/recipient", "2024111100003", dict(RECIPIENT, province="火星"), 422, "invalid_address"),
    ("put", "/orders/{order_id}/recipient", "2024111100002", RECIPIENT, 409, "not_allowed_in_state"),
    ("post", "/orders/{order_id}/problems", "2024111100002", PROBLEM, 201, None),
    ("post", "/orders/{order_id}/problems", "2024111100003", PROBLEM, 409, "not_allowed_in_state"),
    ("post", "/orders/{order_id}/problems", "2024111100002", dict(PROBLEM, kind="broken"), 422, "invalid_request"),
    ("post", "/orders/{order_id}/problems", "2099999999999", PROBLEM, 404, "not_found"),
    ("post", "/orders/{order_id}/problems", "2024111100002", dict(PROBLEM, photo_ids=["../etc/passwd"]), 422,
     "invalid_request"),
    ("post", "/orders/{order_id}/problems", "2024111100002", dict(PROBLEM, photo_ids="9f2c"), 400, "bad_request"),
]

# Contract schema -> the dataclass the HTTP backends decode it into.
WIRE_TYPES = {
    "Order": orders.Order,
    "Recipient": orders.Recipient,
    "OrderItem": orders.OrderItem,
    "Shipment": orders.Shipment,
    "ReturnRequest": orders.ReturnRequest,
    "Refund": orders.Refund,
    "LogisticsEvent": orders.LogisticsEvent,
    "DeliveryEstimate": orders.DeliveryEstimate,
    "ShippingQuote": orders.ShippingQuote,
    "Product": catalogue.Product,
    "Sku": catalogue.Sku,
    "StockLevel": catalogue.StockLevel,
    "WarehouseStock": catalogue.WarehouseStock,
    "Customer": customers.Customer,
    "Contact": customers.Contact,
    "ProblemReport": after_sales.ProblemReport,
    "ReturnApplication": bodies.ReturnApplication,
    "ExchangeApplication": bodies.ExchangeApplication,
    "CancellationApplication": bodies.CancellationApplication,
    "ProblemApplication": bodies.ProblemApplication,
}


def response_schema(template: str, status: int, method: str = "get") -> dict:
    responses = SPEC["paths"][template][method]["responses"]
    response = responses.get(str(status)) or responses["default"]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return with_components(response["content"]["application/json"]["schema"])


def request_schema(template: str, method: str) -> dict:
    return with_components(SPEC["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"])


def with_components(schema: dict) -> dict:
    # References point into the document; give the validator the document's components.
    return {"allOf": [schema], "components": SPEC["components"]}


@pytest.mark.parametrize("template, path_args, query, status", EXCHANGES)
def test_answers_follow_the_contract(shop_api_url, template, path_args, query, status):
    response = requests.get(shop_api_url + template.format(**path_args), params=query, timeout=5)

    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    jsonschema.Draft202012Validator(response_schema(template, status)).validate(response.json())


@pytest.mark.parametrize("method, template, order_id, body, status, code", CHANGES)
def test_changes_follow_the_contract(fresh_shop_api_url, method, template, order_id, body, status, code):
    if status < 300:
        jsonschema.Draft202012Validator(request_schema(template, method)).validate(body)

    response = requests.request(
        method, fresh_shop_api_url + template.format(order_id=order_id), json=body, timeout=5
    )

    assert response.status_code == status, response.text
    jsonschema.Draft202012Validator(response_schema(template, status, method)).validate(response.json())
    if code is not None:
        assert response.json()["error"]["code"] == code


def test_a_body_that_is_not_json_is_a_bad_request(fresh_shop_api_url):
    response = requests.post(fresh_shop_api_url + "/orders/2024111100003/cancellation", data="取消", timeout=5)

    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"


def test_changes_need_the_token_too(fresh_sqlite_shop):
    with serve_in_thread(create_app(sql_backends(engine=fresh_sqlite_shop.engine), token="s3cret")) as url:
        response = requests.post(url + "/orders/2024111100003/cancellation", json={"reason": "拍错了"}, timeout=5)

    assert response.status_code == 401
    with make_session_factory(fresh_sqlite_shop.engine)() as session:
        assert session.get(models.Order, "2024111100003").status == "paid"


def operations(paths: dict) -> set:
    return {(method, template) for template, item in paths.items() for method in item if method != "parameters"}


def test_every_operation_of_the_contract_is_exercised():
    exercised = {("get", template) for template, *_ in EXCHANGES}
    exercised |= {(method, template) for method, template, *_ in CHANGES}

    assert exercised == operations(SPEC["paths"])


def test_the_server_serves_exactly_the_contract(seeded_sqlite_shop):
    app = create_app(sql_backends(engine=seeded_sqlite_shop.engine))
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD"  # added by aiohttp for every GET
    }

    assert served == operations(SPEC["paths"])


@pytest.mark.parametrize("name", sorted(WIRE_TYPES))
def test_contract_schemas_match_the_dataclasses(name):
    schema = SPEC["components"]["schemas"][name]
    fields = [field.name for field in dataclasses.fields(WIRE_TYPES[name])]

    assert list(schema["properties"]) == fields
    assert schema["required"] == fields
    assert schema["additionalProperties"] is False


def test_an_unknown_path_says_so_in_the_error_body(shop_api_url):
    response = requests.get(shop_api_url + "/no/such/thing", timeout=5)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_route"


def test_errors_carry_a_code_and_message(shop_api_url):
    body = requests.get(shop_api_url + "/orders/2099999999999", timeout=5).json()

    assert body == {"error": {"code": "not_found", "message": "order not found"}}


def test_the_command_starts_a_server(seeded_sqlite_shop):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), DATABASE_URL=str(seeded_sqlite_shop.engine.url))
    server = subprocess.Popen(
        [sys.executable, "-m", "kefu.demo_shop.api_server", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        order = None
        deadline = time.monotonic() + 20
        while order is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                order = requests.get(f"http://127.0.0.1:{port}/orders/2024111100001", timeout=1).json()
            except requests.ConnectionError:
                time.sleep(0.1)
        assert order["customer_id"] == "C0001"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_database_that_cannot_answer_is_503_and_unavailable_to_the_client(tmp_path):
    not_set_up = sql_backends(f"sqlite:///{tmp_path / 'empty.db'}")
    with serve_in_thread(create_app(not_set_up)) as url:
        response = requests.get(url + "/orders/2024111100001", timeout=5)
        with pytest.raises(BackendUnavailable, match="HTTP 503"):
            http_backends(url, retries=1, backoff=0.01).orders.get_order("2024111100001")

    assert response.status_code == 503
    jsonschema.Draft202012Validator(response_schema("/orders/{order_id}", 503)).validate(response.json())
    assert response.json()["error"]["code"] == "unavailable"
