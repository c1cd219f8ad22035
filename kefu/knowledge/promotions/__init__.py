"""The promotion engine: the merchant's rules (``rules.py``), read and checked
from YAML (``loader.py``), the final price of a basket (``pricing.py``, which
documents the order of application and the rounding), price protection
(``protection.py``) and the answers to shoppers' questions (``engine.py``).

    engine = PromotionEngine.from_file(SAMPLE_PROMOTIONS, categories=CATEGORIES)
    quote = engine.price(Basket(lines=[BasketLine("P1001", "服装", "79.00", 2)], member_level="gold", at=now))
    quote.explain()   # 商品原价 158.00 元；…；应付 … 元
"""

from pathlib import Path

from kefu.knowledge.promotions.engine import MultiBuyQuote, PromotionEngine, StackAnswer, TierHint, UnknownPromotion
from kefu.knowledge.promotions.loader import load_promotions, read_promotions
from kefu.knowledge.promotions.pricing import (
    Basket,
    BasketLine,
    Discount,
    ExplanationLine,
    LeftOut,
    LineTotal,
    Quote,
    price_basket,
    price_with_rules,
)
from kefu.knowledge.promotions.protection import PriceProtectionAnswer, price_protection
from kefu.knowledge.promotions.rules import PromotionBook, Rule

SAMPLE_PROMOTIONS = Path(__file__).resolve().parent.parent / "samples" / "promotions.yml"

__all__ = [
    "SAMPLE_PROMOTIONS", "Basket", "BasketLine", "Discount", "ExplanationLine", "LeftOut", "LineTotal",
    "MultiBuyQuote", "PriceProtectionAnswer", "PromotionBook", "PromotionEngine", "Quote", "Rule",
    "StackAnswer", "TierHint", "UnknownPromotion", "load_promotions", "price_basket", "price_protection",
    "price_with_rules", "read_promotions",
]
