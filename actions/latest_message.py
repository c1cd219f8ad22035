"""What the shopper's latest message carried: entities and channel metadata."""

from __future__ import annotations

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
