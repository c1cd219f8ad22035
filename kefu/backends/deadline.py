"""The deadline of one backend call, as the worker thread running it sees it.

An action waits for the shop only so long (``SHOP_BACKEND_DEADLINE``); past it the shopper is told the
shop did not answer. The worker thread cannot be stopped, so it must not make a change the shopper was
told had failed: the waiting side and the worker settle, under one lock, which of two things happened —
the worker began committing (the waiter then waits for that outcome and tells the truth), or the waiter
gave up (the worker then rolls back). Writers ask :func:`may_commit` right before they commit, and the HTTP
client asks :func:`seconds_left` before it sends a request.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from typing import Any, Callable, Optional, TypeVar

from kefu.backends.errors import BackendUnavailable

T = TypeVar("T")


class DeadlinePassed(BackendUnavailable):
    """The call's deadline passed before its change was committed: nothing was changed."""


class Attempt:
    """One backend call under a deadline, shared by the waiting coroutine and the worker thread."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.ends_at = clock() + seconds
        self._lock = threading.Lock()
        self._committing = False
        self._abandoned = False

    def seconds_left(self) -> float:
        return self.ends_at - self._clock()

    def begin_commit(self) -> bool:
        """The worker is about to commit: True if it may (from now on the waiter waits for it)."""
        with self._lock:
            if self._abandoned or self.seconds_left() <= 0:
                self._abandoned = True
                return False
            self._committing = True
            return True

    def abandon(self) -> bool:
        """The waiter gives up: True if nothing will be committed; False if a commit already began."""
        with self._lock:
            if self._committing:
                return False
            self._abandoned = True
            return True

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function`` in this thread with this attempt as the current one (for the worker thread)."""
        token = _current.set(self)
        try:
            return function(*args, **kwargs)
        finally:
            _current.reset(token)


_current: ContextVar[Optional[Attempt]] = ContextVar("backend_attempt", default=None)


def may_commit(what: str) -> None:
    """Raises DeadlinePassed unless the current call may still commit ``what`` (always may outside a call)."""
    attempt = _current.get()
    if attempt is not None and not attempt.begin_commit():
        raise DeadlinePassed(f"{what}: the deadline passed before the commit; rolled back")


def seconds_left() -> Optional[float]:
    """Seconds until the current call's deadline (negative once passed); None outside a call."""
    attempt = _current.get()
    return attempt.seconds_left() if attempt is not None else None
