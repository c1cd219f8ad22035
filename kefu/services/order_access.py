"""Who may see an order: nobody but the customer it belongs to, known from the channel or proved with
the order number and the phone's last four digits; a wrong number and someone else's look the same
from outside (docs/dialogue.md)."""

from __future__ import annotations

import re
from typing import Optional

from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import Order, OrderBackend

MAX_VERIFICATION_ATTEMPTS = 3

_LAST_FOUR_DIGITS = re.compile(r"(\d{4})(?!\d)")
ORDER_NUMBER_LENGTHS = (13, 14)


def order_number_in(value: object) -> Optional[str]:
    """The order number an answer gives ("2024 1111 00001" -> 2024111100001); None when it gives none."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits if len(digits) in ORDER_NUMBER_LENGTHS else None


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
