"""How the HTTP backends fail: against a real, misbehaving HTTP server.

The server is scripted per test (answer 503 twice, then the real thing …)
and counts the requests it gets, so retries are counted, not assumed. A
change (POST) must never be sent twice once the server may have it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from aiohttp import web

from kefu.backends.after_sales import AfterSalesRejected, ProblemReport
from kefu.backends.catalogue import Product, Sku
from kefu.backends.errors import BackendError, BackendFailure, BackendUnavailable
from kefu.backends.factory import http_backends, sql_backends
from kefu.backends.http.after_sales import HttpAfterSalesBackend
from kefu.backends.http.catalogue import HttpCatalogueBackend
from kefu.backends.http.client import ShopApiClient
from kefu.backends.orders import Recipient
from kefu.backends.wire import to_wire
from kefu.demo_shop.api_server import create_app
from tests.demo_shop.server import serve_in_thread

TIMEOUT = 0.3
BACKOFF = 0.05

A_PRODUCT = Product(
    product_id="P1",
    name="测试商品",
    category="数码",
    brand="测试",
    price=Decimal("9.90"),
    attributes={"warranty": "1年"},
    description="",
    skus=[Sku(sku_id="P1-01", color="黑色", size=None, price=Decimal("9.90"))],
)
A_REPORT = ProblemReport(
    report_id="Q1-01",
    order_id="1",
    sku_id=None,
    kind="damaged",
    description="外箱压坏了",
    resolution="reship",
    status="reship_pending",
    created_at=datetime(2024, 11, 11, 20, 5, tzinfo=timezone(timedelta(hours=8))),
)


def answer_json(data, status=200):
    async def behaviour(request):
        return web.json_response(data, status=status)

    return behaviour


def answer_status(status):
    return answer_json({"error": {"code": "unavailable", "message": "scripted"}}, status)


def answer_text(body, status=200, content_type="text/html"):
    async def behaviour(request):
        return web.Response(text=body, status=status, content_type=content_type)

    return behaviour


def answer_slowly(seconds):
    async def behaviour(request):
        await asyncio.sleep(seconds)
        return web.json_response(to_wire(A_PRODUCT))

    return behaviour


def hang_up():
    """Read the request, then close the connection without answering."""

    async def behaviour(request):
        await request.read()
        request.transport.close()
        return web.Response()  # never reaches the client

    return behaviour


def refuse(status, code):
    return answer_json({"error": {"code": code, "message": f"scripted {code}"}}, status)


class ScriptedServer:
    """Answers request n with script[n] (the last entry repeats) and counts requests."""

    def __init__(self) -> None:
        self.script = []
        self.requests = []
        self.bodies = []

    def play(self, *behaviours) -> None:
        self.script = list(behaviours)
        self.requests = []
        self.bodies = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        self.bodies.append(await request.text())
        behaviour = self.script[min(len(self.requests), len(self.script)) - 1]
        return await behaviour(request)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app


class RecordedSleeps(list):
    """Stands in for time.sleep: remembers the backoff delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(scope="module")
def scripted():
    server = ScriptedServer()
    with serve_in_thread(server.app()) as url:
        server.url = url
        yield server


@pytest.fixture
def sleeps():
    return RecordedSleeps()


def client_at(url, sleeps, retries=2):
    return ShopApiClient(url, timeout=TIMEOUT, retries=retries, backoff=BACKOFF, sleep=sleeps)


def catalogue_at(url, sleeps, retries=2):
    return HttpCatalogueBackend(client_at(url, sleeps, retries))


def after_sales_at(url, sleeps, retries=2):
    return HttpAfterSalesBackend(client_at(url, sleeps, retries))


def report_a_problem(after_sales):
    return after_sales.report_problem("1", None, "damaged", "外箱压坏了", "reship")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_good_answer_needs_one_request(scripted, sleeps):
    scripted.play(answer_json(to_wire(A_PRODUCT)))

    assert catalogue_at(scripted.url, sleeps).get_product("P1") == A_PRODUCT
    assert len(scripted.requests) == 1 and sleeps == []


def test_server_down_is_unavailable_after_retries_with_backoff(sleeps):
    catalogue = catalogue_at(f"http://127.0.0.1:{free_port()}", sleeps, retries=3)

    with pytest.raises(BackendUnavailable, match="unreachable"):
        catalogue.get_product("P1")
    # Four attempts, with exponentially growing pauses between them.
    assert sleeps == [BACKOFF, 2 * BACKOFF, 4 * BACKOFF]


def test_momentary_503s_are_retried_until_the_answer_comes(scripted, sleeps):
    scripted.play(answer_status(503), answer_status(503), answer_json(to_wire(A_PRODUCT)))

    assert catalogue_at(scripted.url, sleeps).get_product("P1") == A_PRODUCT
    assert len(scripted.requests) == 3
    assert sleeps == [BACKOFF, 2 * BACKOFF]


def test_persistent_503_is_unavailable(scripted, sleeps):
    scripted.play(answer_status(503))

    with pytest.raises(BackendUnavailable, match="HTTP 503"):
        catalogue_at(scripted.url, sleeps).get_product("P1")
    assert len(scripted.requests) == 3


def test_persistent_500_is_a_backend_error(scripted, sleeps):
    scripted.play(answer_status(500))

    with pytest.raises(BackendError, match="HTTP 500"):
        catalogue_at(scripted.url, sleeps).get_product("P1")
    assert len(scripted.requests) == 3


def test_slow_server_is_unavailable_without_retrying(scripted, sleeps):
    scripted.play(answer_slowly(TIMEOUT * 4))

    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="did not answer"):
        catalogue_at(scripted.url, sleeps).get_product("P1")
    elapsed = time.monotonic() - started

    # One request, given up after the timeout: the shopper is not kept waiting.
    assert len(scripted.requests) == 1 and sleeps == []
    assert TIMEOUT <= elapsed < TIMEOUT * 3


def test_the_default_timeout_is_two_seconds():
    assert ShopApiClient("http://localhost").timeout == 2.0


@pytest.mark.parametrize(
    "behaviour, complaint",
    [
        (answer_text("<html>服务器开小差了</html>"), "not JSON"),
        (answer_text('{"product_id": "P1", ', content_type="application/json"), "not JSON"),
        (answer_json({"product_id": "P1"}), "missing field"),
        (answer_json(dict(to_wire(A_PRODUCT), price=199)), "expected a decimal"),
        (answer_json(dict(to_wire(A_PRODUCT), price="lots")), "not a decimal"),
        (answer_json(["not", "an", "object"]), "expected a Product object"),
        (answer_text("<html>404</html>", status=404), "not JSON"),
        (answer_json({"detail": "Not Found"}, status=404), "SHOP_API_URL"),
        (answer_json({"error": {"code": "bad_request", "message": "nope"}}, status=400), "bad_request"),
    ],
)
def test_garbage_is_a_backend_error(scripted, sleeps, behaviour, complaint):
    scripted.play(behaviour)

    with pytest.raises(BackendError, match=complaint):
        catalogue_at(scripted.url, sleeps).get_product("P1")
    assert len(scripted.requests) == 1


def test_a_list_answer_without_its_member_is_a_backend_error(scripted, sleeps):
    scripted.play(answer_json({"items": []}))

    with pytest.raises(BackendError, match="'products'"):
        catalogue_at(scripted.url, sleeps).find_products("耳机")


def test_not_found_is_none(scripted, sleeps):
    scripted.play(answer_json({"error": {"code": "not_found", "message": "product not found"}}, status=404))

    assert catalogue_at(scripted.url, sleeps).get_product("P404") is None


def test_path_arguments_are_quoted(scripted, sleeps):
    scripted.play(answer_json({"error": {"code": "not_found", "message": "x"}}, status=404))

    catalogue_at(scripted.url, sleeps).get_product("../orders/1 2")

    assert scripted.requests == ["/products/..%2Forders%2F1%202"]


def test_every_failure_is_a_backend_failure():
    # Actions catch this one class and apologise.
    assert issubclass(BackendUnavailable, BackendFailure) and issubclass(BackendError, BackendFailure)


def test_the_bearer_token_is_sent_and_checked(seeded_sqlite_shop):
    app = create_app(sql_backends(engine=seeded_sqlite_shop.engine), token="s3cret")
    with serve_in_thread(app) as url:
        with pytest.raises(BackendError, match="401"):
            http_backends(url).customers.get_customer("C0001")
        customer = http_backends(url, token="s3cret").customers.get_customer("C0001")
    assert customer.name == "张三"


# --- changes (POST and PUT) ---------------------------------------------------------------


def test_a_change_travels_in_wire_form_and_its_answer_is_decoded(scripted, sleeps):
    scripted.play(answer_json(to_wire(A_REPORT), status=201))

    assert report_a_problem(after_sales_at(scripted.url, sleeps)) == A_REPORT
    assert scripted.requests == ["/orders/1/problems"]
    assert json.loads(scripted.bodies[0]) == {
        "sku_id": None, "kind": "damaged", "description": "外箱压坏了", "resolution": "reship", "photo_ids": [],
    }


def test_the_shoppers_photos_travel_as_ids_and_a_shop_that_keeps_none_answers_without_them(scripted, sleeps):
    # A merchant's server made before photo_ids answers without the field: a report without photos.
    older_answer = {key: value for key, value in to_wire(A_REPORT).items() if key != "photo_ids"}
    scripted.play(answer_json(older_answer, status=201))

    report = after_sales_at(scripted.url, sleeps).report_problem(
        "1", None, "damaged", "外箱压坏了", "reship", ["9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a", "0a1b"])

    assert json.loads(scripted.bodies[0])["photo_ids"] == ["9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a", "0a1b"]
    assert report == A_REPORT and report.photo_ids == ()


@pytest.mark.parametrize("status, code", [(409, "already_requested"), (422, "item_not_in_order")])
def test_a_refusal_is_raised_with_its_code(scripted, sleeps, status, code):
    scripted.play(refuse(status, code))

    with pytest.raises(AfterSalesRejected) as caught:
        report_a_problem(after_sales_at(scripted.url, sleeps))

    assert (caught.value.code, caught.value.detail) == (code, f"scripted {code}")
    assert not isinstance(caught.value, BackendFailure)
    assert len(scripted.requests) == 1


@pytest.mark.parametrize("behaviour", [refuse(409, "no_idea"), answer_json({"detail": "conflict"}, 409)])
def test_a_refusal_outside_the_contract_is_a_backend_error(scripted, sleeps, behaviour):
    scripted.play(behaviour)

    with pytest.raises(BackendError, match="HTTP 409"):
        report_a_problem(after_sales_at(scripted.url, sleeps))


def test_a_change_to_an_order_the_api_does_not_know_is_unknown_order(scripted, sleeps):
    scripted.play(refuse(404, "not_found"))

    with pytest.raises(AfterSalesRejected) as caught:
        after_sales_at(scripted.url, sleeps).cancel_order("2099999999999", "拍错了")
    assert caught.value.code == "unknown_order"


def test_a_change_to_a_server_that_is_down_is_retried_then_unavailable(sleeps):
    # Nothing listens: the request never got there, so sending it again is safe.
    with pytest.raises(BackendUnavailable, match="unreachable"):
        report_a_problem(after_sales_at(f"http://127.0.0.1:{free_port()}", sleeps, retries=2))
    assert sleeps == [BACKOFF, 2 * BACKOFF]


@pytest.mark.parametrize(
    "behaviour, failure, complaint",
    [
        (answer_status(503), BackendUnavailable, "HTTP 503"),
        (answer_status(500), BackendError, "HTTP 500"),
        (hang_up(), BackendUnavailable, "may or may not"),
        (answer_slowly(TIMEOUT * 4), BackendUnavailable, "did not answer"),
    ],
)
def test_a_post_the_server_may_have_acted_on_is_never_sent_again(scripted, sleeps, behaviour, failure, complaint):
    scripted.play(behaviour, answer_json(to_wire(A_REPORT), status=201))

    with pytest.raises(failure, match=complaint):
        report_a_problem(after_sales_at(scripted.url, sleeps))
    assert len(scripted.requests) == 1 and sleeps == []


def test_a_put_says_what_the_result_is_and_is_retried_like_a_get(scripted, sleeps):
    scripted.play(answer_status(503), refuse(422, "invalid_address"))

    with pytest.raises(AfterSalesRejected, match="invalid_address"):
        after_sales_at(scripted.url, sleeps).change_address("1", Recipient("王五", "137", "火星", "", "某处"))
    assert len(scripted.requests) == 2 and sleeps == [BACKOFF]
