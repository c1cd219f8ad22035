"""Product cards for the web chat (docs/channels/webchat.md: cards): the recommendation's 详情/下单 buttons
(``kefu.services.recommendation_replies.product_buttons``: ``/ask_product_info{"product": id}`` and
``/inform{"product": id}``) become one card per product, with its name and price from the catalogue, whose
two buttons send the same payloads. Other channels keep the buttons; the actions stay channel-blind.
Blocking (the catalogue may be SQL or HTTP): the channel calls it from a worker thread."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple

from kefu.backends.catalogue import Product
from kefu.backends.errors import BackendFailure
from kefu.backends.factory import backends_from_env
from kefu.names import ASK_PRODUCT_INFO_INTENT, INFORM_INTENT, PRODUCT_ENTITY

logger = logging.getLogger(__name__)

DETAILS = f"/{ASK_PRODUCT_INFO_INTENT}"
ORDER = f"/{INFORM_INTENT}"
ProductLookup = Callable[[str], Optional[Product]]


def product_of(payload: Any) -> Optional[Tuple[str, str]]:
    """(``details`` or ``order``, product id) for a recommendation button's payload; None for any other."""
    if not isinstance(payload, str):
        return None
    for prefix, kind in ((DETAILS, "details"), (ORDER, "order")):
        if payload.startswith(prefix + "{"):
            try:
                entities = json.loads(payload[len(prefix):])
            except ValueError:
                return None
            product_id = entities.get(PRODUCT_ENTITY) if isinstance(entities, dict) else None
            return (kind, product_id) if isinstance(product_id, str) and product_id else None
    return None


def with_product_cards(buttons: List[Dict[str, Any]], lookup: ProductLookup) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(the buttons that stay buttons, the product cards), the cards in the order the products came.

    A product the catalogue does not know (or cannot say now) keeps its buttons: nothing is lost.
    """
    by_product: Dict[str, Dict[str, Any]] = {}
    for button in buttons:
        found = product_of(button.get("payload"))
        if found is not None:
            kind, product_id = found
            by_product.setdefault(product_id, {})[kind] = button
    cards, carded = [], set()
    for product_id, product_buttons in by_product.items():
        try:
            product = lookup(product_id)
        except BackendFailure:
            logger.warning("catalogue unavailable: product %s stays as buttons", product_id)
            product = None
        if product is None:
            continue
        carded.add(product_id)
        cards.append({"type": "product_card", "product": {
            "product_id": product.product_id,
            "name": product.name,
            "price": f"{product.price:.2f}".rstrip("0").rstrip("."),
            "details_payload": (product_buttons.get("details") or {}).get("payload"),
            "buy_payload": (product_buttons.get("order") or {}).get("payload"),
        }})
    remaining = [button for button in buttons if (product_of(button.get("payload")) or ("", ""))[1] not in carded]
    return remaining, cards


def catalogue_lookup() -> ProductLookup:
    """The shop's catalogue (SHOP_BACKEND), built once per process."""
    return _catalogue().get_product


@lru_cache(maxsize=1)
def _catalogue():
    return backends_from_env().catalogue
