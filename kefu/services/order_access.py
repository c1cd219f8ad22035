"""Who may see an order: nobody but the customer it belongs to, known from the channel or proved with
the order number and the phone's last four digits; a wrong number and someone else's look the same
from outside (docs/dialogue.md)."""

from __future__ import annotations

import re
from typing import Optional

from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import Order, OrderBackend
from kefu.nlu.entity_shapes import ORDER_ID_MAX_DIGITS, ORDER_ID_MIN_DIGITS

MAX_VERIFICATION_ATTEMPTS = 3

# Digits standing alone: "C0001" is an id, not a phone tail.
_DIGIT_RUNS = re.compile(r"(?<![A-Za-z0-9])\d+(?![A-Za-z0-9])")
# The same shape the NLU extracts order numbers by.
ORDER_NUMBER_LENGTHS = range(ORDER_ID_MIN_DIGITS, ORDER_ID_MAX_DIGITS + 1)


def order_number_in(value: object) -> Optional[str]:
    """The order number an answer gives ("2024 1111 00001" -> 2024111100001); None when it gives none."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return digits if len(digits) in ORDER_NUMBER_LENGTHS else None


def last_four_digits(text: Optional[str]) -> Optional[str]:
    """The last 4 digits a shopper typed: 尾号0001, 0001, 13800000001 -> 0001.

    Only a run that can be a phone tail counts (4 digits, or a whole number of
    7 to 12): an order number's last digits are not a proof, or typing the
    order number again would prove it whenever it happens to end like the phone.
    """
    if not text:
        return None
    tails = [run[-4:] for run in _DIGIT_RUNS.findall(str(text))
             if len(run) == 4 or 7 <= len(run) <= 12]
    return tails[-1] if tails else None


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
