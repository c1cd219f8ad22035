"""The photos that go with a shopper's problem report (docs/channels/webchat.md: photos), for the people
who handle it: those the shopper sent through the web chat in the current conversation, read from the
assistant's database where the web chat keeps them (``webchat_photos``).

Which conversation: from the start of the current Rasa session (``session_started``, or a restart),
reaching back by the session's silence limit (domain.yml ``session_expiration_time``, an hour). A photo
is no message (uploading it starts no session), so the shopper who sends the photo of a broken cup
first and types "杯子碎了" a minute later opens the session after the photo; reaching back by the limit
takes it in, and nothing from the previous conversation, which by that limit ended at least that long
before. Yesterday's photo of another parcel stays out. A second report in the same conversation gets
the same photos: they may show both problems, and a photo too many costs the agent a glance where a
missing one costs the shopper a second upload.

Only photos of this sender on the web chat: a shopper on another channel has none, and the sender id
of a web chat session is kept in the shopper's browser with its session token. A database that cannot
answer gives no photos and a warning: the report itself must go through.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from kefu.backends.after_sales import MAX_PROBLEM_PHOTOS
from kefu.handoff.service import DATABASE_ERRORS, handoff_service
from kefu.storage.clock import SHOP_TZ
from kefu.storage.db import make_session_factory
from kefu.storage.webchat_models import WebchatPhoto

logger = logging.getLogger(__name__)

# Rasa's name of the web chat's input channel (kefu.channels.webchat.WebChatInput.name()): set by the
# server for each message, never by the client.
WEB_CHAT_INPUT_CHANNEL = "webchat"
# Rasa's own default session_expiration_time, for a domain that does not say.
DEFAULT_SESSION_MINUTES = 60
_CONVERSATION_STARTS = ("session_started", "restart")


def session_gap_seconds(domain: Mapping[str, Any]) -> float:
    """The silence after which Rasa starts a new session, from the domain the action was given."""
    minutes = (domain.get("session_config") or {}).get("session_expiration_time")
    try:
        return max(0.0, float(minutes)) * 60 if minutes is not None else DEFAULT_SESSION_MINUTES * 60.0
    except (TypeError, ValueError):
        return DEFAULT_SESSION_MINUTES * 60.0


def conversation_began(events: Sequence[Mapping[str, Any]], gap_seconds: float) -> Optional[float]:
    """From when (Unix seconds) the shopper's photos belong to the current conversation; None for a
    conversation without a single event with a time (nothing to go by: no photos)."""
    starts = [event.get("timestamp") for event in events if event.get("event") in _CONVERSATION_STARTS]
    starts = [moment for moment in starts if moment is not None]
    if starts:
        began = starts[-1]
    else:  # a tracker without a session start (sessions switched off): its first event
        began = next((event["timestamp"] for event in events if event.get("timestamp") is not None), None)
    return None if began is None else float(began) - gap_seconds


class ReportPhotos:
    """The ids of the photos that go with a problem report (blocking: run it in a worker thread)."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self._engine = engine  # called on use: building it may be what fails

    def for_report(self, sender_id: str, input_channel: Optional[str], events: Sequence[Mapping[str, Any]],
                   gap_seconds: float) -> Tuple[str, ...]:
        """The photos this sender sent through the web chat in the current conversation, oldest first,
        the latest MAX_PROBLEM_PHOTOS of them; () for any other channel, and when the database fails."""
        if input_channel != WEB_CHAT_INPUT_CHANNEL or not sender_id:
            return ()
        since = conversation_began(events, gap_seconds)
        if since is None:
            return ()
        try:
            photo_ids = self._sent_since(sender_id, datetime.fromtimestamp(since, SHOP_TZ))
        except DATABASE_ERRORS as error:
            logger.warning("the photos of %s could not be read; the problem report goes without them: %s",
                           sender_id, error)
            return ()
        return tuple(photo_ids[-MAX_PROBLEM_PHOTOS:])

    def _sent_since(self, sender_id: str, since: datetime) -> List[str]:
        with make_session_factory(self._engine())() as session:
            return list(session.execute(
                select(WebchatPhoto.id)
                .where(WebchatPhoto.sender_id == sender_id, WebchatPhoto.created_at >= since)
                .order_by(WebchatPhoto.created_at, WebchatPhoto.id)
            ).scalars())


@lru_cache(maxsize=1)
def report_photos() -> ReportPhotos:
    """The one of this process, on the assistant's own database (where the handoff and the web chat live)."""
    return ReportPhotos(lambda: handoff_service().engine)
