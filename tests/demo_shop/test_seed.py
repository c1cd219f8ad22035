"""The demo shop: the demo fixtures every demo and outside suite relies on
(see README), realistic data around them, reproducibility and idempotence."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import inspect, select

from kefu.services.platform_orders import ORDER_NUMBERS
from kefu.storage import models
from kefu.storage.clock import SHOP_TZ, shop_now
from kefu.storage.db import make_engine, make_session_factory
from kefu.demo_shop.seed import (
    RefusedToReset,
    build_demo_shop,
    is_current,
    main,
    reset_demo_shop,
    seed_if_empty,
    seeded_at,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
QUIET = lambda line: None  # noqa: E731


def sqlite_engine(path):
    return make_engine(f"sqlite:///{path}")


def check_demo_shop(engine, now: datetime) -> None:
    """Everything the demo fixtures and the demos promise, for a shop seeded at ``now``."""
    today = now.date()
    with make_session_factory(engine)() as session:
        orders = {order.id: order for order in session.execute(select(models.Order)).scalars()}
        customers = {customer.id: customer for customer in session.execute(select(models.Customer)).scalars()}

        # --- the demo fixtures (see README) ----------------------------------------
        zhang, li = customers["C0001"], customers["C0002"]
        assert (zhang.name, zhang.phone, zhang.member_level) == ("张三", "13800000001", "gold")
        assert (li.name, li.phone, li.member_level) == ("李四", "13900000002", "regular")

        first = orders["2024111100001"]
        assert (first.customer_id, first.status) == ("C0001", "delivered")
        assert first.delivered_at.date() == today - timedelta(days=2)
        (item,) = first.items
        tshirt = session.get(models.Product, item.product_id)
        assert "T恤" in tshirt.name and tshirt.category == "服装"
        assert len({sku.color for sku in tshirt.skus}) > 1 and len({sku.size for sku in tshirt.skus}) > 1

        second = orders["2024111100002"]
        assert (second.customer_id, second.status) == ("C0001", "in_transit")
        assert second.shipped_at.date() == today - timedelta(days=1) and second.delivered_at is None
        assert len(second.shipments[0].events) >= 2

        third = orders["2024111100003"]
        assert (third.customer_id, third.status) == ("C0001", "paid")
        assert third.paid_at is not None and third.shipped_at is None and third.shipments == []

        fourth = orders["2024111100004"]
        assert (fourth.customer_id, fourth.status) == ("C0001", "delivered")
        assert fourth.delivered_at.date() == today - timedelta(days=20)

        fifth = orders["2024111100005"]
        assert (fifth.customer_id, fifth.status) == ("C0002", "delivered")
        assert fifth.delivered_at.date() == today - timedelta(days=1)

        # --- every order is consistent with its state and with time ------------------
        assert set(Counter(order.status for order in orders.values())) == set(models.ORDER_STATUSES)
        for order in orders.values():
            check_order(order, now)

        # --- customers with CRM history --------------------------------------------
        assert len(customers) >= 30
        assert sum(bool(customer.contacts) for customer in customers.values()) >= 20
        for customer in customers.values():
            assert CJK.search(customer.name) and re.fullmatch(r"1[3-9]\d{9}", customer.phone)
            assert all(contact.contacted_at <= now for contact in customer.contacts)


def check_order(order: models.Order, now: datetime) -> None:
    where = f"order {order.id} ({order.status})"
    moments = [order.created_at, order.paid_at, order.shipped_at, order.delivered_at]
    present = [moment for moment in moments if moment is not None]
    assert present == sorted(present) and present[-1] <= now, where
    assert order.items and order.goods_cents == sum(i.unit_price_cents * i.quantity for i in order.items), where
    assert order.paid_cents > 0, where
    events = [event for shipment in order.shipments for event in shipment.events]
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events), where
    assert all(event.occurred_at <= now and CJK.search(event.description) for event in events), where

    if order.status == "unpaid":
        assert order.paid_at is None and not order.shipments, where
    elif order.status == "paid":
        assert order.paid_at is not None and not order.shipments, where
    elif order.status == "shipped":
        assert [event.status for event in events] == ["picked_up"], where
    elif order.status == "in_transit":
        assert len(events) >= 2 and "signed" not in {event.status for event in events}, where
        assert order.shipments[0].estimated_arrival >= now.date(), where
    elif order.status == "cancelled":
        assert order.cancelled_at is not None and order.cancel_reason and not order.shipments, where
        if order.paid_at is not None:
            assert [refund.status for refund in order.refunds] == ["succeeded"], where
    else:  # delivered, return_requested, refunded: the parcel was signed for
        assert events[-1].status == "signed" and events[-1].occurred_at == order.delivered_at, where
        assert order.shipments[0].delivered_at == order.delivered_at, where
    if order.status == "return_requested":
        (request,) = order.return_requests
        assert request.status != "completed", where
        assert order.delivered_at + timedelta(days=7) > now, where
    if order.status == "refunded":
        (refund,) = order.refunds
        assert refund.status == "succeeded" and refund.amount_cents == order.paid_cents, where
    skus = {item.sku_id: item for item in order.items}
    for number, request in enumerate(order.return_requests, start=1):
        assert request.id == f"R{order.id}-{number:02d}", where
        assert request.sku_ids and set(request.sku_ids) <= set(skus), where
        if request.new_sku_id is not None:
            assert request.kind == "exchange", where
            assert request.new_sku_id.split("-")[0] == skus[request.sku_ids[0]].product_id, where
    assert [refund.id for refund in order.refunds] == [f"RF{order.id}-{n:02d}" for n in range(1, len(order.refunds) + 1)]
    for refund in order.refunds:
        assert refund.requested_at <= now and (refund.completed_at is None or refund.completed_at <= now), where


def test_the_default_seed_keeps_the_contract(seeded_sqlite_shop):
    check_demo_shop(seeded_sqlite_shop.engine, seeded_sqlite_shop.seeded_at)


@pytest.mark.parametrize("clock", [time(0, 1), time(23, 59)])
def test_the_contract_holds_whatever_the_time_of_day(tmp_path, clock):
    # Cut-offs and "yesterday" are where relative times go wrong: try both
    # ends of the day.
    now = datetime.combine(shop_now().date(), clock, tzinfo=SHOP_TZ)
    engine = sqlite_engine(tmp_path / "shop.db")

    build_demo_shop(engine, now=now, report=QUIET)

    check_demo_shop(engine, now)


def test_the_catalogue_is_varied_and_described(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        products = list(session.execute(select(models.Product)).scalars())

        assert len(products) >= 60
        assert Counter(product.category for product in products).keys() == set(models.CATEGORIES)
        assert min(Counter(product.category for product in products).values()) >= 10
        for product in products:
            assert CJK.search(product.name) and product.skus and product.description
            assert product.attributes and all(isinstance(v, str) and v for v in product.attributes.values())
        warranties = [product for product in products if "warranty" in product.attributes]
        materials = [product for product in products if "material" in product.attributes]
        assert len(warranties) >= 15 and len(materials) >= 30


def test_products_excluded_from_no_reason_returns_say_so(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        excluded = {
            product.id: product
            for product in session.execute(select(models.Product)).scalars()
            if "return_policy" in product.attributes
        }
        contract_orders = [f"202411110000{number}" for number in range(1, 6)]
        contract_items = session.execute(
            select(models.OrderItem.product_id).where(models.OrderItem.order_id.in_(contract_orders))
        ).scalars().all()

    assert any(product.category == "美妆" for product in excluded.values())
    assert all("不支持七天无理由退货" in product.attributes["return_policy"] for product in excluded.values())
    # The contract's orders (a T-shirt inside the return window …) stay returnable.
    assert contract_items and not set(contract_items) & set(excluded)


def test_bluetooth_earphones_under_and_over_300_are_in_stock(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        earphones = [
            product
            for product in session.execute(select(models.Product)).scalars()
            if "蓝牙耳机" in product.name
        ]
        in_stock = [
            product for product in earphones
            if all(sum(stock.quantity for stock in sku.stock) > 0 for sku in product.skus)
        ]
    assert any(product.price_cents < 30000 for product in in_stock)
    assert any(product.price_cents > 30000 for product in in_stock)


def test_orders_placed_on_a_marketplace_carry_its_order_number_in_its_shape(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        orders = {order.id: order for order in session.execute(select(models.Order)).scalars()}
        numbers = session.execute(select(models.PlatformOrder)).scalars().all()
    marketplace = {order_id for order_id, order in orders.items() if order.channel in ORDER_NUMBERS}
    assert {number.order_id for number in numbers} == marketplace and len(numbers) == len(marketplace)
    for number in numbers:
        order = orders[number.order_id]
        assert number.platform == order.channel
        assert ORDER_NUMBERS[number.platform].fullmatch(number.platform_order_id)
        if number.platform == "pdd":  # its date is the day it was placed
            assert number.platform_order_id.startswith(f"{order.created_at:%y%m%d}-")
    assert Counter(number.platform for number in numbers).keys() == ORDER_NUMBERS.keys()
    # The fixtures' numbers hold in every build (docs/demo_shop.md).
    fixtures = {number.order_id: (number.platform, number.platform_order_id) for number in numbers
                if number.order_id in ("2024111100002", "2024111100005")}
    assert fixtures == {"2024111100002": ("taobao", "3263434469888483731"), "2024111100005": ("jd", "666440603069")}


def test_seeding_twice_changes_nothing(tmp_path):
    engine = sqlite_engine(tmp_path / "shop.db")

    assert seed_if_empty(engine, report=QUIET) is True
    before = dump(engine)
    assert seed_if_empty(engine, report=QUIET) is False

    assert dump(engine) == before


def test_the_same_moment_gives_the_same_shop(tmp_path):
    now = shop_now().replace(microsecond=0)
    first, second = sqlite_engine(tmp_path / "a.db"), sqlite_engine(tmp_path / "b.db")

    build_demo_shop(first, now=now, report=QUIET)
    build_demo_shop(second, now=now, report=QUIET)
    dumped = dump(first)
    reset_demo_shop(first, now=now, report=QUIET)

    assert dump(second) == dumped
    assert dump(first) == dumped


def test_refresh_stale_rebuilds_a_shop_seeded_on_an_earlier_day(tmp_path):
    engine = sqlite_engine(tmp_path / "shop.db")
    build_demo_shop(engine, now=shop_now() - timedelta(days=3), report=QUIET)

    assert seed_if_empty(engine, report=QUIET) is False
    assert seed_if_empty(engine, refresh_stale=True, report=QUIET) is True

    assert seeded_at(engine).date() == shop_now().date()
    check_demo_shop(engine, seeded_at(engine))


def test_refresh_stale_rebuilds_a_shop_from_an_older_seed(tmp_path):
    engine = sqlite_engine(tmp_path / "shop.db")
    build_demo_shop(engine, report=QUIET)
    # What version 1 of the seed left: no problem reports table, no version 2.
    models.ProblemReport.__table__.drop(engine)
    with make_session_factory(engine)() as session, session.begin():
        session.get(models.ShopMeta, "seed_version").value = "1"

    assert seed_if_empty(engine, report=QUIET) is False  # left alone unless asked
    assert seed_if_empty(engine, refresh_stale=True, report=QUIET) is True

    assert is_current(engine)
    check_demo_shop(engine, seeded_at(engine))


def test_reset_refuses_a_database_that_is_not_the_demo_shop(tmp_path):
    engine = sqlite_engine(tmp_path / "shop.db")
    build_demo_shop(engine, report=QUIET)
    with make_session_factory(engine)() as session, session.begin():
        session.delete(session.get(models.ShopMeta, "dataset"))

    with pytest.raises(RefusedToReset):
        reset_demo_shop(engine, report=QUIET)
    reset_demo_shop(engine, report=QUIET, force=True)

    assert seeded_at(engine) is not None


def test_the_command_line_seeds_once(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'var' / 'shop.db'}"

    assert main(["--database-url", url]) == 0
    first = capsys.readouterr().out
    assert main(["--database-url", url]) == 0
    second = capsys.readouterr().out
    assert main(["--database-url", url, "--reset"]) == 0
    third = capsys.readouterr().out

    assert "seeding the demo shop" in first and "64 products" in first
    assert "already seeded" in second
    assert "dropping the shop tables" in third and "done:" in third


def test_the_seed_builds_on_postgresql(seeded_postgres_shop):
    check_demo_shop(seeded_postgres_shop.engine, seeded_postgres_shop.seeded_at)


def dump(engine) -> dict:
    """Every row of every shop table, in primary-key order."""
    tables = {}
    with engine.connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            order = [column for column in inspect(engine).get_pk_constraint(table.name)["constrained_columns"]]
            rows = connection.execute(table.select().order_by(*[table.c[name] for name in order]))
            tables[table.name] = [tuple(row) for row in rows]
    tables.pop("shop_meta")  # records the moment of seeding
    return tables
