"""Starts the action server and the Rasa server, and stops them together:
``python -m kefu.launcher`` is what ``make run`` ends with, and the
end-to-end tests run the same processes on spare ports with :class:`Assistant`.

The doors (docs/security.md): with ``RASA_API_TOKEN`` Rasa listens on every
interface and its HTTP API needs the token; without it both servers listen on
127.0.0.1 only. The action server always wants a shared secret
(``ACTION_SERVER_TOKEN``, or one made here per run). While Rasa runs, a dead
action server is started again after a pause that grows from 1 s to 30 s.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests

from kefu.handoff import agents as agent_accounts
from kefu.settings import Settings
from kefu.storage.db import make_engine
from kefu.training import find_model

RASA = str(Path(sys.executable).parent / "rasa")
ACTION_SERVER_MODULE = "kefu.security.action_server"
LOOPBACK = "127.0.0.1"
EVERY_INTERFACE = "0.0.0.0"


class StartupError(RuntimeError):
    pass


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float, name: str,
                   params: Optional[Dict[str, str]] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{name} exited with code {process.returncode} while starting")
        try:
            if requests.get(url, params=params, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise StartupError(f"{name} did not answer {url} within {timeout:.0f}s")


def _local_address(host: str) -> str:
    """Where this machine reaches a server bound to ``host``."""
    return "localhost" if host in ("", EVERY_INTERFACE, "::", LOOPBACK) else host


class Backoff:
    """Pauses before restarting a crashed process: ``first`` doubled after each crash up to
    ``cap``, and back to ``first`` once the process had stayed up ``reset_after`` seconds
    (a crash loop slows down; a crash after days of service is retried at once)."""

    def __init__(self, first: float = 1.0, cap: float = 30.0, reset_after: float = 60.0) -> None:
        self.first, self.cap, self.reset_after = first, cap, reset_after
        self._next = first

    def pause_after(self, uptime: float) -> float:
        if uptime >= self.reset_after:
            self._next = self.first
        pause, self._next = self._next, min(self.cap, self._next * 2)
        return pause


class SupervisedProcess:
    """A child process started again, after a :class:`Backoff` pause, whenever it dies;
    :meth:`check` does one round of watching and is called from the launcher's loop."""

    def __init__(self, name: str, spawn: Callable[[], subprocess.Popen], backoff: Optional[Backoff] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._spawn = spawn
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._lock = threading.Lock()  # stop() may come from another thread than check()
        self._stopped = False
        self._restart_at: Optional[float] = None
        self.process: Optional[subprocess.Popen] = None
        self.started_at = 0.0
        self.restarts = 0

    def start(self) -> subprocess.Popen:
        with self._lock:
            self._stopped = False
            return self._start()

    def _start(self) -> subprocess.Popen:
        self.process = self._spawn()
        self.started_at = self._clock()
        self._restart_at = None
        return self.process

    def check(self) -> None:
        with self._lock:
            if self._stopped or self.process is None:
                return
            now = self._clock()
            if self._restart_at is None and self.process.poll() is not None:
                pause = self._backoff.pause_after(now - self.started_at)
                self._restart_at = now + pause
                _log(f"!! the {self.name} exited with code {self.process.returncode}; "
                     f"starting it again in {pause:.0f}s")
            if self._restart_at is not None and now >= self._restart_at:
                self.restarts += 1
                self._start()
                _log(f">> {self.name} restarted (restart {self.restarts}, pid {self.process.pid})")

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self.process is not None:
                _stop_processes([self.process])


def _stop_processes(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Assistant:
    """The action server (supervised) and the Rasa server as child processes."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Optional[Path] = None,
        extra_environment: Optional[Dict[str, str]] = None,
        action_server_backoff: Optional[Backoff] = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.log_dir = log_dir
        self.extra_environment = dict(extra_environment or {})
        # One secret for both processes of this run; never printed.
        self.action_server_token = settings.action_server_token or secrets.token_urlsafe(32)
        self.action_server = SupervisedProcess("action server", self._spawn_action_server, action_server_backoff)
        self.rasa: Optional[subprocess.Popen] = None

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.settings.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{_local_address(self.settings.action_server_host)}:{self.settings.action_port}"

    @property
    def api_params(self) -> Dict[str, str]:
        """Query parameters the Rasa HTTP API wants (its token, when one is set)."""
        return {"token": self.settings.rasa_api_token} if self.settings.rasa_api_token else {}

    @property
    def rasa_interface(self) -> str:
        """Every interface only when the API has a token; else this machine only."""
        return EVERY_INTERFACE if self.settings.rasa_api_token else LOOPBACK

    def rasa_command(self) -> List[str]:
        command = [
            RASA, "run",
            "--enable-api",
            "--interface", self.rasa_interface,
            "--port", str(self.settings.rasa_port),
            "--model", str(self.model),
            "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml",
        ]
        if self.settings.rasa_api_token:
            command += ["--auth-token", self.settings.rasa_api_token]
        if self.settings.cors_origins:  # none: no browser origin but the server's own pages
            command += ["--cors", *self.settings.cors_origins]
        return command

    def action_server_command(self) -> List[str]:
        return [sys.executable, "-m", ACTION_SERVER_MODULE, "--port", str(self.settings.action_port)]

    def _environment(self) -> Dict[str, str]:
        environment = dict(os.environ)
        environment.update(self.settings.rasa_environment())
        environment.update(self.settings.credentials_environment())
        environment["ACTION_SERVER_TOKEN"] = self.action_server_token
        environment["ACTION_SERVER_HOST"] = self.settings.action_server_host
        environment.update(self.extra_environment)
        environment["PYTHONPATH"] = str(self.settings.project_root)
        return environment

    def _spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        if self.log_dir is None:
            return subprocess.Popen(command, cwd=self.settings.project_root, env=self._environment())
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # The child keeps its own copy of the file; ours is closed, so restarts leak nothing.
        with open(self.log_dir / f"{name}.log", "ab") as output:
            return subprocess.Popen(command, cwd=self.settings.project_root, env=self._environment(),
                                    stdout=output, stderr=subprocess.STDOUT)

    def _spawn_action_server(self) -> subprocess.Popen:
        return self._spawn("action-server", self.action_server_command())

    def start(self, timeout: float = 600) -> "Assistant":  # a busy machine loads the model slowly
        if self.settings.tracker_db_dialect == "sqlite":
            Path(self.settings.tracker_db_name).parent.mkdir(parents=True, exist_ok=True)
        try:
            actions = self.action_server.start()
            _wait_until_up(f"{self.action_url}/health", actions, timeout, "action server")
            self.rasa = self._spawn("rasa", self.rasa_command())
            _wait_until_up(f"{self.rasa_url}/status", self.rasa, timeout, "Rasa server", self.api_params)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.rasa is not None:
            _stop_processes([self.rasa])
        self.action_server.stop()

    def supervise(self) -> Optional[int]:
        """One round of watching: Rasa's exit code once it has exited, else None
        (a dead action server is restarted meanwhile; Rasa keeps running)."""
        if self.rasa is not None and self.rasa.poll() is not None:
            return self.rasa.returncode
        self.action_server.check()
        return None

    def wait(self, poll_seconds: float = 1.0) -> int:
        """Blocks until Rasa exits; returns its exit code."""
        while True:
            code = self.supervise()
            if code is not None:
                return code
            time.sleep(poll_seconds)

    def __enter__(self) -> "Assistant":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def prepare_handoff(database_url: Optional[str] = None,
                    settings: Optional[Settings] = None) -> Optional[agent_accounts.AgentAccount]:
    """The handoff tables in the shop database and, in demo mode only (KEFU_DEMO_MODE), the demo agent.

    Only the launcher does this, and outside demo mode it makes no agent:
    a server on the internet gets no account with a well-known password.
    Returns the demo agent, or None outside demo mode.
    """
    engine = make_engine(database_url)
    try:
        return agent_accounts.prepare_agents(engine, settings)
    finally:
        engine.dispose()


def _demo_login(account: Optional[agent_accounts.AgentAccount], settings: Settings) -> str:
    if not settings.demo_mode:
        return "none outside demo mode; add agents with `python -m kefu.handoff.agents add`"
    if account is None:
        return "(the handoff database could not be prepared, see above)"
    if account.password_set_by_operator:
        return f"{account.username} / the password an operator set"
    if settings.demo_agent_password != agent_accounts.DEMO_AGENT_DEFAULT_PASSWORD:
        return f"{account.username} / the password in $DEMO_AGENT_PASSWORD"
    return f"{account.username} / {agent_accounts.DEMO_AGENT_DEFAULT_PASSWORD}"


def security_notices(settings: Settings) -> List[str]:
    """What an operator must know about the doors of this start, warnings first."""
    notices = []
    if settings.trust_metadata_customer_id:
        notices.append(
            "!! DANGER: DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID is on: whoever reaches a channel can claim to "
            "be any customer by sending customer_id in the message metadata, and read or change their orders. "
            "Switch it off unless every client goes through a server that strips that field."
        )
    if settings.rasa_api_token:
        notices.append(
            f">> Rasa listens on every interface ({EVERY_INTERFACE}); its HTTP API needs ?token=<RASA_API_TOKEN>, "
            "the REST and socket.io channels stay public."
        )
    else:
        notices.append(
            f">> RASA_API_TOKEN is not set, so Rasa listens on {LOOPBACK} only (this machine, not the network). "
            "Set RASA_API_TOKEN to open it; its HTTP API then needs ?token=<RASA_API_TOKEN>."
        )
    notices.append(
        f">> Action server on {settings.action_server_host} (ACTION_SERVER_HOST), shared secret required; "
        f"CORS origins: {', '.join(settings.cors_origins) if settings.cors_origins else 'none (CORS_ORIGINS)'}."
    )
    return notices


def _webchat_lines(assistant: Assistant) -> str:
    """Where the web chat widget is, and in demo mode the demo shop page that shows it (kefu/channels/webchat.py)."""
    lines = f"   Web chat widget:               <script src=\"{assistant.rasa_url}/webhooks/webchat/widget.js\">"
    if assistant.settings.demo_mode:
        lines += f"\n   Demo shop with the web chat:   {assistant.rasa_url}/webhooks/webchat/demo/"
    return lines


def _banner(assistant: Assistant, demo_agent: Optional[agent_accounts.AgentAccount] = None) -> str:
    reachable = "every interface" if assistant.settings.rasa_api_token else f"{LOOPBACK} only"
    return f"""
================================================================
 The assistant is running.
   Rasa (REST channel, HTTP API): {assistant.rasa_url}   ({reachable})
   Action server:                 {assistant.action_url}
   Agent workspace:               {assistant.rasa_url}/webhooks/workspace/
     demo login:                  {_demo_login(demo_agent, assistant.settings)}
{_webchat_lines(assistant)}

 Chat in the terminal (another shell):   make shell
 Or with curl:
   curl -s {assistant.rasa_url}/webhooks/rest/webhook \\
        -H 'Content-Type: application/json' \\
        -d '{{"sender": "demo", "message": "这玩意儿啥时候能送来啊"}}'

 Stop with Ctrl-C.
================================================================
"""


def main() -> int:
    settings = Settings.from_env()
    for notice in security_notices(settings):  # first, whatever happens next
        _log(notice)
    model = find_model(settings)
    if model is None:
        print("No up-to-date model: run `make train` (or `make run`) first.", file=sys.stderr)
        return 1
    assistant = Assistant(settings, model)

    def stop_on_terminate(signum, frame):
        raise KeyboardInterrupt  # `kill` stops both servers, as Ctrl-C does

    signal.signal(signal.SIGTERM, stop_on_terminate)
    try:
        demo_agent: Optional[agent_accounts.AgentAccount] = prepare_handoff()
    except Exception as error:  # the bot runs without the workspace's demo login
        print(f"!! could not prepare the handoff tables and demo agent: {error}", file=sys.stderr)
        demo_agent = None
    print(f">> starting the action server and Rasa with {model.name} ...", flush=True)
    try:
        assistant.start()
        print(_banner(assistant, demo_agent), flush=True)
        return assistant.wait()
    except StartupError as error:
        print(f"!! {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        assistant.stop()


if __name__ == "__main__":
    sys.exit(main())
