"""Shared by the promotion tests: the sample engine and small rule files."""

from __future__ import annotations

import textwrap
from datetime import datetime
from functools import lru_cache
from typing import Sequence

from kefu.backends.catalogue import CATEGORIES
from kefu.knowledge.promotions import SAMPLE_PROMOTIONS, Basket, BasketLine, PromotionEngine, read_promotions
from kefu.storage.clock import SHOP_TZ
from kefu.demo_shop.catalogue import CATALOGUE

PRODUCT_IDS = frozenset(product.id for product in CATALOGUE)
# Inside every sample coupon's window and before 双12 (2026-12-10..12).
EARLY_DECEMBER = datetime(2026, 12, 5, 10, 0, tzinfo=SHOP_TZ)
DOUBLE_12 = datetime(2026, 12, 11, 20, 0, tzinfo=SHOP_TZ)


@lru_cache(maxsize=1)
def sample_engine() -> PromotionEngine:
    return PromotionEngine.from_file(SAMPLE_PROMOTIONS, categories=CATEGORIES, product_ids=PRODUCT_IDS)


def engine_for(rules_yaml: str, stacking_yaml: str = "") -> PromotionEngine:
    """An engine over a small rule file written inline (the rules as a YAML list)."""
    return PromotionEngine(read_promotions(rule_file(rules_yaml, stacking_yaml), "test.yml"))


def rule_file(rules_yaml: str, stacking_yaml: str = "") -> str:
    """``rules:`` then the rules, so that the first rule line is line 2 (with no stacking)."""
    stacking = textwrap.dedent(stacking_yaml).strip()
    rules = textwrap.indent(textwrap.dedent(rules_yaml).strip("\n"), "  ")
    return (stacking + "\n" if stacking else "") + "rules:\n" + rules + "\n"


def line(product_id: str, price: str, quantity: int = 1) -> BasketLine:
    """A basket line for a product of the demo catalogue (its category looked up)."""
    category = next(product.category for product in CATALOGUE if product.id == product_id)
    return BasketLine(product_id, category, price, quantity)


def basket(lines: Sequence[BasketLine], member_level: str = "regular", coupons: Sequence[str] = (), at: datetime = EARLY_DECEMBER) -> Basket:
    return Basket(lines=tuple(lines), member_level=member_level, coupons=tuple(coupons), at=at)
