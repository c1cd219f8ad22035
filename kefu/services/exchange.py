"""Which variant a shopper wants instead, and whether the shop has it: the colour or size named
("换成黑色", "L", "要XL的白色") replaces the one bought, the other stays; "大一码" steps up the product's
own size list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from kefu.backends.catalogue import StockLevel
from kefu.backends.orders import OrderItem
from kefu.storage.phrases import Phrase, listed

_BIGGER = ("大一码", "大一号", "大一个码", "大点", "大一点", "大码")
_SMALLER = ("小一码", "小一号", "小一个码", "小点", "小一点")


@dataclass(frozen=True)
class ExchangeChoice:
    sku_id: Optional[str]  # None: nothing to exchange to yet
    variant: str = ""
    template: Optional[str] = None  # what to tell the shopper, if anything
    values: Dict[str, str] = field(default_factory=dict)


def _variant(color: Optional[str], size: Optional[str]) -> str:
    return "/".join(v for v in (color, size) if v)


def _stepped_size(item: OrderItem, sizes: List[str], text: str) -> Optional[str]:
    if item.size not in sizes:
        return None
    step = 1 if any(w in text for w in _BIGGER) else -1 if any(w in text for w in _SMALLER) else 0
    if not step:
        return None
    position = sizes.index(item.size) + step
    return sizes[position] if 0 <= position < len(sizes) else None


def _mentioned(values: List[str], text: str) -> Optional[str]:
    # Longest first: "XL" must not be read as "L".
    for value in sorted(values, key=len, reverse=True):
        if value and value.lower() in text.lower():
            return value
    return None


def exchange_choice(
    item: OrderItem, levels: List[StockLevel], text: str, color: Optional[str] = None, size: Optional[str] = None
) -> ExchangeChoice:
    sizes = [level.size for level in levels if level.size]
    sizes = list(dict.fromkeys(sizes))
    colors = list(dict.fromkeys(level.color for level in levels if level.color))
    wanted_size = size if size in sizes else _stepped_size(item, sizes, text) or _mentioned(sizes, text)
    wanted_color = color if color in colors else _mentioned(colors, text)
    if wanted_size is None and wanted_color is None:
        return ExchangeChoice(None, template="exchange_variant_unclear", values={
            "colors": listed(colors) or Phrase("stock_no_colors"), "sizes": listed(sizes) or Phrase("stock_one_size"),
        })
    target_color = wanted_color or item.color
    target_size = wanted_size or item.size
    if (target_color, target_size) == (item.color, item.size):
        return ExchangeChoice(None, template="exchange_same_variant", values={"variant": _variant(item.color, item.size)})
    matches = [level for level in levels if level.color == target_color and level.size == target_size]
    variant = _variant(target_color, target_size)
    if not matches:
        return ExchangeChoice(None, template="exchange_no_such_variant", values={"variant": variant})
    level = matches[0]
    if not level.in_stock:
        in_stock = [_variant(l.color, l.size) for l in levels if l.in_stock and l.sku_id != item.sku_id]
        return ExchangeChoice(None, template="exchange_out_of_stock", values={
            "variant": variant, "available": listed(in_stock[:6]) or Phrase("exchange_nothing_in_stock"),
        })
    return ExchangeChoice(level.sku_id, variant=variant)
