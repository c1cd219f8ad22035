"""Chinese words for intents: button titles (intent_labels.yml) and names for people (intent_names.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

LABELS_FILE = Path(__file__).with_name("intent_labels.yml")
NAMES_FILE = Path(__file__).with_name("intent_names.yml")


@lru_cache(maxsize=1)
def intent_labels() -> Dict[str, str]:
    """{intent: button title}; only these intents can be offered as a button."""
    return _read(LABELS_FILE)


@lru_cache(maxsize=1)
def intent_names() -> Dict[str, str]:
    """{intent: what the shopper meant}, for every intent and nlu_fallback (agents, reports)."""
    return {**_read(NAMES_FILE), **intent_labels()}


def _read(path: Path) -> Dict[str, str]:
    labels = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(intent): str(title) for intent, title in labels.items()}
