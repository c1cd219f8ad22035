"""Chinese button titles for intents (kefu/replies/intent_labels.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

LABELS_FILE = Path(__file__).with_name("intent_labels.yml")


@lru_cache(maxsize=1)
def intent_labels() -> Dict[str, str]:
    """{intent: button title}; only these intents can be offered as a button."""
    labels = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8")) or {}
    return {str(intent): str(title) for intent, title in labels.items()}
