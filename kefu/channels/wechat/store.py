"""What the WeChat connectors remember, in the assistant's database so that every Rasa replica shares it
and a restart loses nothing: access tokens (one fetch for all replicas), callbacks seen (WeChat retries
a callback 3 times), kf/sync_msg cursors, and per WeChat user the sender id, the binding to a shop
customer, the 48-hour / 5-message window and the numbered choices last offered.

Blocking: async callers run it in a worker thread."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, List, Optional, Tuple

from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kefu.storage.db import make_session_factory
from kefu.storage.wechat_models import WeChatAccessToken, WeChatKfCursor, WeChatSeenMessage, WeChatUser

logger = logging.getLogger(__name__)

TABLES = (WeChatAccessToken, WeChatSeenMessage, WeChatKfCursor, WeChatUser)
# WeChat retries within 15 seconds; a day of MsgIds is plenty.
SEEN_MEMORY_SECONDS = 24 * 3600.0
PRUNE_EVERY = 500
# A token is renewed this long before WeChat says it expires (it lives 7200 s).
TOKEN_REFRESH_MARGIN_SECONDS = 300.0
# How long one replica may take to fetch a token before another may try.
TOKEN_LEASE_SECONDS = 10.0
TOKEN_WAIT_STEP_SECONDS = 0.1

# WeChat Customer Service: after a user's message the account may send at most 5 messages within 48 hours.
KF_WINDOW_SECONDS = 48 * 3600.0
KF_MESSAGES_PER_WINDOW = 5
WINDOW_OPEN, WINDOW_EXHAUSTED, WINDOW_CLOSED = "open", "exhausted", "closed"


class TokenUnavailable(Exception):
    """No access token: WeChat refused the credentials or another replica's fetch never finished."""


@dataclass(frozen=True)
class Window:
    """What the WeChat Customer Service window allows now."""

    state: str  # open, exhausted, closed
    remaining: int  # messages that may still go out
    closes_at: Optional[float]  # Unix seconds


@dataclass(frozen=True)
class UserRecord:
    sender_id: str
    kind: str
    account: str
    user: str
    customer_id: Optional[str]
    window_state: Optional[str]
    transferred_case_id: Optional[int]


def sender_id_for(kind: str, account: str, user: str, secret: str) -> str:
    """The Rasa sender id of a WeChat user: a keyed hash, so that nobody who learns an openid can write
    into (or read) that user's conversation through another channel."""
    digest = hmac.new(secret.encode("utf-8"), f"{kind}:{account}:{user}".encode("utf-8"), hashlib.sha256)
    return f"wx{kind}-{digest.hexdigest()[:32]}"


class WeChatStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._clock = clock
        for table in TABLES:
            table.__table__.create(engine, checkfirst=True)
        self._sessions = make_session_factory(engine)
        self._taken = 0

    # --- callbacks seen ---
    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen (on any replica); False for WeChat's retries."""
        now = self._clock()
        with self._sessions() as session:
            session.add(WeChatSeenMessage(key=key[:255], seen_at=now))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        self._taken += 1
        if self._taken % PRUNE_EVERY == 1:  # the first and every PRUNE_EVERY-th: forget the old ones
            self.prune_seen()
        return True

    def prune_seen(self) -> int:
        """Forgets callbacks older than SEEN_MEMORY_SECONDS (WeChat retries within seconds); how many."""
        with self._sessions() as session:
            stale = WeChatSeenMessage.seen_at < self._clock() - SEEN_MEMORY_SECONDS
            count = session.execute(delete(WeChatSeenMessage).where(stale)).rowcount
            session.commit()
            return count

    def forget_seen(self, key: str) -> None:
        """A callback that could not be handled: WeChat's retry may take it."""
        with self._sessions() as session:
            session.execute(delete(WeChatSeenMessage).where(WeChatSeenMessage.key == key[:255]))
            session.commit()

    # --- access tokens ---
    def access_token(self, account: str, fetch: Callable[[], Tuple[str, float]],
                     wait_seconds: float = TOKEN_LEASE_SECONDS) -> str:
        """A valid access_token of ``account``; ``fetch`` (token, expires_in seconds) is called by one
        replica at a time, TOKEN_REFRESH_MARGIN_SECONDS before the stored one expires."""
        deadline = self._clock() + wait_seconds
        while True:
            now = self._clock()
            row = self._token_row(account)
            if row is not None and row.token and row.expires_at - TOKEN_REFRESH_MARGIN_SECONDS > now:
                return row.token
            if self._take_lease(account, now):
                fresh = self._token_row(account)
                if fresh is not None and fresh.token and fresh.expires_at - TOKEN_REFRESH_MARGIN_SECONDS > now:
                    # Another replica renewed it between our read and our lease: use theirs.
                    self._release_lease(account)
                    return fresh.token
                try:
                    token, expires_in = fetch()
                except BaseException:
                    self._release_lease(account)
                    raise
                self._store_token(account, token, now + float(expires_in))
                return token
            if row is not None and row.token and row.expires_at > now:
                return row.token  # another replica is renewing it; the old one still works meanwhile
            if now > deadline:
                raise TokenUnavailable(f"no access token for {account}")
            time.sleep(TOKEN_WAIT_STEP_SECONDS)

    def invalidate_token(self, account: str, token: str) -> None:
        """WeChat called ``token`` invalid or expired: the next call fetches a new one (unless another
        replica already did)."""
        with self._sessions() as session:
            session.execute(update(WeChatAccessToken)
                            .where(WeChatAccessToken.account == account, WeChatAccessToken.token == token)
                            .values(expires_at=0.0))
            session.commit()

    def _token_row(self, account: str) -> Optional[WeChatAccessToken]:
        with self._sessions() as session:
            return session.get(WeChatAccessToken, account)

    def _take_lease(self, account: str, now: float) -> bool:
        """One conditional UPDATE: of several replicas exactly one gets to fetch."""
        with self._sessions() as session:
            if session.get(WeChatAccessToken, account) is None:
                session.add(WeChatAccessToken(account=account, token=None, expires_at=0.0, lease_until=None))
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
            taken = session.execute(
                update(WeChatAccessToken)
                .where(WeChatAccessToken.account == account,
                       or_(WeChatAccessToken.lease_until.is_(None), WeChatAccessToken.lease_until < now))
                .values(lease_until=now + TOKEN_LEASE_SECONDS)
            ).rowcount
            session.commit()
            return taken == 1

    def _release_lease(self, account: str) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatAccessToken).where(WeChatAccessToken.account == account).values(lease_until=None))
            session.commit()

    def _store_token(self, account: str, token: str, expires_at: float) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatAccessToken).where(WeChatAccessToken.account == account)
                            .values(token=token, expires_at=expires_at, lease_until=None))
            session.commit()

    # --- kf/sync_msg cursors ---
    def cursor(self, open_kfid: str) -> Optional[str]:
        with self._sessions() as session:
            row = session.get(WeChatKfCursor, open_kfid)
            return row.cursor if row is not None else None

    def save_cursor(self, open_kfid: str, cursor: str) -> None:
        with self._sessions() as session:
            row = session.get(WeChatKfCursor, open_kfid)
            if row is None:
                session.add(WeChatKfCursor(open_kfid=open_kfid, cursor=cursor, updated_at=self._clock()))
            else:
                row.cursor, row.updated_at = cursor, self._clock()
            session.commit()

    # --- users ---
    def user(self, sender_id: str) -> Optional[UserRecord]:
        with self._sessions() as session:
            row = session.get(WeChatUser, sender_id)
            return _record(row) if row is not None else None

    def ensure_user(self, sender_id: str, kind: str, account: str, user: str) -> UserRecord:
        with self._sessions() as session:
            row = session.get(WeChatUser, sender_id)
            if row is None:
                row = WeChatUser(sender_id=sender_id, kind=kind, account=account, user=user, sent_since=0)
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:  # the same user on two replicas at once
                    session.rollback()
                    row = session.get(WeChatUser, sender_id)
            return _record(row)

    def bind(self, sender_id: str, customer_id: str, order_id: str) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatUser).where(WeChatUser.sender_id == sender_id)
                            .values(customer_id=customer_id, bound_order=order_id, bound_at=self._clock()))
            session.commit()

    def unbind(self, sender_id: str) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatUser).where(WeChatUser.sender_id == sender_id)
                            .values(customer_id=None, bound_order=None, bound_at=None))
            session.commit()

    def offer_choices(self, sender_id: str, payloads: List[str]) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatUser).where(WeChatUser.sender_id == sender_id)
                            .values(choices=list(payloads) or None))
            session.commit()

    def chosen(self, sender_id: str, number: int) -> Optional[str]:
        """The payload of choice ``number`` (from 1) last offered to the user, if there is one."""
        with self._sessions() as session:
            row = session.get(WeChatUser, sender_id)
            choices = (row.choices if row is not None else None) or []
        return choices[number - 1] if 1 <= number <= len(choices) else None

    def mark_transferred(self, sender_id: str, case_id: Optional[int]) -> None:
        with self._sessions() as session:
            session.execute(update(WeChatUser).where(WeChatUser.sender_id == sender_id)
                            .values(transferred_case_id=case_id))
            session.commit()

    # --- the WeChat Customer Service window ---
    def user_wrote(self, sender_id: str, at: float) -> None:
        """A user's message opens a new window: 48 hours, 5 messages."""
        with self._sessions() as session:
            session.execute(update(WeChatUser).where(WeChatUser.sender_id == sender_id)
                            .values(last_user_message_at=at, sent_since=0, window_state=WINDOW_OPEN))
            session.commit()

    def window(self, sender_id: str) -> Window:
        with self._sessions() as session:
            row = session.get(WeChatUser, sender_id)
            return _window_of(row, self._clock())

    def take_sends(self, sender_id: str, wanted: int) -> Window:
        """Reserves up to ``wanted`` messages of the window (fewer when it has fewer left); the window
        as it was, its ``remaining`` being how many were reserved. The state stored is what is left.

        One conditional UPDATE on the count read (as the claims of cases): of two replies reserving at
        the same moment, on SQLite or PostgreSQL, one reads again, so the window is never overdrawn."""
        while True:
            now = self._clock()
            with self._sessions() as session:
                row = session.get(WeChatUser, sender_id)
                window = _window_of(row, now)
                if row is None:
                    return window
                granted = min(wanted, window.remaining)
                seen, last = row.sent_since or 0, row.last_user_message_at
                row.sent_since = seen + granted
                left = _window_of(row, now).state
                session.expunge(row)
                same_window = (WeChatUser.last_user_message_at.is_(None) if last is None
                               else WeChatUser.last_user_message_at == last)
                taken = session.execute(
                    update(WeChatUser)
                    .where(WeChatUser.sender_id == sender_id, WeChatUser.sent_since == seen, same_window)
                    .values(sent_since=seen + granted, window_state=left)
                    .execution_options(synchronize_session=False)
                ).rowcount
                session.commit()
            if taken == 1:
                return Window(window.state, granted, window.closes_at)


def _window_of(row: Optional[WeChatUser], now: float) -> Window:
    if row is None or row.last_user_message_at is None:
        return Window(WINDOW_CLOSED, 0, None)
    closes_at = row.last_user_message_at + KF_WINDOW_SECONDS
    if now >= closes_at:
        return Window(WINDOW_CLOSED, 0, closes_at)
    remaining = max(0, KF_MESSAGES_PER_WINDOW - (row.sent_since or 0))
    return Window(WINDOW_OPEN if remaining else WINDOW_EXHAUSTED, remaining, closes_at)


def _record(row: WeChatUser) -> UserRecord:
    return UserRecord(row.sender_id, row.kind, row.account, row.user, row.customer_id, row.window_state,
                      row.transferred_case_id)


def wechat_store(engine: Engine) -> WeChatStore:
    return _store_on(engine)


@lru_cache(maxsize=4)
def _store_on(engine: Engine) -> WeChatStore:
    return WeChatStore(engine)
