"""Entities recognised by their shape alone.

An order number is 13 to 19 digits, whatever the words around it say: a lone
digit in a pasted card (商品ID:3) or a price is never one. data/nlu/regex.yml
gives the same shape to the RegexEntityExtractor and RegexFeaturizer.
"""

from __future__ import annotations

import re
from typing import Any

ORDER_ID_ENTITY = "order_id"
ORDER_ID_MIN_DIGITS = 13
ORDER_ID_MAX_DIGITS = 19
_ORDER_ID = re.compile(rf"\d{{{ORDER_ID_MIN_DIGITS},{ORDER_ID_MAX_DIGITS}}}")
# Shoppers group long numbers as they read them out ("2024 1111 00001").
_GROUPING = re.compile(r"[\s\-]")


def has_order_id_shape(value: Any) -> bool:
    """True for 13-19 digits, spaces and dashes between groups allowed."""
    return bool(_ORDER_ID.fullmatch(_GROUPING.sub("", str(value or ""))))
