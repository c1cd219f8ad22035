"""The promotion engine: the merchant's rules (``rules.py``) read and checked from YAML
(``loader.py``), the final price of a basket (``pricing.py``), price protection
(``protection.py``) and the answers to shoppers' questions (``engine.py``);
docs/promotions.md has the whole picture."""

from kefu.knowledge import SAMPLES_DIR
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

SAMPLE_PROMOTIONS = SAMPLES_DIR / "promotions.yml"

__all__ = [
    "SAMPLE_PROMOTIONS", "Basket", "BasketLine", "Discount", "ExplanationLine", "LeftOut", "LineTotal",
    "MultiBuyQuote", "PriceProtectionAnswer", "PromotionBook", "PromotionEngine", "Quote", "Rule",
    "StackAnswer", "TierHint", "UnknownPromotion", "load_promotions", "price_basket", "price_protection",
    "price_with_rules", "read_promotions",
]
