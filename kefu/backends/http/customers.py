"""Customers (CRM) over the shop's REST API."""

from __future__ import annotations

from typing import List, Optional

from kefu.backends.customers import Contact, Customer, CustomerBackend
from kefu.backends.http.client import ShopApiClient


class HttpCustomerBackend(CustomerBackend):
    def __init__(self, api: ShopApiClient) -> None:
        self._api = api

    def get_customer(self, customer_id: str) -> Optional[Customer]:
        return self._api.fetch(Customer, "/customers/{}", customer_id)

    def find_by_phone(self, phone: str) -> Optional[Customer]:
        matches = self._api.fetch(List[Customer], "/customers", params={"phone": phone}, key="customers")
        return matches[0] if matches else None

    def contact_history(self, customer_id: str, limit: int = 10) -> Optional[List[Contact]]:
        return self._api.fetch(
            List[Contact], "/customers/{}/contacts", customer_id, params={"limit": limit}, key="contacts"
        )
