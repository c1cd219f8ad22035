"""Which product a shopper means, and which of its attributes they ask about."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from kefu.backends.catalogue import ATTRIBUTE_LABELS, CatalogueBackend, Product, StockLevel
from kefu.storage.phrases import Phrase, listed

# A product id pasted on its own or inside a product link (…item?id=P1001).
_PRODUCT_ID = re.compile(r"(?<![A-Za-z0-9])(P\d{4})(?!\d)")

# What shoppers say -> attribute keys that answer it, most specific first.
ATTRIBUTE_KEYWORDS: Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...] = (
    (("电磁炉", "燃气", "明火", "灶"), ("compatible_stoves",)),
    (("纯棉", "棉", "材质", "面料", "料子", "成分", "布料", "羊毛", "真皮", "什么做的"), ("material", "ingredients")),
    (("续航", "电池", "待机"), ("battery",)),
    (("充电", "快充"), ("charging",)),
    (("防水",), ("waterproof",)),
    (("降噪",), ("noise_cancelling",)),
    (("保修", "质保"), ("warranty",)),
    (("机洗", "手洗", "洗", "保养", "清洗"), ("care", "usage_notes")),
    (("容量", "几升", "毫升"), ("capacity",)),
    (("保质期", "过期"), ("shelf_life",)),
    (("防晒", "spf"), ("protection",)),
    (("色号",), ("shade",)),
    (("香味", "味道", "香型"), ("scent",)),
    (("产地", "哪里产", "哪产"), ("origin",)),
    (("兼容", "适配", "苹果", "安卓"), ("compatibility",)),
    (("版型", "修身", "宽松"), ("fit",)),
    (("偏大", "偏小", "尺码"), ("size_advice",)),
    (("厚", "薄"), ("thickness",)),
    (("弹力", "弹性"), ("stretch",)),
    (("季节", "冬天", "夏天", "春秋"), ("season",)),
    (("尺寸", "多大", "多长", "多宽", "大小", "口径"), ("dimensions",)),
    (("重量", "多重", "几斤", "轻"), ("weight",)),
)
OVERVIEW_ATTRIBUTES = 4


def product_id_in(text: Optional[str]) -> Optional[str]:
    match = _PRODUCT_ID.search(text or "")
    return match.group(1) if match else None


def find_product(
    catalogue: CatalogueBackend,
    text: Optional[str] = None,
    product_name: Optional[str] = None,
    current_product_id: Optional[str] = None,
) -> Optional[Product]:
    """The product from an id or link in the message, else the product named, else the one discussed."""
    product_id = product_id_in(text)
    if product_id:
        return catalogue.get_product(product_id)
    if product_name:
        # The catalogue also matches search terms (a POLO shirt is "T恤" too);
        # a product whose name says what the shopper said is the better guess.
        matches = catalogue.find_products(keyword=product_name, limit=10)
        named = [p for p in matches if product_name.lower() in p.name.lower()]
        if named or matches:
            return (named or matches)[0]
    if current_product_id:
        return catalogue.get_product(current_product_id)
    return None


def _asked_keys(text: str) -> List[str]:
    """The attribute keys the question is about, whether or not the product has them."""
    lowered = (text or "").lower()
    return [key for keywords, keys in ATTRIBUTE_KEYWORDS if any(k in lowered for k in keywords) for key in keys]


def asked_attribute(product: Product, text: str) -> Optional[str]:
    return next((key for key in _asked_keys(text) if product.attribute(key)), None)


def attribute_reply(product: Product, text: str) -> dict:
    key = asked_attribute(product, text)
    if key is not None:
        return {
            "template": "product_attribute",
            "product": product.name,
            "label": ATTRIBUTE_LABELS.get(key, key),
            "value": product.attribute(key),
        }
    unknown = _asked_keys(text)
    if unknown:
        # The merchant's catalogue does not say: better an agent than a guess.
        return {"template": "product_attribute_unknown", "product": product.name,
                "label": ATTRIBUTE_LABELS.get(unknown[0], unknown[0])}
    highlights = listed(
        (Phrase("product_highlight", label=ATTRIBUTE_LABELS.get(k, k), value=v)
         for k, v in list(product.attributes.items())[:OVERVIEW_ATTRIBUTES]),
        "separator_semicolon",
    )
    return {"template": "product_overview", "product": product.name, "price": f"{product.price:g}", "highlights": highlights}


def _variant(level: StockLevel) -> str:
    return "/".join(v for v in (level.color, level.size) if v)


def stock_reply(product: Product, levels: List[StockLevel], color: Optional[str], size: Optional[str]) -> dict:
    asked = "/".join(v for v in (color, size) if v)
    if not levels:
        return {
            "template": "stock_no_such_variant",
            "product": product.name,
            "variant": asked,
            "colors": listed(product.colors) or Phrase("stock_no_colors"),
            "sizes": listed(product.sizes) or Phrase("stock_one_size"),
        }
    available = [level for level in levels if level.in_stock]
    if color and size or len(levels) == 1:
        level = levels[0]
        if level.in_stock:
            return {"template": "stock_available", "product": product.name, "variant": _variant(level), "quantity": level.quantity}
        if level.restock_date is not None:
            return {
                "template": "stock_restocking",
                "product": product.name,
                "variant": _variant(level),
                "restock_date": Phrase("stock_restock_date", month=level.restock_date.month, day=level.restock_date.day),
            }
        return {"template": "stock_sold_out", "product": product.name, "variant": _variant(level)}
    if not available:
        return {"template": "stock_sold_out", "product": product.name, "variant": asked or Phrase("stock_every_variant")}
    return {
        "template": "stock_variants",
        "product": product.name,
        "variant": asked or Phrase("stock_variants_now"),
        "variants": listed(_variant(level) for level in available),
    }
