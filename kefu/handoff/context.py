"""What a handoff needs to know from the conversation so far (Rasa tracker event dicts): the transcript
the agent reads, and the facts behind the trigger (misunderstandings in a row, and whether the bot's last
reply offered an agent for want of an answer, after a locked verification, or as an offer taken)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Mapping, Optional, Sequence

from kefu.handoff.case_store import TranscriptLine
from kefu.replies import identify
from kefu.services.clarification import HUMAN_PAYLOAD, consecutive_misunderstandings
from kefu.storage.clock import SHOP_TZ

# Replies that offer an agent because the merchant's knowledge has no answer.
NO_ANSWER_TEMPLATES = frozenset({"knowledge_unknown", "product_attribute_unknown"})
LOCKED_TEMPLATES = frozenset({"verification_locked"})


@dataclass(frozen=True)
class HandoffFacts:
    fallbacks_in_a_row: int
    knowledge_unknown: bool
    verification_locked: bool
    agent_offer_accepted: bool


def transcript(events: Sequence[Mapping[str, Any]]) -> List[TranscriptLine]:
    """Every message of the conversation, the shopper's and the bot's, in order."""
    lines = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        at = datetime.fromtimestamp(event["timestamp"], SHOP_TZ) if event.get("timestamp") else None
        lines.append(TranscriptLine("shopper" if kind == "user" else "bot", text, at))
    return lines


def _before_latest_message(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return list(events[:index])
    return list(events)


def _last_bot_replies(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The bot's messages since the shopper's previous message."""
    replies: List[Mapping[str, Any]] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            replies.append(event)
    return replies


def handoff_facts(events: Sequence[Mapping[str, Any]], latest_text: Optional[str]) -> HandoffFacts:
    earlier = _before_latest_message(events)
    replies = _last_bot_replies(earlier)
    templates = {identify(reply.get("text") or "") for reply in replies}
    offered = any(
        button.get("payload") == HUMAN_PAYLOAD
        for reply in replies
        for button in ((reply.get("data") or {}).get("buttons") or [])
    )
    return HandoffFacts(
        fallbacks_in_a_row=consecutive_misunderstandings(earlier),
        knowledge_unknown=bool(templates & NO_ANSWER_TEMPLATES),
        verification_locked=bool(templates & LOCKED_TEMPLATES),
        agent_offer_accepted=offered and (latest_text or "").strip() == HUMAN_PAYLOAD,
    )
