"""The values the after-sales reply templates (data/responses/after_sales.yml) fill in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from kefu.backends.orders import Order
from kefu.services import after_sales as tasks
from kefu.services.address import parse_address
from kefu.services.order_view import item_text, items_text, listed_items
from kefu.services.return_policy import ReturnRoute, time_left_text
from kefu.storage.masking import mask_phone
from kefu.storage.phrases import Phrase, listed


def _moment(value: Optional[datetime]) -> str:
    return value.strftime("%m-%d %H:%M") if value else ""


def _return_address(order: Order) -> str:
    shipment = order.latest_shipment
    return shipment.warehouse_name if shipment else Phrase("return_to_shipping_warehouse")


def blocker_values(order: Order, route: Optional[ReturnRoute], now: datetime) -> Dict[str, Any]:
    """Everything a route or blocker template may mention about the order."""
    shipment = order.latest_shipment
    deadline = route.deadline if route else order.return_deadline
    excluded = route.excluded_items if route else []
    return {
        "order_id": order.order_id,
        "items": items_text(order),
        "status": order.status_label,
        "signed_at": _moment(order.delivered_at),
        "deadline": _moment(deadline),
        "time_left": time_left_text(deadline, now) if deadline else "",
        "carrier": shipment.carrier if shipment else Phrase("carrier_unknown"),
        "tracking_number": shipment.tracking_number if shipment else "",
        "warehouse": _return_address(order),
        "excluded": listed((Phrase("return_excluded_item", item=item_text(item), why=why) for item, why in excluded),
                           "separator_semicolon") or Phrase("no_items_excluded"),
        "open_requests": listed((Phrase("open_request", return_id=r.return_id, status=r.status_label)
                                 for r in order.returns if r.status in ("requested", "approved")),
                                "separator_semicolon") or Phrase("requests_in_progress"),
    }


def _chosen_items_text(order: Order, slots: Dict[str, Any]) -> str:
    return listed_items(tasks.chosen_items(order, slots.get("return_items")))


def confirmation_reply(task: Optional[str], order: Optional[Order], slots: Dict[str, Any]) -> Dict[str, Any]:
    if order is None:
        return {"template": "confirm_generic", "task": tasks.task_label(task)}
    values: Dict[str, Any] = {"order_id": order.order_id, "items": _chosen_items_text(order, slots)}
    if task == tasks.RETURN:
        values.update(
            reason=slots.get("return_reason") or Phrase("return_reason_none"),
            condition=tasks.item_condition_label(slots.get("item_condition")) or Phrase("item_condition_unsaid"),
        )
    elif task == tasks.EXCHANGE:
        values.update(variant=slots.get("exchange_variant") or "")
    elif task == tasks.CANCEL:
        values.update(amount=f"{order.paid_amount:.2f}", items=items_text(order))
    elif task == tasks.CHANGE_ADDRESS:
        address = parse_address(slots.get("new_address"))
        values.update(
            address=f"{address.province}{address.city if address.city != address.province else ''}{address.address}"
            if address else "",
            recipient=(address.name if address and address.name else order.recipient.name),
            # Masked like every phone a shopper reads: whoever reads the chat may not be the number's
            # owner (a shared screen, a forged session), and 138****0001 is enough to recognise it.
            phone=mask_phone(address.phone if address and address.phone else order.recipient.phone),
        )
    else:
        return {"template": "confirm_generic", "task": tasks.task_label(task)}
    return {"template": f"confirm_{task}", **values}


def submitted_reply(task: str, order: Order, outcome: Any, slots: Dict[str, Any]) -> Dict[str, Any]:
    """What the shopper is told once the shop accepted the change."""
    values: Dict[str, Any] = {"order_id": order.order_id, "items": _chosen_items_text(order, slots)}
    if task in (tasks.RETURN, tasks.EXCHANGE):
        values.update(return_id=outcome.return_id, warehouse=_return_address(order),
                      variant=slots.get("exchange_variant") or "")
        return {"template": f"{task}_submitted", **values}
    if task == tasks.CANCEL:
        refund = outcome.refunds[-1] if getattr(outcome, "refunds", None) else None
        if refund is None:
            return {"template": "cancel_done_unpaid", **values}
        return {"template": "cancel_done_refund", **values, "amount": f"{refund.amount:.2f}", "method": refund.method}
    if task == tasks.CHANGE_ADDRESS:
        recipient = outcome.recipient
        return {"template": "address_changed", **values,
                "address": f"{recipient.province}{recipient.city if recipient.city != recipient.province else ''}"
                           f"{recipient.address}",
                "recipient": recipient.name, "phone": mask_phone(recipient.phone)}
    # a problem report
    return {"template": f"problem_reported_{outcome.resolution}", **values, "report_id": outcome.report_id,
            "kind": tasks.problem_kind_label(outcome.kind) or outcome.kind}


def photos_attached_reply(record: Any) -> Optional[Dict[str, Any]]:
    """After a problem report's confirmation: how many of the shopper's photos the shop keeps with it
    (as recorded, so a shop system that keeps none is never said to have them); None without photos."""
    photo_ids = getattr(record, "photo_ids", ())
    if not photo_ids:
        return None
    return {"template": "problem_photos_attached", "count": len(photo_ids), "report_id": record.report_id}


def refund_status_replies(order: Order) -> List[Dict[str, Any]]:
    if not order.refunds:
        if any(r.status in ("requested", "approved", "received") for r in order.returns):
            request = next(r for r in reversed(order.returns) if r.status in ("requested", "approved", "received"))
            return [{"template": "refund_waiting_for_return", "order_id": order.order_id,
                     "return_id": request.return_id, "status": request.status_label}]
        return [{"template": "refund_none", "order_id": order.order_id}]
    replies = []
    for refund in order.refunds:
        done = refund.completed_at is not None and refund.status == "succeeded"
        replies.append({
            "template": "refund_succeeded" if done else f"refund_{refund.status}",
            "order_id": order.order_id,
            "amount": f"{refund.amount:.2f}",
            "method": refund.method,
            "requested_at": _moment(refund.requested_at),
            "completed_at": _moment(refund.completed_at),
        })
    return replies
