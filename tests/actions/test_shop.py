import asyncio
import time

import pytest

from actions import shop
from kefu.backends.errors import BackendUnavailable


def test_a_slow_backend_call_ends_in_backend_unavailable(monkeypatch):
    monkeypatch.setattr(shop, "BACKEND_DEADLINE_SECONDS", 0.2)
    with pytest.raises(BackendUnavailable, match="longer than"):
        asyncio.run(shop.call_backend(time.sleep, 1.0))


def test_a_slow_backend_call_does_not_block_other_conversations(monkeypatch):
    monkeypatch.setattr(shop, "BACKEND_DEADLINE_SECONDS", 2.0)

    async def scenario():
        ticks = 0

        async def other_conversation():
            nonlocal ticks
            for _ in range(5):
                await asyncio.sleep(0.05)
                ticks += 1

        await asyncio.gather(shop.call_backend(time.sleep, 0.5), other_conversation())
        return ticks

    started = time.monotonic()
    assert asyncio.run(scenario()) == 5
    assert time.monotonic() - started < 0.9  # ran side by side, not one after the other


def test_results_come_back_from_the_worker_thread():
    assert asyncio.run(shop.call_backend(sum, [1, 2, 3])) == 6
