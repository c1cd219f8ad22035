"""Intents in the shopper's words (``data/responses/intents.yml``): button titles and names for people."""

from __future__ import annotations

from typing import Dict

from kefu.storage.responses import responses


def intent_labels() -> Dict[str, str]:
    """{intent: button title}; only these intents can be offered as a button."""
    return {intent: words.name for intent, words in responses().intents.items() if words.button}


def intent_names() -> Dict[str, str]:
    """{intent: what the shopper meant}, for every intent and nlu_fallback (agents, reports)."""
    return {intent: words.name for intent, words in responses().intents.items()}
