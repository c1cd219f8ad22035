"""Customers (CRM) from the shop database."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import select

from kefu.backends.customers import Contact, Customer, CustomerBackend
from kefu.backends.sql.session import SqlGateway
from kefu.storage import models


class SqlCustomerBackend(CustomerBackend):
    def __init__(self, gateway: SqlGateway) -> None:
        self._gateway = gateway

    def get_customer(self, customer_id: str) -> Optional[Customer]:
        with self._gateway.session() as session:
            row = session.get(models.Customer, customer_id)
            return _customer(row) if row is not None else None

    def find_by_phone(self, phone: str) -> Optional[Customer]:
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) == 13 and digits.startswith("86"):  # +86 138 0000 0001
            digits = digits[2:]
        with self._gateway.session() as session:
            row = session.execute(
                select(models.Customer).where(models.Customer.phone == digits)
            ).scalar_one_or_none()
            return _customer(row) if row is not None else None

    def contact_history(self, customer_id: str, limit: int = 10) -> Optional[List[Contact]]:
        with self._gateway.session() as session:
            if session.get(models.Customer, customer_id) is None:
                return None
            rows = session.execute(
                select(models.Contact)
                .where(models.Contact.customer_id == customer_id)
                .order_by(models.Contact.contacted_at.desc(), models.Contact.id.desc())
                .limit(max(limit, 1))
            ).scalars()
            return [
                Contact(
                    contacted_at=row.contacted_at,
                    channel=row.channel,
                    topic=row.topic,
                    summary=row.summary,
                    handled_by=row.handled_by,
                )
                for row in rows
            ]


def _customer(row: models.Customer) -> Customer:
    return Customer(
        customer_id=row.id,
        name=row.name,
        phone=row.phone,
        member_level=row.member_level,
        tags=list(row.tags or []),
        province=row.province_name,
        city=row.city,
        registered_at=row.registered_at,
    )
