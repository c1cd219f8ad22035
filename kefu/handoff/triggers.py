"""When a conversation goes to a human agent, why, and how urgently (docs/handoff.md: triggers and priorities).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional, Tuple

from kefu.handoff.emotion import is_angry, message_emotion
from kefu.names import (
    ASK_REFUND_STATUS_INTENT,
    ASK_WARRANTY_INTENT,
    COMPLAIN_INTENT,
    REPORT_PROBLEM_INTENT,
    REQUEST_HUMAN_INTENT,
)
from kefu.services.clarification import MISSES_BEFORE_HUMAN
from kefu.storage.phrases import listed, plain_phrase

MOST_URGENT = 1
GOLD = "gold"


class HandoffReason(str, Enum):
    """Why a case was opened. Declared in order of precedence among equal priorities."""

    ANGRY = ("angry", 1)
    COMPLAINT = ("complaint", 1)
    VIP_PROBLEM = ("vip_problem", 2)
    VERIFICATION_FAILED = ("verification_failed", 2)
    REQUESTED = ("requested", 3)
    AGENT_OFFER_ACCEPTED = ("agent_offer_accepted", 3)
    REPEATED_FALLBACK = ("repeated_fallback", 3)
    UNKNOWN_ANSWER = ("unknown_answer", 4)

    def __new__(cls, value: str, priority: int) -> "HandoffReason":
        member = str.__new__(cls, value)
        member._value_ = value
        member.priority = priority
        return member

    @property
    def label(self) -> str:
        """What the agents' queue calls the reason (data/responses/workspace.yml)."""
        return plain_phrase(f"handoff_reason_{self.value}")


# Intents that name the trigger by themselves.
REQUEST_INTENT = REQUEST_HUMAN_INTENT
COMPLAINT_INTENT = COMPLAIN_INTENT
# "Asking about a problem": something went wrong with what they bought.
PROBLEM_INTENTS = frozenset({REPORT_PROBLEM_INTENT, ASK_REFUND_STATUS_INTENT, ASK_WARRANTY_INTENT, COMPLAINT_INTENT})


@dataclass(frozen=True)
class HandoffDecision:
    reason: HandoffReason  # the most urgent trigger
    priority: int  # 1 most urgent; after the gold member's step up
    label: str  # for agents, in Chinese
    triggers: Tuple[HandoffReason, ...]  # every trigger that fired, most urgent first
    emotion_score: float

    @property
    def labels(self) -> str:
        """All the triggers for the agent's queue: "情绪激动、投诉/索赔"."""
        return str(listed(trigger.label for trigger in self.triggers))


def decide_handoff(
    intent: Optional[str],
    text: Optional[str] = None,
    emotion_score: Optional[float] = None,
    fallbacks_in_a_row: int = 0,
    knowledge_unknown: bool = False,
    verification_locked: bool = False,
    member_level: Optional[str] = None,
    agent_offer_accepted: bool = False,
) -> Optional[HandoffDecision]:
    """The handoff this turn calls for, or None to let the bot go on.

    ``emotion_score`` is scored from ``text`` when not given (a message classified as praise
    scores 0: thanks are never taken for anger).
    ``fallbacks_in_a_row`` counts the misunderstood messages up to and
    including this one (see ``kefu.services.clarification``).
    """
    score = message_emotion(text, intent).score if emotion_score is None else emotion_score
    fired = []
    if is_angry(score):
        fired.append(HandoffReason.ANGRY)
    if intent == COMPLAINT_INTENT:
        fired.append(HandoffReason.COMPLAINT)
    if member_level == GOLD and intent in PROBLEM_INTENTS:
        fired.append(HandoffReason.VIP_PROBLEM)
    if verification_locked:
        fired.append(HandoffReason.VERIFICATION_FAILED)
    if intent == REQUEST_INTENT:
        fired.append(HandoffReason.REQUESTED)
    if agent_offer_accepted:
        fired.append(HandoffReason.AGENT_OFFER_ACCEPTED)
    if fallbacks_in_a_row >= MISSES_BEFORE_HUMAN:
        fired.append(HandoffReason.REPEATED_FALLBACK)
    if knowledge_unknown:
        fired.append(HandoffReason.UNKNOWN_ANSWER)
    if not fired:
        return None
    order = list(HandoffReason)
    triggers = tuple(sorted(fired, key=lambda reason: (reason.priority, order.index(reason))))
    reason = triggers[0]
    return HandoffDecision(
        reason=reason,
        priority=priority_for(reason, member_level),
        label=reason.label,
        triggers=triggers,
        emotion_score=score,
    )


def priority_for(reason: HandoffReason, member_level: Optional[str] = None) -> int:
    """The case's priority: the reason's, one step more urgent for a gold member."""
    if member_level == GOLD:
        return max(MOST_URGENT, reason.priority - 1)
    return reason.priority
