"""What the knowledge engines say to a shopper, from ``phrases.yml``.

Kept out of the Python code so that wording can change (or follow a reply
style) without touching the arithmetic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

from kefu.replies import current_persona

PHRASES_FILE = Path(__file__).with_name("phrases.yml")


@lru_cache(maxsize=1)
def phrases() -> Dict[str, str]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def say(phrase: str, /, **values: Any) -> str:
    """The phrase called ``phrase`` in the merchant's reply style, filled in;
    a KeyError for an unknown phrase or a missing value."""
    return current_persona().text(phrases()[phrase]).format(**values)
