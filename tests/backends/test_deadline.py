"""No change after "it failed" (kefu/backends/deadline.py, actions/shop.py call_backend): a write that is
made slow past the action's deadline, on a real SQLite file and a real PostgreSQL schema, ends in the
shopper hearing the shop did not answer and the order NOT changed afterwards."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
import requests
from sqlalchemy import select, text

from actions import shop
from kefu.backends.deadline import Attempt, DeadlinePassed, may_commit, seconds_left
from kefu.backends.errors import BackendUnavailable
from kefu.backends.factory import sql_backends
from kefu.backends.http.client import ShopApiClient
from kefu.storage import models

CANCELLABLE = "2024111100003"  # paid, not shipped (CONTRACT §5)
DEADLINE = 0.5
LOCK_HELD = 1.2  # past the deadline, within the busy/lock timeout (1.5 s)


# --- the attempt itself ---------------------------------------------------------------------------------

def test_a_commit_before_the_deadline_is_allowed_and_then_the_waiter_cannot_abandon_it():
    attempt = Attempt(10)
    assert attempt.begin_commit()
    assert not attempt.abandon()


def test_after_the_waiter_gave_up_nothing_may_commit():
    attempt = Attempt(10)
    assert attempt.abandon()
    assert not attempt.begin_commit()


def test_past_the_deadline_nothing_may_commit_even_before_the_waiter_notices():
    now = [0.0]
    attempt = Attempt(1.0, clock=lambda: now[0])
    now[0] = 1.5
    assert attempt.seconds_left() == pytest.approx(-0.5)
    assert not attempt.begin_commit()
    assert attempt.abandon()


def test_the_current_attempt_is_seen_only_inside_its_call():
    attempt = Attempt(5)
    assert attempt.run(seconds_left) == pytest.approx(5, abs=0.5)
    assert seconds_left() is None
    may_commit("outside any call")  # allowed: nothing to compare with
    attempt.abandon()
    with pytest.raises(DeadlinePassed):
        attempt.run(may_commit, "a change")


def test_a_commit_under_way_at_the_deadline_is_waited_for_and_its_result_told(monkeypatch):
    monkeypatch.setattr(shop, "BACKEND_DEADLINE_SECONDS", 0.3)

    def slow_commit():
        may_commit("a change")  # begins committing in time...
        time.sleep(0.5)  # ...and the commit itself runs past the deadline
        return "committed"

    assert asyncio.run(shop.call_backend(slow_commit)) == "committed"


# --- a real shop whose write is held up past the deadline ------------------------------------------------

def _status(engine, order_id=CANCELLABLE) -> str:
    with engine.connect() as connection:
        return connection.execute(select(models.Order.status).where(models.Order.id == order_id)).scalar_one()


def _hold_sqlite_write_lock(path, seconds: float, locked: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def _hold_postgres_row_lock(engine, seconds: float, locked: threading.Event) -> None:
    with engine.connect() as connection, connection.begin():
        connection.execute(text("SELECT id FROM orders WHERE id = :id FOR UPDATE"), {"id": CANCELLABLE})
        locked.set()
        time.sleep(seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def held_shop(request):
    """(engine, a function that holds the order's write lock for LOCK_HELD seconds in another connection)."""
    if request.param == "sqlite":
        seeded = request.getfixturevalue("fresh_sqlite_shop")
        return seeded.engine, lambda locked: _hold_sqlite_write_lock(seeded.engine.url.database, LOCK_HELD, locked)
    seeded = request.getfixturevalue("fresh_postgres_shop")
    return seeded.engine, lambda locked: _hold_postgres_row_lock(seeded.engine, LOCK_HELD, locked)


def test_a_cancellation_told_as_failed_is_never_committed_afterwards(held_shop, monkeypatch):
    engine, hold = held_shop
    monkeypatch.setattr(shop, "BACKEND_DEADLINE_SECONDS", DEADLINE)
    backends = sql_backends(engine=engine)
    locked = threading.Event()
    holder = threading.Thread(target=hold, args=(locked,))
    holder.start()
    assert locked.wait(5)

    with pytest.raises(BackendUnavailable):  # what the action turns into "sorry, the shop did not answer"
        asyncio.run(shop.call_backend(backends.after_sales.cancel_order, CANCELLABLE, "拍错了"))

    holder.join()
    time.sleep(LOCK_HELD)  # the worker thread, still running, has reached its commit (or its rollback) by now
    assert _status(engine) == "paid"


def test_without_a_held_lock_the_cancellation_is_committed(fresh_sqlite_shop, monkeypatch):
    monkeypatch.setattr(shop, "BACKEND_DEADLINE_SECONDS", 2.5)
    backends = sql_backends(engine=fresh_sqlite_shop.engine)

    order = asyncio.run(shop.call_backend(backends.after_sales.cancel_order, CANCELLABLE, "拍错了"))

    assert order.status == "cancelled" and _status(fresh_sqlite_shop.engine) == "cancelled"


# --- the HTTP backend: no request starts after the deadline ----------------------------------------------

class _RefusingSession:
    """A requests session whose server is never reached; records each try and the timeout it was given."""

    def __init__(self) -> None:
        self.timeouts = []

    def request(self, method, url, **kwargs):
        self.timeouts.append(kwargs["timeout"])
        raise requests.exceptions.ConnectTimeout("no answer")


def test_the_http_client_sends_nothing_after_the_deadline():
    session = _RefusingSession()
    client = ShopApiClient("http://shop.invalid", timeout=2.0, retries=5, backoff=0.2, session=session,
                           sleep=lambda seconds: time.sleep(0.2))
    attempt = Attempt(0.5)

    with pytest.raises(BackendUnavailable):
        attempt.run(client.send, "POST", dict, "/orders/{}/cancel", CANCELLABLE, body={"reason": "x"})

    assert 1 <= len(session.timeouts) <= 3  # not the six tries retries=5 allows
    assert all(timeout <= 0.5 for timeout in session.timeouts)  # each bounded by what was left
