"""Configuration from the environment, with defaults for the embedded setup.

Everything that differs between a laptop demo and production is read here
and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


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
    # Seconds an action waits for the shop before apologising (the issue's
    # "slow, over 2 s"; the HTTP client's own timeout is 2 s).
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
    # The key that signs the agent workspace's sessions (kefu/handoff/workspace.py):
    # the same on every Rasa replica; empty means a random key per process
    # (a restart logs every agent out). Kept out of repr(), so out of logs.
    workspace_secret: str = field(default="", repr=False)

    def rasa_environment(self) -> dict:
        """Variables that endpoints.yml refers to, for the Rasa server process."""
        return {
            "ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "TRACKER_DB_DIALECT": self.tracker_db_dialect,
            "TRACKER_DB_HOST": self.tracker_db_host,
            "TRACKER_DB_NAME": self.tracker_db_name,
        }

    @classmethod
    def from_env(cls) -> "Settings":
        root = Path(_env("KEFU_PROJECT_ROOT", str(PROJECT_ROOT)))
        action_port = int(_env("ACTION_PORT", "5055"))
        return cls(
            project_root=root,
            models_dir=Path(_env("KEFU_MODELS_DIR", str(root / "models"))),
            model_cache_dir=Path(
                _env("KEFU_MODEL_CACHE", str(Path.home() / ".cache" / "kefu" / "models"))
            ),
            rasa_port=int(_env("RASA_PORT", "5005")),
            action_port=action_port,
            action_endpoint_url=_env(
                "ACTION_ENDPOINT_URL", f"http://localhost:{action_port}/webhook"
            ),
            # The embedded default keeps conversations in SQLite under var/;
            # TRACKER_DB_DIALECT=postgresql with a host switches to PostgreSQL.
            tracker_db_dialect=_env("TRACKER_DB_DIALECT", "sqlite"),
            tracker_db_host=os.environ.get("TRACKER_DB_HOST", ""),
            tracker_db_name=_env("TRACKER_DB_NAME", str(root / "var" / "tracker.db")),
            trust_metadata_customer_id=_env("TRUST_METADATA_CUSTOMER_ID", "true").lower() in ("1", "true", "yes"),
            backend_deadline_seconds=float(_env("SHOP_BACKEND_DEADLINE", "2.5")),
            identity_carry_over_minutes=float(_env("IDENTITY_CARRY_OVER_MINUTES", "120")),
            handoff_hours=_env("HANDOFF_HOURS", "09:00-22:00"),
            handoff_claim_timeout_seconds=float(_env("HANDOFF_CLAIM_TIMEOUT_SECONDS", "60")),
            handoff_average_minutes_per_case=float(_env("HANDOFF_AVERAGE_MINUTES_PER_CASE", "5")),
            handoff_agent_online_seconds=float(_env("HANDOFF_AGENT_ONLINE_SECONDS", "120")),
            handoff_socket_poll_seconds=float(_env("HANDOFF_SOCKET_POLL_SECONDS", "2")),
            database_url=os.environ.get("DATABASE_URL", "").strip(),
            persona_file=Path(_env("PERSONA_FILE", str(root / "persona.yml"))),
            workspace_secret=_env("WORKSPACE_SECRET", ""),
        )
