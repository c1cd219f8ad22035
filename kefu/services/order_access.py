"""Who may see an order: nobody but the customer it belongs to.

A shopper is known either because the channel authenticated them (a
``customer_id`` in the message metadata) or because they proved it with the
order number plus the last four digits of the phone on the order or on the
account. A wrong number and someone else's number look exactly the same
from outside: both are simply "no match".
"""

from __future__ import annotations

import re
from typing import Optional

from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import Order, OrderBackend

MAX_VERIFICATION_ATTEMPTS = 3

_LAST_FOUR_DIGITS = re.compile(r"(\d{4})(?!\d)")


def last_four_digits(text: Optional[str]) -> Optional[str]:
    """The last 4 digits a shopper typed: 尾号0001, 0001, 13800000001 -> 0001."""
    if not text:
        return None
    matches = _LAST_FOUR_DIGITS.findall(str(text))
    return matches[-1] if matches else None


class OrderAccess:
    def __init__(self, orders: OrderBackend, customers: CustomerBackend) -> None:
        self._orders = orders
        self._customers = customers

    def verify(self, order_id: str, phone_last4: str) -> Optional[str]:
        """The customer id when the digits match the order's or account's phone."""
        order = self._orders.get_order(order_id)
        if order is None or not phone_last4:
            return None
        phones = {order.recipient.phone[-4:]}
        customer = self._customers.get_customer(order.customer_id)
        if customer is not None:
            phones.add(customer.phone_last4)
        return order.customer_id if phone_last4 in phones else None

    def order_of(self, customer_id: str, order_id: str) -> Optional[Order]:
        """The order if it belongs to this customer; None otherwise, whatever the reason."""
        order = self._orders.get_order(order_id)
        if order is None or order.customer_id != customer_id:
            return None
        return order
