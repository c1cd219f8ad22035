"""Configuration from the environment, with defaults for the embedded setup.

Everything that differs between a laptop demo and production is read here
and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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
    # The merchant's size charts (YAML, see kefu/knowledge/samples/size_charts.yml).
    size_charts_file: Path = PROJECT_ROOT / "kefu" / "knowledge" / "samples" / "size_charts.yml"

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
            size_charts_file=Path(_env("SIZE_CHARTS_FILE", str(root / "kefu" / "knowledge" / "samples" / "size_charts.yml"))),
        )
