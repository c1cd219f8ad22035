"""One real assistant and one Debian chromium for the browser tests (the agent workspace and the web chat
widget): a Rasa server takes about a minute to load its model on CI's two cores, so both suites share
it, in demo mode (the demo shop page and its fake login) with a short claim timeout (the workspace's
test of a claim that lapses)."""

from pathlib import Path

import pytest

from tests.channels.support import handoff_site

playwright_api = pytest.importorskip("playwright.sync_api")

RASA_PORT, ACTION_PORT = 5142, 5192
CLAIM_TIMEOUT_SECONDS = 10
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="package")
def site(trained_model, tmp_path_factory):
    with handoff_site(tmp_path_factory.mktemp("browser"), trained_model, RASA_PORT, ACTION_PORT,
                      KEFU_DEMO_MODE="1", HANDOFF_SOCKET_POLL_SECONDS="1",
                      HANDOFF_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS)) as running:
        yield running


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/setup_browser.sh (make test does)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()
