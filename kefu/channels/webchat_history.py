"""The web chat's history: a conversation's tracker events and photos as the widget shows them again after a
reload, in a second tab or a browser opened again (docs/channels/webchat.md: history). Plain data in,
plain data out: the channel reads the tracker from the Rasa server's own tracker store and the photos
from the web chat's table, never through Rasa's HTTP API."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

# Enough for a shopper to pick up where they left off; older turns stay in the tracker for the shop.
HISTORY_MAX_MESSAGES = 200


CardMaker = Callable[[List[Dict[str, Any]]], Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]]


def conversation_history(events: Iterable[Dict[str, Any]], photos: Iterable[Dict[str, Any]] = (),
                         cards: Optional[CardMaker] = None) -> List[Dict[str, Any]]:
    """The shopper's, the bot's and the agents' messages, oldest first, at most HISTORY_MAX_MESSAGES.

    A shopper's message shows what they saw when they sent it (a button's title rather than its payload);
    an agent's message names its agent; a photo is its URL relative to the web chat's routes; with
    ``cards`` (kefu.channels.webchat_cards), product buttons come back as the cards they were shown as.
    """
    messages: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        metadata = event.get("metadata") or {}
        if kind == "user":
            text = metadata.get("display_text") or event.get("text") or ""
            if not text:
                continue
            messages.append({"from": "shopper", "text": text, "at": event.get("timestamp"),
                             "client_message_id": metadata.get("client_message_id")})
        elif kind == "bot":
            handoff = metadata.get("handoff") if isinstance(metadata.get("handoff"), dict) else None
            message = _bot_message(event, cards)
            if message is None:
                continue
            if handoff is not None and handoff.get("from") == "agent":
                message.update({"from": "agent", "agent": handoff.get("agent")})
            messages.append(message)
    for photo in photos:
        messages.append({"from": "shopper", "photo": f"photos/{photo['id']}", "at": photo["at"]})
    messages.sort(key=lambda message: message.get("at") or 0)  # stable: the tracker's order within a second
    return messages[-HISTORY_MAX_MESSAGES:]


def _bot_message(event: Dict[str, Any], cards: Optional[CardMaker]) -> Optional[Dict[str, Any]]:
    data = event.get("data") or {}
    message: Dict[str, Any] = {"from": "bot", "at": event.get("timestamp")}
    if event.get("text"):
        message["text"] = event["text"]
    for key in ("buttons", "quick_replies", "image", "custom", "attachment", "elements"):
        if data.get(key):
            message[key] = data[key]
    if cards is not None and message.get("buttons"):
        remaining, made = cards(message["buttons"])
        message.pop("buttons")
        if remaining:
            message["buttons"] = remaining
        if made:
            message["cards"] = made
    return message if len(message) > 2 else None
