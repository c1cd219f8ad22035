from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from kefu.backends.customers import Contact, Customer, CustomerBackend
from kefu.backends.orders import Order, OrderBackend, OrderItem, Recipient, Refund, Shipment
from kefu.handoff.service import HandoffService
from kefu.handoff.profile import customer_context, customer_profile, order_summary
from kefu.handoff.triggers import decide_handoff
from kefu.storage.clock import SHOP_TZ
from tests.handoff.conftest import handoff_settings

AT = datetime(2026, 12, 2, 10, 0, tzinfo=SHOP_TZ)
ZHANG = Customer("C0001", "张三", "13800000001", "gold", ["爱买数码"], "浙江", "杭州", AT - timedelta(days=400))
CONTACT = Contact(AT - timedelta(days=3), "web", "物流", "催发货", "小美")
ORDER = Order(
    order_id="2024111100001", customer_id="C0001", status="delivered", channel="web",
    recipient=Recipient("张三", "13800000001", "浙江", "杭州", "西湖区1号"),
    items=[OrderItem("SKU-T-RED-M", "P-TSHIRT", "纯棉T恤", "红色", "M", Decimal("99.00"), 2)],
    goods_amount=Decimal("198.00"), shipping_fee=Decimal("0.00"), discount=Decimal("10.50"),
    paid_amount=Decimal("187.50"), payment_method="alipay", created_at=AT - timedelta(days=5),
    paid_at=AT - timedelta(days=5), shipped_at=AT - timedelta(days=4), delivered_at=AT - timedelta(days=2),
    cancelled_at=None,
    shipments=[Shipment("顺丰", "SF123", "WH-HZ", "杭州仓", AT - timedelta(days=4), AT - timedelta(days=2), None)],
    refunds=[Refund("RF2024111100001-01", Decimal("10.00"), "processing", "原路退回", AT, None)],
)


class Customers(CustomerBackend):
    def get_customer(self, customer_id):
        return ZHANG if customer_id == "C0001" else None

    def find_by_phone(self, phone):
        return None

    def contact_history(self, customer_id, limit=10):
        return [CONTACT][:limit] if customer_id == "C0001" else None


class Orders(OrderBackend):
    def __init__(self):
        self.limits = []

    def get_order(self, order_id):
        return ORDER if order_id == ORDER.order_id else None

    def orders_of_customer(self, customer_id, limit=5):
        self.limits.append(limit)
        return [ORDER] if customer_id == "C0001" else None

    def logistics_events(self, order_id):
        return None

    def estimate_delivery(self, *args, **kwargs):
        return None

    def shipping_fee(self, region, goods_amount):
        return None


def test_the_profile_the_agent_sees():
    profile = customer_profile(ZHANG, [CONTACT])
    assert profile["customer_id"] == "C0001" and profile["member_level"] == "gold"
    assert profile["member_level_label"] == "金卡会员" and profile["high_value"] is True
    assert profile["registered_at"] == (AT - timedelta(days=400)).isoformat()
    assert profile["recent_contacts"] == [
        {"at": CONTACT.contacted_at.isoformat(), "channel": "web", "topic": "物流", "summary": "催发货", "handled_by": "小美"}
    ]


def test_an_order_as_the_agent_sees_it():
    summary = order_summary(ORDER)
    assert (summary["order_id"], summary["status_label"], summary["paid_amount"]) == ("2024111100001", "已签收", "187.50")
    assert summary["items"] == [{"product_id": "P-TSHIRT", "product_name": "纯棉T恤", "sku_id": "SKU-T-RED-M",
                                 "color": "红色", "size": "M", "quantity": 2, "unit_price": "99.00"}]
    assert (summary["carrier"], summary["tracking_number"]) == ("顺丰", "SF123")
    assert summary["refunds"] == [{"refund_id": "RF2024111100001-01", "amount": "10.00", "status": "退款处理中"}]
    assert summary["delivered_at"] == (AT - timedelta(days=2)).isoformat()


def test_the_context_from_the_backends():
    orders = Orders()
    context = customer_context(Customers(), orders, "C0001", limit=3)
    assert context.profile["name"] == "张三"
    assert [order["order_id"] for order in context.recent_orders] == ["2024111100001"]
    assert orders.limits == [3]
    assert customer_context(Customers(), orders, None).profile is None
    assert customer_context(Customers(), orders, "C9999") == customer_context(Customers(), orders, "")


def test_the_context_goes_into_a_case_and_comes_back_the_same(engine):
    context = customer_context(Customers(), Orders(), "C0001")
    json.dumps(context.profile, ensure_ascii=False)  # plain JSON, nothing that needs a custom encoder
    service = HandoffService(engine, handoff_settings())
    decision = decide_handoff("report_problem", "衣服破了", member_level=context.profile["member_level"])
    case = service.open_case("s", decision, customer=context.profile, recent_orders=context.recent_orders).case
    stored = service.get(case.id)
    assert stored.customer == context.profile and stored.recent_orders == context.recent_orders
    assert stored.reason == "vip_problem"


def test_the_demo_shops_gold_customer(tmp_path):
    """The real SQL backends on the seeded demo shop: C0001 is the gold customer of CONTRACT.md §5."""
    from kefu.backends.factory import sql_backends
    from tests.demo_shop.support import seeded_sqlite

    shop = seeded_sqlite(tmp_path / "shop.db")
    backends = sql_backends(engine=shop.engine)
    context = customer_context(backends.customers, backends.orders, "C0001")
    assert context.profile["member_level"] == "gold" and context.profile["phone"] == "13800000001"
    assert {"2024111100002", "2024111100003"} & {order["order_id"] for order in context.recent_orders}
    json.dumps(context.recent_orders, ensure_ascii=False)
    shop.engine.dispose()
