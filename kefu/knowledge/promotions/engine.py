"""The promotion engine's answers over one merchant's rules: a basket's price, whether two
promotions combine, how much more for the next tier, multi-buy quotes, price protection
and which promotions a message names; their texts are phrases (kefu.storage.phrases)
for the reply layer to word (docs/promotions.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Collection, List, Optional, Tuple, Union

from kefu.knowledge.promotions.loader import load_promotions
from kefu.knowledge.promotions.pricing import (
    Basket,
    BasketLine,
    Quote,
    conflict_reason,
    price_basket,
    price_with_rules,
)
from kefu.knowledge.promotions.protection import PriceProtectionAnswer, price_protection
from kefu.knowledge.promotions.rules import (
    ALL_KINDS,
    COUPON_KINDS,
    FULL_REDUCTION,
    KIND_ALIASES,
    MULTI_BUY,
    PRICE_PROTECTION,
    PRICING_KINDS,
    Coupon,
    MultiBuy,
    Promotion,
    PromotionBook,
    Rule,
    conflict,
    kind_of,
    stage_of,
    tier_label,
)
from kefu.storage.money import MoneyLike, plain, yuan, zhe
from kefu.storage.phrases import Phrase

# "满300减50" that names no rule of the file still means a full reduction.
_TIER_WORDS = re.compile(r"满\s*\d+(?:\.\d+)?\s*减\s*\d+(?:\.\d+)?")


class UnknownPromotion(LookupError):
    """Neither a rule id or name of the file nor a kind of promotion."""


@dataclass(frozen=True)
class StackAnswer:
    allowed: bool
    text: str  # phrases (kefu.storage.phrases), for the reply layer to word
    code: Optional[str] = None  # why not (rules.SAME_KIND …), when not allowed


@dataclass(frozen=True)
class TierHint:
    rule: Rule  # a full reduction, or a coupon held
    missing: Decimal  # more to buy, counted after item-level discounts
    off: Decimal  # the reduction once it is bought
    text: str  # phrases (kefu.storage.phrases), for the reply layer to word


@dataclass(frozen=True)
class MultiBuyQuote:
    rule: MultiBuy
    quantity: int
    full_price: Decimal
    price: Decimal
    text: str  # phrases (kefu.storage.phrases), for the reply layer to word

    @property
    def rate(self) -> Decimal:
        """The price as a share of the full price (0.75 = 相当于打7.5折)."""
        return self.price / self.full_price if self.full_price else Decimal(1)


class PromotionEngine:
    def __init__(self, book: PromotionBook):
        self.book = book

    @classmethod
    def from_file(
        cls,
        path: Union[str, Path],
        categories: Optional[Collection[str]] = None,
        product_ids: Optional[Collection[str]] = None,
    ) -> "PromotionEngine":
        return cls(load_promotions(path, categories, product_ids))

    # --- the price of a basket -----------------------------------------------

    def price(self, basket: Basket) -> Quote:
        return price_basket(self.book, basket)

    def how_much_more_for_next_tier(self, basket: Basket) -> List[TierHint]:
        """How much more to buy for the next full-reduction step or for a held
        coupon's threshold, nearest first. The amounts count what the goods
        cost after their item-level discounts, as the thresholds do."""
        quote = self.price(basket)
        hints = []
        for rule in self.book.of_kind(FULL_REDUCTION):
            covered = basket.covered(rule)
            if not rule.is_active(basket.at) or not covered:
                continue
            step = rule.next_step(quote.after_item_discounts(covered))
            if step is not None:
                target, off, tier = step
                missing = target - quote.after_item_discounts(covered)
                text = Phrase("tier_hint", missing=yuan(missing), off=plain(off), label=tier_label(tier, rule.every))
                hints.append(TierHint(rule, missing, off, text))
        for coupon_id in basket.coupons:
            rule = self.book.rule(coupon_id)
            if not isinstance(rule, Coupon) or not rule.is_active(basket.at) or not basket.covered(rule):
                continue
            missing = rule.threshold - quote.before_coupons(basket.covered(rule))
            if missing > 0:
                text = Phrase("coupon_hint", missing=yuan(missing), name=rule.name, off=plain(rule.off))
                hints.append(TierHint(rule, missing, rule.off, text))
        return sorted(hints, key=lambda hint: hint.missing)

    # --- which promotions combine ---------------------------------------------

    def resolve(self, promotion: Promotion) -> Promotion:
        """A rule (by itself, its id or its name) or a kind (by its key or what shoppers call it)."""
        if isinstance(promotion, Rule):
            return promotion
        text = promotion.strip()
        rule = self.book.rule(text) or next((r for phrase, r in self._rule_phrases() if phrase == text), None)
        if rule is not None:
            return rule
        if text in ALL_KINDS:
            return text
        for kind, aliases in KIND_ALIASES.items():
            if text in aliases or text == Phrase(f"kind_{kind}"):
                return kind
        if _TIER_WORDS.fullmatch(text):
            return FULL_REDUCTION
        raise UnknownPromotion(text)

    def mentioned(self, text: str) -> List[Promotion]:
        """The promotions a message names, in the order it names them: rules by
        name or by a tier they offer (满300减50), else kinds (店铺券, 满减)."""
        found: List[Tuple[int, Promotion]] = []
        taken = [False] * len(text)

        def claim(phrase: str, promotion: Promotion) -> None:
            for match in re.finditer(re.escape(phrase), text):
                if not any(taken[match.start():match.end()]):
                    taken[match.start():match.end()] = [True] * (match.end() - match.start())
                    found.append((match.start(), promotion))

        for phrase, promotion in sorted(self._rule_phrases(), key=lambda item: -len(item[0])):
            claim(phrase, promotion)
        aliases = [(alias, kind) for kind, words in KIND_ALIASES.items() for alias in words]
        for alias, kind in sorted(aliases, key=lambda item: -len(item[0])):
            claim(alias, kind)
        for match in _TIER_WORDS.finditer(text):
            claim(match.group(0), FULL_REDUCTION)
        ordered = [promotion for _, promotion in sorted(found, key=lambda item: item[0])]
        return [p for i, p in enumerate(ordered) if p not in ordered[:i]]

    def _rule_phrases(self) -> List[Tuple[str, Rule]]:
        phrases = [(rule.name, rule) for rule in self.book.rules]
        for rule in self.book.of_kind(FULL_REDUCTION):
            phrases += [(tier_label(tier, rule.every), rule) for tier in rule.tiers]
        for rule in self.book.of_kind(*COUPON_KINDS):
            if rule.threshold > 0:
                tier = Phrase("tier", threshold=plain(rule.threshold), off=plain(rule.off))
                phrases += [(tier + suffix, rule) for suffix in ("的券", "券", "的优惠券", "优惠券")]
        return phrases

    def can_stack(self, rule_a: Promotion, rule_b: Promotion) -> StackAnswer:
        """Whether two promotions can be used on one order, with the reason.

        Raises ``UnknownPromotion`` for a name that is neither a rule nor a kind.
        """
        a, b = self.resolve(rule_a), self.resolve(rule_b)
        names = {"a": self._label(a), "b": self._label(b)}
        if PRICE_PROTECTION in (kind_of(a), kind_of(b)):
            return StackAnswer(True, Phrase("stack_protection", **names))
        clash = conflict(a, b, self.book.stacking)
        if clash is not None:
            reason = conflict_reason(clash, self.book.stacking)
            return StackAnswer(False, Phrase("stack_not_allowed", reason=reason, **names), clash.code)
        if kind_of(a) == kind_of(b) and kind_of(a) not in COUPON_KINDS:
            return StackAnswer(True, Phrase("stack_allowed_apart", **names))
        first, second = sorted((a, b), key=lambda p: PRICING_KINDS.index(kind_of(p)))
        order = {"first": self._label(first), "second": self._label(second)}
        note = Phrase("stack_threshold_note", **order) if stage_of(kind_of(second)) > stage_of(kind_of(first)) else ""
        return StackAnswer(True, Phrase("stack_allowed", note=note, **order, **names))

    def _label(self, promotion: Promotion) -> str:
        return promotion.name if isinstance(promotion, Rule) else Phrase(f"kind_{promotion}")

    # --- multi-buy and price protection ----------------------------------------

    def multi_buy_quote(
        self, product_id: str, category: str, unit_price: MoneyLike, at: datetime, quantity: Optional[int] = None
    ) -> List[MultiBuyQuote]:
        """What ``quantity`` units cost under each multi-buy offer for the product
        (each offer's own count when no quantity is given), best first."""
        quotes = []
        for rule in self.book.of_kind(MULTI_BUY):
            if not rule.is_active(at) or not rule.scope.covers(product_id, category):
                continue
            count = quantity or rule.units_needed
            basket = Basket(lines=(BasketLine(product_id, category, unit_price, count),), at=at)
            price = price_with_rules(basket, [rule]).final
            full = basket.original
            if price < full:
                text = Phrase("multi_buy_quote", name=rule.name, quantity=count, price=yuan(price), full=yuan(full),
                           zhe=zhe(price / full))
            else:
                text = Phrase("multi_buy_quote_short", name=rule.name, quantity=count, needed=rule.units_needed)
            quotes.append(MultiBuyQuote(rule, count, full, price, text))
        return sorted(quotes, key=lambda quote: quote.rate)

    def price_protection(
        self,
        order_paid_at: datetime,
        paid_unit_price: MoneyLike,
        current_price: MoneyLike,
        now: datetime,
        product_id: Optional[str] = None,
        category: Optional[str] = None,
        quantity: int = 1,
    ) -> PriceProtectionAnswer:
        """Under the most specific protection covering the product when it was
        paid for (product over category over the whole shop)."""
        policies = [
            rule for rule in self.book.of_kind(PRICE_PROTECTION)
            if rule.is_active(order_paid_at) and rule.scope.covers(product_id, category)
        ]
        policy = max(policies, key=lambda rule: rule.scope.specificity, default=None)
        return price_protection(policy, order_paid_at, paid_unit_price, current_price, now, quantity)

