"""The problem reports an agent sees in a case (kefu/workspace/reports.py): the reports of the case's order
from the real shop, over SQL and over the reference API server, with the shopper's photos as links the web
chat's photo route honours."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from kefu.backends.factory import http_backends, sql_backends
from kefu.security.photo_links import PHOTO_ROUTE, PhotoLinks
from kefu.handoff.triggers import decide_handoff
from kefu.workspace.reports import CaseReports
from tests.demo_shop.fixtures import fresh_sqlite_shop, seeded_sqlite_shop, serving  # noqa: F401

ORDER = "2024111100002"  # in transit: a problem may be reported
PHOTOS = ("9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
LINKS = PhotoLinks("identity-secret")


@pytest.fixture(params=["sql", "http"])
def after_sales(request, fresh_sqlite_shop):
    if request.param == "sql":
        yield sql_backends(engine=fresh_sqlite_shop.engine).after_sales
    else:
        with serving(fresh_sqlite_shop) as url:
            yield http_backends(url).after_sales


def case_about(service, order_id):
    slots = {"order_id": order_id} if order_id else {}
    return service.open_case(f"s-{order_id}", decide_handoff("request_human", "转人工"), slots=slots).case


def test_the_reports_of_the_cases_order_come_with_signed_links_to_their_photos(service, after_sales):
    after_sales.report_problem(ORDER, None, "damaged", "杯子碎了", "reship", PHOTOS)
    after_sales.report_problem(ORDER, None, "missing_item", "少了杯盖", "agent")

    seen = CaseReports(lambda: after_sales, LINKS).of(case_about(service, ORDER))

    assert (seen["order_id"], seen["unavailable"]) == (ORDER, False)
    first, second = seen["reports"]
    assert (first["report_id"], first["kind_label"], first["description"]) == (f"Q{ORDER}-01", "商品破损", "杯子碎了")
    assert (first["status"], first["status_label"]) == ("reship_pending", "待补发/换新")
    assert second["status_label"] == "待客服处理" and second["photos"] == []
    for photo_id, link in zip(PHOTOS, first["photos"], strict=True):
        parts = urlsplit(link)
        assert parts.path == PHOTO_ROUTE + photo_id and not parts.netloc  # served by whichever replica is asked
        assert LINKS.valid(photo_id, parse_qs(parts.query)["sig"][0])


def test_a_case_about_no_order_has_no_reports(service, after_sales):
    def never():
        raise AssertionError("no order: the shop is not asked")

    assert CaseReports(never, LINKS).of(case_about(service, None)) == {
        "order_id": None, "reports": [], "unavailable": False}


def test_a_shop_that_cannot_answer_leaves_the_list_empty_and_says_so(service, caplog):
    down = http_backends("http://127.0.0.1:9", retries=0).after_sales

    with caplog.at_level(logging.WARNING, logger="kefu.workspace.reports"):
        seen = CaseReports(lambda: down, LINKS).of(case_about(service, ORDER))

    assert seen == {"order_id": ORDER, "reports": [], "unavailable": True}
    assert ORDER in caplog.text
