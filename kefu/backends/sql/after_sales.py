"""After-sales changes in the shop database, each in one transaction with the
order row locked, so two changes to one order cannot both pass."""

from __future__ import annotations

from typing import List, Optional, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from kefu.backends.after_sales import (
    CHANGEABLE_STATES,
    OPEN_REQUEST_STATUSES,
    PROBLEM_KIND_LABELS,
    PROBLEM_STATUS_OF_RESOLUTION,
    RETURNABLE_STATES,
    SHIPPED_STATES,
    AfterSalesBackend,
    AfterSalesRejected,
    ProblemReport,
    check_problem_request,
)
from kefu.backends.orders import Order, Recipient, ReturnRequest
from kefu.backends.sql.orders import ORDER_DETAILS, order_from_row, return_request_from_row
from kefu.backends.sql.regions import resolve_province
from kefu.backends.sql.session import SqlGateway, from_row
from kefu.storage import models
from kefu.storage.clock import shop_now


class SqlAfterSalesBackend(AfterSalesBackend):
    def __init__(self, gateway: SqlGateway) -> None:
        self._gateway = gateway

    def request_return(self, order_id: str, sku_ids: List[str], reason: str, condition: str) -> ReturnRequest:
        def change(session: Session) -> ReturnRequest:
            order = _order_to_change(session, order_id, RETURNABLE_STATES)
            wanted = _skus_in_order(order, sku_ids)
            _refuse_if_already_requested(order, wanted)
            request = _open_request(order, "return", reason, wanted, condition=condition)
            order.status = "return_requested"
            return return_request_from_row(request)

        return self._gateway.write(change)

    def request_exchange(self, order_id: str, sku_id: str, new_sku_id: str, reason: str) -> ReturnRequest:
        def change(session: Session) -> ReturnRequest:
            order = _order_to_change(session, order_id, RETURNABLE_STATES)
            wanted = _skus_in_order(order, [sku_id])
            product_id = next(item.product_id for item in order.items if item.sku_id == sku_id)
            new_sku = session.get(models.Sku, new_sku_id)
            if new_sku is None or new_sku.product_id != product_id:
                raise AfterSalesRejected("unknown_sku", f"{new_sku_id} is not a variant of {product_id}")
            _refuse_if_already_requested(order, wanted)
            _reserve_one_unit(session, new_sku_id)
            request = _open_request(order, "exchange", reason, wanted, new_sku_id=new_sku_id)
            return return_request_from_row(request)

        return self._gateway.write(change)

    def cancel_order(self, order_id: str, reason: str) -> Order:
        def change(session: Session) -> Order:
            order = _order_to_change(session, order_id, CHANGEABLE_STATES)
            was_paid = order.status == "paid"
            order.status = "cancelled"
            order.cancelled_at = shop_now()
            order.cancel_reason = _clipped(reason, models.Order.cancel_reason) or None
            if was_paid:
                _refund(order, order.paid_cents)
            return order_from_row(order)

        return self._gateway.write(change)

    def change_address(self, order_id: str, recipient: Recipient) -> Order:
        def change(session: Session) -> Order:
            order = _order_to_change(session, order_id, CHANGEABLE_STATES)
            fields = {
                "recipient_name": recipient.name,
                "recipient_phone": recipient.phone,
                "city": recipient.city,
                "address": recipient.address,
            }
            fields = {column: (value or "").strip() for column, value in fields.items()}
            for column in ("recipient_name", "recipient_phone", "address"):
                if not fields[column]:
                    raise AfterSalesRejected("invalid_address", f"{column} is empty")
            for column, value in fields.items():
                if len(value) > models.Order.__table__.c[column].type.length:
                    raise AfterSalesRejected("invalid_address", f"{column} is too long")
            province = resolve_province(session, (recipient.province or "").strip())
            if province is None:
                raise AfterSalesRejected("invalid_address", f"unknown province {recipient.province!r}")
            for column, value in fields.items():
                setattr(order, column, value)
            order.province_name = province.name
            return order_from_row(order)

        return self._gateway.write(change)

    def report_problem(
        self, order_id: str, sku_id: Optional[str], kind: str, description: str, resolution: str,
        photo_ids: Sequence[str] = (),
    ) -> ProblemReport:
        photos = check_problem_request(kind, resolution, photo_ids)
        self._gateway.ensure_table(models.ProblemReportPhoto.__table__)

        def change(session: Session) -> ProblemReport:
            order = _order_to_change(session, order_id, SHIPPED_STATES)
            if sku_id is not None:
                covered = _skus_in_order(order, [sku_id])
            else:
                covered = [item.sku_id for item in order.items]
            request = None
            if resolution == "refund":
                _refuse_if_already_requested(order, covered)
                request = _open_request(order, "refund_only", PROBLEM_KIND_LABELS[kind], covered)
                _refund(order, _goods_cents(order, sku_id), request)
            reports = session.execute(
                select(models.ProblemReport.id).where(models.ProblemReport.order_id == order_id)
            ).all()
            row = models.ProblemReport(
                id=models.after_sales_id(models.PROBLEM_ID_PREFIX, order_id, len(reports) + 1),
                order_id=order_id,
                sku_id=sku_id,
                kind=kind,
                description=(description or "").strip(),
                resolution=resolution,
                status=PROBLEM_STATUS_OF_RESOLUTION[resolution],
                created_at=shop_now(),
                return_request=request,
                photos=[models.ProblemReportPhoto(position=i, photo_id=photo) for i, photo in enumerate(photos)],
            )
            session.add(row)
            return _problem_report(row)

        return self._gateway.write(change)

    def problem_reports(self, order_id: str) -> Optional[List[ProblemReport]]:
        self._gateway.ensure_table(models.ProblemReportPhoto.__table__)
        with self._gateway.session() as session:
            if session.get(models.Order, order_id) is None:
                return None
            rows = session.execute(
                select(models.ProblemReport)
                .where(models.ProblemReport.order_id == order_id)
                .options(selectinload(models.ProblemReport.photos))
                .order_by(models.ProblemReport.created_at, models.ProblemReport.id)
            ).scalars()
            return [_problem_report(row) for row in rows]


def _order_to_change(session: Session, order_id: str, allowed_states: Sequence[str]) -> models.Order:
    order = session.execute(
        select(models.Order)
        .where(models.Order.id == order_id)
        .options(*ORDER_DETAILS)
        .with_for_update(of=models.Order)
    ).scalar_one_or_none()
    if order is None:
        raise AfterSalesRejected("unknown_order", f"no order {order_id}")
    if order.status not in allowed_states:
        raise AfterSalesRejected("not_allowed_in_state", f"order {order_id} is {order.status}")
    return order


def _skus_in_order(order: models.Order, sku_ids: Sequence[str]) -> List[str]:
    """``sku_ids`` without repeats, refused unless there is at least one and all are in the order."""
    wanted = list(dict.fromkeys(sku_ids))
    in_order = {item.sku_id for item in order.items}
    strangers = [sku_id for sku_id in wanted if sku_id not in in_order]
    if not wanted or strangers:
        raise AfterSalesRejected("item_not_in_order", f"not in order {order.id}: {', '.join(strangers) or 'no SKU given'}")
    return wanted


def _refuse_if_already_requested(order: models.Order, sku_ids: Sequence[str]) -> None:
    everything = [item.sku_id for item in order.items]
    for request in order.return_requests:
        if request.status in OPEN_REQUEST_STATUSES:
            # A request recorded without SKUs stands for the whole order.
            covered = set(request.sku_ids or everything)
            if covered.intersection(sku_ids):
                raise AfterSalesRejected("already_requested", f"{request.id} already covers these items")


def _open_request(
    order: models.Order,
    kind: str,
    reason: str,
    sku_ids: Sequence[str],
    condition: Optional[str] = None,
    new_sku_id: Optional[str] = None,
) -> models.ReturnRequest:
    now = shop_now()
    request = models.ReturnRequest(
        id=models.after_sales_id(models.RETURN_ID_PREFIX, order.id, len(order.return_requests) + 1),
        kind=kind,
        reason=_clipped(reason, models.ReturnRequest.reason),
        status="requested",
        requested_at=now,
        updated_at=now,
        sku_ids=list(sku_ids),
        condition=_clipped(condition, models.ReturnRequest.condition) or None,
        new_sku_id=new_sku_id,
    )
    order.return_requests.append(request)
    return request


def _refund(order: models.Order, amount_cents: int, request: Optional[models.ReturnRequest] = None) -> None:
    order.refunds.append(
        models.Refund(
            id=models.after_sales_id(models.REFUND_ID_PREFIX, order.id, len(order.refunds) + 1),
            return_request=request,
            amount_cents=amount_cents,
            status="processing",
            method=order.refund_method,
            requested_at=shop_now(),
            completed_at=None,
        )
    )


def _goods_cents(order: models.Order, sku_id: Optional[str]) -> int:
    """What the goods cost: the SKU's items, or every item when ``sku_id`` is None."""
    if sku_id is None:
        return order.goods_cents
    return sum(item.unit_price_cents * item.quantity for item in order.items if item.sku_id == sku_id)


def _reserve_one_unit(session: Session, sku_id: str) -> None:
    """Take one unit of ``sku_id`` from the warehouse holding the most of it."""
    stocked = session.execute(
        select(models.Stock.warehouse_id)
        .where(models.Stock.sku_id == sku_id, models.Stock.quantity > 0)
        .order_by(models.Stock.quantity.desc(), models.Stock.warehouse_id)
    ).scalars()
    for warehouse_id in list(stocked):
        # The unit must still be there when the update runs: another
        # exchange may have taken the last one since we looked.
        taken = session.execute(
            update(models.Stock)
            .where(
                models.Stock.sku_id == sku_id,
                models.Stock.warehouse_id == warehouse_id,
                models.Stock.quantity > 0,
            )
            .values(quantity=models.Stock.quantity - 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            return
    raise AfterSalesRejected("out_of_stock", f"{sku_id} is sold out")


def _clipped(text: Optional[str], column) -> str:
    # A shopper's reason can run longer than the column; its start says why.
    return (text or "").strip()[: column.type.length]


def _problem_report(row: models.ProblemReport) -> ProblemReport:
    return from_row(ProblemReport, row, report_id=row.id, photo_ids=tuple(photo.photo_id for photo in row.photos))
