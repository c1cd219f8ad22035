"""The platform bridge on a real Sanic server in a thread of the test, over a real SQLite database, with
Rasa's processor reduced to a note (tests/channels/test_relay.py's stand-in: the bridge's rules do not
depend on what the model answers), a merchant plug-in that signs its calls, and a real HTTP server
receiving the callbacks."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional

import requests
from sanic import Sanic

from kefu.channels.platform_bridge import PlatformBridgeInput
from kefu.channels.platform_signing import signed_headers
from kefu.settings import Settings
from tests.channels.test_relay import Agent, Processor
from tests.logged_in import TEST_IDENTITY_SECRET

SECRETS = {"taobao": "taobao-secret-of-the-tests", "jd": "jd-secret-of-the-tests", "pdd": "pdd-secret-of-the-tests"}
MAX_BODY = 4096


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingProcessor(Processor):
    """The stand-in processor, also keeping each message the bot was asked to answer (its metadata);
    ``seconds`` is how long each answer takes (a slow action server), ``failures`` how many of the first
    messages fail (an error inside Rasa)."""

    def __init__(self, seconds: float = 0.0, failures: int = 0):
        super().__init__()
        self.messages = []
        self.seconds, self.failures = seconds, failures

    async def handle_message(self, message):
        self.messages.append(message)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the processor failed")
        await asyncio.sleep(self.seconds)
        await super().handle_message(message)


class RecordingAgent(Agent):
    def __init__(self, seconds: float = 0.0, failures: int = 0):
        super().__init__()
        self.processor = RecordingProcessor(seconds, failures)


def bridge_settings(**overrides: str) -> Settings:
    environment = {
        "IDENTITY_SECRET": TEST_IDENTITY_SECRET,
        "PLATFORM_BRIDGE_MAX_BODY": str(MAX_BODY),
        "PLATFORM_BRIDGE_CALLBACK_TIMEOUT": "3",
        **{f"PLATFORM_BRIDGE_SECRET_{name.upper()}": secret for name, secret in SECRETS.items()},
        **overrides,
    }
    return Settings.from_env(environment)


@dataclass
class Bridge:
    url: str  # .../webhooks/platform
    agent: RecordingAgent

    def post(self, path: str, payload: Any = None, secret: Optional[str] = None, body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None, timeout: float = 30, **signing: Any) -> requests.Response:
        """A call as the merchant's plug-in makes it: ``payload`` as JSON, signed with the platform's
        secret (``secret``, default the first path segment's), unless ``headers`` are given; a plug-in
        waits ``timeout`` seconds for the answer, then hangs up (requests' ReadTimeout)."""
        body = body if body is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if headers is None:
            platform = path.split("/")[0]
            headers = signed_headers(secret or SECRETS.get(platform, "none"), body, **signing)
        return requests.post(f"{self.url}/{path}", data=body, timeout=timeout,
                             headers={"Content-Type": "application/json", **headers})


@contextmanager
def running_bridge(settings: Settings, agent: Optional[RecordingAgent] = None) -> Iterator[Bridge]:
    """The bridge's blueprint on a Sanic server of its own (127.0.0.1, a free port), as Rasa mounts it."""
    agent = agent or RecordingAgent()
    channel = PlatformBridgeInput(settings)

    async def plain_rasa(message):  # never reached: the relay takes every message of a started server
        raise AssertionError("the bridge bypassed the relay")

    Sanic.test_mode = True
    app = Sanic(f"bridge_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(plain_rasa), url_prefix="/webhooks/platform")
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: Dict[str, Any] = {}

    async def serve():
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        holder["server"] = server
        await server.startup()
        await server.before_start()
        await server.after_start()
        started.set()
        await server.serve_forever()

    thread = threading.Thread(target=lambda: loop.run_until_complete(_until_cancelled(serve())), daemon=True)
    thread.start()
    if not started.wait(30):
        raise RuntimeError("the bridge's server did not start")
    try:
        yield Bridge(f"http://127.0.0.1:{port}/webhooks/platform", agent)
    finally:
        loop.call_soon_threadsafe(lambda: [task.cancel() for task in asyncio.all_tasks(loop)])
        thread.join(10)


async def _until_cancelled(coroutine) -> None:
    try:
        await coroutine
    except asyncio.CancelledError:
        pass


@dataclass
class Received:
    path: str
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class CallbackReceiver:
    """The merchant plug-in's callback endpoint: a real HTTP server that records what it is sent and
    answers each call with the next of ``statuses`` (then 200)."""

    host: str
    port: int
    received: List[Received] = field(default_factory=list)
    statuses: List[int] = field(default_factory=list)

    def url(self, path: str = "/kefu-replies") -> str:
        return f"http://{self.host}:{self.port}{path}"


@contextmanager
def callback_receiver(*statuses: int) -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver("127.0.0.1", 0, statuses=list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            receiver.received.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
