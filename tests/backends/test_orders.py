"""OrderBackend, one test body for every implementation (see conftest.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select

from kefu.backends.orders import ORDER_STATUS_LABELS
from kefu.storage import models
from kefu.storage.clock import SHOP_TZ


def at_today(shop, hour, minute=0):
    return datetime.combine(shop.today, time(hour, minute), tzinfo=SHOP_TZ)


# --- get_order ------------------------------------------------------------------------


def test_get_order_has_items_recipient_and_consistent_amounts(shop):
    order = shop.backends.orders.get_order("2024111100001")

    assert order.customer_id == "C0001"
    assert order.status == "delivered" and order.status_label == "已签收"
    (item,) = order.items
    assert (item.product_id, item.color, item.size, item.quantity) == ("P1001", "白色", "L", 1)
    assert "T恤" in item.product_name and item.unit_price == Decimal("79.00")
    assert order.recipient.name == "张三" and order.recipient.phone == "13800000001"
    assert (order.recipient.province, order.recipient.city) == ("上海", "上海")
    assert order.goods_amount == sum(i.subtotal for i in order.items)
    assert order.paid_amount == order.goods_amount + order.shipping_fee - order.discount
    assert order.created_at < order.paid_at < order.shipped_at < order.delivered_at


def test_get_order_knows_the_return_window(shop):
    recent = shop.backends.orders.get_order("2024111100001")
    old = shop.backends.orders.get_order("2024111100004")

    assert recent.is_within_return_window(shop.seeded_at)
    assert not old.is_within_return_window(shop.seeded_at)
    assert recent.return_deadline == recent.delivered_at + timedelta(days=7)


def test_get_order_says_what_can_still_change(shop):
    paid = shop.backends.orders.get_order("2024111100003")
    shipped = shop.backends.orders.get_order("2024111100002")

    assert paid.can_cancel and paid.can_change_address and paid.shipments == []
    assert not shipped.can_cancel and not shipped.can_change_address


def test_get_order_has_the_parcel_of_a_shipped_order(shop):
    order = shop.backends.orders.get_order("2024111100002")

    shipment = order.latest_shipment
    assert shipment.carrier == "顺丰速运" and shipment.warehouse_name == "广州仓"
    assert shipment.tracking_number.startswith("SF")
    assert shipment.delivered_at is None
    assert shipment.estimated_arrival > shop.today


def test_get_order_has_refunds_and_return_requests(shop):
    refunded = [
        order
        for order in shop.backends.orders.orders_of_customer("C0001", limit=20)
        if order.status == "refunded"
    ]
    (order,) = refunded
    (request,) = order.returns
    (refund,) = order.refunds
    assert request.status == "completed" and request.status_label == "已完成"
    assert request.sku_ids and set(request.sku_ids) <= {item.sku_id for item in order.items}
    assert refund.status == "succeeded" and refund.amount == order.paid_amount
    assert refund.method.startswith("原路退回") and refund.completed_at >= refund.requested_at


def test_get_order_of_unknown_order_is_none(shop):
    assert shop.backends.orders.get_order("2099999999999") is None
    assert shop.backends.orders.get_order("../customers/C0001") is None


# --- find_platform_order ------------------------------------------------------------------

# The numbers the marketplaces gave the demo fixtures (docs/demo_shop.md): Taobao for 张三's, JD for 李四's.
TAOBAO_2024111100002 = "3263434469888483731"
JD_2024111100005 = "666440603069"


def test_find_platform_order_gives_the_shops_order_number(shop):
    assert shop.backends.orders.find_platform_order("taobao", TAOBAO_2024111100002) == "2024111100002"
    assert shop.backends.orders.find_platform_order("jd", JD_2024111100005) == "2024111100005"


def test_find_platform_order_of_a_pdd_number_with_its_dash(shop):
    with shop.engine.connect() as connection:
        number, order_id = connection.execute(
            select(models.PlatformOrder.platform_order_id, models.PlatformOrder.order_id)
            .where(models.PlatformOrder.platform == "pdd").order_by(models.PlatformOrder.order_id).limit(1)
        ).one()
    assert "-" in number
    assert shop.backends.orders.find_platform_order("pdd", number) == order_id


def test_find_platform_order_is_none_for_another_platform_an_unknown_number_and_the_shops_own(shop):
    orders = shop.backends.orders
    assert orders.find_platform_order("jd", TAOBAO_2024111100002) is None
    assert orders.find_platform_order("pdd", "241111-123456789012345") is None
    assert orders.find_platform_order("taobao", "2024111100002") is None
    assert orders.find_platform_order("kuaishou", "a/b?c") is None


def test_a_shop_database_made_before_platform_numbers_gains_their_table_on_first_use(writable_shop):
    shop = writable_shop
    models.PlatformOrder.__table__.drop(shop.engine)  # a merchant's database from an older version

    assert shop.backends.orders.find_platform_order("taobao", TAOBAO_2024111100002) is None
    assert inspect(shop.engine).has_table("platform_orders")


# --- orders_of_customer ----------------------------------------------------------------


def test_orders_of_customer_are_newest_first_and_limited(shop):
    recent = shop.backends.orders.orders_of_customer("C0001", limit=3)
    everything = shop.backends.orders.orders_of_customer("C0001", limit=50)

    assert [order.order_id for order in recent] == ["2024111100003", "2024111100002", "2024111100001"]
    assert len(everything) > 4 and "2024111100004" in [order.order_id for order in everything]
    created = [order.created_at for order in everything]
    assert created == sorted(created, reverse=True)
    assert {order.customer_id for order in everything} == {"C0001"}


def test_orders_of_customer_are_only_theirs(shop):
    orders = shop.backends.orders.orders_of_customer("C0002", limit=50)

    ids = [order.order_id for order in orders]
    assert "2024111100005" in ids
    assert not {"2024111100001", "2024111100002", "2024111100003", "2024111100004"} & set(ids)


def test_orders_of_unknown_customer_is_none(shop):
    assert shop.backends.orders.orders_of_customer("C9999") is None


# --- logistics_events -------------------------------------------------------------------


def test_logistics_events_are_newest_first_in_chinese(shop):
    events = shop.backends.orders.logistics_events("2024111100002")

    assert len(events) >= 2
    moments = [event.occurred_at for event in events]
    assert moments == sorted(moments, reverse=True)
    assert all(moment <= shop.seeded_at for moment in moments)
    assert events[-1].status == "picked_up" and "揽收" in events[-1].description
    assert all(event.location.endswith("市") for event in events)


def test_logistics_events_of_a_delivered_order_end_signed(shop):
    order = shop.backends.orders.get_order("2024111100001")
    events = shop.backends.orders.logistics_events("2024111100001")

    assert events[0].status == "signed" and "签收" in events[0].description
    assert events[0].occurred_at == order.delivered_at


def test_logistics_events_of_an_unshipped_order_are_empty(shop):
    assert shop.backends.orders.logistics_events("2024111100003") == []


def test_logistics_events_of_unknown_order_is_none(shop):
    assert shop.backends.orders.logistics_events("2099999999999") is None


# --- estimate_delivery -------------------------------------------------------------------


def test_estimate_delivery_ships_today_before_the_cutoff_and_tomorrow_after(shop):
    morning = shop.backends.orders.estimate_delivery("上海", warehouse_id="WH-HZ", at=at_today(shop, 10))
    evening = shop.backends.orders.estimate_delivery("上海", warehouse_id="WH-HZ", at=at_today(shop, 16))

    assert morning.cutoff_hour == 16 and morning.carrier == "中通快递"
    assert morning.ships_on == shop.today and morning.ships_today
    assert evening.ships_on == shop.today + timedelta(days=1) and not evening.ships_today
    for estimate in (morning, evening):
        assert estimate.warehouse_name == "杭州仓" and estimate.warehouse_city == "杭州"
        assert estimate.arrives_earliest == estimate.ships_on + timedelta(days=estimate.days_min)
        assert estimate.arrives_latest == estimate.ships_on + timedelta(days=estimate.days_max)
        assert 1 <= estimate.days_min <= estimate.days_max


def test_estimate_delivery_reads_the_cutoff_in_shop_time(shop):
    # 07:30 UTC is 15:30 in China: still before the 16:00 cut-off.
    utc_afternoon = at_today(shop, 15, 30).astimezone(timezone.utc)

    estimate = shop.backends.orders.estimate_delivery("杭州", warehouse_id="WH-HZ", at=utc_afternoon)

    assert estimate.ships_on == shop.today


@pytest.mark.parametrize("destination", ["新疆", "新疆维吾尔自治区", "乌鲁木齐", "乌鲁木齐市", "新疆乌鲁木齐市"])
def test_estimate_delivery_understands_how_places_are_written(shop, destination):
    estimate = shop.backends.orders.estimate_delivery(destination, at=at_today(shop, 9))

    assert estimate.destination == destination
    assert estimate.province == "新疆" and estimate.is_remote


def test_estimate_delivery_to_remote_regions_takes_longer(shop):
    near = shop.backends.orders.estimate_delivery("杭州", at=at_today(shop, 9))
    far = shop.backends.orders.estimate_delivery("拉萨", at=at_today(shop, 9))

    assert near.warehouse_id == "WH-HZ" and not near.is_remote
    assert far.is_remote and far.days_max > near.days_max


def test_estimate_delivery_ships_a_product_from_a_warehouse_holding_it(shop):
    stocked = {
        level.warehouse_id
        for stock in shop.backends.catalogue.stock("P3002")
        for level in stock.warehouses
        if level.quantity > 0
    }

    estimate = shop.backends.orders.estimate_delivery("成都", product_id="P3002", at=at_today(shop, 9))

    assert estimate.warehouse_id in stocked


def test_estimate_delivery_to_unknown_place_or_warehouse_is_none(shop):
    assert shop.backends.orders.estimate_delivery("火星") is None
    assert shop.backends.orders.estimate_delivery("上海", warehouse_id="WH-XX") is None


# --- shipping_fee -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "region, amount, fee, threshold, remote",
    [
        ("杭州", "10", "0.00", None, False),  # 江浙沪包邮
        ("上海市", "10", "0.00", None, False),
        ("成都", "30", "8.00", "99.00", False),
        ("四川省成都市", "99", "0.00", "99.00", False),
        ("内蒙古", "100", "15.00", "199.00", True),
        ("呼和浩特", "250", "0.00", "199.00", True),
        ("新疆", "1000", "25.00", None, True),
        ("西藏自治区", "1000", "25.00", None, True),
    ],
)
def test_shipping_fee_by_region_and_amount(shop, region, amount, fee, threshold, remote):
    quote = shop.backends.orders.shipping_fee(region, Decimal(amount))

    assert quote.region == region
    assert quote.goods_amount == Decimal(amount)
    assert quote.fee == Decimal(fee)
    assert quote.free_shipping_threshold == (Decimal(threshold) if threshold else None)
    assert quote.is_remote is remote
    assert quote.note


def test_shipping_fee_says_how_much_more_ships_free(shop):
    quote = shop.backends.orders.shipping_fee("成都", Decimal("79"))

    assert quote.zone == "普通地区" and not quote.is_free
    assert quote.amount_short_of_free_shipping == Decimal("20.00")


def test_shipping_fee_to_unknown_region_is_none(shop):
    assert shop.backends.orders.shipping_fee("火星", Decimal("100")) is None


def test_every_status_has_a_chinese_label():
    assert set(ORDER_STATUS_LABELS) == {
        "unpaid", "paid", "shipped", "in_transit", "delivered", "cancelled", "return_requested", "refunded",
    }
