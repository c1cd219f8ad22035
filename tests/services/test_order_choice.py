"""Which of a shopper's orders "没收到货啊 都好几天了" means when it names none."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from kefu.backends.orders import Order, OrderItem, Recipient
from kefu.services.order_choice import open_orders, order_meant, speaks_of_own_order
from kefu.storage.clock import SHOP_TZ

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=SHOP_TZ)
ITEM = OrderItem("P1001-01", "P1001", "男士纯棉圆领短袖T恤", "白色", "L", Decimal("79"), 1)


def order(order_id, status, delivered_days_ago=None):
    return Order(
        order_id=order_id, customer_id="C0001", status=status, channel="web",
        recipient=Recipient("张三", "13800000001", "浙江", "杭州", "西湖区文三路1号"), items=[ITEM],
        goods_amount=Decimal("79"), shipping_fee=Decimal("0"), discount=Decimal("0"), paid_amount=Decimal("79"),
        payment_method="支付宝", created_at=NOW - timedelta(days=5), paid_at=NOW - timedelta(days=5),
        shipped_at=None, cancelled_at=None,
        delivered_at=NOW - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None,
    )


PAID = order("2024111100003", "paid")
ON_THE_ROAD = order("2024111100002", "in_transit")
SIGNED = order("2024111100001", "delivered", delivered_days_ago=2)
SIGNED_LONG_AGO = order("2024111100004", "delivered", delivered_days_ago=20)
ORDERS = [PAID, ON_THE_ROAD, SIGNED, SIGNED_LONG_AGO]


@pytest.mark.parametrize("text", ["没收到货啊 都好几天了", "我的快递到哪了", "今天能到吗", "几点能送到", "物流怎么不动了"])
def test_waiting_for_a_parcel_means_the_order_on_the_road(text):
    assert order_meant(text, ORDERS, NOW) is ON_THE_ROAD


@pytest.mark.parametrize("text", ["怎么还没发货啊", "发货了吗 都三天了", "什么时候发货"])
def test_waiting_for_shipping_means_the_order_in_the_warehouse(text):
    assert order_meant(text, ORDERS, NOW) is PAID


def test_signed_for_but_not_received_means_the_order_signed_lately():
    assert order_meant("显示签收了但我没收到", ORDERS, NOW) is SIGNED
    assert order_meant("显示签收了但我没收到", [SIGNED_LONG_AGO], NOW) is None


def test_two_orders_that_fit_are_not_guessed_between():
    second_parcel = replace(ON_THE_ROAD, order_id="2024111100009")
    assert order_meant("没收到货", [ON_THE_ROAD, second_parcel], NOW) is None
    assert order_meant("查下订单", ORDERS, NOW) is None


def test_without_words_that_narrow_it_the_one_open_order_is_meant():
    assert order_meant("查下订单", [ON_THE_ROAD, SIGNED, SIGNED_LONG_AGO], NOW) is ON_THE_ROAD
    assert order_meant("查下订单", [SIGNED, SIGNED_LONG_AGO], NOW) is None
    assert order_meant(None, [], NOW) is None


def test_open_orders_are_the_ones_not_yet_received():
    assert open_orders(ORDERS) == [PAID, ON_THE_ROAD]


@pytest.mark.parametrize("text", ["没收到货啊 都好几天了", "都四天了", "今天能到吗", "几点能送到", "我的快递呢",
                                  "显示签收了但我没收到", "咋还没发货"])
def test_messages_about_the_shoppers_own_order(text):
    assert speaks_of_own_order(text)


@pytest.mark.parametrize("text", ["衣服多久到", "发新疆几天能到", "几点前下单当天发", "", None])
def test_general_delivery_questions(text):
    assert not speaks_of_own_order(text)
