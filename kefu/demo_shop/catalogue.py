"""The demo shop's catalogue, read from the sample file the demo shop imports,
for code that needs it without a database, and the products the demo
conversations rely on."""

from __future__ import annotations

from typing import Tuple

from kefu.knowledge.importer.base import SAMPLE_CATALOGUE
from kefu.knowledge.importer.catalogue import ProductRecord, read_catalogue

# The T-shirt of fixture order 2024111100001.
TSHIRT_ID = "P1001"

CATALOGUE: Tuple[ProductRecord, ...] = read_catalogue(SAMPLE_CATALOGUE)
