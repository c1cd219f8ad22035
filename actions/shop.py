"""The shop's backends as the actions see them: built once, and every (synchronous) call run in the
default thread pool under a deadline, so that a slow database or API never stalls the action server's
event loop nor delays another shopper's conversation."""

from __future__ import annotations

import asyncio
from functools import lru_cache, partial
from typing import Any, Callable, TypeVar

from kefu.backends.deadline import Attempt
from kefu.backends.errors import BackendUnavailable
from kefu.backends.factory import Backends, backends_from_env
from kefu.settings import Settings

T = TypeVar("T")

# Past this the shopper gets an apology instead of an answer; it covers SQL
# calls too, which have no timeout of their own, and no change is committed
# after it unless its commit had already begun.
BACKEND_DEADLINE_SECONDS = Settings.from_env().backend_deadline_seconds


@lru_cache(maxsize=1)
def backends() -> Backends:
    return backends_from_env()


async def call_backend(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs a blocking backend call in a worker thread, within the deadline.

    The worker keeps running after the deadline (a thread cannot be stopped),
    so the two settle what the shopper is told (kefu/backends/deadline.py): a
    change not yet committed is rolled back and the shopper hears the shop
    did not answer; a commit already under way is waited for (at most one
    more deadline), so the shopper hears what really happened.
    """
    loop = asyncio.get_running_loop()
    attempt = Attempt(BACKEND_DEADLINE_SECONDS)
    work = loop.run_in_executor(None, partial(attempt.run, function, *args, **kwargs))
    try:
        return await asyncio.wait_for(asyncio.shield(work), timeout=BACKEND_DEADLINE_SECONDS)
    except asyncio.TimeoutError as error:
        if attempt.abandon():
            raise BackendUnavailable(
                f"{getattr(function, '__qualname__', function)} took longer than "
                f"{BACKEND_DEADLINE_SECONDS:.1f}s"
            ) from error
    try:
        return await asyncio.wait_for(work, timeout=BACKEND_DEADLINE_SECONDS)
    except asyncio.TimeoutError as error:
        raise BackendUnavailable(
            f"{getattr(function, '__qualname__', function)}: a change was being committed when the "
            f"deadline passed and its outcome is still unknown"
        ) from error
