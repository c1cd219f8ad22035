"""Which of a known shopper's orders a message about "my order" means, when it names none: "没收到货啊 都好几天
了" is the parcel on the road, "怎么还没发货" the order still in the warehouse, "显示签收了但我没收到" the one just
signed for. One order that fits is shown at once; several (or none) are offered as buttons."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import List, Optional, Sequence

from kefu.backends.orders import Order

NOT_SHIPPED = ("unpaid", "paid")
ON_THE_ROAD = ("shipped", "in_transit")
# Orders a shopper may still be waiting for.
OPEN_STATUSES = NOT_SHIPPED + ON_THE_ROAD
# "显示签收了但我没收到" is about a parcel signed for lately, not last month's.
RECENTLY_SIGNED = timedelta(days=7)

_WAITING_FOR_SHIPPING = re.compile(r"没发货|还没发|不发货|未发货|发货了[吗没么]|发了[吗没么]|[什啥]么?时候发|几时发|几号发|咋还没发|怎么还不发")
_SIGNED_BUT_MISSING = re.compile(r"签收")
_WAITING_FOR_THE_PARCEL = re.compile(
    r"没收到|还没到|没到货|还不到|没送到|不送|到哪|到了[吗没么]|在哪了?|物流|快递|派送|配送|送货|"
    r"今天能[到送]|明天能[到送]|几点.{0,4}[到送]|啥时候[到送]|什么时候[到送]|多久[到送]"
)
# Words that say the message is about the shopper's own order or parcel, not how long delivery
# takes in general ("衣服多久到" before buying).
_OWN_ORDER = re.compile(
    r"我的|我买的|我下的|我拍的|我这单|我那单|我的单|没收到|还没到|没到货|还不到|没送到|到哪|到了[吗没么]|"
    r"都.{0,3}[0-9一二两三四五六七八九十几]+天|好几天|好多天|这么多天|今天能[到送]|几点.{0,4}[到送]|"
    r"怎么还没|咋还没|还没发|没发货|签收"
)


def speaks_of_own_order(text: Optional[str]) -> bool:
    """Whether the message is about an order the shopper is waiting for ("都四天了", "今天能到吗")."""
    return bool(_OWN_ORDER.search(text or ""))


def open_orders(orders: Sequence[Order]) -> List[Order]:
    """The orders not yet received: still in the warehouse or on the road."""
    return [order for order in orders if order.status in OPEN_STATUSES]


def order_meant(text: Optional[str], orders: Sequence[Order], now: datetime) -> Optional[Order]:
    """The one order the message can be about, or None when it could be several or none."""
    text = text or ""
    if _WAITING_FOR_SHIPPING.search(text):
        candidates = [order for order in orders if order.status in NOT_SHIPPED]
    elif _SIGNED_BUT_MISSING.search(text):
        candidates = [order for order in orders if order.status == "delivered" and order.delivered_at is not None
                      and now - order.delivered_at <= RECENTLY_SIGNED]
    elif _WAITING_FOR_THE_PARCEL.search(text):
        candidates = [order for order in orders if order.status in ON_THE_ROAD]
    else:
        candidates = open_orders(orders)
    return candidates[0] if len(candidates) == 1 else None
