"""What the web chat keeps in the assistant's database (kefu/storage/webchat_models.py): client message
ids taken, photos, ratings. Plain Python and blocking: the channel calls it from a worker thread."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kefu.handoff.service import handoff_service
from kefu.storage.clock import shop_now
from kefu.storage.db import make_session_factory
from kefu.storage.webchat_models import WebchatClientMessage, WebchatPhoto, WebchatRating

RATING_SCORES = range(1, 6)
RATING_COMMENT_MAX_CHARS = 500


@dataclass(frozen=True)
class StoredPhoto:
    id: str
    sender_id: str
    case_id: Optional[int]
    content_type: str
    data: bytes


class WebchatStore:
    """The web chat's tables in one database."""

    def __init__(self, engine: Engine, now: Callable = shop_now) -> None:
        self.engine = engine
        self._now = now
        for model in (WebchatClientMessage, WebchatPhoto, WebchatRating):
            model.__table__.create(engine, checkfirst=True)
        self._sessions = make_session_factory(engine)

    def take_client_message(self, sender_id: str, client_message_id: str) -> bool:
        """True the first time this session sends this message id; False for a message sent again."""
        with self._sessions() as session:
            session.add(WebchatClientMessage(sender_id=sender_id, client_message_id=client_message_id,
                                             received_at=self._now()))
            try:
                session.commit()
            except IntegrityError:  # the unique constraint decides, on every replica at once
                session.rollback()
                return False
        return True

    def forget_client_messages(self, before: datetime) -> int:
        """Drops the message ids taken before ``before`` (a widget resends within seconds, not days); how many."""
        with self._sessions() as session:
            gone = session.execute(delete(WebchatClientMessage).where(WebchatClientMessage.received_at < before))
            session.commit()
            return gone.rowcount or 0

    def add_photo(self, sender_id: str, content_type: str, data: bytes, case_id: Optional[int]) -> str:
        photo_id = secrets.token_hex(16)
        with self._sessions() as session:
            session.add(WebchatPhoto(id=photo_id, sender_id=sender_id, case_id=case_id, content_type=content_type,
                                     size=len(data), data=data, created_at=self._now()))
            session.commit()
        return photo_id

    def photo(self, photo_id: str) -> Optional[StoredPhoto]:
        with self._sessions() as session:
            row = session.get(WebchatPhoto, photo_id)
            if row is None:
                return None
            return StoredPhoto(row.id, row.sender_id, row.case_id, row.content_type, bytes(row.data))

    def photos_of(self, sender_id: str) -> List[Dict[str, Any]]:
        """The session's photos, oldest first: their ids and when they came (Unix seconds, as the tracker's)."""
        with self._sessions() as session:
            rows = session.execute(select(WebchatPhoto.id, WebchatPhoto.created_at)
                                   .where(WebchatPhoto.sender_id == sender_id)
                                   .order_by(WebchatPhoto.created_at)).all()
            return [{"id": photo_id, "at": created_at.timestamp()} for photo_id, created_at in rows]

    def rate(self, sender_id: str, subject: str, score: int, comment: Optional[str],
             case_id: Optional[int] = None, agent: Optional[str] = None) -> None:
        """Stores a rating; a second rating of the same subject replaces the first (a shopper changing
        their mind counts once)."""
        with self._sessions() as session:
            row = session.execute(select(WebchatRating).where(WebchatRating.sender_id == sender_id,
                                                              WebchatRating.subject == subject)).scalar_one_or_none()
            if row is None:
                row = WebchatRating(sender_id=sender_id, subject=subject)
                session.add(row)
            row.case_id, row.agent, row.channel = case_id, agent, "web"
            row.score, row.comment, row.created_at = score, comment or None, self._now()
            session.commit()

    def ratings_of(self, sender_id: str) -> List[Dict[str, Any]]:
        with self._sessions() as session:
            rows = session.execute(select(WebchatRating).where(WebchatRating.sender_id == sender_id)
                                   .order_by(WebchatRating.id)).scalars()
            return [{"subject": row.subject, "case_id": row.case_id, "agent": row.agent, "score": row.score,
                     "comment": row.comment, "channel": row.channel} for row in rows]


def webchat_store() -> WebchatStore:
    """The store of this process, in the assistant's own database beside the handoff tables."""
    return _store_on(handoff_service().engine)


@lru_cache(maxsize=4)
def _store_on(engine: Engine) -> WebchatStore:
    return WebchatStore(engine)
