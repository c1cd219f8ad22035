"""The web chat's own tables (kefu/channels/webchat*.py, docs/channels/webchat.md): the client message ids
already taken (so a message the widget sends again after a reconnect is not answered twice), the photos
shoppers sent, and the satisfaction ratings they gave (for the analytics).

On the handoff tables' Base, so that ``create_handoff_schema`` creates them with the cases they refer to
once this module is imported; the web chat store also creates them itself (``checkfirst``), as the
session table does. No foreign keys to the cases: a rating or a photo outlives the retention purge of
its case, and a rating may be given for a conversation with the bot alone (no case at all).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, String, Text, UniqueConstraint

from kefu.storage.handoff_models import Base
from kefu.storage.models import ShopDateTime


class WebchatClientMessage(Base):
    """A message id the widget made up for one message of one session: taken once, never again."""

    __tablename__ = "webchat_client_messages"
    __table_args__ = (UniqueConstraint("sender_id", "client_message_id", name="uq_webchat_client_message"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False)
    client_message_id = Column(String(64), nullable=False)
    received_at = Column(ShopDateTime, nullable=False, index=True)  # for the retention purge


class WebchatPhoto(Base):
    """A photo a shopper sent (a damaged item, a wrong colour). In the database, not on one server's disk,
    so that every replica can show it; at most a few megabytes each (checked before it is stored)."""

    __tablename__ = "webchat_photos"

    id = Column(String(32), primary_key=True)  # random hex: not guessable, not a counter
    sender_id = Column(String(255), nullable=False, index=True)
    case_id = Column(Integer, nullable=True, index=True)  # the case open when it was sent, if any
    content_type = Column(String(32), nullable=False)
    size = Column(Integer, nullable=False)
    data = Column(LargeBinary, nullable=False)
    created_at = Column(ShopDateTime, nullable=False, index=True)


class WebchatRating(Base):
    """How satisfied a shopper was (1-5, an optional comment) with a conversation or a handoff case."""

    __tablename__ = "webchat_ratings"
    __table_args__ = (UniqueConstraint("sender_id", "subject", name="uq_webchat_rating_subject"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    # What was rated: "case:<id>" for a handoff case, "conversation:<n>" for a talk with the bot.
    subject = Column(String(64), nullable=False)
    case_id = Column(Integer, nullable=True, index=True)
    agent = Column(String(64), nullable=True)  # who served the case, for the per-agent figures
    channel = Column(String(16), nullable=False, default="web")
    score = Column(Integer, nullable=False)
    comment = Column(Text, nullable=True)
    created_at = Column(ShopDateTime, nullable=False, index=True)
