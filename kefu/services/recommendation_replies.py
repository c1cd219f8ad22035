"""The recommendation replies (data/responses/recommendation.yml) and the values they fill in:
``present`` turns a ranking into one template (``recommend_list``, ``…_cheaper`` …) whose
``{products}`` holds one line per product (phrase ``recommend_line``, with its reasons) and
whose ``{criteria}`` says what it was chosen by; every product gets a details and an order button."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from kefu.knowledge import recommendation as ranking
from kefu.knowledge.recommendation import Needs, Pick, Recommendation
from kefu.names import ASK_PRODUCT_INFO_INTENT, INFORM_INTENT, PRODUCT_ENTITY
from kefu.services.recommendation import MYSELF, Refinement, ShownProduct
from kefu.storage.money import plain
from kefu.storage.phrases import Joined, Phrase, listed

# The question asked when the budget is missing, by whether the shopper has said what it is for.
BUDGET_QUESTION = "recommend_ask_budget"
BUDGET_AND_USE_QUESTION = "recommend_ask_budget_and_use"

DETAILS_INTENT = ASK_PRODUCT_INFO_INTENT
ORDER_INTENT = INFORM_INTENT


def _payload(intent: str, product_id: str) -> str:
    return f"/{intent}" + json.dumps({PRODUCT_ENTITY: product_id}, separators=(",", ":"))


def category_question(needs: Needs) -> Dict[str, Any]:
    if needs.recipient and needs.recipient != MYSELF:
        return {"template": "recommend_ask_category_for", "recipient": needs.recipient}
    return {"template": "recommend_ask_category"}


def budget_question(needs: Needs) -> Dict[str, Any]:
    said_what_for = bool(needs.recipient or needs.uses)
    return {"template": BUDGET_QUESTION if said_what_for else BUDGET_AND_USE_QUESTION}


# --- what the list was chosen by ------------------------------------------------------------
def criteria_text(needs: Needs) -> str:
    parts: List[str] = []
    if needs.category:
        parts.append(Phrase("recommend_criteria_category", category=needs.category))
    if needs.budget_max is not None and needs.budget_min is not None:
        parts.append(Phrase("recommend_criteria_budget_range", low=plain(needs.budget_min), high=plain(needs.budget_max)))
    elif needs.budget_max is not None:
        parts.append(Phrase("recommend_criteria_budget_max", budget=plain(needs.budget_max)))
    elif needs.budget_min is not None:
        parts.append(Phrase("recommend_criteria_budget_min", budget=plain(needs.budget_min)))
    if needs.recipient and needs.recipient != MYSELF:
        parts.append(Phrase("recommend_criteria_recipient", recipient=needs.recipient))
    if needs.colors_wanted:
        parts.append(Phrase("recommend_criteria_colors_wanted", colors="/".join(needs.colors_wanted)))
    if needs.colors_excluded:
        parts.append(Phrase("recommend_criteria_colors_excluded", colors="/".join(needs.colors_excluded)))
    if needs.size:
        parts.append(Phrase("recommend_criteria_size", size=needs.size))
    if needs.uses:
        parts.append(Phrase("recommend_criteria_uses", uses="/".join(needs.uses)))
    return listed(parts) if parts else Phrase("recommend_criteria_none")


# --- the products --------------------------------------------------------------------------
def reason_text(pick: Pick) -> str:
    reasons = (Phrase(f"recommend_reason_{reason.kind}", **reason.values) for reason in pick.reasons)
    return listed(reasons, "separator_comma")


def products_text(picks: Sequence[Pick]) -> str:
    lines = []
    for index, pick in enumerate(picks, start=1):
        values = {"index": index, "name": pick.product.name, "price": plain(pick.price), "reason": reason_text(pick)}
        if pick.variant:
            lines.append(Phrase("recommend_line", variant=pick.variant, **values))
        else:
            lines.append(Phrase("recommend_line_plain", **values))
    return Joined(lines, "\n")


def product_buttons(picks: Sequence[Pick]) -> List[Dict[str, str]]:
    """详情 (the product answer for it) and 下单 (how to order it) for each product, in list order."""
    buttons = []
    for index, pick in enumerate(picks, start=1):
        buttons.append({"title": Phrase("recommend_button_details", index=index),
                        "payload": _payload(DETAILS_INTENT, pick.product.product_id)})
        buttons.append({"title": Phrase("recommend_button_order", index=index),
                        "payload": _payload(ORDER_INTENT, pick.product.product_id)})
    return buttons


def shown_products(picks: Sequence[Pick]) -> List[ShownProduct]:
    return [ShownProduct(pick.product.product_id, pick.price, pick.color, pick.size) for pick in picks]


# --- the reply to a ranking ------------------------------------------------------------------
@dataclass(frozen=True)
class Presentation:
    reply: Dict[str, Any]  # the template and its values
    picks: Tuple[Pick, ...]  # the products the reply lists (each gets its buttons)
    needs: Needs  # the needs the listed products answer: relaxed when nothing fitted


def present(
    result: Recommendation, needs: Needs, refinement: Optional[Refinement] = None, shown_before: Sequence[ShownProduct] = ()
) -> Presentation:
    """The reply to a ranking: the list, or why nothing fits and what there is without one wish.

    ``refinement`` is the message that changed the needs (None for the first list), so that
    "太贵了" is answered with how much cheaper, "换一批" with the new batch.
    """
    if result.picks:
        template = _list_template(refinement, shown_before)
        reply = {"template": template, "products": products_text(result.picks),
                 **_list_values(template, shown_before, result.picks, needs)}
        return Presentation(reply, result.picks, needs)
    relaxation = result.relaxation or ranking.Relaxation(ranking.NOTHING_IN_CATEGORY)
    category = needs.category or Phrase("recommend_any_category")
    if relaxation.kind == ranking.RELAX_BUDGET_MAX and refinement is not None and refinement.cheaper and shown_before:
        # Nothing cheaper than what was shown: relaxing the budget would show it again.
        reply = {"template": "recommend_none_cheaper", "category": category,
                 "price": plain(min(item.price for item in shown_before))}
        return Presentation(reply, (), needs)
    if relaxation.kind == ranking.RELAX_REJECTED:
        return Presentation({"template": "recommend_none_seen", "category": category}, (), needs)
    if relaxation.kind == ranking.NOTHING_IN_CATEGORY or not relaxation.picks or relaxation.needs is None:
        return Presentation({"template": "recommend_none", "category": category}, (), needs)
    reply: Dict[str, Any] = {"template": f"recommend_relaxed_{relaxation.kind}",
                             "products": products_text(relaxation.picks)}
    if relaxation.kind == ranking.RELAX_COLORS_WANTED:
        reply["colors"] = "/".join(needs.colors_wanted)
    elif relaxation.kind == ranking.RELAX_COLORS_EXCLUDED:
        reply["colors"] = "/".join(needs.colors_excluded)
    elif relaxation.kind == ranking.RELAX_SIZE:
        reply["size"] = needs.size
    elif relaxation.kind == ranking.RELAX_BUDGET_MAX:
        reply.update(budget=plain(needs.budget_max), price=plain(relaxation.picks[0].price))
    elif relaxation.kind == ranking.RELAX_BUDGET_MIN:
        reply["budget"] = plain(needs.budget_min)
    elif relaxation.kind == ranking.RELAX_RECIPIENT:
        reply["recipient"] = needs.recipient
    return Presentation(reply, relaxation.picks, relaxation.needs)


def _list_template(refinement: Optional[Refinement], shown_before: Sequence[ShownProduct]) -> str:
    if refinement is None or not shown_before:
        return "recommend_list"
    if refinement.cheaper and not refinement.budget_given:
        return "recommend_list_cheaper"
    if refinement.reject_shown and not refinement.says_what_is_wanted:
        return "recommend_list_other"
    return "recommend_list_refined"


def _list_values(template: str, shown_before: Sequence[ShownProduct], picks: Sequence[Pick], needs: Needs) -> Dict[str, Any]:
    if template == "recommend_list_cheaper":
        cheapest_before = min(item.price for item in shown_before)
        cheapest_now = min(pick.price for pick in picks)
        return {"budget": plain(needs.budget_max), "cheapest": plain(cheapest_before),
                "saving": plain(cheapest_before - cheapest_now)}
    if template == "recommend_list_other":
        return {}
    return {"criteria": criteria_text(needs)}


# --- ordering one of them -------------------------------------------------------------------
def order_reply(name: str, shown: ShownProduct) -> Dict[str, Any]:
    """How to order a product the shopper picked from the list, in the variant shown."""
    values = {"name": name, "product_id": shown.product_id, "price": plain(shown.price)}
    if shown.variant:
        return {"template": "recommend_order", "variant": shown.variant, **values}
    return {"template": "recommend_order_plain", **values}


def details_button(product_id: str, index: int) -> Dict[str, str]:
    return {"title": Phrase("recommend_button_details", index=index), "payload": _payload(DETAILS_INTENT, product_id)}
