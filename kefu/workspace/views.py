"""What the workspace's page is sent: a case as a line of the queue and in full, its messages and the
calls made to a ticket's shopper, as JSON with times in shop time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Sequence

from kefu.handoff.case_store import Case, Message
from kefu.storage.handoff_models import TICKET
from kefu.handoff.tickets import CallbackAttempt
from kefu.replies.intent_labels import intent_names
from kefu.storage.clock import in_shop_time

# {username: display name} of the agents a view names.
Names = Mapping[Optional[str], Optional[str]]


def _time(moment: Optional[datetime]) -> Optional[str]:
    return in_shop_time(moment).isoformat() if moment is not None else None


def case_summary(case: Case, now: datetime, names: Optional[Names] = None) -> Dict[str, Any]:
    """A line of the queue; ``names`` ({username: display name}) names the agent holding the case."""
    customer = case.customer or {}
    return {
        "id": case.id,
        "sender_id": case.sender_id,
        "channel": case.channel,
        "status": case.status,
        "priority": case.priority,
        "reason": case.reason,
        "reason_label": case.reason_label,
        "emotion_score": case.emotion_score,
        "intent": case.intent,
        "intent_label": intent_names().get(case.intent or ""),
        "customer_name": customer.get("name"),
        "member_level": customer.get("member_level"),
        "member_level_label": customer.get("member_level_label"),
        "high_value": bool(customer.get("high_value")),
        "created_at": _time(case.created_at),
        "waiting_seconds": max(0, int((now - case.created_at).total_seconds())),
        "claimed_by": case.claimed_by,
        "claimed_by_name": (names or {}).get(case.claimed_by) or case.claimed_by,
        "ticket_contact": case.ticket_contact,
        "callback_at": _time(case.callback_at),
        # A ticket whose promised call-back time has passed.
        "overdue": case.status == TICKET and case.callback_at is not None and case.callback_at < now,
    }


def callback_json(attempt: CallbackAttempt, agent_name: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": attempt.id,
        "agent": attempt.agent,
        "agent_name": agent_name or attempt.agent,
        "outcome": attempt.outcome,
        "note": attempt.note,
        "at": _time(attempt.called_at),
    }


def callbacks_json(attempts: Sequence[CallbackAttempt], names: Optional[Names] = None) -> Dict[str, Any]:
    """The calls made to a ticket's shopper so far, as the ticket list and the case show them."""
    return {
        "callbacks": [callback_json(attempt, (names or {}).get(attempt.agent)) for attempt in attempts],
        "callback_attempts": len(attempts),
    }


def case_detail(case: Case, now: datetime, callbacks: Sequence[CallbackAttempt] = (),
                names: Optional[Names] = None) -> Dict[str, Any]:
    """Everything the agent reads before answering (or calling a ticket's shopper back)."""
    return {
        **case_summary(case, now, names),
        **callbacks_json(callbacks, names),
        "slots": case.slots,
        "customer": case.customer,
        "recent_orders": case.recent_orders,
        "transcript": [line.to_json() for line in case.transcript],
        "closed_by": case.closed_by,
        "closed_at": _time(case.closed_at),
    }


def message_json(message: Message, author_name: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": message.id,
        "direction": message.direction,
        "author": message.author,
        "author_name": author_name or message.author,
        "text": message.text,
        "at": _time(message.created_at),
        "delivered": message.delivered_at is not None,
    }
