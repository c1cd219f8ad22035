"""The action server's own door, against the real server (``python -m kefu.security.action_server``).

The action server acts on whatever tracker it is sent: whoever reaches it
with a forged tracker that says ``verified_customer_id`` reads (or changes)
that customer's orders. Only Rasa, holding the shared secret, may call it.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
import requests

from kefu.names import ORDER_ID_SLOT, VERIFIED_CUSTOMER_SLOT
from kefu.settings import PROJECT_ROOT
from tests.security.network_support import accepts_connections, address_is_reachable, non_loopback_address

PORT = 5201            # the server under test
NO_SECRET_PORT = 5202  # a start without a secret (must never listen)
CONTROL_PORT = 5203    # a throwaway listener proving the machine's address is reachable
SECRET = "the-shared-secret-" + uuid.uuid4().hex
MAX_BODY = 100_000
ORDER, OWNER = "2024111100002", "C0001"  # the demo shop's order and its owner
URL = f"http://127.0.0.1:{PORT}"


def _environment(tmp_path: Path, **overrides: str) -> Dict[str, str]:
    import os

    environment = dict(os.environ)
    environment.update(
        PYTHONPATH=str(PROJECT_ROOT), ACTION_SERVER_MAX_BODY=str(MAX_BODY),
        SHOP_BACKEND="sql", DATABASE_URL=f"sqlite:///{tmp_path / 'shop.db'}",
    )
    environment.pop("ACTION_SERVER_HOST", None)  # the default interface is under test
    environment.update(overrides)
    return environment


def _start(environment: Dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kefu.security.action_server", "--port", str(port)],
        cwd=PROJECT_ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def action_server(tmp_path_factory) -> Iterator[subprocess.Popen]:
    from tests.demo_shop.support import seeded_sqlite

    workdir = tmp_path_factory.mktemp("action-server")
    seeded_sqlite(workdir / "shop.db").engine.dispose()
    server = _start(_environment(workdir, ACTION_SERVER_TOKEN=SECRET), PORT, workdir / "server.log")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"{URL}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"the action server did not start: {(workdir / 'server.log').read_text()[-2000:]}")
    yield server
    server.terminate()
    server.wait(timeout=30)


def _forged_call(action: str = "action_track_order") -> Dict:
    """What Rasa would send for a shopper proven to be the order's owner — made up by an attacker."""
    slots = {VERIFIED_CUSTOMER_SLOT: OWNER, ORDER_ID_SLOT: ORDER}
    latest = {"text": f"{ORDER}到哪了", "intent": {"name": "track_order", "confidence": 1.0}, "entities": []}
    return {
        "next_action": action,
        "sender_id": "attacker",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "attacker", "slots": slots, "latest_message": latest, "paused": False,
            "events": [{"event": "user", "text": latest["text"], "parse_data": latest}],
            "active_loop": {}, "latest_action_name": "action_listen", "followup_action": None,
        },
    }


def _bearer(secret: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _resident_kilobytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_health_is_open_for_the_supervisor(action_server):
    assert requests.get(f"{URL}/health", timeout=5).json() == {"status": "ok"}


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    (_bearer("a-wrong-secret"), 403),
    (_bearer(""), 403),
    ({"Authorization": SECRET}, 401),  # the secret without the scheme is not the header Rasa sends
], ids=["no-secret", "wrong-secret", "empty-secret", "no-bearer"])
def test_a_forged_tracker_without_the_secret_gets_no_order_data(action_server, headers, status):
    answer = requests.post(f"{URL}/webhook", json=_forged_call(), headers=headers, timeout=30)
    assert answer.status_code == status
    assert ORDER not in answer.text and "responses" not in answer.json()


def test_the_secret_in_the_query_string_is_not_accepted(action_server):
    answer = requests.post(f"{URL}/webhook", params={"token": SECRET}, json=_forged_call(), timeout=30)
    assert answer.status_code == 401 and ORDER not in answer.text


def test_the_action_list_is_closed_too(action_server):
    assert requests.get(f"{URL}/actions", timeout=10).status_code == 401
    listed = requests.get(f"{URL}/actions", headers=_bearer(SECRET), timeout=10).json()
    assert {"name": "action_track_order"} in listed


def test_with_the_secret_a_real_action_runs(action_server):
    """The control for the refusals above: the same call with Rasa's secret reaches the action."""
    answer = requests.post(f"{URL}/webhook", json=_forged_call(), headers=_bearer(SECRET), timeout=30)
    assert answer.status_code == 200, answer.text
    assert any(ORDER in (reply.get("text") or "") for reply in answer.json()["responses"])


def test_an_oversized_body_is_refused(action_server):
    body = b'{"next_action": "action_session_start", "padding": "' + b"x" * (MAX_BODY + 1) + b'"}'
    answer = requests.post(f"{URL}/webhook", data=body, headers={**_bearer(SECRET), "Content-Type": "application/json"},
                           timeout=30)
    assert answer.status_code == 413


def test_an_oversized_body_without_a_length_is_refused(action_server):
    chunks = (b"x" * 10_000 for _ in range(MAX_BODY // 10_000 + 2))  # sent chunked: no Content-Length
    answer = requests.post(f"{URL}/webhook", data=chunks, headers=_bearer(SECRET), timeout=30)
    assert answer.status_code == 413


def test_a_zip_bomb_is_never_inflated(action_server):
    """200 MB of zeros deflated to about 200 kB, sent with Rasa's own secret: refused unread."""
    packer = zlib.compressobj()
    bomb = b"".join(packer.compress(b"\0" * 1_000_000) for _ in range(200)) + packer.flush()
    assert len(bomb) < MAX_BODY * 3
    before = _resident_kilobytes(action_server.pid)
    answer = requests.post(f"{URL}/webhook", data=bomb[:MAX_BODY - 1],
                           headers={**_bearer(SECRET), "Content-Encoding": "deflate"}, timeout=30)
    assert answer.status_code == 415
    assert _resident_kilobytes(action_server.pid) - before < 50_000, "the body was inflated"
    assert requests.get(f"{URL}/health", timeout=5).status_code == 200


def test_it_listens_on_loopback_only_by_default(action_server):
    assert accepts_connections("127.0.0.1", PORT)
    address: Optional[str] = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback: nothing else to try")
    assert address_is_reachable(address, CONTROL_PORT), f"{address} is not reachable at all here"
    assert not accepts_connections(address, PORT), f"the action server answers on {address}"


def test_it_refuses_to_start_without_a_secret(tmp_path):
    server = _start(_environment(tmp_path, ACTION_SERVER_TOKEN=""), NO_SECRET_PORT, tmp_path / "server.log")
    try:
        assert server.wait(timeout=120) != 0
    finally:
        if server.poll() is None:
            server.kill()
    assert "ACTION_SERVER_TOKEN" in (tmp_path / "server.log").read_text()
    assert not accepts_connections("127.0.0.1", NO_SECRET_PORT)
