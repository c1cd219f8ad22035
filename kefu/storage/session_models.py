"""The shoppers' channel sessions: the hash of the session token each sender id was given when its first
message came in (kefu/channels/sessions.py). In the database rather than in one server's memory, so
that every Rasa replica knows every shopper's token; on the handoff tables' Base, so that
``create_handoff_schema`` creates the table with them (docs/security.md: sessions)."""

from __future__ import annotations

from sqlalchemy import Column, String

from kefu.storage.handoff_models import Base
from kefu.storage.models import ShopDateTime


class ChannelSession(Base):
    """One sender id's session. Only a hash of the token is kept: the table is no list of usable tokens."""

    __tablename__ = "channel_sessions"

    sender_id = Column(String(255), primary_key=True)
    token_hash = Column(String(64), nullable=False)  # SHA-256, hex
    created_at = Column(ShopDateTime, nullable=False, index=True)  # for the retention purge
