"""Actions run against the real demo shop (SQLite) through the backend factory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from kefu.replies import identify
from kefu.security.verification import ProofGuard, ProofLimits
from kefu.settings import Settings
from tests.demo_shop.fixtures import fresh_sqlite_shop, seeded_sqlite_shop  # noqa: F401
from tests.logged_in import TEST_IDENTITY_SECRET

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def identity_secret(monkeypatch):
    """The key the suites sign logged-in shoppers' tokens with (tests/logged_in.py)."""
    monkeypatch.setenv("IDENTITY_SECRET", TEST_IDENTITY_SECRET)


@pytest.fixture
def proof_database(handoff_sqlite):
    return handoff_sqlite


@pytest.fixture(autouse=True)
def proof_guard(proof_database, monkeypatch):
    """Failed proofs counted in a database of the test's own: one test's misses never lock another's."""
    guard = ProofGuard(proof_database, ProofLimits.from_settings(Settings.from_env()))
    monkeypatch.setattr("actions.orders.proof_guard", lambda: guard)
    return guard


def _backends_on(engine, monkeypatch):
    monkeypatch.setenv("SHOP_BACKEND", "sql")
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    shop.backends.cache_clear()
    yield shop.backends()
    shop.backends.cache_clear()


@pytest.fixture
def shop_backends(seeded_sqlite_shop, monkeypatch):
    """Points the action server's backends at the seeded demo shop."""
    yield from _backends_on(seeded_sqlite_shop.engine, monkeypatch)


@pytest.fixture
def writable_backends(fresh_sqlite_shop, monkeypatch):
    """A demo shop of the test's own: actions that change orders may write to it."""
    yield from _backends_on(fresh_sqlite_shop.engine, monkeypatch)


@pytest.fixture
def unreachable_backends(monkeypatch):
    """The shop API is down: nothing listens on the port."""
    monkeypatch.setenv("SHOP_BACKEND", "http")
    monkeypatch.setenv("SHOP_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SHOP_API_RETRIES", "0")
    shop.backends.cache_clear()
    yield shop.backends()
    shop.backends.cache_clear()


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "track_order",
    slot_events: Iterable[tuple] = (),
    active_loop: Optional[str] = None,
    entities: Iterable[Dict[str, Any]] = (),
    input_channel: Optional[str] = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)}
    events: List[Dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}, "input_channel": input_channel}
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in slot_events]
    all_slots = dict(slots or {})
    all_slots.update(dict(slot_events))
    return Tracker(
        "shopper", all_slots, latest, events, False, None,
        {"name": active_loop} if active_loop else {}, "action_listen",
    )


def run_action(action, tracker: Tracker):
    """Runs an action as the action server would; returns (dispatcher, events)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher, events


def entity(name: str, value: str) -> Dict[str, str]:
    return {"entity": name, "value": value}


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    """The template each sent message was rendered from."""
    return [identify(message.get("text") or "") for message in dispatcher.messages]


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
