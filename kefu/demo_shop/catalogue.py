"""The demo shop's catalogue: 64 products a real Chinese shop might list.

The products live in the sample file ``kefu/knowledge/samples/catalogue.csv``,
which the demo shop imports as a merchant would import theirs; this module
only reads it for code that needs the catalogue without a database (checking
the sample size charts and promotions against it) and names what the demo
conversations rely on.

Colours and sizes use the normalised values the NLU's synonyms produce
(白色, 藏青色, M, XL …), so a shopper's "白的 中码" finds the right SKU.
"""

from __future__ import annotations

from typing import Tuple

from kefu.knowledge.importer.base import SAMPLE_CATALOGUE
from kefu.knowledge.importer.catalogue import ProductRecord, read_catalogue

# The T-shirt the contract's order 2024111100001 is for.
TSHIRT_ID = "P1001"

CATALOGUE: Tuple[ProductRecord, ...] = read_catalogue(SAMPLE_CATALOGUE)
