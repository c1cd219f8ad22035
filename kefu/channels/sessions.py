"""Session tokens: what makes a sender id belong to the shopper who started it (docs/security.md: sessions).

A sender id is chosen by the client and travels in URLs and logs; alone it is
no proof of anything. The first message of a sender id without a session
starts one: an unguessable token (``secrets.token_urlsafe(32)``) goes back to
that client only (REST: the ``X-Session-Token`` response header; socket.io:
the ``session_token`` event), and the agent's replies, the poll for them and
a socket.io session's room then need it. The database keeps only its SHA-256,
keyed by sender id, so that every Rasa replica knows every session and the
table is no list of usable tokens. Blocking: async callers use a worker thread.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kefu.handoff.service import handoff_service
from kefu.storage.clock import shop_now
from kefu.storage.db import make_session_factory
from kefu.storage.session_models import ChannelSession

TOKEN_HEADER = "X-Session-Token"


class SessionCheck(enum.Enum):
    """What a request's token says about its sender id."""

    UNCLAIMED = "unclaimed"  # the sender id has no session yet: whoever comes first starts it
    VALID = "valid"
    MISSING = "missing"  # the sender id has a session, the request no token
    WRONG = "wrong"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionTokens:
    """The channel sessions of one database."""

    def __init__(self, engine: Engine, now: Callable = shop_now) -> None:
        self.engine = engine
        self._now = now
        # Created here too, not only with the handoff tables: a handoff service
        # made before this module was imported would not know the table.
        ChannelSession.__table__.create(engine, checkfirst=True)
        self._sessions = make_session_factory(engine)

    def check(self, sender_id: str, token: Optional[str]) -> SessionCheck:
        with self._sessions() as session:
            stored = session.execute(
                select(ChannelSession.token_hash).where(ChannelSession.sender_id == sender_id)
            ).scalar_one_or_none()
        if stored is None:
            return SessionCheck.UNCLAIMED
        if not token:
            return SessionCheck.MISSING
        # Constant time: how much of a guess was right must not show in the answer's timing.
        return SessionCheck.VALID if hmac.compare_digest(stored, token_hash(token)) else SessionCheck.WRONG

    def start(self, sender_id: str) -> Optional[str]:
        """A new session's token for an unclaimed sender id; None if another request claimed it first."""
        token = secrets.token_urlsafe(32)
        with self._sessions() as session:
            session.add(ChannelSession(sender_id=sender_id, token_hash=token_hash(token), created_at=self._now()))
            try:
                session.commit()
            except IntegrityError:  # two first messages at once: one session, the other gets no token
                session.rollback()
                return None
        return token


def session_tokens() -> SessionTokens:
    """The sessions of this process, in the assistant's own database beside the handoff tables."""
    return _tokens_on(handoff_service().engine)


@lru_cache(maxsize=4)
def _tokens_on(engine: Engine) -> SessionTokens:
    return SessionTokens(engine)
