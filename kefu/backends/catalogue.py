"""Catalogue and inventory: products, their variants (SKUs) and stock."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Dict, List, Optional

CATEGORIES = ("服装", "鞋靴", "数码", "厨具", "美妆")

# What shoppers (and the NLU's synonyms) call a category -> the shop's name.
CATEGORY_ALIASES = {
    "衣服": "服装", "衣裳": "服装", "男装": "服装", "女装": "服装", "童装": "服装",
    "鞋": "鞋靴", "鞋子": "鞋靴", "靴子": "鞋靴",
    "电子产品": "数码", "数码产品": "数码", "电子": "数码",
    # Appliances are sold under 厨具 (rice cookers, air fryers, kettles).
    "厨房": "厨具", "厨房用品": "厨具", "锅具": "厨具", "小家电": "厨具", "家电": "厨具", "电器": "厨具", "小电器": "厨具",
    "化妆品": "美妆", "彩妆": "美妆", "护肤": "美妆", "护肤品": "美妆",
}

# Chinese names of attribute keys, for showing an attribute to a shopper.
ATTRIBUTE_LABELS = {
    "material": "材质",
    "fabric_weight": "克重",
    "fit": "版型",
    "season": "适用季节",
    "thickness": "厚度",
    "stretch": "弹力",
    "length": "长度",
    "size_advice": "尺码建议",
    "care": "洗涤说明",
    "origin": "产地",
    "fill_weight": "充绒量",
    "feature": "特点",
    "heel_height": "跟高",
    "shaft_height": "筒高",
    "sole": "鞋底",
    "weight": "重量",
    "dimensions": "尺寸",
    "capacity": "容量",
    "connectivity": "连接方式",
    "noise_cancelling": "降噪",
    "battery": "续航",
    "charging": "充电",
    "waterproof": "防水等级",
    "output": "输出功率",
    "compatibility": "兼容性",
    "screen": "屏幕",
    "switch": "轴体",
    "dpi": "DPI",
    "power": "功率",
    "inner_pot": "内胆",
    "insulation": "保温效果",
    "compatible_stoves": "适用炉灶",
    "warranty": "保修",
    "usage_notes": "使用说明",
    "net_content": "净含量",
    "skin_type": "适用肤质",
    "ingredients": "主要成分",
    "shelf_life": "保质期",
    "protection": "防晒指数",
    "finish": "妆效",
    "shade": "色号",
    "scent": "香型",
    # Present only on products excluded from 七天无理由退货, saying why.
    "return_policy": "退货说明",
}


def normalise_category(category: str) -> str:
    """The shop's category name for what a shopper called it (衣服 -> 服装)."""
    category = category.strip()
    return CATEGORY_ALIASES.get(category, category)


@dataclass(frozen=True)
class Sku:
    sku_id: str
    color: Optional[str]
    size: Optional[str]
    price: Decimal


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    category: str
    brand: str
    price: Decimal  # the cheapest variant
    attributes: Dict[str, str]
    description: str
    skus: List[Sku] = field(default_factory=list)

    @property
    def colors(self) -> List[str]:
        return _unique(sku.color for sku in self.skus)

    @property
    def sizes(self) -> List[str]:
        return _unique(sku.size for sku in self.skus)

    def attribute(self, key: str) -> Optional[str]:
        return self.attributes.get(key)


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: str
    warehouse_name: str
    quantity: int
    restock_date: Optional[date]


@dataclass(frozen=True)
class StockLevel:
    """Availability of one SKU, over all warehouses."""

    sku_id: str
    color: Optional[str]
    size: Optional[str]
    quantity: int
    restock_date: Optional[date]  # the earliest planned restock, if any
    warehouses: List[WarehouseStock] = field(default_factory=list)

    @property
    def in_stock(self) -> bool:
        return self.quantity > 0


class CatalogueBackend(abc.ABC):
    @abc.abstractmethod
    def get_product(self, product_id: str) -> Optional[Product]:
        """The product, or None if there is no such product."""

    @abc.abstractmethod
    def find_products(
        self,
        keyword: Optional[str] = None,
        category: Optional[str] = None,
        min_price: Optional[Decimal] = None,
        max_price: Optional[Decimal] = None,
        in_stock_only: bool = False,
        limit: int = 10,
    ) -> List[Product]:
        """Products matching all the given conditions, best sellers first.

        ``keyword`` may hold several words separated by spaces; each must
        appear in the name, brand or search terms ("蓝牙耳机", "纯棉 T恤").
        ``category`` accepts shoppers' names (衣服, 化妆品). Prices compare
        with the cheapest variant: ``max_price=300`` is "300 以内".
        """

    @abc.abstractmethod
    def stock(
        self, product_id: str, color: Optional[str] = None, size: Optional[str] = None
    ) -> Optional[List[StockLevel]]:
        """Stock of the product's SKUs, filtered by colour and size when given.

        None for an unknown product; an empty list when it has no such
        colour or size.
        """


def _unique(values) -> List[str]:
    seen: List[str] = []
    for value in values:
        if value is not None and value not in seen:
            seen.append(value)
    return seen
