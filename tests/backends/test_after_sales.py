"""AfterSalesBackend, one test body for every implementation (see conftest.py).

Each test changes a demo shop of its own (``writable_shop``) and checks what
was written twice: read back through the backends, and in the tables
themselves.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import func, inspect, select

from kefu.backends.after_sales import (
    CHANGEABLE_STATES,
    MAX_PROBLEM_PHOTOS,
    RETURNABLE_STATES,
    SHIPPED_STATES,
    AfterSalesRejected,
)
from kefu.backends.errors import BackendUnavailable
from kefu.backends.factory import sql_backends
from kefu.backends.orders import Recipient
from kefu.storage import models
from kefu.storage.clock import shop_now
from kefu.storage.db import make_engine, make_session_factory

TSHIRT_ORDER = "2024111100001"  # delivered 2 days ago: one white L T-shirt
IN_TRANSIT_ORDER = "2024111100002"
PAID_ORDER = "2024111100003"  # two items, not shipped yet
OLD_ORDER = "2024111100004"  # delivered 20 days ago, two items
OTHER_CUSTOMERS_ORDER = "2024111100005"
UNKNOWN_ORDER = "2099999999999"
OTHER_PRODUCTS_SKU = "P3001-01"


@contextmanager
def refused(code: str):
    with pytest.raises(AfterSalesRejected) as caught:
        yield
    assert caught.value.code == code, caught.value


def tables(shop):
    """A session on the database behind ``shop``, to see what was really written."""
    return make_session_factory(shop.engine)()


def stock_of(shop, color: str, size: str):
    (level,) = shop.backends.catalogue.stock("P1001", color=color, size=size)
    return level


def the_tshirt(shop) -> str:
    (item,) = shop.backends.orders.get_order(TSHIRT_ORDER).items
    return item.sku_id


def an_order_in_each_state(shop) -> dict:
    with tables(shop) as session:
        rows = session.execute(select(models.Order.status, func.min(models.Order.id)).group_by(models.Order.status))
        return dict(rows.all())


# --- request_return -------------------------------------------------------------------


def test_a_return_is_recorded_and_the_order_waits_for_it(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    before = shop_now()

    request = shop.backends.after_sales.request_return(TSHIRT_ORDER, [tshirt, tshirt], "不喜欢", "未拆封")

    assert (request.return_id, request.kind, request.status) == ("R2024111100001-01", "return", "requested")
    assert (request.sku_ids, request.condition, request.new_sku_id) == ((tshirt,), "未拆封", None)
    assert before <= request.requested_at == request.updated_at <= shop_now()
    order = shop.backends.orders.get_order(TSHIRT_ORDER)
    assert order.status == "return_requested" and order.returns == [request]
    with tables(shop) as session:
        row = session.get(models.ReturnRequest, request.return_id)
        assert (row.order_id, row.kind, row.reason) == (TSHIRT_ORDER, "return", "不喜欢")
        assert (row.sku_ids, row.condition) == ([tshirt], "未拆封")
        assert session.get(models.Order, TSHIRT_ORDER).status == "return_requested"


def test_a_return_is_only_for_items_of_the_order(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)

    for sku_ids in ([], [OTHER_PRODUCTS_SKU], [tshirt, OTHER_PRODUCTS_SKU]):
        with refused("item_not_in_order"):
            shop.backends.after_sales.request_return(TSHIRT_ORDER, sku_ids, "不喜欢", "未拆封")

    order = shop.backends.orders.get_order(TSHIRT_ORDER)
    assert order.status == "delivered" and order.returns == []
    with tables(shop) as session:
        assert session.get(models.Order, TSHIRT_ORDER).return_requests == []


def test_an_item_under_an_open_exchange_cannot_be_returned_until_it_closes(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    exchange = shop.backends.after_sales.request_exchange(TSHIRT_ORDER, tshirt, stock_of(shop, "白色", "XL").sku_id, "换大")

    with refused("already_requested"):
        shop.backends.after_sales.request_return(TSHIRT_ORDER, [tshirt], "还是退了吧", "已拆封")
    with tables(shop) as session, session.begin():
        session.get(models.ReturnRequest, exchange.return_id).status = "rejected"
    request = shop.backends.after_sales.request_return(TSHIRT_ORDER, [tshirt], "还是退了吧", "已拆封")

    # Numbered after the exchange: the order's second request.
    assert request.return_id == "R2024111100001-02"
    assert [r.return_id for r in shop.backends.orders.get_order(TSHIRT_ORDER).returns] == [
        "R2024111100001-01",
        "R2024111100001-02",
    ]


# --- request_exchange -----------------------------------------------------------------


def test_an_exchange_reserves_one_unit_from_the_fullest_warehouse(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    white_xl = stock_of(shop, "白色", "XL")
    fullest = min(white_xl.warehouses, key=lambda warehouse: (-warehouse.quantity, warehouse.warehouse_id))

    request = shop.backends.after_sales.request_exchange(TSHIRT_ORDER, tshirt, white_xl.sku_id, "码小了")

    assert (request.return_id, request.kind, request.status) == ("R2024111100001-01", "exchange", "requested")
    assert (request.sku_ids, request.new_sku_id, request.reason) == ((tshirt,), white_xl.sku_id, "码小了")
    order = shop.backends.orders.get_order(TSHIRT_ORDER)
    assert order.status == "delivered" and order.returns == [request]
    expected = {
        warehouse.warehouse_id: warehouse.quantity - (warehouse.warehouse_id == fullest.warehouse_id)
        for warehouse in white_xl.warehouses
    }
    after = stock_of(shop, "白色", "XL")
    assert {warehouse.warehouse_id: warehouse.quantity for warehouse in after.warehouses} == expected
    with tables(shop) as session:
        assert session.get(models.Stock, (white_xl.sku_id, fullest.warehouse_id)).quantity == fullest.quantity - 1
        row = session.get(models.ReturnRequest, request.return_id)
        assert (row.kind, row.sku_ids, row.new_sku_id) == ("exchange", [tshirt], white_xl.sku_id)


def test_an_exchange_is_for_another_variant_of_the_same_product(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)

    for new_sku_id in (OTHER_PRODUCTS_SKU, "P1001-99"):
        with refused("unknown_sku"):
            shop.backends.after_sales.request_exchange(TSHIRT_ORDER, tshirt, new_sku_id, "换个颜色")
    with refused("item_not_in_order"):
        shop.backends.after_sales.request_exchange(TSHIRT_ORDER, OTHER_PRODUCTS_SKU, "P3001-02", "换个颜色")

    assert shop.backends.orders.get_order(TSHIRT_ORDER).returns == []


def test_a_sold_out_variant_cannot_be_had_in_exchange(writable_shop):
    shop = writable_shop
    white_m = stock_of(shop, "白色", "M")  # sold out everywhere, restock planned
    assert white_m.quantity == 0

    with refused("out_of_stock"):
        shop.backends.after_sales.request_exchange(TSHIRT_ORDER, the_tshirt(shop), white_m.sku_id, "换小一码")

    assert shop.backends.orders.get_order(TSHIRT_ORDER).returns == []


def test_an_item_is_exchanged_once_and_reserves_only_once(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    black_l = stock_of(shop, "黑色", "L")
    shop.backends.after_sales.request_exchange(TSHIRT_ORDER, tshirt, black_l.sku_id, "想要黑色")

    with refused("already_requested"):
        shop.backends.after_sales.request_exchange(TSHIRT_ORDER, tshirt, black_l.sku_id, "想要黑色")

    assert stock_of(shop, "黑色", "L").quantity == black_l.quantity - 1
    assert len(shop.backends.orders.get_order(TSHIRT_ORDER).returns) == 1


def test_two_shoppers_cannot_both_get_the_last_unit(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    last = stock_of(shop, "灰色", "XL")
    with tables(shop) as session, session.begin():
        # One unit left in all warehouses, and a second delivered order holding the same T-shirt.
        for row in session.execute(select(models.Stock).where(models.Stock.sku_id == last.sku_id)).scalars():
            row.quantity = 0
        session.get(models.Stock, (last.sku_id, last.warehouses[0].warehouse_id)).quantity = 1
        (item,) = session.get(models.Order, TSHIRT_ORDER).items
        other = session.get(models.Order, OTHER_CUSTOMERS_ORDER)
        other.items.append(
            models.OrderItem(sku_id=tshirt, product_id=item.product_id, product_name=item.product_name,
                             color=item.color, size=item.size, unit_price_cents=item.unit_price_cents, quantity=1)
        )
    together = threading.Barrier(2)

    def exchange(order_id):
        together.wait()
        try:
            return shop.backends.after_sales.request_exchange(order_id, tshirt, last.sku_id, "想要灰色")
        except AfterSalesRejected as refusal:
            return refusal.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(exchange, [TSHIRT_ORDER, OTHER_CUSTOMERS_ORDER]))

    assert sorted(outcome if isinstance(outcome, str) else outcome.kind for outcome in outcomes) == [
        "exchange",
        "out_of_stock",
    ]
    assert stock_of(shop, "灰色", "XL").quantity == 0


# --- cancel_order ---------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_what_was_paid(writable_shop):
    shop = writable_shop
    paid = shop.backends.orders.get_order(PAID_ORDER)
    before = shop_now()

    order = shop.backends.after_sales.cancel_order(PAID_ORDER, "拍错了")

    assert order.status == "cancelled" and before <= order.cancelled_at <= shop_now()
    (refund,) = order.refunds
    assert (refund.refund_id, refund.status, refund.completed_at) == ("RF2024111100003-01", "processing", None)
    assert refund.amount == paid.paid_amount and refund.method == "原路退回（支付宝）"
    assert shop.backends.orders.get_order(PAID_ORDER) == order
    with tables(shop) as session:
        row = session.get(models.Order, PAID_ORDER)
        assert (row.status, row.cancel_reason, row.cancelled_at) == ("cancelled", "拍错了", order.cancelled_at)
        (refund_row,) = row.refunds
        assert (refund_row.amount_cents, refund_row.return_request_id) == (row.paid_cents, None)


def test_cancelling_an_unpaid_order_refunds_nothing(writable_shop):
    shop = writable_shop
    unpaid = an_order_in_each_state(shop)["unpaid"]

    order = shop.backends.after_sales.cancel_order(unpaid, "不想要了")

    assert order.status == "cancelled" and order.refunds == []
    with tables(shop) as session:
        row = session.get(models.Order, unpaid)
        assert (row.status, row.cancel_reason, row.refunds) == ("cancelled", "不想要了", [])


def test_an_order_is_cancelled_and_refunded_once(writable_shop):
    shop = writable_shop
    shop.backends.after_sales.cancel_order(PAID_ORDER, "拍错了")

    with refused("not_allowed_in_state"):
        shop.backends.after_sales.cancel_order(PAID_ORDER, "拍错了")

    assert len(shop.backends.orders.get_order(PAID_ORDER).refunds) == 1


# --- change_address -------------------------------------------------------------------


def test_a_new_address_is_written_with_the_province_as_the_shop_names_it(writable_shop):
    shop = writable_shop

    order = shop.backends.after_sales.change_address(
        PAID_ORDER, Recipient(" 王五 ", "13700000000", "浙江省", "杭州", "西湖区文三路100号")
    )

    assert order.recipient == Recipient("王五", "13700000000", "浙江", "杭州", "西湖区文三路100号")
    assert order.status == "paid" and shop.backends.orders.get_order(PAID_ORDER) == order
    with tables(shop) as session:
        row = session.get(models.Order, PAID_ORDER)
        assert (row.recipient_name, row.recipient_phone, row.province_name, row.city, row.address) == (
            "王五", "13700000000", "浙江", "杭州", "西湖区文三路100号",
        )


def test_an_address_the_shop_cannot_send_to_is_refused(writable_shop):
    shop = writable_shop
    good = Recipient("王五", "13700000000", "浙江", "杭州", "西湖区文三路100号")
    before = shop.backends.orders.get_order(PAID_ORDER).recipient

    for field, value in (("province", "火星"), ("province", ""), ("name", ""), ("phone", " "), ("address", "")):
        with refused("invalid_address"):
            shop.backends.after_sales.change_address(PAID_ORDER, Recipient(**dict(vars(good), **{field: value})))

    assert shop.backends.orders.get_order(PAID_ORDER).recipient == before


# --- report_problem and problem_reports -----------------------------------------------


def test_a_problem_is_recorded_for_reshipping_or_for_an_agent(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)
    before = shop_now()

    agent = shop.backends.after_sales.report_problem(TSHIRT_ORDER, tshirt, "quality", "领口开线了", "agent")
    reship = shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "missing_item", "少了赠品", "reship")

    assert (agent.report_id, agent.order_id, agent.sku_id) == ("Q2024111100001-01", TSHIRT_ORDER, tshirt)
    assert (agent.kind, agent.description, agent.resolution, agent.status) == (
        "quality", "领口开线了", "agent", "awaiting_agent",
    )
    assert (reship.report_id, reship.sku_id, reship.status) == ("Q2024111100001-02", None, "reship_pending")
    assert before <= agent.created_at <= reship.created_at <= shop_now()
    assert shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == [agent, reship]
    order = shop.backends.orders.get_order(TSHIRT_ORDER)
    assert order.status == "delivered" and order.returns == [] and order.refunds == []
    with tables(shop) as session:
        row = session.get(models.ProblemReport, reship.report_id)
        assert (row.order_id, row.sku_id, row.kind, row.resolution, row.status, row.return_request_id) == (
            TSHIRT_ORDER, None, "missing_item", "reship", "reship_pending", None,
        )


def test_a_refund_for_one_item_refunds_its_subtotal(writable_shop):
    shop = writable_shop
    item = shop.backends.orders.get_order(OLD_ORDER).items[1]

    report = shop.backends.after_sales.report_problem(OLD_ORDER, item.sku_id, "wrong_item", "发错颜色", "refund")

    assert (report.resolution, report.status) == ("refund", "refund_pending")
    order = shop.backends.orders.get_order(OLD_ORDER)
    (request,) = order.returns
    assert (request.return_id, request.kind, request.status) == ("R2024111100004-01", "refund_only", "requested")
    assert (request.sku_ids, request.reason) == ((item.sku_id,), "发错商品")
    (refund,) = order.refunds
    assert (refund.refund_id, refund.amount, refund.status) == ("RF2024111100004-01", item.subtotal, "processing")
    with tables(shop) as session:
        assert session.get(models.ProblemReport, report.report_id).return_request_id == request.return_id
        assert session.get(models.Refund, refund.refund_id).return_request_id == request.return_id


def test_a_refund_for_the_whole_order_refunds_the_goods_once(writable_shop):
    shop = writable_shop
    before = shop.backends.orders.get_order(OLD_ORDER)

    shop.backends.after_sales.report_problem(OLD_ORDER, None, "damaged", "整箱泡水了", "refund")

    order = shop.backends.orders.get_order(OLD_ORDER)
    (request,) = order.returns
    (refund,) = order.refunds
    assert request.sku_ids == tuple(item.sku_id for item in before.items)
    assert refund.amount == before.goods_amount == sum(item.subtotal for item in before.items)
    with refused("already_requested"):
        shop.backends.after_sales.report_problem(OLD_ORDER, before.items[0].sku_id, "damaged", "再退一次", "refund")
    # Sending a replacement is still possible.
    shop.backends.after_sales.report_problem(OLD_ORDER, before.items[0].sku_id, "damaged", "补发一个", "reship")
    assert len(shop.backends.after_sales.problem_reports(OLD_ORDER)) == 2
    assert len(shop.backends.orders.get_order(OLD_ORDER).refunds) == 1


def test_a_problem_report_needs_a_known_kind_resolution_and_item(writable_shop):
    shop = writable_shop

    with refused("invalid_request"):
        shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "broken", "坏了", "reship")
    with refused("invalid_request"):
        shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "damaged", "坏了", "compensate")
    with refused("item_not_in_order"):
        shop.backends.after_sales.report_problem(TSHIRT_ORDER, OTHER_PRODUCTS_SKU, "damaged", "坏了", "refund")

    assert shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == []
    assert shop.backends.orders.get_order(TSHIRT_ORDER).refunds == []


PHOTO_A, PHOTO_B = "9f2c4e1a7b3d4c5e8f9a0b1c2d3e4f5a", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def test_a_problem_report_keeps_the_shoppers_photos_in_the_order_sent(writable_shop):
    shop, tshirt = writable_shop, the_tshirt(writable_shop)

    report = shop.backends.after_sales.report_problem(
        TSHIRT_ORDER, tshirt, "damaged", "领口破了", "reship", [PHOTO_B, PHOTO_A, PHOTO_B])
    plain = shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "missing_item", "少了赠品", "agent")

    assert report.photo_ids == (PHOTO_B, PHOTO_A)  # a repeat counts once
    assert plain.photo_ids == ()
    assert shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == [report, plain]
    with tables(shop) as session:
        rows = session.execute(select(models.ProblemReportPhoto.report_id, models.ProblemReportPhoto.position,
                                      models.ProblemReportPhoto.photo_id)
                               .order_by(models.ProblemReportPhoto.position)).all()
    assert rows == [(report.report_id, 0, PHOTO_B), (report.report_id, 1, PHOTO_A)]


@pytest.mark.parametrize("photo_ids", [
    ["../../etc/passwd"], ["https://evil.example/x.jpg"], [""], ["a" * 65],
    [f"{n:032x}" for n in range(MAX_PROBLEM_PHOTOS + 1)], PHOTO_A,
])
def test_photo_references_that_are_not_photo_ids_are_refused(writable_shop, photo_ids):
    with refused("invalid_request"):
        writable_shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "damaged", "坏了", "reship", photo_ids)

    assert writable_shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == []


def test_a_shop_database_made_before_report_photos_gains_their_table_on_first_use(writable_shop):
    shop = writable_shop
    models.ProblemReportPhoto.__table__.drop(shop.engine)  # a merchant's database from an older version
    assert not inspect(shop.engine).has_table("problem_report_photos")

    assert shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == []
    report = shop.backends.after_sales.report_problem(TSHIRT_ORDER, None, "damaged", "坏了", "reship", [PHOTO_A])

    assert inspect(shop.engine).has_table("problem_report_photos")
    assert shop.backends.after_sales.problem_reports(TSHIRT_ORDER) == [report]
    assert report.photo_ids == (PHOTO_A,)


def test_nothing_is_created_in_a_database_that_holds_no_shop(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")

    with pytest.raises(BackendUnavailable):
        sql_backends(engine=engine).after_sales.problem_reports(TSHIRT_ORDER)

    assert inspect(engine).get_table_names() == []


# --- rules that hold for every change ----------------------------------------------------


def test_an_unknown_order_is_refused_by_every_change(writable_shop):
    after_sales = writable_shop.backends.after_sales
    changes = [
        lambda: after_sales.request_return(UNKNOWN_ORDER, ["P1001-03"], "不喜欢", "未拆封"),
        lambda: after_sales.request_exchange(UNKNOWN_ORDER, "P1001-03", "P1001-04", "换大"),
        lambda: after_sales.cancel_order(UNKNOWN_ORDER, "拍错了"),
        lambda: after_sales.change_address(UNKNOWN_ORDER, Recipient("王五", "13700000000", "浙江", "杭州", "文三路")),
        lambda: after_sales.report_problem(UNKNOWN_ORDER, None, "damaged", "坏了", "reship"),
    ]
    for change in changes:
        with refused("unknown_order"):
            change()

    assert after_sales.problem_reports(UNKNOWN_ORDER) is None


# Each change with arguments that fit any order, and the states it is allowed in.
CHANGES_BY_STATE = {
    "request_return": (RETURNABLE_STATES, lambda shop, order: shop.request_return(
        order.order_id, [order.items[0].sku_id], "不喜欢", "未拆封")),
    "request_exchange": (RETURNABLE_STATES, lambda shop, order: shop.request_exchange(
        order.order_id, order.items[0].sku_id, order.items[0].sku_id, "换一个")),
    "cancel_order": (CHANGEABLE_STATES, lambda shop, order: shop.cancel_order(order.order_id, "不要了")),
    "change_address": (CHANGEABLE_STATES, lambda shop, order: shop.change_address(
        order.order_id, Recipient("王五", "13700000000", "浙江", "杭州", "西湖区文三路100号"))),
    "report_problem": (SHIPPED_STATES, lambda shop, order: shop.report_problem(
        order.order_id, None, "quality", "有瑕疵", "agent")),
}


@pytest.mark.parametrize("change", sorted(CHANGES_BY_STATE))
def test_each_change_is_made_only_in_the_states_that_allow_it(writable_shop, change):
    allowed, make = CHANGES_BY_STATE[change]
    # The exchange swaps an item for itself: still a variant of the same product.
    for status, order_id in sorted(an_order_in_each_state(writable_shop).items()):
        order = writable_shop.backends.orders.get_order(order_id)
        if status in allowed:
            make(writable_shop.backends.after_sales, order)
        else:
            with refused("not_allowed_in_state"):
                make(writable_shop.backends.after_sales, order)
            assert writable_shop.backends.orders.get_order(order_id) == order, status

