"""The platform bridge's memory, in the assistant's own database beside the handoff tables so that
every Rasa replica shares it (kefu/storage/platform_models.py): the nonces of recent signed calls
(a replay is refused on any replica), the message ids of recent buyer messages with their replies (a
plug-in's retry is answered without the bot, on any replica) and the merchant plug-in's bindings of
platform buyers to shop customers and platform items to shop products. Blocking: async callers use a
worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Type

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kefu.handoff.service import handoff_service
from kefu.storage.clock import shop_now
from kefu.storage.db import make_session_factory
from kefu.storage.platform_models import (
    BUYER,
    ITEM,
    PlatformBase,
    PlatformBinding,
    PlatformMessage,
    PlatformNonce,
)

# Expired nonces and message ids are swept at most this often per process: one DELETE each, not one per call.
PRUNE_EVERY_SECONDS = 60.0
# The rows that carry their expiry.
EXPIRING = (PlatformNonce, PlatformMessage)


@dataclass(frozen=True)
class TakenMessage:
    """A buyer message taken before: its replies, or None while it is still being answered."""

    replies: Optional[List[Dict[str, Any]]]

    @property
    def answered(self) -> bool:
        return self.replies is not None


class PlatformStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._clock = clock
        PlatformBase.metadata.create_all(engine)  # checkfirst: existing tables are kept
        self._sessions = make_session_factory(engine)
        self._next_prune = 0.0

    # --- nonces -----------------------------------------------------------------------------------

    def first_use(self, platform: str, nonce: str, keep_seconds: float) -> bool:
        """Records the nonce; False when it was already recorded (and has not expired): a replay.

        The primary key decides, so two replicas receiving the same call at once agree: one insert
        wins. ``keep_seconds`` must cover the whole window in which the call's timestamp passes.
        """
        return self._take(PlatformNonce, keep_seconds, platform=platform, nonce=nonce)

    # --- buyer messages ---------------------------------------------------------------------------

    def take_message(self, platform: str, buyer_id: str, message_id: str, keep_seconds: float) -> bool:
        """Records that the buyer's message ``message_id`` is being answered; False when it was taken
        before (and has not expired): the plug-in sent it again. As with nonces, the primary key decides
        between replicas."""
        return self._take(PlatformMessage, keep_seconds, platform=platform, buyer_id=buyer_id, message_id=message_id)

    def taken_message(self, platform: str, buyer_id: str, message_id: str) -> Optional[TakenMessage]:
        """The message taken before, with its replies once it was answered; None if it is not (or no longer) taken."""
        with self._sessions() as session:
            row = session.get(PlatformMessage, (platform, buyer_id, message_id))
            if row is None or row.expires_at < self._clock():
                return None
            return TakenMessage(row.replies)

    def record_replies(self, platform: str, buyer_id: str, message_id: str, replies: List[Dict[str, Any]]) -> None:
        """What the message was answered, for the plug-in's retries."""
        with self._sessions() as session:
            row = session.get(PlatformMessage, (platform, buyer_id, message_id))
            if row is not None:
                row.replies = list(replies)
                session.commit()

    def release_message(self, platform: str, buyer_id: str, message_id: str) -> None:
        """Forgets the message: it was not answered (refused, or lost), and when sent again is a new one."""
        with self._sessions() as session:
            session.execute(delete(PlatformMessage).where(
                PlatformMessage.platform == platform, PlatformMessage.buyer_id == buyer_id,
                PlatformMessage.message_id == message_id))
            session.commit()

    # --- what expires -----------------------------------------------------------------------------

    def _take(self, model: Type[Any], keep_seconds: float, **key: str) -> bool:
        """Inserts the row of ``model`` with this primary ``key``; False when it is there and not expired."""
        now = self._clock()
        self._prune(now)
        with self._sessions() as session:
            seen = session.get(model, _primary_key(model, key))
            if seen is not None:
                if seen.expires_at >= now:
                    return False
                session.delete(seen)  # long expired and not swept yet: the key may be used again
                session.flush()
            session.add(model(**key, expires_at=now + keep_seconds))
            try:
                session.commit()
            except IntegrityError:  # the same call on another replica at the same moment
                session.rollback()
                return False
        return True

    def _prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_SECONDS
        with self._sessions() as session:
            for model in EXPIRING:
                session.execute(delete(model).where(model.expires_at < now))
            session.commit()

    # --- bindings ---------------------------------------------------------------------------------

    def bind(self, platform: str, kind: str, platform_id: str, shop_id: str) -> None:
        """Maps ``platform_id`` to ``shop_id`` (replacing an earlier binding of the same id)."""
        if kind not in (BUYER, ITEM):
            raise ValueError(f"unknown binding kind {kind!r}")
        with self._sessions() as session:
            binding = session.get(PlatformBinding, (platform, kind, platform_id))
            if binding is None:
                session.add(PlatformBinding(platform=platform, kind=kind, platform_id=platform_id,
                                            shop_id=shop_id, bound_at=shop_now()))
            else:
                binding.shop_id, binding.bound_at = shop_id, shop_now()
            session.commit()

    def unbind(self, platform: str, kind: str, platform_id: str) -> bool:
        with self._sessions() as session:
            removed = session.execute(delete(PlatformBinding).where(
                PlatformBinding.platform == platform, PlatformBinding.kind == kind,
                PlatformBinding.platform_id == platform_id)).rowcount
            session.commit()
        return bool(removed)

    def customer_of(self, platform: str, buyer_id: str) -> Optional[str]:
        return self.lookup(platform, BUYER, [buyer_id]).get(buyer_id)

    def lookup(self, platform: str, kind: str, platform_ids: Iterable[str]) -> Dict[str, str]:
        """The shop ids bound to those of ``platform_ids`` that have one."""
        wanted = sorted(set(platform_ids))
        if not wanted:
            return {}
        with self._sessions() as session:
            rows = session.execute(select(PlatformBinding.platform_id, PlatformBinding.shop_id).where(
                PlatformBinding.platform == platform, PlatformBinding.kind == kind,
                PlatformBinding.platform_id.in_(wanted))).all()
        return {platform_id: shop_id for platform_id, shop_id in rows}


def _primary_key(model: Type[Any], values: Dict[str, str]) -> Tuple[str, ...]:
    return tuple(values[column.name] for column in model.__table__.primary_key.columns)


def platform_store() -> PlatformStore:
    """The store of this process, in the assistant's own database (DATABASE_URL)."""
    return _store_on(handoff_service().engine)


@lru_cache(maxsize=4)
def _store_on(engine: Engine) -> PlatformStore:
    return PlatformStore(engine)
