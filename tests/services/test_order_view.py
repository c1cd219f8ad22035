from datetime import date, datetime, timedelta
from decimal import Decimal

from kefu.backends.orders import LogisticsEvent, Order, OrderItem, Recipient, Shipment
from kefu.replies import render, using_persona
from kefu.replies.persona import Persona
from kefu.services.order_view import events_text, item_text, items_text, order_button_title, order_response
from kefu.storage.clock import SHOP_TZ

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=SHOP_TZ)
T_SHIRT = OrderItem("P1001-01", "P1001", "男士纯棉圆领短袖T恤", "白色", "L", Decimal("59"), 2)
MUG = OrderItem("P5001-01", "P5001", "保温杯", None, None, Decimal("89"), 1)


def order(status="in_transit", items=(T_SHIRT, MUG)):
    shipment = Shipment("中通快递", "ZT1234", "W1", "杭州仓", NOW - timedelta(days=1), None, date(2026, 12, 3))
    return Order(
        order_id="2024111100002", customer_id="C0001", status=status, channel="taobao",
        recipient=Recipient("张三", "13800000001", "浙江", "杭州", "西湖区文三路1号"), items=list(items),
        goods_amount=Decimal("207"), shipping_fee=Decimal("0"), discount=Decimal("0"), paid_amount=Decimal("207"),
        payment_method="支付宝", created_at=NOW - timedelta(days=2), paid_at=NOW - timedelta(days=2),
        shipped_at=NOW - timedelta(days=1), delivered_at=None, cancelled_at=None, shipments=[shipment],
    )


def test_items_with_and_without_a_variant():
    assert item_text(T_SHIRT) == "男士纯棉圆领短袖T恤（白色/L）×2"
    assert item_text(MUG) == "保温杯×1"
    assert items_text(order()) == "男士纯棉圆领短袖T恤（白色/L）×2，保温杯×1"


def test_the_button_names_the_first_item_and_how_many_more():
    assert order_button_title(order()) == "2024111100002 男士纯棉圆领短袖T恤等2件（运输中）"
    assert order_button_title(order(items=())) == "2024111100002 订单（运输中）"


def test_the_latest_events_first_or_that_the_parcel_waits_for_the_carrier():
    events = [LogisticsEvent(NOW - timedelta(hours=hours), "杭州", f"第{hours}站", "in_transit") for hours in (9, 3)]
    assert events_text(events) == "· 12-01 09:00 杭州 第3站\n· 12-01 03:00 杭州 第9站"
    logistics, eta = order_response(order(), [], NOW)[1:]
    assert logistics["events"] == "· 包裹已出库，等待快递揽收"
    assert eta["eta"] == "12月03日"


def test_the_values_are_worded_in_the_persona_and_the_shops_data_is_not():
    summary = order_response(order(), [], NOW)[0]
    values = {key: value for key, value in summary.items() if key != "template"}
    with using_persona(Persona(overrides={"order_item": ("{name}·{variant}·{quantity}件",)})):
        text = render("order_summary", **values)["text"]
    assert "男士纯棉圆领短袖T恤·白色/L·2件，保温杯×1" in text
