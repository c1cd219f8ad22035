"""Arithmetic invariants of the promotion engine, on random rule books and baskets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.storage.money import FEN, is_in_fen
from kefu.knowledge.promotions import Basket, BasketLine, PromotionBook, price_basket, price_with_rules
from kefu.knowledge.promotions.pricing import applicable_rules, basket_conflict, share_out
from kefu.knowledge.promotions.rules import (
    COUPON_KINDS,
    PRICING_KINDS,
    FullReduction,
    Incompatibility,
    MemberPrice,
    MultiBuy,
    PercentOff,
    PlatformCoupon,
    Scope,
    ShopCoupon,
    StackingPolicy,
    Tier,
)
from kefu.storage.clock import SHOP_TZ

# Fast enough for every test run, without a database left behind in the work tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)

AT = datetime(2026, 12, 5, 10, tzinfo=SHOP_TZ)
PRODUCTS = {"A": "服装", "B": "服装", "C": "厨具", "D": "美妆"}
CATEGORIES = sorted(set(PRODUCTS.values()))

yuan = st.integers(1, 100_000).map(lambda fen: Decimal(fen) / 100)
whole_yuan = st.integers(1, 1_000).map(Decimal)
rates = st.integers(50, 99).map(lambda n: Decimal(n) / 100)
scopes = st.one_of(
    st.just(Scope()),
    st.sets(st.sampled_from(CATEGORIES), min_size=1).map(lambda c: Scope(categories=frozenset(c))),
    st.sets(st.sampled_from(sorted(PRODUCTS)), min_size=1).map(lambda p: Scope(products=frozenset(p))),
    st.sampled_from(CATEGORIES).map(lambda c: Scope(except_categories=frozenset({c}))),
)


@st.composite
def tiers(draw, count=st.integers(1, 3)):
    thresholds = sorted(draw(st.sets(st.integers(10, 1_000), min_size=1, max_size=draw(count))))
    offs = sorted(draw(st.sets(st.integers(1, thresholds[0] - 1), min_size=len(thresholds), max_size=len(thresholds))))
    return tuple(Tier(Decimal(t), Decimal(o)) for t, o in zip(thresholds, offs))


@st.composite
def full_reductions(draw, rule_id="fr"):
    every = draw(st.booleans())
    return FullReduction(
        id=rule_id, name="满减", scope=draw(scopes),
        tiers=draw(tiers(st.just(1)) if every else tiers()), every=every,
        max_off=draw(st.none() | whole_yuan) if every else None,
    )


@st.composite
def multi_buys(draw, rule_id):
    mix = draw(st.booleans())
    if draw(st.booleans()):
        every = draw(st.integers(2, 4))
        shape = {"every": every, "cheapest": draw(st.integers(1, every - 1)), "rate": draw(st.integers(0, 90).map(lambda n: Decimal(n) / 100))}
    else:
        shape = {"min_quantity": draw(st.integers(2, 4)), "rate": draw(rates)}
    return MultiBuy(id=rule_id, name="多件", scope=draw(scopes), mix=mix, **shape)


@st.composite
def coupons(draw, rule_id):
    kind = draw(st.sampled_from((ShopCoupon, PlatformCoupon)))
    threshold = draw(st.just(Decimal(0)) | st.integers(20, 800).map(Decimal))
    off = draw(st.integers(1, int(threshold) - 1 if threshold else 200).map(Decimal))
    return kind(id=rule_id, name="券", scope=draw(scopes), threshold=threshold, off=off)


@st.composite
def rules(draw, rule_id):
    exclusive = draw(st.integers(0, 9)) == 0  # 不与其他优惠同享, now and then
    kind = draw(st.sampled_from(("member", "percent", "multi", "full", "coupon")))
    if kind == "member":
        rule = MemberPrice(id=rule_id, name="会员价", scope=draw(scopes), rates=(("gold", draw(rates)), ("silver", draw(rates))))
    elif kind == "percent":
        rule = PercentOff(id=rule_id, name="折扣", scope=draw(scopes), rate=draw(rates))
    elif kind == "multi":
        rule = draw(multi_buys(rule_id))
    elif kind == "full":
        rule = draw(full_reductions(rule_id))
    else:
        rule = draw(coupons(rule_id))
    return replace(rule, exclusive=True) if exclusive else rule


PAIRS = [frozenset(pair) for pair in combinations(PRICING_KINDS, 2)]


@st.composite
def books(draw):
    count = draw(st.integers(0, 6))
    book_rules = tuple(draw(rules(f"r{i}")) for i in range(count))
    incompatible = draw(st.sets(st.sampled_from(PAIRS), max_size=3))
    stacking = StackingPolicy(draw(st.integers(1, 2)), tuple(Incompatibility(pair, "不能同享") for pair in incompatible))
    return PromotionBook(book_rules, stacking)


@st.composite
def baskets(draw, book, member_level=None):
    lines = draw(st.lists(
        st.builds(lambda p, price, q: BasketLine(p, PRODUCTS[p], price, q), st.sampled_from(sorted(PRODUCTS)), yuan, st.integers(1, 4)),
        max_size=4,
    ))
    coupon_ids = [rule.id for rule in book.rules if rule.kind in COUPON_KINDS]
    held = draw(st.lists(st.sampled_from(coupon_ids), unique=True)) if coupon_ids else []
    level = member_level or draw(st.sampled_from(("gold", "silver", "regular")))
    return Basket(lines=tuple(lines), member_level=level, coupons=tuple(held), at=AT)


@st.composite
def books_and_baskets(draw):
    book = draw(books())
    return book, draw(baskets(book))


@PROPERTY
@given(books_and_baskets())
def test_the_final_price_is_never_negative_nor_above_the_original(case):
    book, basket = case
    quote = price_basket(book, basket)
    assert 0 <= quote.final <= quote.original
    assert all(0 <= line.final <= line.after_item_discounts <= line.original for line in quote.lines)


@PROPERTY
@given(books_and_baskets())
def test_the_explanation_adds_up_to_the_final_price_in_fen(case):
    book, basket = case
    quote = price_basket(book, basket)
    assert sum(entry.amount for entry in quote.explanation_lines()) == quote.final
    assert sum(line.final for line in quote.lines) == quote.final
    for discount in quote.discounts:
        assert discount.amount > 0 and sum(discount.per_line) == discount.amount
        assert is_in_fen(discount.amount) and all(is_in_fen(share) and share >= 0 for share in discount.per_line)
    assert is_in_fen(quote.final)


@PROPERTY
@given(books_and_baskets(), st.data())
def test_another_coupon_never_raises_the_price(case, data):
    book, basket = case
    not_held = [rule.id for rule in book.rules if rule.kind in COUPON_KINDS and rule.id not in basket.coupons]
    if not not_held:
        return
    extra = data.draw(st.sampled_from(not_held))
    with_it = Basket(lines=basket.lines, member_level=basket.member_level, coupons=basket.coupons + (extra,), at=basket.at)
    assert price_basket(book, with_it).final <= price_basket(book, basket).final


@PROPERTY
@given(books_and_baskets())
def test_the_chosen_combination_beats_every_single_promotion_and_every_legal_pair(case):
    book, basket = case
    best = price_basket(book, basket).final
    candidates = applicable_rules(book, basket)
    for rule in candidates:
        assert best <= price_with_rules(basket, [rule]).final
    for a, b in combinations(candidates, 2):
        if basket_conflict(a, b, book.stacking, basket) is None and not (a.is_coupon and b.is_coupon and book.stacking.max_coupons_per_order < 2):
            assert best <= price_with_rules(basket, [a, b]).final


@PROPERTY
@given(books_and_baskets())
def test_the_chosen_combination_is_legal(case):
    book, basket = case
    chosen = price_basket(book, basket).rules
    assert sum(1 for rule in chosen if rule.is_coupon) <= book.stacking.max_coupons_per_order
    for a, b in combinations(chosen, 2):
        assert basket_conflict(a, b, book.stacking, basket) is None


@PROPERTY
@given(books(), st.data())
def test_being_a_member_never_costs_more(book, data):
    # The generated member prices are for gold and silver only.
    regular = data.draw(baskets(book, "regular"))
    gold = Basket(lines=regular.lines, member_level="gold", coupons=regular.coupons, at=regular.at)
    assert price_basket(book, gold).final <= price_basket(book, regular).final


@PROPERTY
@given(full_reductions(), yuan, yuan)
def test_a_full_reduction_only_grows_with_the_amount_and_never_takes_it_all(rule, a, b):
    low, high = sorted((a, b))
    assert rule.reduction(low)[0] <= rule.reduction(high)[0]
    assert rule.reduction(low)[0] < low


@PROPERTY
@given(full_reductions(), yuan)
def test_the_next_step_is_where_the_reduction_grows(rule, amount):
    step = rule.next_step(amount)
    if step is None:
        assert rule.reduction(amount * 10)[0] == rule.reduction(amount)[0]
        return
    target, off, _ = step
    assert target > amount
    assert rule.reduction(target)[0] == off > rule.reduction(target - FEN)[0]


@PROPERTY
@given(
    st.integers(0, 100_000).map(lambda fen: Decimal(fen) / 100),
    st.lists(st.integers(0, 100_000).map(lambda fen: Decimal(fen) / 100), min_size=1, max_size=6),
)
def test_sharing_out_a_discount_is_exact_to_the_fen(total, amounts):
    indices = list(range(len(amounts)))
    total = min(total, sum(amounts))
    shares = share_out(total, amounts, indices)
    if sum(amounts) == 0:
        assert all(share == 0 for share in shares)
        return
    assert sum(shares) == total
    assert all(0 <= share <= amount and is_in_fen(share) for share, amount in zip(shares, amounts))


@PROPERTY
@given(multi_buys("m"), yuan, st.integers(1, 12))
def test_a_multi_buy_never_costs_more_than_the_full_price(rule, price, quantity):
    product = next(iter(rule.scope.products), "A")
    basket = Basket(lines=(BasketLine(product, PRODUCTS[product], price, quantity),), at=AT)
    quote = price_with_rules(basket, [rule])
    assert 0 <= quote.final <= quote.original
    if quantity < rule.units_needed or not rule.scope.covers(product, PRODUCTS[product]):
        assert quote.final == quote.original
