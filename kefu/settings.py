"""Configuration from the environment, with defaults for the embedded setup:
everything that differs between a laptop demo and production is read here and
nowhere else (the variables are listed in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Mapping, Optional

# The one definition of where the project lies; everything else is found from here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(environ: Mapping[str, str], name: str, default: str) -> str:
    """``name``'s value, or ``default`` when it is unset or empty."""
    value = environ.get(name)
    return value if value not in (None, "") else default


def _trimmed(environ: Mapping[str, str], name: str, default: str) -> str:
    """``name``'s value without surrounding blanks, or ``default`` when nothing is left."""
    return (environ.get(name) or "").strip() or default


def environment_variable(name: str) -> str:
    """The variable a command line names at run time (``--password-from-env VAR``), "" when unset:
    a secret kept off the command line, not a setting."""
    return os.environ.get(name, "")


@dataclass(frozen=True)
class Settings:
    project_root: Path
    models_dir: Path
    model_cache_dir: Path
    rasa_port: int
    action_port: int
    action_endpoint_url: str
    tracker_db_dialect: str
    tracker_db_host: str
    tracker_db_name: str
    # Trust customer_id in message metadata: a channel, or the shop's web
    # server in front of the REST channel, logged the shopper in. Set false
    # when clients reach the REST channel directly.
    trust_metadata_customer_id: bool = True
    # Seconds an action waits for the shop before apologising: a little more
    # than one call of the HTTP client may take (SHOP_API_TIMEOUT).
    backend_deadline_seconds: float = 2.5
    # How long after their last message a shopper who proved an order was
    # theirs stays proven when a new session starts (actions/session.py).
    identity_carry_over_minutes: float = 120.0
    # Human handoff (kefu/handoff/): when agents work ("09:00-22:00", or per
    # weekday "mon-fri 09:00-22:00; sat,sun 10:00-18:00"), how long a claimed
    # case survives without a heartbeat from the agent's browser, the minutes
    # one case takes (for the wait the shopper is told), and how recently an
    # agent must have been seen to count as online.
    handoff_hours: str = "09:00-22:00"
    handoff_claim_timeout_seconds: float = 60.0
    handoff_average_minutes_per_case: float = 5.0
    handoff_agent_online_seconds: float = 120.0
    # How often each Rasa server looks in the handoff database for agents'
    # replies to shoppers connected to it over socket.io (the reply may have
    # been written on another replica); 0 or less: never (one replica only).
    handoff_socket_poll_seconds: float = 2.0
    # The assistant's own database (imported knowledge, handoff cases and
    # agents, and the shop's data when SHOP_BACKEND=sql); empty means the
    # embedded SQLite file var/shop.db (kefu/storage/db.py).
    database_url: str = field(default="", repr=False)
    # The merchant's reply style: bot name, warm/formal/concise, own wording (kefu/replies/persona.py).
    persona_file: Path = PROJECT_ROOT / "persona.yml"
    # The key that signs the agent workspace's sessions (kefu/workspace/auth.py):
    # the same on every Rasa replica; empty means a random key per process
    # (a restart logs every agent out). Kept out of repr(), so out of logs.
    workspace_secret: str = field(default="", repr=False)
    # The password `make run` gives the demo agent "agent" (kefu/handoff/agents.py).
    demo_agent_password: str = field(default="agent123", repr=False)
    # Where the shop's data comes from (kefu/backends/factory.py): "sql" reads
    # the shop database (DATABASE_URL), "http" calls the shop's REST API.
    shop_backend: str = "sql"
    # The shop's REST API with SHOP_BACKEND=http: seconds per call, retries on
    # connection errors and 5xx, and the first pause between tries (doubled
    # each retry).
    shop_api_url: str = "http://localhost:5060"
    shop_api_timeout_seconds: float = 2.0
    shop_api_retries: int = 2
    shop_api_backoff_seconds: float = 0.2
    # The bearer token sent to the shop API and required by the reference
    # server (kefu/demo_shop/api_server.py); empty: none.
    shop_api_token: str = field(default="", repr=False)
    # Where the reference shop API server listens (`make shop-api`).
    shop_api_host: str = "127.0.0.1"
    shop_api_port: int = 5060

    def rasa_environment(self) -> dict:
        """Variables that endpoints.yml refers to, for the Rasa server process."""
        return {
            "ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "TRACKER_DB_DIALECT": self.tracker_db_dialect,
            "TRACKER_DB_HOST": self.tracker_db_host,
            "TRACKER_DB_NAME": self.tracker_db_name,
        }

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        """The settings ``environ`` gives (default: this process's environment)."""
        environ = os.environ if environ is None else environ
        env, trimmed = partial(_env, environ), partial(_trimmed, environ)
        root = Path(env("KEFU_PROJECT_ROOT", str(PROJECT_ROOT)))
        action_port = int(env("ACTION_PORT", "5055"))
        return cls(
            project_root=root,
            models_dir=Path(env("KEFU_MODELS_DIR", str(root / "models"))),
            model_cache_dir=Path(
                env("KEFU_MODEL_CACHE", str(Path.home() / ".cache" / "kefu" / "models"))
            ),
            rasa_port=int(env("RASA_PORT", "5005")),
            action_port=action_port,
            action_endpoint_url=env(
                "ACTION_ENDPOINT_URL", f"http://localhost:{action_port}/webhook"
            ),
            # The embedded default keeps conversations in SQLite under var/;
            # TRACKER_DB_DIALECT=postgresql with a host switches to PostgreSQL.
            tracker_db_dialect=env("TRACKER_DB_DIALECT", "sqlite"),
            tracker_db_host=environ.get("TRACKER_DB_HOST", ""),
            tracker_db_name=env("TRACKER_DB_NAME", str(root / "var" / "tracker.db")),
            trust_metadata_customer_id=env("TRUST_METADATA_CUSTOMER_ID", "true").lower() in ("1", "true", "yes"),
            backend_deadline_seconds=float(env("SHOP_BACKEND_DEADLINE", "2.5")),
            identity_carry_over_minutes=float(env("IDENTITY_CARRY_OVER_MINUTES", "120")),
            handoff_hours=env("HANDOFF_HOURS", "09:00-22:00"),
            handoff_claim_timeout_seconds=float(env("HANDOFF_CLAIM_TIMEOUT_SECONDS", "60")),
            handoff_average_minutes_per_case=float(env("HANDOFF_AVERAGE_MINUTES_PER_CASE", "5")),
            handoff_agent_online_seconds=float(env("HANDOFF_AGENT_ONLINE_SECONDS", "120")),
            handoff_socket_poll_seconds=float(env("HANDOFF_SOCKET_POLL_SECONDS", "2")),
            database_url=environ.get("DATABASE_URL", "").strip(),
            persona_file=Path(env("PERSONA_FILE", str(root / "persona.yml"))),
            workspace_secret=env("WORKSPACE_SECRET", ""),
            demo_agent_password=env("DEMO_AGENT_PASSWORD", cls.demo_agent_password),
            shop_backend=trimmed("SHOP_BACKEND", cls.shop_backend).lower(),
            shop_api_url=trimmed("SHOP_API_URL", cls.shop_api_url),
            shop_api_timeout_seconds=float(trimmed("SHOP_API_TIMEOUT", str(cls.shop_api_timeout_seconds))),
            shop_api_retries=int(trimmed("SHOP_API_RETRIES", str(cls.shop_api_retries))),
            shop_api_backoff_seconds=float(trimmed("SHOP_API_BACKOFF", str(cls.shop_api_backoff_seconds))),
            shop_api_token=trimmed("SHOP_API_TOKEN", ""),
            shop_api_host=trimmed("SHOP_API_HOST", cls.shop_api_host),
            shop_api_port=int(trimmed("SHOP_API_PORT", str(cls.shop_api_port))),
        )
