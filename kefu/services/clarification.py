"""Clarification instead of guessing when the NLU was not sure: which of the model's close guesses to
offer as buttons, or a human after repeated misses (docs/dialogue.md: clarification).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Collection, Dict, Iterable, List, Mapping, Optional, Tuple

from kefu import names

FALLBACK_INTENT = names.NLU_FALLBACK_INTENT
# Button payloads. A click on "换个说法" parses to nlu_fallback with no real
# ranking, so it gets the request to rephrase (and, being a click, starts the
# count of misses afresh).
HUMAN_PAYLOAD = f"/{names.REQUEST_HUMAN_INTENT}"
REPHRASE_PAYLOAD = f"/{FALLBACK_INTENT}"

NOT_OFFERED = frozenset(
    {
        FALLBACK_INTENT,
        names.OUT_OF_SCOPE_INTENT,
        *names.ANSWER_INTENTS,
        *names.SMALL_TALK_INTENTS,
        names.REQUEST_HUMAN_INTENT,
    }
)

MIN_CONFIDENCE = 0.1
RELATIVE_TO_BEST = 0.5
MAX_OPTIONS = 2
MISSES_BEFORE_HUMAN = 2

OFFER_HUMAN = "offer_human"
CHOOSE = "choose"
REPHRASE = "rephrase"

# Events after which earlier messages no longer count as "in a row".
_CONVERSATION_STARTS = {"session_started", "restart"}


@dataclass(frozen=True)
class ClarificationPlan:
    kind: str  # OFFER_HUMAN, CHOOSE or REPHRASE
    intents: Tuple[str, ...] = ()  # the candidates, for CHOOSE
    misses: int = 0  # misunderstood messages in a row, the latest included


def _confidence(value: Any) -> Optional[float]:
    try:
        confidence = float(value)
    except (TypeError, ValueError):
        return None
    return confidence if math.isfinite(confidence) else None


def _real_ranking(intent_ranking: Any) -> List[Tuple[float, str]]:
    """(confidence, intent) best first, without nlu_fallback or malformed entries."""
    ranked: Dict[str, float] = {}
    for entry in intent_ranking if isinstance(intent_ranking, (list, tuple)) else ():
        if not isinstance(entry, Mapping):
            continue
        name, confidence = entry.get("name"), _confidence(entry.get("confidence"))
        if not isinstance(name, str) or not name or name == FALLBACK_INTENT or confidence is None:
            continue
        ranked[name] = max(confidence, ranked.get(name, confidence))
    return sorted(((c, n) for n, c in ranked.items()), key=lambda item: -item[0])


def candidate_intents(
    intent_ranking: Any,
    max_options: int = MAX_OPTIONS,
    floor: float = MIN_CONFIDENCE,
    relative: float = RELATIVE_TO_BEST,
    offerable: Optional[Collection[str]] = None,
) -> List[str]:
    """The intents worth offering as buttons, best first (see the module doc).

    ``intent_ranking`` is Rasa's list of ``{"name", "confidence"}``; anything
    else gives no candidates. ``offerable``, when given, narrows the choice
    further (to the intents that have a button title).
    """
    ranked = _real_ranking(intent_ranking)
    if not ranked or max_options <= 0:
        return []
    bar = max(floor, ranked[0][0] * relative)
    offered: List[str] = []
    for confidence, name in ranked:
        if confidence < bar:
            break
        if name in NOT_OFFERED or (offerable is not None and name not in offerable):
            continue
        offered.append(name)
        if len(offered) == max_options:
            break
    return offered


def _understood(event: Mapping) -> bool:
    text = event.get("text")
    if isinstance(text, str) and text.strip().startswith("/"):
        return True  # a button click: the shopper said exactly what they meant
    parse_data = event.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, Mapping) else None
    return not (isinstance(intent, Mapping) and intent.get("name") == FALLBACK_INTENT)


def consecutive_misunderstandings(events: Any) -> int:
    """How many of the shopper's latest messages in a row went to nlu_fallback.

    Counted back from the newest user event (Rasa tracker event dicts) to the
    first one that was understood, or to the start of the session.
    """
    misses = 0
    for event in reversed(list(events) if isinstance(events, Iterable) else []):
        if not isinstance(event, Mapping):
            continue
        kind = event.get("event")
        if kind in _CONVERSATION_STARTS:
            break
        if kind != "user":
            continue
        if _understood(event):
            break
        misses += 1
    return misses


def clarification_plan(
    intent_ranking: Any,
    events: Any,
    offerable: Optional[Collection[str]] = None,
    misses_before_human: int = MISSES_BEFORE_HUMAN,
) -> ClarificationPlan:
    """What to answer a message the NLU was not sure of."""
    misses = consecutive_misunderstandings(events)
    if misses >= misses_before_human:
        return ClarificationPlan(OFFER_HUMAN, misses=misses)
    intents = candidate_intents(intent_ranking, offerable=offerable)
    if intents:
        return ClarificationPlan(CHOOSE, tuple(intents), misses)
    return ClarificationPlan(REPHRASE, misses=misses)


def entity_values(entities: Any) -> Dict[str, Any]:
    """{entity: value} of a message's entities; the last value of a type wins."""
    values: Dict[str, Any] = {}
    for entry in entities if isinstance(entities, (list, tuple)) else ():
        if isinstance(entry, Mapping) and entry.get("entity") and entry.get("value") not in (None, ""):
            values[str(entry["entity"])] = entry["value"]
    return values


def intent_payload(intent: str, entities: Optional[Mapping[str, Any]] = None) -> str:
    """A button payload that sends the intent with the entities the shopper gave.

    ``/track_order{"order_id":"2024111100002"}``; Chinese values stay readable.
    """
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(dict(entities), ensure_ascii=False, separators=(",", ":"), default=str)
