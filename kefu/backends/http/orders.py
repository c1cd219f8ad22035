"""Orders, logistics and shipping rules over the shop's REST API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import List, Optional

from kefu.backends.http.client import ShopApiClient
from kefu.backends.orders import DeliveryEstimate, LogisticsEvent, Order, OrderBackend, ShippingQuote


class HttpOrderBackend(OrderBackend):
    def __init__(self, api: ShopApiClient) -> None:
        self._api = api

    def get_order(self, order_id: str) -> Optional[Order]:
        return self._api.fetch(Order, "/orders/{}", order_id)

    def find_platform_order(self, platform: str, platform_order_id: str) -> Optional[str]:
        return self._api.fetch(str, "/platform-orders/{}/{}", platform, platform_order_id, key="order_id")

    def orders_of_customer(self, customer_id: str, limit: int = 5) -> Optional[List[Order]]:
        return self._api.fetch(
            List[Order], "/customers/{}/orders", customer_id, params={"limit": limit}, key="orders"
        )

    def logistics_events(self, order_id: str) -> Optional[List[LogisticsEvent]]:
        return self._api.fetch(List[LogisticsEvent], "/orders/{}/logistics-events", order_id, key="events")

    def estimate_delivery(
        self,
        destination: str,
        warehouse_id: Optional[str] = None,
        product_id: Optional[str] = None,
        at: Optional[datetime] = None,
    ) -> Optional[DeliveryEstimate]:
        return self._api.fetch(
            DeliveryEstimate,
            "/delivery-estimate",
            params={"destination": destination, "warehouse_id": warehouse_id, "product_id": product_id, "at": at},
        )

    def shipping_fee(self, region: str, goods_amount: Decimal) -> Optional[ShippingQuote]:
        return self._api.fetch(
            ShippingQuote, "/shipping-fee", params={"region": region, "goods_amount": goods_amount}
        )
