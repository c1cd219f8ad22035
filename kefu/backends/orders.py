"""Orders and logistics: what the shop knows about an order and its parcel,
and how long delivery to a place takes and what postage costs there."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import List, Optional, Tuple

ORDER_STATUS_LABELS = {
    "unpaid": "待付款",
    "paid": "待发货",
    "shipped": "已发货",
    "in_transit": "运输中",
    "delivered": "已签收",
    "cancelled": "已取消",
    "return_requested": "退货/退款处理中",
    "refunded": "已退款",
}
RETURN_STATUS_LABELS = {
    "requested": "待商家审核",
    "approved": "商家已同意，待寄回",
    "rejected": "商家已拒绝",
    "received": "商家已收到退货",
    "completed": "已完成",
    "cancelled": "已撤销",
}
REFUND_STATUS_LABELS = {
    "processing": "退款处理中",
    "succeeded": "退款成功",
    "failed": "退款失败",
}

# 七天无理由退货: counted from the moment the parcel was signed for.
RETURN_WINDOW = timedelta(days=7)
# Before the parcel leaves the warehouse the shopper may still cancel or
# change where it goes.
NOT_YET_SHIPPED = ("unpaid", "paid")


@dataclass(frozen=True)
class OrderItem:
    sku_id: str
    product_id: str
    product_name: str
    color: Optional[str]
    size: Optional[str]
    unit_price: Decimal
    quantity: int

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str
    province: str
    city: str
    address: str


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str
    warehouse_id: str
    warehouse_name: str
    shipped_at: datetime
    delivered_at: Optional[datetime]
    estimated_arrival: Optional[date]


@dataclass(frozen=True)
class ReturnRequest:
    return_id: str
    kind: str  # return, exchange, refund_only
    reason: str
    status: str
    requested_at: datetime
    updated_at: datetime
    # Which of the order's SKUs it is for; empty for a request recorded
    # without them, which then stands for the whole order.
    sku_ids: Tuple[str, ...] = ()
    condition: Optional[str] = None  # the goods as the shopper describes them: 未拆封, 已拆封 …
    new_sku_id: Optional[str] = None  # an exchange: the SKU the shopper gets instead

    @property
    def status_label(self) -> str:
        return RETURN_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: Decimal
    status: str  # processing, succeeded, failed
    method: str
    requested_at: datetime
    completed_at: Optional[datetime]

    @property
    def status_label(self) -> str:
        return REFUND_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    status: str
    channel: str
    recipient: Recipient
    items: List[OrderItem]
    goods_amount: Decimal
    shipping_fee: Decimal
    discount: Decimal
    paid_amount: Decimal
    payment_method: Optional[str]
    created_at: datetime
    paid_at: Optional[datetime]
    shipped_at: Optional[datetime]
    delivered_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    shipments: List[Shipment] = field(default_factory=list)
    returns: List[ReturnRequest] = field(default_factory=list)
    refunds: List[Refund] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return ORDER_STATUS_LABELS.get(self.status, self.status)

    @property
    def can_cancel(self) -> bool:
        return self.status in NOT_YET_SHIPPED

    @property
    def can_change_address(self) -> bool:
        return self.status in NOT_YET_SHIPPED

    @property
    def return_deadline(self) -> Optional[datetime]:
        """End of the 7-day no-reason return window, once the parcel is signed for."""
        if self.delivered_at is None:
            return None
        return self.delivered_at + RETURN_WINDOW

    def is_within_return_window(self, at: datetime) -> bool:
        deadline = self.return_deadline
        return self.status == "delivered" and deadline is not None and at <= deadline

    @property
    def latest_shipment(self) -> Optional[Shipment]:
        return self.shipments[-1] if self.shipments else None


@dataclass(frozen=True)
class LogisticsEvent:
    occurred_at: datetime
    location: str
    description: str
    status: str  # picked_up, in_transit, out_for_delivery, signed


@dataclass(frozen=True)
class DeliveryEstimate:
    """How long a parcel paid for at ``quoted_at`` takes to reach ``province``."""

    destination: str  # as asked: 乌鲁木齐, 新疆, 浙江杭州
    province: str  # what it resolved to
    is_remote: bool
    warehouse_id: str
    warehouse_name: str
    warehouse_city: str
    carrier: str
    cutoff_hour: int  # paid before this hour (shop time) ships the same day
    quoted_at: datetime
    ships_on: date
    days_min: int
    days_max: int
    arrives_earliest: date
    arrives_latest: date

    @property
    def ships_today(self) -> bool:
        return self.ships_on == self.quoted_at.date()


@dataclass(frozen=True)
class ShippingQuote:
    region: str  # as asked
    province: str
    zone: str  # 江浙沪, 普通地区, 偏远地区 …
    is_remote: bool
    goods_amount: Decimal
    fee: Decimal
    free_shipping_threshold: Optional[Decimal]  # None: this region never ships free
    note: str

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    @property
    def amount_short_of_free_shipping(self) -> Optional[Decimal]:
        """How much more to buy for free shipping; None when it cannot be reached or is reached."""
        if self.is_free or self.free_shipping_threshold is None:
            return None
        return self.free_shipping_threshold - self.goods_amount


class OrderBackend(abc.ABC):
    """Orders, their parcels, and shipping rules."""

    @abc.abstractmethod
    def get_order(self, order_id: str) -> Optional[Order]:
        """The order, or None if there is no such order."""

    def find_platform_order(self, platform: str, platform_order_id: str) -> Optional[str]:
        """The shop's order number of the order a marketplace numbers ``platform_order_id`` (平台订单号;
        ``platform`` as the platform bridge names it: taobao, jd, pdd, douyin); None when there is none.

        Not abstract: a shop whose systems keep no platform order numbers finds none, and its buyers
        give the shop's own number.
        """
        return None

    @abc.abstractmethod
    def orders_of_customer(self, customer_id: str, limit: int = 5) -> Optional[List[Order]]:
        """The customer's most recent orders, newest first; None for an unknown customer."""

    @abc.abstractmethod
    def logistics_events(self, order_id: str) -> Optional[List[LogisticsEvent]]:
        """Tracking events of the order's parcels, newest first; None for an unknown order.

        An order that has not shipped yet has an empty list.
        """

    @abc.abstractmethod
    def estimate_delivery(
        self,
        destination: str,
        warehouse_id: Optional[str] = None,
        product_id: Optional[str] = None,
        at: Optional[datetime] = None,
    ) -> Optional[DeliveryEstimate]:
        """When an order paid ``at`` (default: now) would arrive at ``destination``.

        ``destination`` is a province or city as a shopper writes it. Without
        ``warehouse_id`` the fastest warehouse is chosen, among those holding
        the product when ``product_id`` is given. None when the destination
        or warehouse is unknown.
        """

    @abc.abstractmethod
    def shipping_fee(self, region: str, goods_amount: Decimal) -> Optional[ShippingQuote]:
        """Postage for goods worth ``goods_amount`` sent to ``region``; None for an unknown region."""
