"""The final price of a basket: the cheapest legal combination of the promotions that apply,
explained line by line; the order of application, the rounding and why every subset is
tried are in docs/promotions.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Dict, List, Optional, Sequence, Tuple

from kefu.backends.customers import MEMBER_LEVEL_LABELS
from kefu.knowledge.promotions.rules import (
    COUPON_LIMIT,
    EXCLUSIVE,
    INCOMPATIBLE_KINDS,
    PRICING_KINDS,
    SAME_KIND,
    Conflict,
    Coupon,
    FullReduction,
    MemberPrice,
    MultiBuy,
    PercentOff,
    PromotionBook,
    Rule,
    StackingPolicy,
    conflict,
    tier_label,
)
from kefu.storage.clock import in_shop_time
from kefu.storage.models import MEMBER_LEVELS
from kefu.storage.money import FEN, ZERO, as_decimal, is_in_fen, to_fen, yuan
from kefu.storage.phrases import Joined, Phrase


@dataclass(frozen=True)
class BasketLine:
    product_id: str
    category: str
    unit_price: Decimal
    quantity: int = 1
    name: str = ""

    def __post_init__(self):
        price = as_decimal(self.unit_price)
        if price < 0 or not is_in_fen(price):
            raise ValueError(f"a unit price is a non-negative amount in fen, not {self.unit_price!r}")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError(f"a quantity is a whole number from 1, not {self.quantity!r}")
        object.__setattr__(self, "unit_price", price)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, kw_only=True)
class Basket:
    lines: Tuple[BasketLine, ...]
    at: datetime  # when it is priced: decides which promotions and coupons are valid
    member_level: str = "regular"
    coupons: Tuple[str, ...] = ()  # ids of the coupon rules the shopper holds

    def __post_init__(self):
        if self.member_level not in MEMBER_LEVELS:
            raise ValueError(f"member level must be one of {', '.join(MEMBER_LEVELS)}, not {self.member_level!r}")
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "coupons", tuple(self.coupons))
        object.__setattr__(self, "at", in_shop_time(self.at))

    @property
    def original(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def covered(self, rule: Rule) -> List[int]:
        return [i for i, line in enumerate(self.lines) if rule.scope.covers(line.product_id, line.category)]


@dataclass(frozen=True)
class Discount:
    rule: Rule
    label: str  # 满300减50, 会员价（金卡会员）, 店铺券满200减20
    amount: Decimal  # positive
    per_line: Tuple[Decimal, ...]  # the share each basket line bears


@dataclass(frozen=True)
class LineTotal:
    line: BasketLine
    original: Decimal
    after_item_discounts: Decimal  # what 满减 thresholds see
    final: Decimal


@dataclass(frozen=True)
class LeftOut:
    """A promotion that applies to the basket (or a coupon held) but is not used, and why."""

    rule_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class ExplanationLine:
    text: str
    amount: Decimal  # the original price first, then each discount negative: they sum to the final price


@dataclass(frozen=True)
class Quote:
    basket: Basket
    original: Decimal
    final: Decimal
    discounts: Tuple[Discount, ...]
    lines: Tuple[LineTotal, ...]
    left_out: Tuple[LeftOut, ...] = ()

    def after_item_discounts(self, indices: Sequence[int]) -> Decimal:
        """What these lines cost after member price and item discounts (what 满减 thresholds see)."""
        return sum((self.lines[i].after_item_discounts for i in indices), ZERO)

    def before_coupons(self, indices: Sequence[int]) -> Decimal:
        """What these lines cost before any coupon (what coupon thresholds see)."""
        coupons = [discount for discount in self.discounts if discount.rule.is_coupon]
        return sum((self.lines[i].final + sum((d.per_line[i] for d in coupons), ZERO) for i in indices), ZERO)

    @property
    def saved(self) -> Decimal:
        return self.original - self.final

    @property
    def rules(self) -> Tuple[Rule, ...]:
        return tuple(discount.rule for discount in self.discounts)

    def explanation_lines(self) -> Tuple[ExplanationLine, ...]:
        lines = [ExplanationLine(Phrase("price_original", amount=yuan(self.original)), self.original)]
        for discount in self.discounts:
            text = Phrase("price_discount", label=discount.label, amount=yuan(discount.amount))
            lines.append(ExplanationLine(text, -discount.amount))
        return tuple(lines)

    def texts(self) -> Tuple[str, ...]:
        """The explanation lines as texts, the amount to pay last."""
        payable = Phrase("price_payable", amount=yuan(self.final))
        return tuple(line.text for line in self.explanation_lines()) + (payable,)

    def explain(self) -> str:
        """商品原价 598.00 元；会员价（金卡会员） -29.90；满300减50 -50.00；店铺券满200减20 -20.00；应付 498.10 元"""
        return Joined(self.texts(), Phrase("price_separator"))


@dataclass(frozen=True)
class _State:
    """A basket part-way through the steps."""

    units: Tuple[Decimal, ...]  # unit prices after member price and percent-off
    amounts: Tuple[Decimal, ...]  # line amounts so far
    coupon_off: Tuple[Decimal, ...]  # what coupons took off each line so far
    discounts: Tuple[Discount, ...] = ()

    @classmethod
    def start(cls, basket: Basket) -> "_State":
        return cls(
            units=tuple(line.unit_price for line in basket.lines),
            amounts=tuple(line.amount for line in basket.lines),
            coupon_off=tuple(ZERO for _ in basket.lines),
        )

    @property
    def final(self) -> Decimal:
        return sum(self.amounts, ZERO)


def _with_discount(state: _State, rule: Rule, label: str, per_line: Sequence[Decimal], **changes) -> _State:
    total = sum(per_line, ZERO)
    if total <= 0:
        return state
    amounts = tuple(amount - off for amount, off in zip(state.amounts, per_line))
    discount = Discount(rule, label, total, tuple(per_line))
    return replace(state, amounts=amounts, discounts=state.discounts + (discount,), **changes)


def _unit_rate(rule: Rule, rate: Decimal, label: str, state: _State, basket: Basket) -> _State:
    units = list(state.units)
    per_line = [ZERO] * len(units)
    for i in basket.covered(rule):
        discounted = to_fen(units[i] * rate)
        per_line[i] = (units[i] - discounted) * basket.lines[i].quantity
        units[i] = discounted
    return _with_discount(state, rule, label, per_line, units=tuple(units))


def _groups(rule: MultiBuy, basket: Basket) -> List[List[int]]:
    """The basket lines whose units count together: per product, or all of them for 任选 (mix)."""
    groups: Dict[str, List[int]] = {}
    for i in basket.covered(rule):
        groups.setdefault("" if rule.mix else basket.lines[i].product_id, []).append(i)
    return list(groups.values())


def _multi_buy(rule: MultiBuy, state: _State, basket: Basket) -> _State:
    per_line = [ZERO] * len(basket.lines)
    for group in _groups(rule, basket):
        units = [(state.units[i], i) for i in group for _ in range(basket.lines[i].quantity)]
        # Dearest first, so that in each group of ``every`` the cheapest units
        # get the discount (第二件半价 halves the cheaper one).
        units.sort(key=lambda unit: -unit[0])
        if rule.every is not None:
            grouped = len(units) - len(units) % rule.every  # units in whole groups
            discounted = [
                unit for start in range(0, grouped, rule.every)
                for unit in units[start + rule.every - rule.cheapest: start + rule.every]
            ]
        else:
            discounted = units if len(units) >= rule.min_quantity else []
        for price, i in discounted:
            per_line[i] += price - to_fen(price * rule.rate)
    return _with_discount(state, rule, rule.name, per_line)


def share_out(total: Decimal, amounts: Sequence[Decimal], indices: Sequence[int]) -> List[Decimal]:
    """``total`` shared over the lines ``indices`` in proportion to their amounts,
    exact to the fen (largest remainder; a tie goes to the earlier line)."""
    shares = [ZERO] * len(amounts)
    base = sum((amounts[i] for i in indices), ZERO)
    if total <= 0 or base <= 0:
        return shares
    exact = {i: total * amounts[i] / base for i in indices}
    for i in indices:
        shares[i] = exact[i].quantize(FEN, rounding=ROUND_DOWN)
    left = int((total - sum(shares, ZERO)) / FEN)
    by_remainder = sorted(indices, key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += FEN
    return shares


def _full_reduction(rule: FullReduction, state: _State, basket: Basket) -> _State:
    covered = basket.covered(rule)
    base = sum((state.amounts[i] for i in covered), ZERO)
    off, tier, _ = rule.reduction(base)
    if tier is None:
        return state
    return _with_discount(state, rule, tier_label(tier, rule.every), share_out(min(off, base), state.amounts, covered))


def _coupon(rule: Coupon, state: _State, basket: Basket) -> _State:
    covered = basket.covered(rule)
    base = sum((state.amounts[i] for i in covered), ZERO)
    before_coupons = base + sum((state.coupon_off[i] for i in covered), ZERO)
    if before_coupons < rule.threshold:
        return state
    per_line = share_out(min(rule.off, base), state.amounts, covered)
    coupon_off = tuple(taken + share for taken, share in zip(state.coupon_off, per_line))
    return _with_discount(state, rule, rule.name, per_line, coupon_off=coupon_off)


def _apply(rule: Rule, state: _State, basket: Basket) -> _State:
    if isinstance(rule, MemberPrice):
        rate = rule.rate_for(basket.member_level)
        if rate is None:
            return state
        label = Phrase("member_price_label", name=rule.name, level=MEMBER_LEVEL_LABELS[basket.member_level])
        return _unit_rate(rule, rate, label, state, basket)
    if isinstance(rule, PercentOff):
        return _unit_rate(rule, rule.rate, rule.name, state, basket)
    if isinstance(rule, MultiBuy):
        return _multi_buy(rule, state, basket)
    if isinstance(rule, FullReduction):
        return _full_reduction(rule, state, basket)
    if isinstance(rule, Coupon):
        return _coupon(rule, state, basket)
    return state  # price protection does not change a price


def _quote(basket: Basket, state: _State, left_out: Sequence[LeftOut] = ()) -> Quote:
    order_level = [d for d in state.discounts if isinstance(d.rule, (FullReduction, Coupon))]
    lines = tuple(
        LineTotal(
            line=line,
            original=line.amount,
            after_item_discounts=state.amounts[i] + sum((d.per_line[i] for d in order_level), ZERO),
            final=state.amounts[i],
        )
        for i, line in enumerate(basket.lines)
    )
    return Quote(basket, basket.original, state.final, state.discounts, lines, tuple(left_out))


def price_with_rules(basket: Basket, rules: Sequence[Rule]) -> Quote:
    """The price with exactly these rules, applied in the order of application
    (no legality check, no search: for comparisons and quotes)."""
    state = _State.start(basket)
    for rule in sorted(rules, key=_application_order):
        state = _apply(rule, state, basket)
    return _quote(basket, state)


def _application_order(rule: Rule) -> int:
    return PRICING_KINDS.index(rule.kind) if rule.kind in PRICING_KINDS else len(PRICING_KINDS)


def applicable_rules(book: PromotionBook, basket: Basket) -> Tuple[Rule, ...]:
    """The pricing rules that could change this basket's price, in the order of application."""
    rules = []
    for rule in book.pricing_rules:
        if not rule.is_active(basket.at) or not basket.covered(rule):
            continue
        if rule.is_coupon and rule.id not in basket.coupons:
            continue
        if isinstance(rule, MemberPrice) and rule.rate_for(basket.member_level) is None:
            continue
        rules.append(rule)
    return tuple(rules)


def basket_conflict(a: Rule, b: Rule, policy: StackingPolicy, basket: Basket) -> Optional[Conflict]:
    """Why ``a`` and ``b`` cannot both price this basket (same-kind rules clash only on shared items)."""
    return conflict(a, b, policy, overlap=bool(set(basket.covered(a)) & set(basket.covered(b))))


def _may_join(rule: Rule, chosen: Sequence[Rule], policy: StackingPolicy, basket: Basket) -> bool:
    if rule.is_coupon and sum(1 for c in chosen if c.is_coupon) >= policy.max_coupons_per_order:
        return False
    return all(basket_conflict(rule, other, policy, basket) is None for other in chosen)


def price_basket(book: PromotionBook, basket: Basket) -> Quote:
    """The cheapest legal price of ``basket`` under ``book``, explained."""
    candidates = applicable_rules(book, basket)
    best: List[Optional[_State]] = [None]

    def better(state: _State) -> bool:
        current = best[0]
        return current is None or (state.final, len(state.discounts)) < (current.final, len(current.discounts))

    # Depth-first over include/exclude for each candidate in the order of
    # application, so a shared prefix of steps is computed once.
    def visit(position: int, state: _State, chosen: Tuple[Rule, ...]) -> None:
        if position == len(candidates):
            if better(state):
                best[0] = state
            return
        rule = candidates[position]
        if _may_join(rule, chosen, book.stacking, basket):
            visit(position + 1, _apply(rule, state, basket), chosen + (rule,))
        visit(position + 1, state, chosen)

    visit(0, _State.start(basket), ())
    state = best[0]
    return _quote(basket, state, _left_out(book, basket, state, candidates))


def _left_out(book: PromotionBook, basket: Basket, state: _State, candidates: Sequence[Rule]) -> List[LeftOut]:
    chosen = [discount.rule for discount in state.discounts]
    chosen_ids = {rule.id for rule in chosen}
    quote = _quote(basket, state)
    left: List[LeftOut] = []
    for coupon_id in basket.coupons:
        rule = book.rule(coupon_id)
        if rule is None or not rule.is_coupon:
            left.append(LeftOut(coupon_id, coupon_id, Phrase("left_unknown_coupon")))
        elif rule.valid_from is not None and basket.at < rule.valid_from:
            left.append(LeftOut(rule.id, rule.name, Phrase("left_not_started", since=shown_moment(rule.valid_from))))
        elif not rule.is_active(basket.at):
            until = shown_moment(rule.valid_until, is_end=True)
            left.append(LeftOut(rule.id, rule.name, Phrase("left_expired", until=until)))
        elif not basket.covered(rule):
            left.append(LeftOut(rule.id, rule.name, Phrase("left_not_in_scope")))
    for rule in candidates:
        if rule.id not in chosen_ids:
            left.append(LeftOut(rule.id, rule.name, _why_not_used(rule, chosen, book.stacking, basket, quote)))
    return left


def _why_not_used(rule: Rule, chosen: Sequence[Rule], policy: StackingPolicy, basket: Basket, quote: Quote) -> str:
    # A threshold not reached is the reason even on its own: "每单限用1张" would hide that 满200 was not met.
    short = _short_of(rule, basket, quote)
    if short is not None:
        return short
    for other in chosen:
        clash = basket_conflict(rule, other, policy, basket)
        if clash is not None:
            return Phrase("left_conflict", other=other.name, reason=conflict_reason(clash, policy))
    if rule.is_coupon and sum(1 for c in chosen if c.is_coupon) >= policy.max_coupons_per_order:
        return Phrase("left_coupon_limit", count=policy.max_coupons_per_order)
    return Phrase("left_not_better")


def _short_of(rule: Rule, basket: Basket, quote: Quote) -> Optional[str]:
    """What the basket lacks for the rule (units, or money over its threshold); None when it has enough."""
    covered = basket.covered(rule)
    if isinstance(rule, MultiBuy):
        missing = rule.units_needed - _largest_group(rule, basket)
        if missing > 0:
            return Phrase("left_need_units", missing=missing)
    if isinstance(rule, FullReduction) and quote.after_item_discounts(covered) < rule.tiers[0].threshold:
        return Phrase("left_below_threshold", missing=yuan(rule.tiers[0].threshold - quote.after_item_discounts(covered)))
    if isinstance(rule, Coupon) and quote.before_coupons(covered) < rule.threshold:
        return Phrase("left_below_threshold", missing=yuan(rule.threshold - quote.before_coupons(covered)))
    return None


def _largest_group(rule: MultiBuy, basket: Basket) -> int:
    return max((sum(basket.lines[i].quantity for i in group) for group in _groups(rule, basket)), default=0)


def conflict_reason(clash: Conflict, policy: StackingPolicy) -> str:
    """Why two promotions do not combine, in the shopper's words."""
    if clash.code == EXCLUSIVE:
        return Phrase("stack_exclusive", name=clash.culprit.name)
    if clash.code == INCOMPATIBLE_KINDS:
        return clash.incompatibility.reason
    if clash.code == COUPON_LIMIT:
        return Phrase("stack_coupon_limit", count=policy.max_coupons_per_order)
    if clash.code == SAME_KIND:
        return Phrase("stack_same_kind")
    return Phrase("stack_same_rule")


def shown_moment(moment: Optional[datetime], is_end: bool = False) -> str:
    """2026-12-12 for a validity that starts or ends with a whole day, else 2026-12-12 20:00.

    An end is stored exclusive ("until 2026-12-12" is kept as the 13th, 00:00),
    so a whole-day end is shown as the day before.
    """
    if moment is None:
        return ""
    moment = in_shop_time(moment)
    if moment.time() == time():
        return (moment - timedelta(days=1) if is_end else moment).strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")
