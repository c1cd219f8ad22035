"""Never silent (issue 13, point 6), against a real Rasa server whose action endpoint is a real HTTP server
this test controls: stopped (connection refused), slower than ACTION_TIMEOUT, or answering 500. Whatever
it does, the shopper gets the apology and the offer of a human, over REST and socket.io, and the apology
is in the tracker; 转人工 still puts a case in the agents' queue and pauses the conversation (CONTRACT §3).
The door reopens — and these fail — if the Rasa server goes quiet again when the action server does.
Unit tests: tests/channels/test_action_outage.py."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

import pytest
import requests

from kefu.handoff.service import _service_on
from kefu.names import HANDOFF_TO_HUMAN_ACTION
from kefu.replies import identify
from kefu.services.clarification import HUMAN_PAYLOAD
from tests.conftest import assistant_on

RASA_PORT, ACTION_PORT, FAKE_ACTION_PORT = 5280, 5281, 5282
ACTION_TIMEOUT = 2.0  # the Rasa server's limit for one custom action in this suite (ACTION_TIMEOUT)
APOLOGY = "outage_apology"
HANDED_OFF = ("outage_handoff_queued", "outage_handoff_later")


class FakeActionServer:
    """The action endpoint Rasa calls (port FAKE_ACTION_PORT): a real HTTP server that sleeps ``delay``
    seconds and answers ``status``; or, stopped, nothing listens (connection refused)."""

    def __init__(self) -> None:
        self.delay, self.status = 0.0, 500
        self.calls: List[str] = []
        self._server: Optional[ThreadingHTTPServer] = None

    def serve(self, delay: float = 0.0, status: int = 500) -> None:
        self.delay, self.status = delay, status
        if self._server is not None:
            return
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.calls.append(self.path)
                time.sleep(fake.delay)
                body = b'{"error": "action server failure"}'
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # Rasa stopped waiting, as it should

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", FAKE_ACTION_PORT), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="module")
def fake_action_server():
    fake = FakeActionServer()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def handoff_db_url(tmp_path_factory) -> str:
    from tests.demo_shop.support import seeded_sqlite

    shop = seeded_sqlite(tmp_path_factory.mktemp("never-silent-shop") / "shop.db")
    return str(shop.engine.url)


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory, handoff_db_url, fake_action_server):
    """Rasa on RASA_PORT whose action endpoint is the fake; the real action server runs, unused."""
    workdir = tmp_path_factory.mktemp("never-silent")
    environment = {
        "SHOP_BACKEND": "sql",
        "DATABASE_URL": handoff_db_url,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{FAKE_ACTION_PORT}/webhook",
        "ACTION_TIMEOUT": str(ACTION_TIMEOUT),
        "HANDOFF_HOURS": "00:00-24:00",  # an agent's hours whenever the suite runs
    }
    site = assistant_on(workdir, trained_model, RASA_PORT, ACTION_PORT, environment)
    # assistant_on points Rasa at the real action server: this suite points it at the fake.
    site.settings = replace(site.settings, action_endpoint_url=environment["ACTION_ENDPOINT_URL"])
    site.start(timeout=480)  # loading the model takes minutes on a busy machine
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def server(fake_action_server):
    """Each test says how the action server misbehaves; stopped (down) unless it does."""
    fake_action_server.stop()
    yield fake_action_server
    fake_action_server.stop()


def _sender() -> str:
    return f"never-silent-{uuid.uuid4().hex[:10]}"


def _say(assistant, sender: str, text: str, timeout: float = 60) -> List[Dict[str, Any]]:
    answer = requests.post(f"{assistant.rasa_url}/webhooks/rest/webhook",
                           json={"sender": sender, "message": text, "metadata": {"channel": "web"}}, timeout=timeout)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _tracker_events(assistant, sender: str) -> List[Dict[str, Any]]:
    params = getattr(assistant, "api_params", None) or {}
    answer = requests.get(f"{assistant.rasa_url}/conversations/{sender}/tracker", params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


def _templates(replies: List[Dict[str, Any]]) -> List[Optional[str]]:
    return [identify(reply.get("text") or "") for reply in replies]


def _assert_apology_with_human_offer(replies: List[Dict[str, Any]]) -> None:
    assert _templates(replies).count(APOLOGY) == 1, replies  # once, however many actions failed
    [apology] = [reply for reply in replies if identify(reply.get("text") or "") == APOLOGY]
    # REST lists buttons; Rasa's socket.io output sends them as quick_replies.
    offered = apology.get("buttons") or apology.get("quick_replies") or []
    assert HUMAN_PAYLOAD in [button["payload"] for button in offered]


def test_action_server_down_the_shopper_gets_the_apology_and_it_is_in_the_tracker(assistant, server):
    sender = _sender()

    replies = _say(assistant, sender, "我的快递到哪了")

    _assert_apology_with_human_offer(replies)
    said = [event["text"] for event in _tracker_events(assistant, sender) if event["event"] == "bot"]
    assert any(identify(text) == APOLOGY for text in said)


def test_action_server_down_request_human_still_reaches_the_queue_and_pauses(assistant, server, handoff_db_url):
    sender = _sender()

    replies = _say(assistant, sender, "转人工")

    assert any(template in HANDED_OFF for template in _templates(replies)), replies
    case = _service_on(handoff_db_url).open_case_of(sender)
    assert case is not None and "转人工" in [line.text for line in case.transcript]
    events = _tracker_events(assistant, sender)
    ran = [index for index, event in enumerate(events)
           if event["event"] == "action" and event.get("name") == HANDOFF_TO_HUMAN_ACTION]
    assert ran and any(event["event"] == "pause" for event in events[ran[-1]:])


def test_a_slow_action_server_gets_the_apology_at_the_timeout(assistant, server):
    server.serve(delay=ACTION_TIMEOUT * 3, status=200)
    sender = _sender()

    started = time.monotonic()
    replies = _say(assistant, sender, "我的快递到哪了")
    waited = time.monotonic() - started

    _assert_apology_with_human_offer(replies)
    # The session start and the turn's action each waited at most ACTION_TIMEOUT: not Rasa's five minutes.
    assert waited < ACTION_TIMEOUT * 5
    assert server.calls


def test_an_action_server_answering_500_gets_the_apology(assistant, server):
    server.serve(status=500)

    replies = _say(assistant, _sender(), "我的快递到哪了")

    _assert_apology_with_human_offer(replies)
    assert server.calls


def test_the_apology_reaches_a_socketio_shopper(assistant, server):
    from tests.channels.test_socketio import SocketShopper

    async def scenario():
        shopper = await SocketShopper(assistant).connect()
        await shopper.says("我的快递到哪了")
        replies = await shopper.bot_turn()
        await shopper.disconnect()
        return replies

    _assert_apology_with_human_offer(asyncio.run(scenario()))
