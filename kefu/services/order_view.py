"""Turns an order into the values the order templates (data/responses/orders.yml) fill in."""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Iterable, List, Optional

from kefu.backends.orders import LogisticsEvent, Order, OrderItem
from kefu.storage.phrases import Joined, Phrase, listed

MAX_EVENTS_SHOWN = 3


def _moment(value: datetime) -> str:
    return value.strftime("%m-%d %H:%M")


def _day(value) -> str:
    return Phrase("month_day", month=f"{value:%m}", day=f"{value:%d}")


def item_text(item: OrderItem) -> str:
    variant = "/".join(v for v in (item.color, item.size) if v)
    if variant:
        return Phrase("order_item", name=item.product_name, variant=variant, quantity=item.quantity)
    return Phrase("order_item_plain", name=item.product_name, quantity=item.quantity)


def listed_items(items: Iterable[OrderItem]) -> str:
    return listed((item_text(item) for item in items), "separator_comma")


def items_text(order: Order) -> str:
    return listed_items(order.items)


def events_text(events: List[LogisticsEvent]) -> str:
    latest_first = sorted(events, key=lambda e: e.occurred_at, reverse=True)[:MAX_EVENTS_SHOWN]
    return Joined(
        (Phrase("order_event", moment=_moment(e.occurred_at), location=e.location, description=e.description)
         for e in latest_first),
        "\n",
    )


def order_button_title(order: Order) -> str:
    first = order.items[0].product_name if order.items else Phrase("order_button_no_items")
    more = Phrase("order_more_items", count=len(order.items)) if len(order.items) > 1 else ""
    return Phrase("order_button", order_id=order.order_id, first=first, more=more, status=order.status_label)


def order_card(order: Order) -> Dict:
    """The order as a card (status, items, parcel) for channels that draw one (the web chat's
    ``order_card``, docs/channels/webchat.md: cards); the others show the text it comes with."""
    shipment = order.latest_shipment
    return {
        "type": "order_card",
        "order": {
            "order_id": order.order_id,
            "status": str(order.status_label),
            "items": [{"name": item.product_name, "quantity": item.quantity} for item in order.items],
            "carrier": shipment.carrier if shipment else None,
            "tracking_number": shipment.tracking_number if shipment else None,
        },
    }


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
            "events": events_text(events) or Phrase("order_no_events"),
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
