"""What the shopper's latest message carried: entities and channel metadata."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from rasa_sdk import Tracker


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The last value of this entity in the latest message, if any."""
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return str(values[-1]) if values else None


def latest_metadata(tracker: Tracker) -> Dict[str, Any]:
    """Metadata the channel attached to the latest user message (channel, customer_id …)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata") or {}
    return {}


def answer_from_button(value: Any, slot: str) -> Any:
    """A from_text slot filled by a button payload (/inform{"slot": "x"}) holds the payload: take x."""
    text = str(value or "")
    if not text.startswith("/") or "{" not in text:
        return value
    try:
        values = json.loads(text[text.index("{"):])
    except ValueError:
        return value
    return values.get(slot, value) if isinstance(values, dict) else value


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message set it (entity mappings fill slots on every message)."""
    seen_latest_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest_user_message = True
        elif seen_latest_user_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None
