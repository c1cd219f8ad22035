"""What the promotion engine needs to know beyond the message, read from the shop: the shopper's
member level, which of their orders a coupon or price-protection question is about when they name
none, and for an order, each item's category and what it sells for now (blocking calls)."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence, Tuple

from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import Order

# An anonymous or unknown shopper gets the promotions of an ordinary member.
DEFAULT_MEMBER_LEVEL = "regular"
# Orders whose prices nobody asks about any more: the money went back, or never came.
_SETTLED = ("cancelled", "refunded")
# How many of the latest orders are priced to find the one whose price dropped.
ORDERS_LOOKED_AT = 3


def member_level(customers: CustomerBackend, customer_id: Optional[str]) -> str:
    customer = customers.get_customer(customer_id) if customer_id else None
    return customer.member_level if customer else DEFAULT_MEMBER_LEVEL


def order_facts(catalogue: CatalogueBackend, order: Order) -> Tuple[Tuple[str, ...], Tuple[Decimal, ...]]:
    """Each item's category (rules are scoped by it) and what it sells for now (for price protection)."""
    categories, prices = [], []
    for item in order.items:
        product = catalogue.get_product(item.product_id)
        sku = next((s for s in product.skus if s.sku_id == item.sku_id), None) if product else None
        categories.append(product.category if product else "")
        prices.append(sku.price if sku else item.unit_price)
    return tuple(categories), tuple(prices)


def order_in_question(
    catalogue: CatalogueBackend, orders: Sequence[Order], product_id: Optional[str], price_protection: bool
) -> Optional[Order]:
    """The order "我的优惠券怎么用不了" or "降价了能退差价吗" is about when the shopper names none: the latest
    one holding the product under discussion, else for price protection the latest whose price has dropped
    since, else the latest (paid, for price protection). ``orders`` come newest first."""
    candidates = [order for order in orders
                  if order.status not in _SETTLED and (order.paid_at is not None or not price_protection)]
    holding = [order for order in candidates if any(item.product_id == product_id for item in order.items)]
    if product_id and holding:
        return holding[0]
    if price_protection:
        for order in candidates[:ORDERS_LOOKED_AT]:
            _, prices = order_facts(catalogue, order)
            if any(price < item.unit_price for item, price in zip(order.items, prices)):
                return order
    return candidates[0] if candidates else None
