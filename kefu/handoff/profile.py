"""What the agent is shown of the customer: the CRM profile and recent orders, as JSON.

Copied into the case when it is opened (``HandoffCase.customer`` and
``recent_orders``), so the agent sees what the shopper was talking about
even if the shop's data changes or the shop's system is down by the time
the case is picked up. Money is written as strings ("199.00") so that no
float rounding creeps in; times as ISO 8601 in shop time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence

from kefu.backends.customers import Contact, Customer, CustomerBackend
from kefu.backends.orders import Order, OrderBackend
from kefu.storage.clock import in_shop_time

RECENT_ORDERS = 5
RECENT_CONTACTS = 3


@dataclass(frozen=True)
class CustomerContext:
    profile: Optional[Dict[str, Any]]  # None: an anonymous shopper, or unknown to the CRM
    recent_orders: List[Dict[str, Any]] = field(default_factory=list)


def customer_context(customers: CustomerBackend, orders: OrderBackend, customer_id: Optional[str],
                     limit: int = RECENT_ORDERS) -> CustomerContext:
    """The profile and the newest orders of ``customer_id`` from the shop's backends."""
    if not customer_id:
        return CustomerContext(None)
    customer = customers.get_customer(customer_id)
    if customer is None:
        return CustomerContext(None)
    contacts = customers.contact_history(customer_id, limit=RECENT_CONTACTS) or []
    return CustomerContext(
        customer_profile(customer, contacts),
        [order_summary(order) for order in orders.orders_of_customer(customer_id, limit=limit) or []],
    )


def customer_profile(customer: Customer, contacts: Sequence[Contact] = ()) -> Dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "phone": customer.phone,
        "member_level": customer.member_level,
        "member_level_label": customer.member_level_label,
        "high_value": customer.is_high_value,
        "tags": list(customer.tags),
        "province": customer.province,
        "city": customer.city,
        "registered_at": _time(customer.registered_at),
        "recent_contacts": [
            {
                "at": _time(contact.contacted_at),
                "channel": contact.channel,
                "topic": contact.topic,
                "summary": contact.summary,
                "handled_by": contact.handled_by,
            }
            for contact in contacts
        ],
    }


def order_summary(order: Order) -> Dict[str, Any]:
    shipment = order.latest_shipment
    return {
        "order_id": order.order_id,
        "status": order.status,
        "status_label": order.status_label,
        "channel": order.channel,
        "created_at": _time(order.created_at),
        "paid_amount": _money(order.paid_amount),
        "items": [
            {
                "product_id": item.product_id,
                "product_name": item.product_name,
                "sku_id": item.sku_id,
                "color": item.color,
                "size": item.size,
                "quantity": item.quantity,
                "unit_price": _money(item.unit_price),
            }
            for item in order.items
        ],
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
        "shipped_at": _time(order.shipped_at),
        "delivered_at": _time(order.delivered_at),
        "returns": [{"return_id": r.return_id, "kind": r.kind, "status": r.status_label} for r in order.returns],
        "refunds": [{"refund_id": r.refund_id, "amount": _money(r.amount), "status": r.status_label}
                    for r in order.refunds],
    }


def _time(moment: Optional[datetime]) -> Optional[str]:
    return in_shop_time(moment).isoformat() if moment is not None else None


def _money(amount: Optional[Decimal]) -> Optional[str]:
    return f"{amount:.2f}" if amount is not None else None
