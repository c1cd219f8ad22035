"""Loading the merchant's promotion file (sample ``kefu/knowledge/samples/promotions.yml``):
a file with any bad rule raises ``KnowledgeFileError`` listing every problem with file,
line and reason, so that a half-understood file never prices a basket."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Collection, Dict, List, Optional, Union

from kefu.knowledge.promotions.rules import (
    ALL_KINDS,
    COUPON_KINDS,
    FULL_REDUCTION,
    MEMBER_PRICE,
    MULTI_BUY,
    PERCENT_OFF,
    PRICE_PROTECTION,
    PRICING_KINDS,
    RULE_TYPES,
    Incompatibility,
    PromotionBook,
    Rule,
    Scope,
    StackingPolicy,
    Tier,
    tier_label,
)
from kefu.knowledge.sources import entry_fields, first_use, read_entries
from kefu.storage.models import MEMBER_LEVELS
from kefu.storage.money import plain, zhe
from kefu.storage.phrases import Phrase
from kefu.storage.yaml_source import Fields, LineMap, Problems, read_file_text

ONE = Decimal(1)
ZERO = Decimal(0)


def load_promotions(
    path: Union[str, Path],
    categories: Optional[Collection[str]] = None,
    product_ids: Optional[Collection[str]] = None,
) -> PromotionBook:
    """The rules of a promotion file. With ``categories`` / ``product_ids``
    (the shop's catalogue), a rule naming anything else is a problem."""
    problems = Problems(str(path))
    text = read_file_text(path, problems)
    return read_promotions(text or "", str(path), categories, product_ids, problems)


def read_promotions(
    text: str,
    file_name: str = "<promotions>",
    categories: Optional[Collection[str]] = None,
    product_ids: Optional[Collection[str]] = None,
    problems: Optional[Problems] = None,
) -> PromotionBook:
    problems = problems or Problems(file_name)
    top, entries = read_entries(text, problems, "rules", ("rules", "stacking"), "rule")
    stacking = _stacking(top.get("stacking"), top.line_of("stacking"), problems) if top else StackingPolicy()
    rules: List[Rule] = []
    seen_ids: Dict[str, int] = {}
    for entry in entries:
        rule = _rule(entry, problems, categories, product_ids)
        if rule is not None and first_use(seen_ids, rule.id, entry, problems, "rule"):
            rules.append(rule)
    problems.raise_if_any()
    return PromotionBook(tuple(rules), stacking, file_name)


def _stacking(node, line: int, problems: Problems) -> StackingPolicy:
    if node is None:
        return StackingPolicy()
    if not isinstance(node, LineMap):
        problems.add(line, "'stacking' must be a mapping")
        return StackingPolicy()
    fields = Fields(node, problems, "stacking")
    max_coupons = fields.integer("max_coupons_per_order", minimum=1)
    incompatible = []
    for entry in fields.list_of_mappings("not_combinable"):
        pair = Fields(entry, problems, "not_combinable")
        kinds = pair.texts("kinds")
        reason = pair.text("reason", required=True)
        pair.finish()
        unknown = [kind for kind in kinds if kind not in PRICING_KINDS]
        if unknown:
            pair.problem("kinds", f"unknown kind(s) {', '.join(unknown)} (kinds: {', '.join(PRICING_KINDS)})")
        elif len(set(kinds)) != 2:
            pair.problem("kinds", f"'kinds' must name two different kinds, not {list(kinds)}")
        elif reason:
            incompatible.append(Incompatibility(frozenset(kinds), reason))
    fields.finish()
    return StackingPolicy(max_coupons if max_coupons is not None else 1, tuple(incompatible))


def _rule(
    item: LineMap, problems: Problems, categories: Optional[Collection[str]], product_ids: Optional[Collection[str]]
) -> Optional[Rule]:
    fields, rule_id, kind = entry_fields(item, problems, "rule", ALL_KINDS)
    common = _common_fields(fields, categories, product_ids)
    specific = _KIND_FIELDS[kind](fields) if kind else None
    if kind:  # which fields belong to an unknown kind cannot be said
        fields.finish()
    if fields.failed or specific is None or rule_id is None:
        return None
    name = common.pop("name") or _default_name(kind, specific)
    return RULE_TYPES[kind](id=rule_id, name=name, line=item.line, **common, **specific)


def _common_fields(fields: Fields, categories, product_ids) -> dict:
    scope_keys = ("categories", "products", "except_categories", "except_products")
    scope_fields = {key: fields.texts(key) for key in scope_keys}
    for key, values in scope_fields.items():
        if "categories" in key:
            fields.known(key, values, categories, "category")
        else:
            fields.known(key, values, product_ids, "product")
    valid_from = fields.moment("valid_from")
    valid_until = fields.moment("valid_until", end_of_day=True)
    if valid_from and valid_until and valid_until <= valid_from:
        fields.problem("valid_until", "'valid_until' must come after 'valid_from'")
    return {
        "name": fields.text("name"),
        "scope": Scope(**{key: frozenset(values) for key, values in scope_fields.items()}),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "exclusive": fields.flag("exclusive"),
    }


def _member_price(fields: Fields) -> Optional[dict]:
    rates_node = fields.mapping_of("rates", required=True)
    if rates_node is None:
        return None
    levels = Fields(rates_node, fields.problems, f"{fields.what} rates")
    rates = []
    for level in rates_node:
        if level not in MEMBER_LEVELS:
            continue  # reported by finish() as an unknown field
        rate = levels.number(level, above=ZERO, below=ONE)
        if rate is not None:
            rates.append((level, rate))
    levels.finish()
    if not rates_node:
        fields.problem("rates", f"'rates' names no member level (levels: {', '.join(MEMBER_LEVELS)})")
    if levels.failed or not rates:
        return None
    return {"rates": tuple(rates)}


def _percent_off(fields: Fields) -> Optional[dict]:
    rate = fields.number("rate", required=True, above=ZERO, below=ONE)
    return {"rate": rate} if rate is not None else None


def _multi_buy(fields: Fields) -> Optional[dict]:
    rate = fields.number("rate", required=True, minimum=ZERO, below=ONE)
    every = fields.integer("every", minimum=2)
    cheapest = fields.integer("cheapest", minimum=1)
    min_quantity = fields.integer("min_quantity", minimum=2)
    mix = fields.flag("mix")
    by_group = every is not None or cheapest is not None
    if by_group and min_quantity is not None:
        fields.problem(None, "give either 'every' and 'cheapest' (第二件半价) or 'min_quantity' (买二件打9折), not both")
        return None
    if by_group:
        if every is None or cheapest is None:
            fields.problem(None, "'every' and 'cheapest' go together (第二件半价: every 2, cheapest 1)")
            return None
        if cheapest >= every:
            fields.problem("cheapest", f"'cheapest' must be fewer than 'every' ({every}), not {cheapest}")
            return None
    elif min_quantity is None:
        fields.problem(None, "a multi_buy needs 'every' and 'cheapest' (第二件半价) or 'min_quantity' (买二件打9折)")
        return None
    if rate is None:
        return None
    return {"rate": rate, "every": every, "cheapest": cheapest, "min_quantity": min_quantity, "mix": mix}


def _full_reduction(fields: Fields) -> Optional[dict]:
    every = fields.flag("every")
    max_off = fields.number("max_off", above=ZERO, places=2)
    tiers: List[Tier] = []
    for entry in fields.list_of_mappings("tiers", required=True):
        tier = _tier(Fields(entry, fields.problems, f"{fields.what} tier"), tiers[-1] if tiers else None)
        if tier is None:
            fields.failed = True
        else:
            tiers.append(tier)
    if every and len(tiers) > 1:
        fields.problem("every", "'every' (每满) takes exactly one tier")
    if max_off is not None and not every:
        fields.problem("max_off", "'max_off' only goes with 'every' (每满…最高减)")
    if not tiers or fields.failed:
        return None
    return {"tiers": tuple(tiers), "every": every, "max_off": max_off}


def _tier(fields: Fields, previous: Optional[Tier]) -> Optional[Tier]:
    threshold = fields.number("threshold", required=True, above=ZERO, places=2)
    off = fields.number("off", required=True, above=ZERO, places=2)
    fields.finish()
    if threshold is None or off is None or fields.failed:
        return None
    if off >= threshold:
        fields.problem("off", f"'off' ({plain(off)}) must be less than the threshold ({plain(threshold)})")
        return None
    if previous is not None and not (threshold > previous.threshold and off > previous.off):
        fields.problem("threshold", "each tier must have a higher threshold and a bigger reduction than the one before")
        return None
    return Tier(threshold, off)


def _coupon(fields: Fields) -> Optional[dict]:
    threshold = fields.number("threshold", minimum=ZERO, places=2)
    off = fields.number("off", required=True, above=ZERO, places=2)
    threshold = threshold if threshold is not None else ZERO
    if off is not None and threshold > 0 and off >= threshold:
        fields.problem("off", f"'off' ({plain(off)}) must be less than the threshold ({plain(threshold)})")
        return None
    return {"threshold": threshold, "off": off} if off is not None else None


def _price_protection(fields: Fields) -> Optional[dict]:
    days = fields.integer("days", required=True, minimum=1)
    return {"days": days} if days is not None else None


_KIND_FIELDS = {
    MEMBER_PRICE: _member_price,
    PERCENT_OFF: _percent_off,
    MULTI_BUY: _multi_buy,
    FULL_REDUCTION: _full_reduction,
    PRICE_PROTECTION: _price_protection,
    **{kind: _coupon for kind in COUPON_KINDS},
}


def _default_name(kind: str, fields: dict) -> str:
    # A rule without a name is called what it does, as a shop would label it.
    if kind == FULL_REDUCTION:
        return "，".join(tier_label(tier, fields["every"]) for tier in fields["tiers"])
    if kind in COUPON_KINDS:
        issuer = Phrase(f"kind_{kind}")
        if fields["threshold"] > 0:
            return Phrase("coupon_name", issuer=issuer, threshold=plain(fields["threshold"]), off=plain(fields["off"]))
        return Phrase("coupon_name_no_threshold", issuer=issuer, off=plain(fields["off"]))
    if kind == PERCENT_OFF:
        return Phrase("percent_off_name", zhe=zhe(fields["rate"]))
    if kind == MULTI_BUY:
        if fields["min_quantity"] is not None:
            return Phrase("multi_buy_quantity_name", count=fields["min_quantity"], zhe=zhe(fields["rate"]))
        if fields["rate"] == 0:
            return Phrase("multi_buy_free_name", every=fields["every"], free=fields["cheapest"])
        return Phrase("multi_buy_group_name", every=fields["every"], cheapest=fields["cheapest"], zhe=zhe(fields["rate"]))
    if kind == PRICE_PROTECTION:
        return Phrase("price_protection_name", days=fields["days"])
    return Phrase(f"kind_{kind}")

