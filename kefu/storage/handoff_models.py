"""The handoff tables: agents and their revoked sessions, cases, their messages and the call-backs of a
ticket; a Base of their own, so that rebuilding the demo shop never loses a case (docs/handoff.md).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

from kefu.storage.models import ShopDateTime, _choice

Base = declarative_base()

QUEUED = "queued"
CLAIMED = "claimed"
CLOSED = "closed"
TICKET = "ticket"
CASE_STATUSES = (QUEUED, CLAIMED, CLOSED, TICKET)
# While a case is open the bot is paused for the shopper; a ticket is not
# open: the shopper left a message and the bot goes on until the call-back.
OPEN_STATUSES = (QUEUED, CLAIMED)

SHOPPER = "shopper"
AGENT = "agent"
BOT = "bot"
SYSTEM = "system"
DIRECTIONS = (SHOPPER, AGENT, BOT, SYSTEM)

# What came of calling a ticket's shopper back.
REACHED = "reached"
NO_ANSWER = "no_answer"
CALLBACK_OUTCOMES = (REACHED, NO_ANSWER)


class Agent(Base):
    """A human agent who logs into the workspace."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(50), nullable=False, unique=True)
    display_name = Column(String(50), nullable=False)
    # "scrypt$n$r$p$salt$hash", see kefu/handoff/agents.py.
    password_hash = Column(String(255), nullable=False)
    created_at = Column(ShopDateTime, nullable=False)
    # Any sign of life from the workspace; "an agent is online" means seen lately.
    last_seen_at = Column(ShopDateTime, nullable=True)


class RevokedSession(Base):
    """A workspace session ended by logging out, refused by every replica until it would have expired.

    Only a hash of the token is kept: the table is no list of usable tokens.
    Rows past ``expires_at`` are pruned (the signature refuses those tokens by itself).
    """

    __tablename__ = "revoked_sessions"

    token_hash = Column(String(64), primary_key=True)  # SHA-256, hex
    expires_at = Column(ShopDateTime, nullable=False, index=True)
    revoked_at = Column(ShopDateTime, nullable=False)


class HandoffCase(Base):
    __tablename__ = "handoff_cases"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(20), nullable=True)
    status = Column(_choice(CASE_STATUSES, "handoff_case_status"), nullable=False, default=QUEUED)
    reason = Column(String(30), nullable=False)
    priority = Column(Integer, nullable=False)
    reason_label = Column(String(100), nullable=False)
    emotion_score = Column(Float, nullable=True)
    intent = Column(String(50), nullable=True)
    slots = Column(JSON, nullable=False, default=dict)  # order_id, current_product_id …
    customer = Column(JSON, nullable=True)  # the CRM profile; None for an anonymous shopper
    recent_orders = Column(JSON, nullable=False, default=list)
    transcript = Column(JSON, nullable=False, default=list)  # [{who, text, at}] before the handoff
    created_at = Column(ShopDateTime, nullable=False)
    claimed_by = Column(String(50), ForeignKey("agents.username"), nullable=True)
    claimed_at = Column(ShopDateTime, nullable=True)
    agent_heartbeat_at = Column(ShopDateTime, nullable=True)
    closed_by = Column(String(50), ForeignKey("agents.username"), nullable=True)
    closed_at = Column(ShopDateTime, nullable=True)
    ticket_contact = Column(String(100), nullable=True)
    callback_at = Column(ShopDateTime, nullable=True)

    __table_args__ = (
        # One open case per shopper, even when two replicas of the action
        # server open one at the same moment.
        Index(
            "one_open_case_per_sender",
            "sender_id",
            unique=True,
            sqlite_where=status.in_(OPEN_STATUSES),
            postgresql_where=status.in_(OPEN_STATUSES),
        ),
        # The queue: open cases by priority, then by how long they have waited.
        Index("handoff_queue", "status", "priority", "created_at"),
    )


class HandoffMessage(Base):
    """A message of a case after it was opened: the shopper's, the agent's, or a note."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id"), nullable=False, index=True)
    direction = Column(_choice(DIRECTIONS, "handoff_message_direction"), nullable=False)
    author = Column(String(50), nullable=True)  # the agent's username for agent messages
    text = Column(Text, nullable=False)
    created_at = Column(ShopDateTime, nullable=False)
    # When the shopper's channel got an agent's message; None while it waits.
    delivered_at = Column(ShopDateTime, nullable=True)

    __table_args__ = (
        # What every socket.io delivery round of every replica asks for (the
        # agents' replies still waiting): only the waiting rows are indexed,
        # so the round stays cheap however many messages were ever sent.
        Index(
            "handoff_messages_awaiting_delivery",
            "direction",
            "created_at",
            sqlite_where=delivered_at.is_(None),
            postgresql_where=delivered_at.is_(None),
        ),
    )


class TicketCallback(Base):
    """An agent calling back the shopper of a ticket: whether they were reached, and the agent's note."""

    __tablename__ = "ticket_callbacks"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id"), nullable=False, index=True)
    agent = Column(String(50), ForeignKey("agents.username"), nullable=False)
    outcome = Column(_choice(CALLBACK_OUTCOMES, "ticket_callback_outcome"), nullable=False)
    note = Column(Text, nullable=False, default="")
    called_at = Column(ShopDateTime, nullable=False)
