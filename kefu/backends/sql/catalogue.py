"""Catalogue and inventory from the shop database."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from kefu.backends.catalogue import (
    CatalogueBackend,
    Product,
    Sku,
    StockLevel,
    WarehouseStock,
    normalise_category,
)
from kefu.backends.sql.session import SqlGateway, cents, yuan
from kefu.storage import models


class SqlCatalogueBackend(CatalogueBackend):
    def __init__(self, gateway: SqlGateway) -> None:
        self._gateway = gateway

    def get_product(self, product_id: str) -> Optional[Product]:
        with self._gateway.session() as session:
            row = session.execute(
                select(models.Product)
                .where(models.Product.id == product_id)
                .options(selectinload(models.Product.skus))
            ).scalar_one_or_none()
            return _product(row) if row is not None else None

    def find_products(
        self,
        keyword: Optional[str] = None,
        category: Optional[str] = None,
        min_price: Optional[Decimal] = None,
        max_price: Optional[Decimal] = None,
        in_stock_only: bool = False,
        limit: int = 10,
    ) -> List[Product]:
        query = select(models.Product).options(selectinload(models.Product.skus))
        for term in (keyword or "").split():
            pattern = "%" + _escape_like(term) + "%"
            query = query.where(
                or_(
                    models.Product.name.ilike(pattern, escape="\\"),
                    models.Product.brand.ilike(pattern, escape="\\"),
                    models.Product.search_terms.ilike(pattern, escape="\\"),
                    models.Product.category == normalise_category(term),
                )
            )
        if category:
            query = query.where(models.Product.category == normalise_category(category))
        if min_price is not None:
            query = query.where(models.Product.price_cents >= cents(min_price))
        if max_price is not None:
            query = query.where(models.Product.price_cents <= cents(max_price))
        if in_stock_only:
            query = query.where(
                exists()
                .where(models.Sku.product_id == models.Product.id)
                .where(models.Stock.sku_id == models.Sku.id)
                .where(models.Stock.quantity > 0)
            )
        query = query.order_by(models.Product.sales_count.desc(), models.Product.id).limit(max(limit, 1))
        with self._gateway.session() as session:
            return [_product(row) for row in session.execute(query).scalars()]

    def stock(
        self, product_id: str, color: Optional[str] = None, size: Optional[str] = None
    ) -> Optional[List[StockLevel]]:
        with self._gateway.session() as session:
            if session.get(models.Product, product_id) is None:
                return None
            query = (
                select(models.Sku)
                .where(models.Sku.product_id == product_id)
                .order_by(models.Sku.position)
                .options(selectinload(models.Sku.stock).selectinload(models.Stock.warehouse))
            )
            if color:
                query = query.where(models.Sku.color == color)
            if size:
                query = query.where(models.Sku.size == size)
            return [_stock_level(sku) for sku in session.execute(query).scalars()]


def _product(row: models.Product) -> Product:
    return Product(
        product_id=row.id,
        name=row.name,
        category=row.category,
        brand=row.brand,
        price=yuan(row.price_cents),
        attributes=dict(row.attributes or {}),
        description=row.description,
        skus=[
            Sku(sku_id=sku.id, color=sku.color, size=sku.size, price=yuan(sku.price_cents))
            for sku in row.skus
        ],
    )


def _stock_level(sku: models.Sku) -> StockLevel:
    by_warehouse = sorted(sku.stock, key=lambda stock: stock.warehouse_id)
    planned = [stock.restock_date for stock in by_warehouse if stock.restock_date is not None]
    return StockLevel(
        sku_id=sku.id,
        color=sku.color,
        size=sku.size,
        quantity=sum(stock.quantity for stock in by_warehouse),
        restock_date=min(planned) if planned else None,
        warehouses=[
            WarehouseStock(
                warehouse_id=stock.warehouse_id,
                warehouse_name=stock.warehouse.name,
                quantity=stock.quantity,
                restock_date=stock.restock_date,
            )
            for stock in by_warehouse
        ],
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
