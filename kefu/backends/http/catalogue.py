"""Catalogue and inventory over the shop's REST API."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

from kefu.backends.catalogue import CatalogueBackend, Product, StockLevel
from kefu.backends.http.client import ShopApiClient


class HttpCatalogueBackend(CatalogueBackend):
    def __init__(self, api: ShopApiClient) -> None:
        self._api = api

    def get_product(self, product_id: str) -> Optional[Product]:
        return self._api.fetch(Product, "/products/{}", product_id)

    def find_products(
        self,
        keyword: Optional[str] = None,
        category: Optional[str] = None,
        min_price: Optional[Decimal] = None,
        max_price: Optional[Decimal] = None,
        in_stock_only: bool = False,
        limit: int = 10,
    ) -> List[Product]:
        found = self._api.fetch(
            List[Product],
            "/products",
            params={
                "keyword": keyword,
                "category": category,
                "min_price": min_price,
                "max_price": max_price,
                "in_stock_only": in_stock_only,
                "limit": limit,
            },
            key="products",
        )
        return found or []

    def stock(
        self, product_id: str, color: Optional[str] = None, size: Optional[str] = None
    ) -> Optional[List[StockLevel]]:
        return self._api.fetch(
            List[StockLevel], "/products/{}/stock", product_id, params={"color": color, "size": size}, key="stock"
        )
