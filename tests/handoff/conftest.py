"""Real databases for the handoff tests: an SQLite file of the test's own, and
a throwaway schema on the local PostgreSQL (skipped, with the reason, when no
server is reachable). A test that takes ``engine`` runs on both."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from kefu.handoff.agents import create_agent
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.handoff.service import HandoffService
from kefu.handoff.triggers import decide_handoff
from kefu.settings import Settings
from kefu.storage.clock import SHOP_TZ
from tests.demo_shop.support import find_postgres, throwaway_postgres_schema

# A Wednesday, inside the default business hours.
WEDNESDAY_10AM = datetime(2026, 12, 2, 10, 0, tzinfo=SHOP_TZ)
PASSWORD = "s3cret-pass"
REQUEST = decide_handoff("request_human", "转人工")


class Clock:
    """Shop time that moves only when the test says so."""

    def __init__(self, now: datetime = WEDNESDAY_10AM) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def handoff_settings(**overrides) -> Settings:
    """Settings with the handoff values fixed, whatever the environment says."""
    values = dict(
        handoff_hours="09:00-22:00",
        handoff_claim_timeout_seconds=60.0,
        handoff_average_minutes_per_case=5.0,
        handoff_agent_online_seconds=120.0,
    )
    values.update(overrides)
    return replace(Settings.from_env(), **values)


@pytest.fixture
def sqlite_engine(handoff_sqlite):
    return handoff_sqlite


@pytest.fixture
def postgresql_engine():
    url, reason = find_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL not tested: {reason}")
    with throwaway_postgres_schema(url) as engine:
        create_handoff_schema(engine)
        yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(engine, clock) -> HandoffService:
    return HandoffService(engine, handoff_settings(), clock=clock)


@pytest.fixture
def agents(engine, clock):
    """Two agents, 小美 (``mei``) and 小王 (``wang``)."""
    create_agent(engine, "mei", "小美", PASSWORD, now=clock())
    create_agent(engine, "wang", "小王", PASSWORD, now=clock())
    return ("mei", "wang")


def open_for(service, sender, decision=REQUEST, **content):
    """The case opened for ``sender`` (by default a shopper who asked for a human)."""
    return service.open_case(sender, decision, **content).case
