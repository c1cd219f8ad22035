"""Promotion rules as the merchant writes them (kinds, scopes, tiers) and which of them may
combine (``conflict``); the kinds and their order of application are in docs/promotions.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, FrozenSet, Optional, Tuple, Union

from kefu.storage.money import ZERO, plain, to_fen
from kefu.storage.phrases import Phrase

MEMBER_PRICE = "member_price"
PERCENT_OFF = "percent_off"
MULTI_BUY = "multi_buy"
FULL_REDUCTION = "full_reduction"
SHOP_COUPON = "shop_coupon"
PLATFORM_COUPON = "platform_coupon"
PRICE_PROTECTION = "price_protection"

# The order of application; a basket's price is computed in this order.
PRICING_KINDS = (MEMBER_PRICE, PERCENT_OFF, MULTI_BUY, FULL_REDUCTION, SHOP_COUPON, PLATFORM_COUPON)
ITEM_LEVEL_KINDS = (MEMBER_PRICE, PERCENT_OFF, MULTI_BUY)
COUPON_KINDS = (SHOP_COUPON, PLATFORM_COUPON)
ALL_KINDS = PRICING_KINDS + (PRICE_PROTECTION,)

# How shoppers name a kind of promotion ("满300减50 跟店铺券能一起用吗"),
# longest first within a kind so that 店铺优惠券 wins over 店铺券.
KIND_ALIASES = {
    SHOP_COUPON: ("店铺优惠券", "店铺红包", "店铺券", "店铺的券", "商家券"),
    PLATFORM_COUPON: ("平台优惠券", "购物津贴", "跨店满减", "平台红包", "平台券", "平台的券", "跨店券"),
    FULL_REDUCTION: ("满减活动", "满减"),
    MEMBER_PRICE: ("会员折扣", "会员价", "会员优惠"),
    MULTI_BUY: ("第二件半价", "多件优惠", "多买优惠", "买二", "买三免一", "买二免一"),
    PERCENT_OFF: ("打折活动", "折扣", "打折"),
    PRICE_PROTECTION: ("价格保护", "保价", "退差价"),
}


@dataclass(frozen=True)
class Scope:
    """Which products a rule covers: the named products and categories (the
    whole shop when neither is named), minus the exceptions."""

    categories: FrozenSet[str] = frozenset()
    products: FrozenSet[str] = frozenset()
    except_categories: FrozenSet[str] = frozenset()
    except_products: FrozenSet[str] = frozenset()

    @property
    def is_whole_shop(self) -> bool:
        return not self.categories and not self.products

    def covers(self, product_id: Optional[str], category: Optional[str]) -> bool:
        if product_id in self.except_products or category in self.except_categories:
            return False
        return self.is_whole_shop or product_id in self.products or category in self.categories

    def may_overlap(self, other: "Scope") -> bool:
        """Whether some product might fall under both (without a catalogue, a
        product list and a category list are assumed to meet)."""
        if self.is_whole_shop or other.is_whole_shop:
            return True
        if self.products & other.products or self.categories & other.categories:
            return True
        mixed = (self.products and other.categories) or (self.categories and other.products)
        return bool(mixed)

    @property
    def specificity(self) -> int:
        """Named products beat categories, which beat the whole shop."""
        return 2 if self.products else 1 if self.categories else 0


@dataclass(frozen=True, kw_only=True)
class Rule:
    kind: ClassVar[str]

    id: str
    name: str
    scope: Scope = field(default_factory=Scope)
    valid_from: Optional[datetime] = None  # inclusive
    valid_until: Optional[datetime] = None  # exclusive
    exclusive: bool = False  # 不与其他优惠同享
    line: int = 0  # where the rule starts in its file

    def is_active(self, at: datetime) -> bool:
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until

    @property
    def is_coupon(self) -> bool:
        return self.kind in COUPON_KINDS


@dataclass(frozen=True, kw_only=True)
class MemberPrice(Rule):
    kind: ClassVar[str] = MEMBER_PRICE
    rates: Tuple[Tuple[str, Decimal], ...]  # (member level, price rate)

    def rate_for(self, member_level: str) -> Optional[Decimal]:
        return dict(self.rates).get(member_level)


@dataclass(frozen=True, kw_only=True)
class PercentOff(Rule):
    kind: ClassVar[str] = PERCENT_OFF
    rate: Decimal  # 0.8 = 打8折


@dataclass(frozen=True, kw_only=True)
class MultiBuy(Rule):
    """Either ``every`` units, of which the ``cheapest`` are sold at ``rate``
    (第二件半价: 2, 1, 0.5; 买三免一: 3, 1, 0), or all units at ``rate`` once
    ``min_quantity`` are bought (买二件打9折: 2, 0.9). Units are counted per
    product unless ``mix`` (任选) lets different products count together."""

    kind: ClassVar[str] = MULTI_BUY
    rate: Decimal
    every: Optional[int] = None
    cheapest: Optional[int] = None
    min_quantity: Optional[int] = None
    mix: bool = False

    @property
    def units_needed(self) -> int:
        return self.every if self.every is not None else self.min_quantity


@dataclass(frozen=True)
class Tier:
    threshold: Decimal  # 满
    off: Decimal  # 减


def tier_label(tier: Tier, every: bool = False) -> str:
    """满300减50 / 每满200减20."""
    return Phrase("every_tier" if every else "tier", threshold=plain(tier.threshold), off=plain(tier.off))


@dataclass(frozen=True, kw_only=True)
class FullReduction(Rule):
    kind: ClassVar[str] = FULL_REDUCTION
    tiers: Tuple[Tier, ...]  # increasing thresholds
    every: bool = False  # 每满: the single tier applies once per threshold reached
    max_off: Optional[Decimal] = None  # 每满 with a cap (最高减)

    def reduction(self, amount: Decimal) -> Tuple[Decimal, Optional[Tier], int]:
        """(amount off, tier reached, how many times) for an amount of covered goods."""
        if self.every:
            tier = self.tiers[0]
            times = int(amount // tier.threshold)
            if times == 0:
                return ZERO, None, 0
            off = tier.off * times
            if self.max_off is not None:
                off = min(off, self.max_off)
            return to_fen(off), tier, times
        reached = [tier for tier in self.tiers if amount >= tier.threshold]
        if not reached:
            return ZERO, None, 0
        return to_fen(reached[-1].off), reached[-1], 1

    def next_step(self, amount: Decimal) -> Optional[Tuple[Decimal, Decimal, Tier]]:
        """(amount to reach, reduction there, its tier) of the next step up, if there is one."""
        current, _, times = self.reduction(amount)
        if self.every:
            tier = self.tiers[0]
            if self.max_off is not None and current >= self.max_off:
                return None
            off = tier.off * (times + 1)
            if self.max_off is not None:
                off = min(off, self.max_off)
            return tier.threshold * (times + 1), to_fen(off), tier
        for tier in self.tiers:
            if amount < tier.threshold:
                return tier.threshold, to_fen(tier.off), tier
        return None


@dataclass(frozen=True, kw_only=True)
class Coupon(Rule):
    threshold: Decimal = ZERO  # 满…可用; 0 = 无门槛
    off: Decimal


@dataclass(frozen=True, kw_only=True)
class ShopCoupon(Coupon):
    kind: ClassVar[str] = SHOP_COUPON


@dataclass(frozen=True, kw_only=True)
class PlatformCoupon(Coupon):
    kind: ClassVar[str] = PLATFORM_COUPON


@dataclass(frozen=True, kw_only=True)
class PriceProtection(Rule):
    kind: ClassVar[str] = PRICE_PROTECTION
    days: int  # after payment


RULE_TYPES = {
    rule_type.kind: rule_type
    for rule_type in (MemberPrice, PercentOff, MultiBuy, FullReduction, ShopCoupon, PlatformCoupon, PriceProtection)
}


@dataclass(frozen=True)
class Incompatibility:
    kinds: FrozenSet[str]
    reason: str  # the merchant's words, shown to the shopper


@dataclass(frozen=True)
class StackingPolicy:
    max_coupons_per_order: int = 1
    incompatible: Tuple[Incompatibility, ...] = ()

    def incompatibility(self, kind_a: str, kind_b: str) -> Optional[Incompatibility]:
        pair = frozenset((kind_a, kind_b))
        return next((rule for rule in self.incompatible if rule.kinds == pair), None)


# Why two promotions do not combine (see ``conflict``).
SAME_RULE = "same_rule"
EXCLUSIVE = "exclusive"
INCOMPATIBLE_KINDS = "incompatible_kinds"
COUPON_LIMIT = "coupon_limit"
SAME_KIND = "same_kind"


@dataclass(frozen=True)
class Conflict:
    code: str
    culprit: Optional[Rule] = None  # the exclusive rule
    incompatibility: Optional[Incompatibility] = None


# A promotion being asked about: a rule, or just a kind ("店铺券").
Promotion = Union[Rule, str]


def kind_of(promotion: Promotion) -> str:
    return promotion if isinstance(promotion, str) else promotion.kind


def stage_of(kind: str) -> int:
    """0 item level, 1 full reduction, 2 coupons: a later stage's threshold counts after the earlier ones."""
    return 0 if kind in ITEM_LEVEL_KINDS else 1 if kind == FULL_REDUCTION else 2


def conflict(a: Promotion, b: Promotion, policy: StackingPolicy, overlap: Optional[bool] = None) -> Optional[Conflict]:
    """Why ``a`` and ``b`` cannot be used together, or None when they can.

    ``overlap`` says whether they meet on some item (a basket knows); when
    not given it is guessed from the scopes. Two promotions of the same kind
    only clash where they meet: 服装8折 and 厨具9折 both apply, each to its own
    items.
    """
    if isinstance(a, Rule) and isinstance(b, Rule) and a.id == b.id:
        return Conflict(SAME_RULE)
    for rule in (a, b):
        if isinstance(rule, Rule) and rule.exclusive:
            return Conflict(EXCLUSIVE, culprit=rule)
    kind_a, kind_b = kind_of(a), kind_of(b)
    incompatibility = policy.incompatibility(kind_a, kind_b)
    if incompatibility is not None:
        return Conflict(INCOMPATIBLE_KINDS, incompatibility=incompatibility)
    if kind_a in COUPON_KINDS and kind_b in COUPON_KINDS and policy.max_coupons_per_order < 2:
        return Conflict(COUPON_LIMIT)
    if kind_a == kind_b:
        if overlap is None:
            overlap = not (isinstance(a, Rule) and isinstance(b, Rule)) or a.scope.may_overlap(b.scope)
        if overlap:
            return Conflict(SAME_KIND)
    return None


@dataclass(frozen=True)
class PromotionBook:
    """All the rules of one merchant file."""

    rules: Tuple[Rule, ...]
    stacking: StackingPolicy = field(default_factory=StackingPolicy)
    source: str = ""

    def rule(self, rule_id: str) -> Optional[Rule]:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def of_kind(self, *kinds: str) -> Tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind in kinds)

    @property
    def pricing_rules(self) -> Tuple[Rule, ...]:
        """The rules that change a price, in the order of application (then file order)."""
        rules = self.of_kind(*PRICING_KINDS)
        return tuple(sorted(rules, key=lambda rule: PRICING_KINDS.index(rule.kind)))
