"""The launcher keeps Rasa up when the action server dies, and starts the action server again
with a growing pause; the default start listens on loopback only. Real processes throughout."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from typing import Iterator, List

import pytest
import requests

from kefu.chat import send
from kefu.launcher import Assistant, Backoff, SupervisedProcess
from kefu.replies import identify
from kefu.settings import Settings
from tests.security.network_support import accepts_connections, address_is_reachable, non_loopback_address

RASA_PORT, ACTION_PORT, CONTROL_PORT = 5210, 5211, 5212


def test_the_pause_doubles_up_to_the_cap_and_resets_after_a_long_run():
    backoff = Backoff(first=1, cap=30, reset_after=60)
    assert [backoff.pause_after(uptime=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.pause_after(uptime=61) == 1
    assert backoff.pause_after(uptime=2) == 2


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


@pytest.fixture
def sleepers() -> Iterator[List[subprocess.Popen]]:
    started: List[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_for_exit(process: subprocess.Popen) -> None:
    process.wait(timeout=10)


def test_a_killed_process_is_started_again_after_the_pause(sleepers):
    clock = Clock()

    def spawn() -> subprocess.Popen:
        sleepers.append(_sleeper())
        return sleepers[-1]

    supervised = SupervisedProcess("sleeper", spawn, Backoff(first=1, cap=30, reset_after=60), clock=clock)
    first = supervised.start()
    supervised.check()
    assert supervised.process is first and supervised.restarts == 0, "a live process is left alone"

    first.kill()
    _wait_for_exit(first)
    clock.now += 5
    supervised.check()
    assert supervised.process is first, "not before the pause is over"
    clock.now += 1
    supervised.check()
    second = supervised.process
    assert second is not first and second.poll() is None and supervised.restarts == 1

    second.kill()
    _wait_for_exit(second)
    clock.now += 1  # second crash after 1 s of life: the pause has doubled
    supervised.check()
    clock.now += 1.5
    supervised.check()
    assert supervised.process is second
    clock.now += 0.5
    supervised.check()
    assert supervised.process is not second and supervised.process.poll() is None

    supervised.stop()
    assert supervised.process.poll() is not None
    clock.now += 100
    supervised.check()
    assert len(sleepers) == 3, "nothing is restarted once stopped"


@pytest.fixture(scope="module")
def default_assistant(trained_model, tmp_path_factory) -> Iterator[Assistant]:
    """The start of `make run` with nothing configured (no RASA_API_TOKEN, default hosts)."""
    from tests.demo_shop.support import seeded_sqlite

    workdir = tmp_path_factory.mktemp("supervised")
    shop = seeded_sqlite(workdir / "shop.db")
    settings = replace(
        Settings.from_env(),
        rasa_port=RASA_PORT, action_port=ACTION_PORT, action_endpoint_url=f"http://localhost:{ACTION_PORT}/webhook",
        tracker_db_dialect="sqlite", tracker_db_host="", tracker_db_name=str(workdir / "tracker.db"),
        rasa_api_token="", action_server_token="", action_server_host="127.0.0.1", cors_origins=(),
    )
    assistant = Assistant(settings, trained_model, log_dir=workdir / "logs",
                          extra_environment={"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)},
                          action_server_backoff=Backoff(first=0.5, cap=2, reset_after=60))
    with assistant:
        yield assistant


def test_without_a_token_both_servers_listen_on_loopback_only(default_assistant):
    assert accepts_connections("127.0.0.1", RASA_PORT) and accepts_connections("127.0.0.1", ACTION_PORT)
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback: nothing else to connect to")
    assert address_is_reachable(address, CONTROL_PORT), f"{address} is not reachable at all here"
    assert not accepts_connections(address, RASA_PORT), f"Rasa answers on {address} without a token"
    assert not accepts_connections(address, ACTION_PORT), f"the action server answers on {address}"


def _asks_for_delivery_time(assistant: Assistant) -> List[str]:
    replies = send(assistant.rasa_url, f"test-{uuid.uuid4().hex[:8]}", "发到乌鲁木齐要几天啊")
    return [identify(reply["text"]) for reply in replies]


def test_a_killed_action_server_is_restarted_and_rasa_stays_up(default_assistant):
    assert _asks_for_delivery_time(default_assistant) == ["delivery_estimate"]
    returned: List[int] = []
    watcher = threading.Thread(target=lambda: returned.append(default_assistant.wait(poll_seconds=0.2)), daemon=True)
    watcher.start()

    killed = default_assistant.action_server.process
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    time.sleep(1)
    assert default_assistant.rasa.poll() is None, "Rasa died with the action server"
    assert requests.get(f"{default_assistant.rasa_url}/status", timeout=10).status_code == 200

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        current = default_assistant.action_server.process
        if current is not killed and _healthy(default_assistant):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the action server was not started again")
    assert default_assistant.action_server.restarts >= 1
    assert _asks_for_delivery_time(default_assistant) == ["delivery_estimate"]
    assert watcher.is_alive() and not returned, "wait() must return only when Rasa exits"

    default_assistant.stop()
    watcher.join(timeout=30)
    assert returned, "wait() returns once Rasa has exited"


def _healthy(assistant: Assistant) -> bool:
    try:
        return requests.get(f"{assistant.action_url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_every_start_warns_loudly_when_metadata_identities_are_trusted(tmp_path):
    import os

    from kefu.settings import PROJECT_ROOT

    environment = dict(os.environ, DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID="true", RASA_API_TOKEN="",
                       KEFU_MODELS_DIR=str(tmp_path), KEFU_MODEL_CACHE=str(tmp_path), PYTHONPATH=str(PROJECT_ROOT))
    # No model here: the launcher stops at once, but only after its warnings.
    started = subprocess.run([sys.executable, "-m", "kefu.launcher"], cwd=PROJECT_ROOT, env=environment,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 1
    assert "DANGER: DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID is on" in started.stderr
    assert "Rasa listens on 127.0.0.1 only" in started.stderr


def test_the_notices_name_the_doors_and_never_the_secrets():
    from kefu.launcher import security_notices

    opened = replace(Settings.from_env({}), rasa_api_token="s3cret-token", action_server_token="s3cret-action",
                     cors_origins=("https://shop.example.com",))
    notices = " ".join(security_notices(opened))
    assert "every interface" in notices and "https://shop.example.com" in notices
    assert "s3cret" not in notices and "DANGER" not in notices
