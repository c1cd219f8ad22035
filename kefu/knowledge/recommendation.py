"""Which products to recommend for what a shopper needs, and why each one: at
most three in stock, ranked deterministically through the backend
interfaces only, with the wish to drop when nothing fits (see
docs/knowledge.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Tuple

from kefu.backends.catalogue import CATEGORIES, CatalogueBackend, Product, StockLevel, normalise_category
from kefu.backends.customers import CustomerBackend
from kefu.backends.orders import OrderBackend
from kefu.storage.money import plain

MAX_PICKS = 3
# The most the shop backend contract lets one search return
# (docs/openapi/shop-backend.yaml), best sellers first: every product of a
# category in a shop of this size, the 50 best sellers when no category is named.
CANDIDATE_POOL = 50
HISTORY_ORDERS = 20

FEMALE, MALE, BOTH, KID = "female", "male", "both", "kid"
ADULT, ELDER = "adult", "elder"


@dataclass(frozen=True)
class Audience:
    """Who a present is for, as far as choosing products goes."""

    gender: Optional[str] = None  # FEMALE, MALE or None (either)
    age: Optional[str] = None  # ADULT, ELDER, KID or None (the shopper themself: anything)
    partner: bool = False  # a couple's gift: 情侣款 fits


# Who shoppers buy for (the keys the dialogue's parser produces).
RECIPIENTS: Dict[str, Audience] = {
    "女朋友": Audience(FEMALE, ADULT, partner=True),
    "老婆": Audience(FEMALE, ADULT, partner=True),
    "男朋友": Audience(MALE, ADULT, partner=True),
    "老公": Audience(MALE, ADULT, partner=True),
    "闺蜜": Audience(FEMALE, ADULT),
    "女生": Audience(FEMALE, ADULT),
    "男生": Audience(MALE, ADULT),
    "妈妈": Audience(FEMALE, ELDER),
    "爸爸": Audience(MALE, ELDER),
    "爸妈": Audience(None, ELDER),
    "孩子": Audience(None, KID),
    "朋友": Audience(None, ADULT),
    "同事": Audience(None, ADULT),
    "领导": Audience(None, ADULT),
    "老师": Audience(None, ADULT),
    "客户": Audience(None, ADULT),
    "自己": Audience(),
}

# Who a product is made for, read from its name; first match wins
# ("男女同款" before "男", "儿童" before anything).
_PRODUCT_AUDIENCE: Tuple[Tuple[str, str], ...] = (
    ("男女同款", BOTH), ("情侣", BOTH), ("儿童", KID), ("童", KID), ("宝宝", KID),
    ("女士", FEMALE), ("女款", FEMALE), ("男士", MALE), ("男款", MALE),
)
# Categories most often chosen as presents for each kind of recipient.
_FAVOURITE_CATEGORIES: Dict[str, Tuple[str, ...]] = {
    FEMALE: ("美妆",),
    MALE: ("数码",),
    ELDER: ("厨具",),
}
# Nothing of these categories is a present for a child.
_NOT_FOR_KIDS = ("美妆",)

# What a product is good for -> words in its name, description or attributes
# that say so. The dialogue's parser recognises the keys.
USES: Dict[str, Tuple[str, ...]] = {
    "跑步": ("跑步", "跑鞋", "慢跑", "挂耳"),
    "运动": ("运动", "健身", "速干", "跑步", "挂耳", "手环"),
    "通勤": ("通勤", "降噪", "上班", "百搭"),
    "办公": ("办公", "静音", "商务", "键盘", "鼠标"),
    "约会": ("约会", "显瘦", "气质", "法式"),
    "出差": ("出差", "便携", "快充", "收纳", "免烫", "上飞机"),
    "旅行": ("旅行", "度假", "便携", "收纳"),
    "户外": ("户外", "徒步", "登山", "防水", "山路"),
    "保暖": ("保暖", "加绒", "羽绒", "秋冬", "冬季", "零下"),
    "夏天": ("夏季", "夏天", "透气", "冰丝", "速干", "清凉", "防晒"),
    "做饭": ("炒锅", "汤锅", "炖锅", "不粘", "电饭煲", "菜刀", "砧板"),
    "游戏": ("机械", "键盘", "游戏", "DPI"),
    "护肤": ("保湿", "补水", "护肤", "温和", "敏感肌"),
    "上学": ("学生", "上学", "儿童", "保温"),
}

# CRM tags that say what the shopper likes -> the category it points to.
_TAG_CATEGORIES = {"数码爱好者": "数码", "美妆达人": "美妆"}
_TAG_USES = {"运动爱好者": "运动"}

# Order states in which the shopper has (or is about to have) the goods.
_OWNED_STATES = ("paid", "shipped", "in_transit", "delivered")

# Points of the ranking. A recipient's fit outweighs a use, which outweighs
# what the shopper bought before; sales only break ties.
_FITS_RECIPIENT = 3
_FAVOURITE_OF_RECIPIENT = 2
_PER_USE = 2
_KNOWN_BRAND = 2
_KNOWN_CATEGORY = 1
_LIKED_BY_TAG = 1
_USUAL_SIZE = 1
_MAX_USES_COUNTED = 2

# Reason kinds, in the order they are worth telling the shopper.
BRAND_BOUGHT = "brand_bought"
FITS_RECIPIENT = "fits_recipient"
COUPLE = "couple"
RECIPIENT_FAVOURITE = "recipient_favourite"
USE = "use"
COLOR_IN_STOCK = "color_in_stock"
SIZE_IN_STOCK = "size_in_stock"
USUAL_SIZE = "usual_size"
WITHIN_BUDGET = "within_budget"
BEST_SELLER = "best_seller"
_REASON_ORDER = (
    BRAND_BOUGHT, FITS_RECIPIENT, COUPLE, RECIPIENT_FAVOURITE, USE, COLOR_IN_STOCK, SIZE_IN_STOCK, USUAL_SIZE,
    WITHIN_BUDGET, BEST_SELLER,
)
REASONS_SHOWN = 2

# What can be dropped when nothing fits, in the order it is suggested.
RELAX_COLORS_WANTED = "colors_wanted"
RELAX_SIZE = "size"
RELAX_COLORS_EXCLUDED = "colors_excluded"
RELAX_BUDGET_MAX = "budget_max"
RELAX_BUDGET_MIN = "budget_min"
RELAX_RECIPIENT = "recipient"
RELAX_REJECTED = "rejected"
NOTHING_IN_CATEGORY = "nothing_in_category"


@dataclass(frozen=True)
class Needs:
    category: Optional[str] = None  # a shop category (数码) or a kind of product (蓝牙耳机)
    budget_max: Optional[Decimal] = None
    budget_min: Optional[Decimal] = None
    recipient: Optional[str] = None  # a key of RECIPIENTS
    colors_wanted: Tuple[str, ...] = ()
    colors_excluded: Tuple[str, ...] = ()
    size: Optional[str] = None
    uses: Tuple[str, ...] = ()  # keys of USES
    rejected: Tuple[str, ...] = ()  # product ids turned down

    @property
    def audience(self) -> Optional[Audience]:
        return RECIPIENTS.get(self.recipient or "")

    def to_dict(self) -> Dict[str, Any]:
        """JSON-friendly (a conversation slot keeps it between turns)."""
        return {
            "category": self.category,
            "budget_max": _text(self.budget_max),
            "budget_min": _text(self.budget_min),
            "recipient": self.recipient,
            "colors_wanted": list(self.colors_wanted),
            "colors_excluded": list(self.colors_excluded),
            "size": self.size,
            "uses": list(self.uses),
            "rejected": list(self.rejected),
        }

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> "Needs":
        data = data or {}
        return cls(
            category=data.get("category"),
            budget_max=_decimal(data.get("budget_max")),
            budget_min=_decimal(data.get("budget_min")),
            recipient=data.get("recipient"),
            colors_wanted=tuple(data.get("colors_wanted") or ()),
            colors_excluded=tuple(data.get("colors_excluded") or ()),
            size=data.get("size"),
            uses=tuple(data.get("uses") or ()),
            rejected=tuple(data.get("rejected") or ()),
        )


@dataclass(frozen=True)
class ShopperHistory:
    """What a known shopper's orders and CRM tags say about their taste."""

    owned: FrozenSet[str] = frozenset()  # product ids they have or are about to receive
    brands: Tuple[str, ...] = ()
    categories: Tuple[str, ...] = ()
    sizes: Mapping[str, str] = field(default_factory=dict)  # category -> the size they bought last
    tags: Tuple[str, ...] = ()

    @property
    def liked_categories(self) -> Tuple[str, ...]:
        return tuple(_TAG_CATEGORIES[tag] for tag in self.tags if tag in _TAG_CATEGORIES)

    @property
    def liked_uses(self) -> Tuple[str, ...]:
        return tuple(_TAG_USES[tag] for tag in self.tags if tag in _TAG_USES)


@dataclass(frozen=True)
class Reason:
    kind: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pick:
    product: Product
    sku_id: Optional[str]  # an in-stock variant that fits
    color: Optional[str]
    size: Optional[str]  # only when the shopper named it or bought it before
    price: Decimal
    reasons: Tuple[Reason, ...]
    score: int
    sales_rank: int  # 1 = the best seller among the products that fit

    @property
    def variant(self) -> str:
        return "/".join(v for v in (self.color, self.size) if v)


@dataclass(frozen=True)
class Relaxation:
    """The one wish that, dropped, gives a result: the needs without it and what they give.

    Over budget the picks are the cheapest that fit, cheapest first; ``NOTHING_IN_CATEGORY``
    has none.
    """

    kind: str
    needs: Optional[Needs] = None
    picks: Tuple[Pick, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    picks: Tuple[Pick, ...]
    relaxation: Optional[Relaxation] = None


# --- the shopper's history ------------------------------------------------------------
def shopper_history(
    customer_id: str, customers: CustomerBackend, orders: OrderBackend, catalogue: CatalogueBackend
) -> Optional[ShopperHistory]:
    """What the shop knows of this customer's taste; None for an unknown customer."""
    customer = customers.get_customer(customer_id)
    if customer is None:
        return None
    owned: List[str] = []
    sizes: Dict[str, str] = {}
    brands: List[str] = []
    categories: List[str] = []
    products: Dict[str, Optional[Product]] = {}
    for order in orders.orders_of_customer(customer_id, HISTORY_ORDERS) or []:  # newest first
        if order.status not in _OWNED_STATES:
            continue  # cancelled, refunded or being returned: not a taste to repeat
        for item in order.items:
            if item.product_id not in products:
                products[item.product_id] = catalogue.get_product(item.product_id)
            product = products[item.product_id]
            _append_new(owned, item.product_id)
            if product is None:
                continue
            _append_new(brands, product.brand)
            _append_new(categories, product.category)
            if item.size and product.category not in sizes:
                sizes[product.category] = item.size
    return ShopperHistory(frozenset(owned), tuple(brands), tuple(categories), sizes, tuple(customer.tags))


def _append_new(values: List[str], value: str) -> None:
    if value not in values:
        values.append(value)


# --- ranking ----------------------------------------------------------------------------
def recommend(
    catalogue: CatalogueBackend,
    needs: Needs,
    history: Optional[ShopperHistory] = None,
    limit: int = MAX_PICKS,
) -> Recommendation:
    """Up to ``limit`` in-stock products for the needs, best first; or what to relax."""
    ranking = _Ranking(catalogue, needs, history)
    picks = tuple(ranking.picks(needs, limit))
    if picks:
        return Recommendation(picks)
    return Recommendation((), ranking.relaxation(limit))


class _Ranking:
    """One ranking over one fetch of the candidates; stock is asked once per product."""

    def __init__(self, catalogue: CatalogueBackend, needs: Needs, history: Optional[ShopperHistory]) -> None:
        self._catalogue = catalogue
        self._needs = needs
        self._history = history or ShopperHistory()
        self._stock: Dict[str, List[StockLevel]] = {}
        self._candidates = _candidates(catalogue, needs.category)

    def picks(self, needs: Needs, limit: int, order_by_price: bool = False) -> Iterator[Pick]:
        fitting = [product for product in self._candidates if self._fits(product, needs)]
        scored = [(self._score(product, needs), rank, product) for rank, product in enumerate(fitting, start=1)]
        if order_by_price:
            scored.sort(key=lambda entry: (entry[2].price, entry[1], entry[2].product_id))
        else:
            scored.sort(key=lambda entry: (-entry[0][0], entry[1], entry[2].product_id))
        found = 0
        for (score, reasons), rank, product in scored:
            if found >= limit:
                return
            pick = self._pick(product, needs, score, reasons, rank)
            if pick is not None:
                found += 1
                yield pick

    def relaxation(self, limit: int) -> Relaxation:
        needs = self._needs
        attempts: List[Tuple[str, Needs, bool]] = [
            (RELAX_COLORS_WANTED, replace(needs, colors_wanted=()), bool(needs.colors_wanted)),
            (RELAX_SIZE, replace(needs, size=None), needs.size is not None),
            (RELAX_COLORS_EXCLUDED, replace(needs, colors_excluded=()), bool(needs.colors_excluded)),
            (RELAX_BUDGET_MAX, replace(needs, budget_max=None), needs.budget_max is not None),
            (RELAX_BUDGET_MIN, replace(needs, budget_min=None), needs.budget_min is not None),
            (RELAX_RECIPIENT, replace(needs, recipient=None), needs.recipient is not None),
            (RELAX_REJECTED, replace(needs, rejected=()), bool(needs.rejected)),
        ]
        for kind, relaxed, applies in attempts:
            if not applies:
                continue
            # Over budget, the cheapest that fit are the useful ones; otherwise the best.
            picks = tuple(self.picks(relaxed, limit, order_by_price=kind == RELAX_BUDGET_MAX))
            if picks:
                return Relaxation(kind, relaxed, picks)
        return Relaxation(NOTHING_IN_CATEGORY)

    # --- one product -----------------------------------------------------------------
    def _fits(self, product: Product, needs: Needs) -> bool:
        if product.product_id in needs.rejected or product.product_id in self._history.owned:
            return False
        if not _suits(product, needs.audience):
            return False
        prices = [sku.price for sku in product.skus] or [product.price]
        if not any(_within(price, needs) for price in prices):
            return False
        colors = product.colors
        if needs.colors_wanted and not set(needs.colors_wanted) & set(colors):
            return False
        if colors and not set(colors) - set(needs.colors_excluded):
            return False
        if needs.size and product.sizes and needs.size not in product.sizes:
            return False
        return True

    def _score(self, product: Product, needs: Needs) -> Tuple[int, List[Reason]]:
        score, reasons = 0, []
        audience = needs.audience
        if audience is not None:
            made_for = product_audience(product)
            if audience.partner and made_for == BOTH:
                score += _FITS_RECIPIENT
                reasons.append(Reason(COUPLE, {"recipient": needs.recipient}))
            elif made_for is not None and made_for in (audience.gender, audience.age):
                score += _FITS_RECIPIENT
                reasons.append(Reason(FITS_RECIPIENT, {"recipient": needs.recipient}))
            if product.category in _favourites(audience):
                score += _FAVOURITE_OF_RECIPIENT
                reasons.append(Reason(RECIPIENT_FAVOURITE, {"recipient": needs.recipient}))
        text = _product_text(product)
        uses = [use for use in (*needs.uses, *self._history.liked_uses) if use in USES]
        matched = [use for use in dict.fromkeys(uses) if any(word in text for word in USES[use])]
        for use in matched[:_MAX_USES_COUNTED]:
            score += _PER_USE
            reasons.append(Reason(USE, {"use": use}))
        history = self._history
        if product.brand in history.brands:
            score += _KNOWN_BRAND
            reasons.append(Reason(BRAND_BOUGHT, {"brand": product.brand}))
        if product.category in history.categories:
            score += _KNOWN_CATEGORY
        if product.category in history.liked_categories:
            score += _LIKED_BY_TAG
        if not needs.size and history.sizes.get(product.category) in product.sizes:
            score += _USUAL_SIZE
        return score, reasons

    def _pick(self, product: Product, needs: Needs, score: int, reasons: List[Reason], rank: int) -> Optional[Pick]:
        levels = self._levels(product.product_id)
        prices = {sku.sku_id: sku.price for sku in product.skus}
        usual_size = None if needs.size else self._history.sizes.get(product.category)
        acceptable = [
            level for level in levels
            if level.in_stock
            and _within(prices.get(level.sku_id, product.price), needs)
            and (not needs.colors_wanted or level.color in needs.colors_wanted)
            and level.color not in needs.colors_excluded
            and (not needs.size or not level.size or level.size == needs.size)
        ]
        if not acceptable:
            return None

        def preference(level: StockLevel):
            wanted_color = needs.colors_wanted.index(level.color) if level.color in needs.colors_wanted else 0
            return (wanted_color, usual_size is not None and level.size != usual_size,
                    prices.get(level.sku_id, product.price), levels.index(level))

        chosen = min(acceptable, key=preference)
        price = prices.get(chosen.sku_id, product.price)
        # A size is named only when the shopper asked for it or has bought it before;
        # otherwise which one is theirs to choose.
        size_meant = chosen.size if chosen.size and chosen.size in (needs.size, usual_size) else None
        told = list(reasons)
        if needs.colors_wanted and chosen.color:
            told.append(Reason(COLOR_IN_STOCK, {"color": chosen.color}))
        if needs.size and chosen.size:
            told.append(Reason(SIZE_IN_STOCK, {"size": chosen.size}))
        elif usual_size and chosen.size == usual_size:
            told.append(Reason(USUAL_SIZE, {"size": usual_size}))
        if needs.budget_max is not None:
            told.append(Reason(WITHIN_BUDGET, {"budget": _text(needs.budget_max)}))
        told.append(Reason(BEST_SELLER, {"rank": str(rank)}))
        told.sort(key=lambda reason: _REASON_ORDER.index(reason.kind))
        return Pick(product, chosen.sku_id, chosen.color, size_meant, price, tuple(told[:REASONS_SHOWN]), score, rank)

    def _levels(self, product_id: str) -> List[StockLevel]:
        if product_id not in self._stock:
            self._stock[product_id] = self._catalogue.stock(product_id) or []
        return self._stock[product_id]


def _candidates(catalogue: CatalogueBackend, category: Optional[str]) -> List[Product]:
    if not category:
        return catalogue.find_products(in_stock_only=True, limit=CANDIDATE_POOL)
    shop_category = normalise_category(category)
    if shop_category in CATEGORIES:
        return catalogue.find_products(category=shop_category, in_stock_only=True, limit=CANDIDATE_POOL)
    return catalogue.find_products(keyword=category, in_stock_only=True, limit=CANDIDATE_POOL)


def product_audience(product: Product) -> Optional[str]:
    for word, audience in _PRODUCT_AUDIENCE:
        if word in product.name:
            return audience
    return None


def _suits(product: Product, audience: Optional[Audience]) -> bool:
    """Whether the product could be for this recipient at all (a men's shirt is no present for a girlfriend)."""
    if audience is None:
        return True
    made_for = product_audience(product)
    if audience.age == KID:
        return made_for in (None, KID) and product.category not in _NOT_FOR_KIDS
    if audience.age is not None and made_for == KID:
        return False
    if audience.gender == FEMALE:
        return made_for != MALE
    if audience.gender == MALE:
        return made_for != FEMALE
    return True


def _favourites(audience: Audience) -> Tuple[str, ...]:
    return _FAVOURITE_CATEGORIES.get(audience.gender or "", ()) + _FAVOURITE_CATEGORIES.get(audience.age or "", ())


def _product_text(product: Product) -> str:
    return " ".join([product.name, product.description, *product.attributes.values()])


def _within(price: Decimal, needs: Needs) -> bool:
    if needs.budget_max is not None and price > needs.budget_max:
        return False
    if needs.budget_min is not None and price < needs.budget_min:
        return False
    return True


def cheaper_than(prices: Iterable[Decimal]) -> Optional[Decimal]:
    """The budget "太贵了" means: a whole yuan below the cheapest product shown."""
    prices = list(prices)
    if not prices:
        return None
    return Decimal(math.ceil(min(prices)) - 1).max(Decimal(0))


def dearer_than(prices: Iterable[Decimal]) -> Optional[Decimal]:
    """The lower bound "太便宜了/要好一点的" means: a whole yuan above the dearest product shown."""
    prices = list(prices)
    if not prices:
        return None
    return Decimal(math.floor(max(prices)) + 1)


def _text(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else plain(value)


def _decimal(value: Any) -> Optional[Decimal]:
    if value is None or value == "":
        return None
    return Decimal(str(value))
