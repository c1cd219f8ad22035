"""Customers (CRM): who the shopper is, their member level, tags and past contacts."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional

MEMBER_LEVEL_LABELS = {"gold": "金卡会员", "silver": "银卡会员", "regular": "普通会员"}


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    phone: str
    member_level: str  # gold, silver, regular
    tags: List[str] = field(default_factory=list)
    province: Optional[str] = None
    city: Optional[str] = None
    registered_at: Optional[datetime] = None

    @property
    def member_level_label(self) -> str:
        return MEMBER_LEVEL_LABELS.get(self.member_level, self.member_level)

    @property
    def is_high_value(self) -> bool:
        return self.member_level == "gold"

    @property
    def phone_last4(self) -> str:
        return self.phone[-4:]


@dataclass(frozen=True)
class Contact:
    """One past conversation with customer service."""

    contacted_at: datetime
    channel: str
    topic: str
    summary: str
    handled_by: str


class CustomerBackend(abc.ABC):
    @abc.abstractmethod
    def get_customer(self, customer_id: str) -> Optional[Customer]:
        """The customer, or None if there is no such customer."""

    @abc.abstractmethod
    def find_by_phone(self, phone: str) -> Optional[Customer]:
        """The customer registered with this phone number, or None."""

    @abc.abstractmethod
    def contact_history(self, customer_id: str, limit: int = 10) -> Optional[List[Contact]]:
        """Past contacts, newest first; None for an unknown customer."""
