"""Orders, logistics and shipping rules from the shop database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import List, NamedTuple, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.backends.orders import (
    DeliveryEstimate,
    LogisticsEvent,
    Order,
    OrderBackend,
    OrderItem,
    Recipient,
    Refund,
    ReturnRequest,
    Shipment,
    ShippingQuote,
)
from kefu.backends.sql.regions import resolve_province
from kefu.backends.sql.session import SqlGateway, cents, from_row, yuan
from kefu.storage import models
from kefu.storage.clock import in_shop_time, shop_now

ORDER_DETAILS = (
    selectinload(models.Order.items),
    selectinload(models.Order.shipments).selectinload(models.Shipment.warehouse),
    selectinload(models.Order.return_requests),
    selectinload(models.Order.refunds),
)


class SqlOrderBackend(OrderBackend):
    def __init__(self, gateway: SqlGateway) -> None:
        self._gateway = gateway

    def get_order(self, order_id: str) -> Optional[Order]:
        with self._gateway.session() as session:
            row = session.execute(
                select(models.Order).where(models.Order.id == order_id).options(*ORDER_DETAILS)
            ).scalar_one_or_none()
            return order_from_row(row) if row is not None else None

    def find_platform_order(self, platform: str, platform_order_id: str) -> Optional[str]:
        # A shop database made before the table gains it here (kefu/storage/models.py, PlatformOrder).
        self._gateway.ensure_table(models.PlatformOrder.__table__)
        with self._gateway.session() as session:
            return session.execute(
                select(models.PlatformOrder.order_id).where(
                    models.PlatformOrder.platform == platform,
                    models.PlatformOrder.platform_order_id == platform_order_id,
                )
            ).scalar_one_or_none()

    def orders_of_customer(self, customer_id: str, limit: int = 5) -> Optional[List[Order]]:
        with self._gateway.session() as session:
            if session.get(models.Customer, customer_id) is None:
                return None
            rows = session.execute(
                select(models.Order)
                .where(models.Order.customer_id == customer_id)
                .order_by(models.Order.created_at.desc(), models.Order.id.desc())
                .limit(max(limit, 1))
                .options(*ORDER_DETAILS)
            ).scalars()
            return [order_from_row(row) for row in rows]

    def logistics_events(self, order_id: str) -> Optional[List[LogisticsEvent]]:
        with self._gateway.session() as session:
            if session.get(models.Order, order_id) is None:
                return None
            rows = session.execute(
                select(models.LogisticsEvent)
                .join(models.Shipment)
                .where(models.Shipment.order_id == order_id)
                .order_by(models.LogisticsEvent.occurred_at.desc(), models.LogisticsEvent.id.desc())
            ).scalars()
            return [
                LogisticsEvent(
                    occurred_at=row.occurred_at,
                    location=row.location,
                    description=row.description,
                    status=row.status,
                )
                for row in rows
            ]

    def estimate_delivery(
        self,
        destination: str,
        warehouse_id: Optional[str] = None,
        product_id: Optional[str] = None,
        at: Optional[datetime] = None,
    ) -> Optional[DeliveryEstimate]:
        quoted_at = in_shop_time(at) if at is not None else shop_now()
        with self._gateway.session() as session:
            province = resolve_province(session, destination)
            if province is None:
                return None
            if warehouse_id is not None:
                warehouse = session.get(models.Warehouse, warehouse_id)
                candidates = [warehouse] if warehouse is not None else []
            else:
                candidates = _warehouses_holding(session, product_id) or _all_warehouses(session)
            routes = []
            for warehouse in candidates:
                transit = session.get(models.TransitTime, (warehouse.province_name, province.name))
                if transit is not None:
                    routes.append(_Route(warehouse, transit, _ship_date(quoted_at, warehouse.cutoff_hour)))
            if not routes:
                return None
            # Fastest arrival first; the warehouse id breaks ties reproducibly.
            best = min(
                routes,
                key=lambda route: (route.arrives_latest, route.arrives_earliest, route.warehouse.id),
            )
            return DeliveryEstimate(
                destination=destination,
                province=province.name,
                is_remote=province.zone.is_remote,
                warehouse_id=best.warehouse.id,
                warehouse_name=best.warehouse.name,
                warehouse_city=best.warehouse.city,
                carrier=best.warehouse.carrier,
                cutoff_hour=best.warehouse.cutoff_hour,
                quoted_at=quoted_at,
                ships_on=best.ships_on,
                days_min=best.transit.days_min,
                days_max=best.transit.days_max,
                arrives_earliest=best.arrives_earliest,
                arrives_latest=best.arrives_latest,
            )

    def shipping_fee(self, region: str, goods_amount: Decimal) -> Optional[ShippingQuote]:
        with self._gateway.session() as session:
            province = resolve_province(session, region)
            if province is None:
                return None
            zone = province.zone
            return ShippingQuote(
                region=region,
                province=province.name,
                zone=zone.name,
                is_remote=zone.is_remote,
                goods_amount=yuan(cents(goods_amount)),
                fee=yuan(zone.fee_for(cents(goods_amount))),
                free_shipping_threshold=yuan(zone.free_threshold_cents),
                note=zone.note,
            )


class _Route(NamedTuple):
    warehouse: models.Warehouse
    transit: models.TransitTime
    ships_on: date

    @property
    def arrives_earliest(self) -> date:
        return self.ships_on + timedelta(days=self.transit.days_min)

    @property
    def arrives_latest(self) -> date:
        return self.ships_on + timedelta(days=self.transit.days_max)


def _ship_date(quoted_at: datetime, cutoff_hour: int) -> date:
    """Paid before the cut-off: leaves today; otherwise tomorrow."""
    if quoted_at.hour < cutoff_hour:
        return quoted_at.date()
    return quoted_at.date() + timedelta(days=1)


def _all_warehouses(session: Session) -> List[models.Warehouse]:
    return list(session.execute(select(models.Warehouse).order_by(models.Warehouse.id)).scalars())


def _warehouses_holding(session: Session, product_id: Optional[str]) -> List[models.Warehouse]:
    if product_id is None:
        return []
    return list(
        session.execute(
            select(models.Warehouse)
            .join(models.Stock, models.Stock.warehouse_id == models.Warehouse.id)
            .join(models.Sku, models.Sku.id == models.Stock.sku_id)
            .where(models.Sku.product_id == product_id, models.Stock.quantity > 0)
            .distinct()
            .order_by(models.Warehouse.id)
        ).scalars()
    )


def order_from_row(row: models.Order) -> Order:
    return Order(
        order_id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        channel=row.channel,
        recipient=Recipient(
            name=row.recipient_name,
            phone=row.recipient_phone,
            province=row.province_name,
            city=row.city,
            address=row.address,
        ),
        items=[
            OrderItem(
                sku_id=item.sku_id,
                product_id=item.product_id,
                product_name=item.product_name,
                color=item.color,
                size=item.size,
                unit_price=yuan(item.unit_price_cents),
                quantity=item.quantity,
            )
            for item in row.items
        ],
        goods_amount=yuan(row.goods_cents),
        shipping_fee=yuan(row.shipping_fee_cents),
        discount=yuan(row.discount_cents),
        paid_amount=yuan(row.paid_cents),
        payment_method=row.payment_method,
        created_at=row.created_at,
        paid_at=row.paid_at,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        cancelled_at=row.cancelled_at,
        shipments=[
            Shipment(
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                warehouse_id=shipment.warehouse_id,
                warehouse_name=shipment.warehouse.name,
                shipped_at=shipment.shipped_at,
                delivered_at=shipment.delivered_at,
                estimated_arrival=shipment.estimated_arrival,
            )
            for shipment in row.shipments
        ],
        returns=[return_request_from_row(request) for request in row.return_requests],
        refunds=[
            Refund(
                refund_id=refund.id,
                amount=yuan(refund.amount_cents),
                status=refund.status,
                method=refund.method,
                requested_at=refund.requested_at,
                completed_at=refund.completed_at,
            )
            for refund in row.refunds
        ],
    )


def return_request_from_row(row: models.ReturnRequest) -> ReturnRequest:
    return from_row(ReturnRequest, row, return_id=row.id, sku_ids=tuple(row.sku_ids or ()))
