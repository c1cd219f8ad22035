"""The promotion file: the sample loads, and every kind of bad rule is reported
with its file, line and reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.backends.catalogue import CATEGORIES
from kefu.knowledge.promotions import SAMPLE_PROMOTIONS, load_promotions, read_promotions
from kefu.knowledge.promotions.rules import (
    ALL_KINDS,
    FullReduction,
    MemberPrice,
    MultiBuy,
    ShopCoupon,
)
from kefu.knowledge.sources import KnowledgeFileError
from tests.knowledge.promotions.support import PRODUCT_IDS, rule_file


def problems_of(text: str):
    with pytest.raises(KnowledgeFileError) as caught:
        read_promotions(text, "promotions.yml", categories=CATEGORIES, product_ids=PRODUCT_IDS)
    return caught.value.problems


def test_the_sample_file_loads_with_every_kind_of_rule():
    book = load_promotions(SAMPLE_PROMOTIONS, categories=CATEGORIES, product_ids=PRODUCT_IDS)
    assert {rule.kind for rule in book.rules} == set(ALL_KINDS)
    assert book.stacking.max_coupons_per_order == 1
    assert len(book.stacking.incompatible) == 2
    member = book.rule("member_price")
    assert isinstance(member, MemberPrice) and member.rate_for("gold") == Decimal("0.95")
    assert member.rate_for("regular") is None


def test_rules_come_out_as_the_merchant_wrote_them():
    book = read_promotions(rule_file("""
        - id: kitchen
          kind: full_reduction
          categories: [厨具]
          every: true
          tiers: [{threshold: 200, off: 20}]
          max_off: 100
        - id: tshirts
          kind: multi_buy
          products: [P1001]
          every: 2
          cheapest: 1
          rate: 0.5
        - id: coupon
          kind: shop_coupon
          threshold: 200
          off: 20
          valid_from: 2026-11-01
          valid_until: 2026-11-30
    """))
    kitchen, tshirts, coupon = book.rules
    assert isinstance(kitchen, FullReduction) and kitchen.every and kitchen.max_off == 100
    assert kitchen.scope.categories == {"厨具"} and kitchen.line == 2
    assert isinstance(tshirts, MultiBuy) and (tshirts.every, tshirts.cheapest, tshirts.rate) == (2, 1, Decimal("0.5"))
    assert isinstance(coupon, ShopCoupon) and (coupon.threshold, coupon.off) == (200, 20)


def test_a_rule_without_a_name_is_named_after_what_it_does():
    book = read_promotions(rule_file("""
        - {id: a, kind: full_reduction, tiers: [{threshold: 300, off: 50}, {threshold: 600, off: 110}]}
        - {id: b, kind: shop_coupon, threshold: 200, off: 20}
        - {id: c, kind: platform_coupon, off: 10}
        - {id: d, kind: percent_off, rate: 0.85}
        - {id: e, kind: multi_buy, every: 3, cheapest: 1, rate: 0}
        - {id: f, kind: multi_buy, min_quantity: 2, rate: 0.9}
        - {id: g, kind: price_protection, days: 7}
    """))
    assert [rule.name for rule in book.rules] == [
        "满300减50，满600减110", "店铺券满200减20", "平台券无门槛减10", "8.5折", "买3免1", "2件9折", "7天价格保护",
    ]


def test_a_date_until_includes_that_whole_day():
    (coupon,) = read_promotions(rule_file("- {id: c, kind: shop_coupon, off: 5, valid_from: 2026-12-01, valid_until: 2026-12-12}")).rules
    assert coupon.valid_until.isoformat() == "2026-12-13T00:00:00+08:00"
    assert coupon.valid_from.isoformat() == "2026-12-01T00:00:00+08:00"


def test_times_may_be_written_without_seconds():
    (coupon,) = read_promotions(rule_file('- {id: c, kind: shop_coupon, off: 5, valid_from: "2026-12-11 20:00"}')).rules
    assert coupon.valid_from.isoformat() == "2026-12-11T20:00:00+08:00"


# (rule file, line of the problem, words of the reason): one case per kind of bad rule.
BAD_RULES = {
    "a rule that is not a mapping": ("- just some text", 2, "must be a mapping"),
    "missing id": ("- {kind: percent_off, rate: 0.9}", 2, "'id' is missing"),
    "missing kind": ("- {id: a, rate: 0.9}", 2, "'kind' is missing"),
    "unknown kind": ("- {id: a, kind: discount, rate: 0.9}", 2, "unknown kind 'discount'"),
    "misspelt field": ("- id: a\n  kind: shop_coupon\n  threshhold: 200\n  off: 20", 4, "unknown field 'threshhold'"),
    "field given twice": ("- id: a\n  kind: shop_coupon\n  off: 20\n  off: 30", 5, "'off' is given twice"),
    "not a number": ("- {id: a, kind: shop_coupon, threshold: 200, off: 三十}", 2, "'off' must be a number"),
    "more than fen": ("- {id: a, kind: shop_coupon, off: 2.555}", 2, "more than 2 decimal places"),
    "rate written as 折": ("- {id: a, kind: percent_off, rate: 8}", 2, "'rate' must be less than 1"),
    "rate of zero": ("- {id: a, kind: percent_off, rate: 0}", 2, "'rate' must be more than 0"),
    "unknown member level": ("- id: a\n  kind: member_price\n  rates:\n    vip: 0.9", 5, "unknown field 'vip'"),
    "no member level": ("- {id: a, kind: member_price, rates: {}}", 2, "names no member level"),
    "member rate of one": ("- id: a\n  kind: member_price\n  rates:\n    gold: 1", 5, "'gold' must be less than 1"),
    "tiers going down": (
        "- id: a\n  kind: full_reduction\n  tiers:\n    - {threshold: 600, off: 110}\n    - {threshold: 300, off: 50}",
        6, "higher threshold and a bigger reduction",
    ),
    "reduction as big as its threshold": ("- {id: a, kind: full_reduction, tiers: [{threshold: 50, off: 50}]}", 2, "must be less than the threshold"),
    "no tiers": ("- {id: a, kind: full_reduction}", 2, "'tiers' is missing"),
    "empty tiers": ("- {id: a, kind: full_reduction, tiers: []}", 2, "'tiers' must be a non-empty list"),
    "every with two tiers": (
        "- id: a\n  kind: full_reduction\n  every: true\n  tiers: [{threshold: 200, off: 20}, {threshold: 400, off: 50}]",
        4, "'every' (每满) takes exactly one tier",
    ),
    "max_off without every": ("- {id: a, kind: full_reduction, max_off: 100, tiers: [{threshold: 200, off: 20}]}", 2, "only goes with 'every'"),
    "coupon worth its threshold": ("- {id: a, kind: shop_coupon, threshold: 20, off: 20}", 2, "must be less than the threshold"),
    "coupon without an amount": ("- {id: a, kind: platform_coupon, threshold: 300}", 2, "'off' is missing"),
    "window ending before it starts": (
        "- id: a\n  kind: shop_coupon\n  off: 5\n  valid_from: 2026-12-10\n  valid_until: 2026-12-01", 6, "must come after 'valid_from'",
    ),
    "not a date": ("- {id: a, kind: shop_coupon, off: 5, valid_until: 下周五}", 2, "'valid_until' must be a date"),
    "unknown category": ("- {id: a, kind: percent_off, rate: 0.9, categories: [服饰]}", 2, "unknown category '服饰'"),
    "unknown product": ("- {id: a, kind: percent_off, rate: 0.9, except_products: [P9999]}", 2, "unknown product 'P9999'"),
    "multi-buy of both shapes": ("- {id: a, kind: multi_buy, every: 2, cheapest: 1, min_quantity: 2, rate: 0.5}", 2, "not both"),
    "multi-buy of no shape": ("- {id: a, kind: multi_buy, rate: 0.5}", 2, "needs 'every' and 'cheapest'"),
    "multi-buy with half a group": ("- {id: a, kind: multi_buy, every: 2, rate: 0.5}", 2, "'every' and 'cheapest' go together"),
    "multi-buy giving the whole group": ("- {id: a, kind: multi_buy, every: 2, cheapest: 2, rate: 0.5}", 2, "fewer than 'every'"),
    "protection of no days": ("- {id: a, kind: price_protection, days: 0}", 2, "'days' must be at least 1"),
    "protection of half days": ("- {id: a, kind: price_protection, days: 7.5}", 2, "'days' must be a whole number"),
    "yes for true": ("- {id: a, kind: percent_off, rate: 0.9, exclusive: yes}", 2, "'exclusive' must be true or false"),
    "scope that is not a list of texts": ("- {id: a, kind: percent_off, rate: 0.9, products: [{P1001: 1}]}", 2, "must be a list of texts"),
}


@pytest.mark.parametrize("rules, line, reason", BAD_RULES.values(), ids=BAD_RULES.keys())
def test_a_bad_rule_is_reported_with_its_line_and_reason(rules, line, reason):
    (problem,) = problems_of(rule_file(rules))
    assert (problem.file, problem.line) == ("promotions.yml", line)
    assert reason in problem.reason
    assert f"promotions.yml:{line}:" in str(problem)


BAD_STACKING = {
    "unknown kind": ("stacking:\n  not_combinable:\n    - {kinds: [full_reduction, red_packet], reason: 不行}", 3, "unknown kind(s) red_packet"),
    "one kind": ("stacking:\n  not_combinable:\n    - {kinds: [full_reduction], reason: 不行}", 3, "must name two different kinds"),
    "no reason": ("stacking:\n  not_combinable:\n    - {kinds: [full_reduction, platform_coupon]}", 3, "'reason' is missing"),
    "no coupons at all": ("stacking:\n  max_coupons_per_order: 0", 2, "must be at least 1"),
    "misspelt field": ("stacking:\n  max_coupon: 2", 2, "unknown field 'max_coupon'"),
}


@pytest.mark.parametrize("stacking, line, reason", BAD_STACKING.values(), ids=BAD_STACKING.keys())
def test_bad_stacking_rules_are_reported(stacking, line, reason):
    (problem,) = problems_of(rule_file("- {id: a, kind: percent_off, rate: 0.9}", stacking))
    assert problem.line == line and reason in problem.reason


BAD_FILES = {
    "not YAML": ("rules:\n  - {id: a, kind: percent_off\n  - {id: b}\n", 3, "not valid YAML"),
    "not a mapping": ("- {id: a}\n", 1, "must be a mapping with a 'rules' list"),
    "rules not a list": ("rules: {id: a}\n", 1, "'rules' must be a list"),
    "no rules": ("stacking: {max_coupons_per_order: 1}\n", 1, "'rules' must be a list"),
    "unknown top-level field": ("rule:\n  - {id: a}\nrules: []\n", 1, "unknown top-level field 'rule'"),
}


@pytest.mark.parametrize("text, line, reason", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_is_not_a_rule_file_is_reported(text, line, reason):
    (problem,) = problems_of(text)
    assert problem.line == line and reason in problem.reason


def test_a_file_saved_as_gbk_is_reported_not_misread(tmp_path):
    path = tmp_path / "promotions.yml"
    path.write_bytes("rules:\n  - {id: a, kind: percent_off, name: 美妆8折, rate: 0.8}\n".encode("gbk"))
    with pytest.raises(KnowledgeFileError) as caught:
        load_promotions(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.line == 2 and "not UTF-8" in problem.reason


def test_every_problem_of_a_file_is_reported_at_once_in_line_order():
    problems = problems_of(rule_file("""
        - {id: a, kind: percent_off, rate: 1.5}
        - {id: a, kind: shop_coupon, off: 5}
        - {id: c, kind: shop_coupon, threshold: 10, off: 10}
        - {id: d, kind: teleport}
    """))
    assert [(p.line, p.reason.split(": ", 1)[0]) for p in problems] == [
        (2, "rule 'a'"), (4, "rule 'c'"), (5, "rule 'd'"),
    ]
    message = str(KnowledgeFileError(problems))
    assert message.startswith("3 problem(s) in promotions.yml:")
    assert "promotions.yml:4: rule 'c'" in message


def test_an_id_used_twice_is_reported_where_it_is_used_again():
    (problem,) = problems_of(rule_file("- {id: a, kind: shop_coupon, off: 5}\n- {id: a, kind: shop_coupon, off: 6}"))
    assert problem.line == 3 and "used twice (first on line 2)" in problem.reason


def test_without_a_catalogue_any_category_is_accepted():
    (rule,) = read_promotions(rule_file("- {id: a, kind: percent_off, rate: 0.9, categories: [服饰]}")).rules
    assert rule.scope.categories == {"服饰"}
