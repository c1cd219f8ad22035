"""A real assistant with human handoff switched on, and the two sides of a handoff.

Used by the channel tests, the workspace API tests and the browser test:
each starts its own Rasa server and action server (``assistant_on``) on a
seeded demo shop of its own, whose database also holds the handoff tables
and the demo agent, with agents working around the clock.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests

from kefu.channels.sessions import TOKEN_HEADER
from kefu.handoff.agents import (
    DEMO_AGENT_DEFAULT_PASSWORD,
    DEMO_AGENT_USERNAME,
    create_agent,
    ensure_demo_agent,
    set_password,
)
from kefu.handoff.case_store import Case, TranscriptLine
from kefu.handoff.service import HandoffService
from kefu.handoff.triggers import HandoffDecision, decide_handoff
from kefu.launcher import Assistant
from tests.conftest import assistant_on
from tests.demo_shop.support import seeded_sqlite
from tests.logged_in import logged_in

OTHER_AGENT = ("xiaowang", "小王", "other-pass-123")
# HANDOFF_SOCKET_POLL_SECONDS of the channel tests' server, whatever this shell says.
SOCKET_POLL_SECONDS = 1.0
STARTUP_SECONDS = 600


@dataclass
class HandoffSite:
    assistant: Assistant
    service: HandoffService  # on the same database as the Rasa server's workspace

    @property
    def rasa_url(self) -> str:
        return self.assistant.rasa_url

    @property
    def workspace_url(self) -> str:
        return f"{self.rasa_url}/webhooks/workspace/"

    def open_case(self, sender_id: str, text: str = "转人工", decision: Optional[HandoffDecision] = None,
                  **content: Any) -> Case:
        """A case opened the way action_handoff_to_human opens one, but without the bot's turn
        (so the tracker is not paused: the channel must keep the bot quiet by itself)."""
        decision = decision or decide_handoff("request_human", text)
        return self.service.open_case(sender_id, decision, channel="web", transcript=[TranscriptLine("shopper", text)],
                                      **content).case

    def tracker_events(self, sender_id: str) -> List[Dict[str, Any]]:
        answer = requests.get(f"{self.rasa_url}/conversations/{sender_id}/tracker",
                              params=self.assistant.api_params, timeout=30)
        answer.raise_for_status()
        return answer.json()["events"]

    def is_paused(self, sender_id: str) -> bool:
        answer = requests.get(f"{self.rasa_url}/conversations/{sender_id}/tracker",
                              params=self.assistant.api_params, timeout=30)
        return answer.json()["paused"]


@contextmanager
def handoff_site(workdir: Path, model: Path, rasa_port: int, action_port: int,
                 **environment: str) -> Iterator[HandoffSite]:
    shop = seeded_sqlite(workdir / "shop.db")
    ensure_demo_agent(shop.engine)
    # The demo agent as `make run` makes it, whatever DEMO_AGENT_PASSWORD this shell has.
    set_password(shop.engine, DEMO_AGENT_USERNAME, DEMO_AGENT_DEFAULT_PASSWORD)
    create_agent(shop.engine, *OTHER_AGENT)
    env = {
        "SHOP_BACKEND": "sql",
        "DATABASE_URL": str(shop.engine.url),
        "HANDOFF_HOURS": "00:00-24:00",  # the tests run at any hour
        **environment,
    }
    assistant = assistant_on(workdir, model, rasa_port, action_port, env)
    # Loading the model takes minutes when several suites start servers on a small machine.
    assistant.start(timeout=STARTUP_SECONDS)
    try:
        yield HandoffSite(assistant, HandoffService(shop.engine))
    finally:
        assistant.stop()
        shop.engine.dispose()


class Shopper:
    """A shopper on the REST channel, as a chat widget does it: the session token the first response
    gives (X-Session-Token) goes with every later request."""

    def __init__(self, site: HandoffSite, customer_id: Optional[str] = None) -> None:
        self.site = site
        self.sender = f"shopper-{uuid.uuid4().hex[:10]}"
        self.token: Optional[str] = None
        self.metadata: Dict[str, Any] = {"channel": "web"}
        if customer_id:  # logged in by the shop's site: a signed identity_token (CONTRACT §3)
            self.metadata.update(logged_in(customer_id))

    def says(self, text: str) -> List[Dict[str, Any]]:
        answer = self.send(text)
        answer.raise_for_status()
        return answer.json()

    def send(self, text: str) -> requests.Response:
        answer = requests.post(f"{self.site.rasa_url}/webhooks/rest/webhook", headers=self._token_header(),
                               json={"sender": self.sender, "message": text, "metadata": self.metadata}, timeout=60)
        self.token = self.token or answer.headers.get(TOKEN_HEADER)
        return answer

    def _token_header(self) -> Dict[str, str]:
        return {TOKEN_HEADER: self.token} if self.token else {}

    def polls(self, after: Optional[Any] = None) -> List[Dict[str, Any]]:
        """GET /webhooks/rest/messages; with ``after``, the id of the last agent message this client has seen."""
        answer = self.poll(after)
        answer.raise_for_status()
        return answer.json()

    def poll(self, after: Optional[Any] = None) -> requests.Response:
        params = {"sender": self.sender} if after is None else {"sender": self.sender, "after": after}
        return requests.get(f"{self.site.rasa_url}/webhooks/rest/messages", params=params,
                            headers=self._token_header(), timeout=30)


def from_agent(replies: List[Dict[str, Any]]) -> List[str]:
    return [reply["text"] for reply in replies if (reply.get("metadata") or {}).get("handoff", {}).get("from") == "agent"]


def message_ids(replies: List[Dict[str, Any]]) -> List[int]:
    return [reply["metadata"]["handoff"]["message_id"] for reply in replies]


def from_bot(replies: List[Dict[str, Any]]) -> List[str]:
    return [reply.get("text") or "" for reply in replies if "handoff" not in (reply.get("metadata") or {})]


class AgentClient:
    """An agent's browser, minus the browser: the workspace's JSON API with the session cookie."""

    def __init__(self, site: HandoffSite, username: str = DEMO_AGENT_USERNAME,
                 password: str = DEMO_AGENT_DEFAULT_PASSWORD, login: bool = True) -> None:
        self.site = site
        self.http = requests.Session()
        self.username = username
        if login:
            answer = self.post("login", json={"username": username, "password": password})
            assert answer.status_code == 200, answer.text

    def url(self, path: str) -> str:
        return f"{self.site.workspace_url}api/{path}"

    def get(self, path: str, **options: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=30, **options)

    def post(self, path: str, **options: Any) -> requests.Response:
        return self.http.post(self.url(path), timeout=30, **options)

    def ok(self, method: str, path: str, **options: Any) -> Dict[str, Any]:
        answer = getattr(self, method)(path, **options)
        assert answer.status_code == 200, f"{method.upper()} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    def claim(self, case_id: int) -> Dict[str, Any]:
        return self.ok("post", f"cases/{case_id}/claim")

    def reply(self, case_id: int, text: str) -> Dict[str, Any]:
        return self.ok("post", f"cases/{case_id}/reply", json={"text": text})

    def close(self, case_id: int) -> Dict[str, Any]:
        return self.ok("post", f"cases/{case_id}/close")


def wait_for(condition, timeout: float = 20.0, interval: float = 0.2, message: str = "condition"):
    """Polls ``condition`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout:.0f}s")
        time.sleep(interval)


def stop_process(process) -> None:
    """Ends a server started as a child process: politely, then for good after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
