"""Turns an order into the values the order responses in domain.yml fill in."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, List, Optional

from kefu.backends.orders import LogisticsEvent, Order, OrderItem

MAX_EVENTS_SHOWN = 3


def _moment(value: datetime) -> str:
    return value.strftime("%m-%d %H:%M")


def _day(value) -> str:
    return value.strftime("%m月%d日")


def item_text(item: OrderItem) -> str:
    variant = "/".join(v for v in (item.color, item.size) if v)
    return f"{item.product_name}{f'（{variant}）' if variant else ''}×{item.quantity}"


def items_text(order: Order) -> str:
    return "，".join(item_text(item) for item in order.items)


def events_text(events: List[LogisticsEvent]) -> str:
    latest_first = sorted(events, key=lambda e: e.occurred_at, reverse=True)[:MAX_EVENTS_SHOWN]
    return "\n".join(f"· {_moment(e.occurred_at)} {e.location} {e.description}" for e in latest_first)


def order_button_title(order: Order) -> str:
    first = order.items[0].product_name if order.items else "订单"
    more = f"等{len(order.items)}件" if len(order.items) > 1 else ""
    return f"{order.order_id} {first}{more}（{order.status_label}）"


def order_response(order: Order, events: List[LogisticsEvent], now: datetime) -> List[Dict]:
    """The replies (template name and values) that describe the order, in order."""
    values = {"order_id": order.order_id, "items": items_text(order), "status": order.status_label}
    responses = [{"template": "order_summary", **values}]
    shipment = order.latest_shipment
    if order.status == "unpaid":
        responses.append({"template": "order_unpaid"})
    elif order.status == "paid":
        responses.append({"template": "order_awaiting_shipment"})
    elif order.status in ("shipped", "in_transit") and shipment is not None:
        responses.append({
            "template": "order_logistics",
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "events": events_text(events) or "· 包裹已出库，等待快递揽收",
        })
        if shipment.estimated_arrival is not None:
            responses.append({"template": "order_eta", "eta": _day(shipment.estimated_arrival)})
    elif order.status == "delivered" and order.delivered_at is not None:
        deadline: Optional[datetime] = order.return_deadline
        if order.is_within_return_window(now):
            responses.append({
                "template": "order_signed_return_open",
                "signed_at": _moment(order.delivered_at),
                "deadline": _moment(deadline),
            })
        else:
            responses.append({"template": "order_signed", "signed_at": _moment(order.delivered_at)})
    return responses
