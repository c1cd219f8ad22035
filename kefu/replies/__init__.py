"""Reply templates the action server fills in (kefu/replies/templates.yml)."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

TEMPLATES_FILE = Path(__file__).with_name("templates.yml")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def templates() -> Dict[str, List[Dict[str, Any]]]:
    return yaml.safe_load(TEMPLATES_FILE.read_text(encoding="utf-8"))


def placeholders(name: str) -> set:
    return {p for variation in templates()[name] for p in _PLACEHOLDER.findall(variation["text"])}


def render(name: str, chooser=random.choice, **values: Any) -> Dict[str, Any]:
    """``{"text": ..., "buttons": [...]}`` for dispatcher.utter_message(**...).

    Raises KeyError for an unknown template or a missing placeholder value,
    so a mistake shows up in the tests rather than as a broken reply.
    """
    variation = chooser(templates()[name])
    reply: Dict[str, Any] = {"text": variation["text"].format(**values)}
    if variation.get("buttons"):
        reply["buttons"] = [dict(button) for button in variation["buttons"]]
    return reply


def render_with_buttons(name: str, buttons: List[Dict[str, str]], **values: Any) -> Dict[str, Any]:
    """A template whose own buttons (转人工, 都不是 …) come after the ones computed for this reply."""
    reply = render(name, **values)
    reply["buttons"] = list(buttons) + reply.get("buttons", [])
    return reply


def button_payloads(name: str) -> set:
    """What the template's own buttons send back."""
    return {button["payload"] for variation in templates()[name] for button in variation.get("buttons", [])}


def templates_matching(text: str) -> List[str]:
    """Every template one of whose variations could have produced the text."""
    matching = []
    for name, variations in templates().items():
        for variation in variations:
            pattern = re.escape(variation["text"])
            pattern = re.sub(r"\\\{(\w+)\\\}", "(?s:.+?)", pattern)
            if re.fullmatch(pattern, text):
                matching.append(name)
                break
    return matching


def identify(text: str) -> Optional[str]:
    """Which template a sent text came from (for tests and reports)."""
    matching = templates_matching(text)
    return matching[0] if matching else None
