"""Shared fixtures: a real running assistant for end-to-end tests."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from kefu.launcher import Assistant
from kefu.settings import Settings
from kefu.training import find_model
from tests.logged_in import TEST_IDENTITY_SECRET

# Spare ports, so the tests do not collide with a `make run` on the defaults.
TEST_RASA_PORT = 5105
TEST_ACTION_PORT = 5155


@pytest.fixture
def handoff_sqlite(tmp_path):
    """A fresh SQLite file with the whole handoff schema (cases, agents, sessions, proof failures …)."""
    from kefu.storage.db import make_engine
    from kefu.storage.handoff_schema import create_handoff_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    create_handoff_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    model = find_model(Settings.from_env())
    if model is None:
        pytest.skip("no up-to-date model: these tests need `make train` first (make test does it)")
    return model


def assistant_on(
    workdir: Path, model: Path, rasa_port: int, action_port: int, shop_environment, tracker_store=None
) -> Assistant:
    """An assistant on the given ports; conversations in SQLite under workdir unless
    ``tracker_store`` gives (dialect, host, name)."""
    dialect, host, name = tracker_store or ("sqlite", "", str(workdir / "tracker.db"))
    settings = replace(
        Settings.from_env(),
        rasa_port=rasa_port,
        action_port=action_port,
        action_endpoint_url=f"http://localhost:{action_port}/webhook",
        tracker_db_dialect=dialect,
        tracker_db_host=host,
        tracker_db_name=name,
    )
    # Logged-in shoppers of the suites carry tokens signed with the suites' key (tests/logged_in.py).
    environment = {"IDENTITY_SECRET": TEST_IDENTITY_SECRET, **shop_environment}
    return Assistant(settings, model, log_dir=workdir / "logs", extra_environment=environment)


@pytest.fixture(scope="session")
def shared_assistant(trained_model, tmp_path_factory) -> Assistant:
    """The one assistant on the defaults (the seeded demo shop, SQL backend, default limits): a Rasa server
    loads its model in about a minute on CI's two cores, so every live module that needs nothing else
    shares it, as ``running_assistant``."""
    from kefu.storage.handoff_schema import create_handoff_schema
    from tests.demo_shop.support import seeded_sqlite

    workdir = tmp_path_factory.mktemp("assistant")
    shop = seeded_sqlite(workdir / "shop.db")
    # Every table there before the first module: putting the shop back keeps tables but not rows.
    create_handoff_schema(shop.engine)
    environment = {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)}
    with assistant_on(workdir, trained_model, TEST_RASA_PORT, TEST_ACTION_PORT, environment) as assistant:
        yield assistant
    shop.engine.dispose()


@pytest.fixture(scope="module")
def running_assistant(shared_assistant, tmp_path_factory) -> Assistant:
    """The shared assistant for one module. What the module changed in the shop's database (orders, imported
    knowledge, handoff cases, failed proofs and their locks, sessions) is put back after it, so every module
    finds the demo shop as seeded. Its conversations stay in the tracker store: use new sender ids
    (tests/shopper.py makes one per Shopper)."""
    from tests.demo_shop.support import put_back_afterwards

    with put_back_afterwards(shop_database(shared_assistant), tmp_path_factory.mktemp("shop-snapshot") / "shop.db"):
        yield shared_assistant


def shop_database(assistant: Assistant) -> Path:
    """The SQLite file of an assistant's shop (and handoff) database."""
    return Path(make_url(assistant.extra_environment["DATABASE_URL"]).database)


@pytest.fixture(scope="session")
def assistant_with_shop_down(trained_model, tmp_path_factory) -> Assistant:
    """The shop's API is configured but nothing answers on its port."""
    workdir = tmp_path_factory.mktemp("assistant-shop-down")
    environment = {"SHOP_BACKEND": "http", "SHOP_API_URL": "http://127.0.0.1:9", "SHOP_API_RETRIES": "0"}
    with assistant_on(workdir, trained_model, TEST_RASA_PORT + 1, TEST_ACTION_PORT + 1, environment) as assistant:
        yield assistant


# Rasa loads slowly while other live suites share the machine's two cores.
LIVE_START_SECONDS = 600


@contextmanager
def seeded_assistant(workdir: Path, model: Path, rasa_port: int, action_port: int, **environment: str):
    """A real assistant on the demo shop seeded into ``workdir`` (SQL backend), with ``environment`` on top."""
    from tests.demo_shop.support import seeded_sqlite

    shop = seeded_sqlite(workdir / "shop.db")
    running = assistant_on(workdir, model, rasa_port, action_port,
                           {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url), **environment})
    running.start(timeout=LIVE_START_SECONDS)
    try:
        yield running
    finally:
        running.stop()
        shop.engine.dispose()
