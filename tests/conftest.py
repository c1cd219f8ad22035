"""Shared fixtures: a real running assistant for end-to-end tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kefu.launcher import Assistant
from kefu.settings import Settings
from kefu.training import find_model

# Spare ports, so the tests do not collide with a `make run` on the defaults.
TEST_RASA_PORT = 5105
TEST_ACTION_PORT = 5155


@pytest.fixture(scope="session")
def trained_model() -> Path:
    model = find_model(Settings.from_env())
    if model is None:
        pytest.skip("no up-to-date model: these tests need `make train` first (make test does it)")
    return model


@pytest.fixture(scope="session")
def running_assistant(trained_model, tmp_path_factory) -> Assistant:
    from tests.shop.support import seeded_sqlite

    workdir = tmp_path_factory.mktemp("assistant")
    shop = seeded_sqlite(workdir / "shop.db")
    settings = replace(
        Settings.from_env(),
        rasa_port=TEST_RASA_PORT,
        action_port=TEST_ACTION_PORT,
        action_endpoint_url=f"http://localhost:{TEST_ACTION_PORT}/webhook",
        tracker_db_dialect="sqlite",
        tracker_db_host="",
        tracker_db_name=str(workdir / "tracker.db"),
    )
    assistant = Assistant(
        settings,
        trained_model,
        log_dir=workdir / "logs",
        extra_environment={"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)},
    )
    assistant.start()
    yield assistant
    assistant.stop()
