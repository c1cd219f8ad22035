"""What the promotion engine needs to know beyond the message, read from the shop: the shopper's
member level, and for an order, each item's category and what it sells for now (blocking calls)."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Tuple

from kefu.backends.catalogue import CatalogueBackend
from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import Order

# An anonymous or unknown shopper gets the promotions of an ordinary member.
DEFAULT_MEMBER_LEVEL = "regular"


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
