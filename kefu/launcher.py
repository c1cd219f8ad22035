"""Starts the action server and the Rasa server, and stops them together:
``python -m kefu.launcher`` is what ``make run`` ends with, and the
end-to-end tests run the same processes on spare ports with :class:`Assistant`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

from kefu.handoff import agents as agent_accounts
from kefu.settings import Settings
from kefu.storage.db import make_engine
from kefu.training import find_model

RASA = str(Path(sys.executable).parent / "rasa")


class StartupError(RuntimeError):
    pass


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"{name} exited with code {process.returncode} while starting")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise StartupError(f"{name} did not answer {url} within {timeout:.0f}s")


class Assistant:
    """The action server and Rasa server as child processes."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Optional[Path] = None,
        extra_environment: Optional[Dict[str, str]] = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.log_dir = log_dir
        self.extra_environment = dict(extra_environment or {})
        self._processes: List[subprocess.Popen] = []

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.settings.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://localhost:{self.settings.action_port}"

    def _environment(self) -> Dict[str, str]:
        environment = dict(os.environ)
        environment.update(self.settings.rasa_environment())
        environment.update(self.extra_environment)
        environment["PYTHONPATH"] = str(self.settings.project_root)
        return environment

    def _spawn(self, name: str, command: List[str]) -> subprocess.Popen:
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            command,
            cwd=self.settings.project_root,
            env=self._environment(),
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        self._processes.append(process)
        return process

    def start(self, timeout: float = 180) -> "Assistant":
        if self.settings.tracker_db_dialect == "sqlite":
            Path(self.settings.tracker_db_name).parent.mkdir(parents=True, exist_ok=True)
        try:
            actions = self._spawn(
                "action-server",
                [RASA, "run", "actions", "--port", str(self.settings.action_port), "--actions", "actions"],
            )
            _wait_until_up(f"{self.action_url}/health", actions, timeout, "action server")
            rasa = self._spawn(
                "rasa",
                [
                    RASA, "run",
                    "--enable-api",
                    "--cors", "*",
                    "--port", str(self.settings.rasa_port),
                    "--model", str(self.model),
                    "--endpoints", "endpoints.yml",
                    "--credentials", "credentials.yml",
                ],
            )
            _wait_until_up(f"{self.rasa_url}/status", rasa, timeout, "Rasa server")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in reversed(self._processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()

    def wait(self) -> int:
        """Blocks until one of the servers exits; returns its exit code."""
        while True:
            for process in self._processes:
                if process.poll() is not None:
                    return process.returncode
            time.sleep(1)

    def __enter__(self) -> "Assistant":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def prepare_handoff(database_url: Optional[str] = None) -> agent_accounts.AgentAccount:
    """The handoff tables and the demo agent in the shop database, for `make run`.

    Only the launcher does this: a production Rasa started otherwise gets no
    agent with a well-known password.
    """
    engine = make_engine(database_url)
    try:
        return agent_accounts.ensure_demo_agent(engine)
    finally:
        engine.dispose()


def _demo_login(account: Optional[agent_accounts.AgentAccount], settings: Settings) -> str:
    if account is None:
        return "(the handoff database could not be prepared, see above)"
    if settings.demo_agent_password != agent_accounts.DEMO_AGENT_DEFAULT_PASSWORD:
        return f"{account.username} / the password in $DEMO_AGENT_PASSWORD"
    return f"{account.username} / {agent_accounts.DEMO_AGENT_DEFAULT_PASSWORD}"


def _banner(assistant: Assistant, demo_agent: Optional[agent_accounts.AgentAccount] = None) -> str:
    return f"""
================================================================
 The assistant is running.
   Rasa (REST channel, HTTP API): {assistant.rasa_url}
   Action server:                 {assistant.action_url}
   Agent workspace:               {assistant.rasa_url}/webhooks/workspace/
     demo login:                  {_demo_login(demo_agent, assistant.settings)}

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
