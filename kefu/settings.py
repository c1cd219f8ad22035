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


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def environment_variable(name: str) -> str:
    """The variable a command line names at run time (``--password-from-env VAR``), "" when unset:
    a secret kept off the command line, not a setting."""
    return os.environ.get(name, "")


# The variables credentials.yml's WeChat channels name (docs/channels/wechat.md).
WECHAT_CREDENTIAL_VARIABLES = (
    "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY",
    "WECOM_CORP_ID", "WECOM_KF_SECRET", "WECOM_KF_TOKEN", "WECOM_KF_ENCODING_AES_KEY",
    "WECOM_KF_HANDOFF", "WECOM_KF_SERVICER",
)


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
    # DANGEROUS: trust customer_id in message metadata without a signed
    # identity_token (anyone can then read and change anyone's orders). Only
    # for a channel that strips the field from clients; warned at every start.
    trust_metadata_customer_id: bool = False
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
    # Rasa's training cache (RASA_CACHE_DIRECTORY; Rasa's own default is .rasa/cache in the working
    # directory): outside the project, because a bare `rasa test` reads every .yml/.json under the
    # project root and chokes on the cache's files. The Makefile and the venv's activate agree.
    rasa_cache_dir: Path = Path.home() / ".cache" / "kefu" / "rasa-cache"
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
    # --- security (docs/security.md) ---
    # Rasa's own API token (`rasa run --auth-token`, passed as ?token=): every
    # API route but the public channels needs it. Empty: the servers listen on
    # 127.0.0.1 only (the single-machine demo) and say so at start.
    rasa_api_token: str = field(default="", repr=False)
    # Origins allowed to call the Rasa server from a browser (comma-separated
    # in CORS_ORIGINS); empty: none but the server's own pages.
    cors_origins: tuple = ()
    # The shared secret Rasa sends to the action server on every call
    # (endpoints.yml) and the action server checks; empty: the launcher makes
    # a random one per run.
    action_server_token: str = field(default="", repr=False)
    # Seconds the Rasa server waits for one custom action (Rasa's own limit is
    # 5 minutes): past it, or when the action server is down or errs, the
    # shopper gets an apology and the offer of a human (kefu/channels/action_outage.py).
    action_timeout_seconds: float = 10.0
    # Where the action server listens: loopback unless the operator opens it.
    action_server_host: str = "127.0.0.1"
    # Largest request body the action server reads (bytes); compressed bodies are refused.
    action_server_max_body_bytes: int = 2_000_000
    # Key of the shopper identity_token (CONTRACT §3: "{customer_id}.{expires}.{mac}").
    # Empty: a random key kept in var/identity_secret for the single-machine demo.
    identity_secret: str = field(default="", repr=False)
    # Proving an order with the phone's last four digits: failures counted in
    # the database per order number and per client; at the limit the order
    # (or client) is locked for the cool-down, even for the right answer.
    verification_failures_per_order: int = 5
    verification_failures_per_client: int = 10
    verification_lock_minutes: float = 30.0
    # Channel limits: characters per message, messages per minute per sender
    # and per client IP, open handoff cases per client IP.
    message_max_chars: int = 1000
    messages_per_minute_per_sender: int = 20
    messages_per_minute_per_ip: int = 60
    open_cases_per_ip: int = 3
    # Leave-a-message tickets per client (IP, else sender) and per call-back
    # phone number per shop day, so nobody files tickets for strangers' phones.
    tickets_per_client_per_day: int = 3
    tickets_per_phone_per_day: int = 2
    # Behind a reverse proxy: trust its X-Forwarded-For / X-Forwarded-Proto
    # (client IP for limits, Secure cookies under TLS). Never without a proxy.
    trust_forwarded_headers: bool = False
    # `make run` only: creates the demo agent (agent/agent123) unless an
    # operator has set that account's password.
    demo_mode: bool = False
    # Personal data: conversations and handoff cases older than this are
    # purged by `python -m kefu.storage.retention` (0: kept forever).
    retention_days: int = 180
    # WeChat (kefu/channels/wechat/, docs/channels/wechat.md): where the APIs are (a proxy or a test
    # server may stand in), and the channels' credentials that credentials.yml names as ${VAR}: Rasa
    # refuses a credentials file naming an unset variable, so the launcher passes "" for the unset
    # ones (a channel without credentials refuses every callback).
    wechat_api_base: str = "https://api.weixin.qq.com"
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wechat_credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The platform bridge (kefu/channels/platform_bridge.py, docs/channels/platforms.md): which
    # marketplaces may call /webhooks/platform/<name>, each one's HMAC key
    # (PLATFORM_BRIDGE_SECRET_<NAME>; a platform without one is refused), the clock skew allowed,
    # the largest body, and the only hosts replies may be POSTed to (no SSRF).
    platform_bridge_platforms: tuple = ("taobao", "jd", "pdd", "douyin")
    platform_bridge_secrets: tuple = field(default=(), repr=False)  # ((name, secret), ...)
    platform_bridge_window_seconds: float = 300.0
    platform_bridge_max_body_bytes: int = 64 * 1024
    platform_bridge_callback_hosts: tuple = ()
    platform_bridge_callback_timeout_seconds: float = 5.0

    def rasa_environment(self) -> dict:
        """Variables that endpoints.yml refers to, for the Rasa server process."""
        return {
            "ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "TRACKER_DB_DIALECT": self.tracker_db_dialect,
            "TRACKER_DB_HOST": self.tracker_db_host,
            "TRACKER_DB_NAME": self.tracker_db_name,
            # The shared secret endpoints.yml sends to the action server; the
            # launcher puts its per-run secret here when this one is empty.
            "ACTION_SERVER_TOKEN": self.action_server_token,
        }

    def credentials_environment(self) -> dict:
        """Variables that credentials.yml refers to, for the Rasa server process ("" for an unset one)."""
        return dict(self.wechat_credentials)

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
            trust_metadata_customer_id=_flag(env("DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID", "false")),
            backend_deadline_seconds=float(env("SHOP_BACKEND_DEADLINE", "2.5")),
            identity_carry_over_minutes=float(env("IDENTITY_CARRY_OVER_MINUTES", "120")),
            handoff_hours=env("HANDOFF_HOURS", "09:00-22:00"),
            handoff_claim_timeout_seconds=float(env("HANDOFF_CLAIM_TIMEOUT_SECONDS", "60")),
            handoff_average_minutes_per_case=float(env("HANDOFF_AVERAGE_MINUTES_PER_CASE", "5")),
            handoff_agent_online_seconds=float(env("HANDOFF_AGENT_ONLINE_SECONDS", "120")),
            handoff_socket_poll_seconds=float(env("HANDOFF_SOCKET_POLL_SECONDS", "2")),
            database_url=environ.get("DATABASE_URL", "").strip(),
            persona_file=Path(env("PERSONA_FILE", str(root / "persona.yml"))),
            rasa_cache_dir=Path(env(
                "RASA_CACHE_DIRECTORY",
                str(Path(env("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "kefu" / "rasa-cache"),
            )),
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
            rasa_api_token=trimmed("RASA_API_TOKEN", ""),
            cors_origins=tuple(o.strip() for o in environ.get("CORS_ORIGINS", "").split(",") if o.strip()),
            action_server_token=trimmed("ACTION_SERVER_TOKEN", ""),
            action_timeout_seconds=float(trimmed("ACTION_TIMEOUT", str(cls.action_timeout_seconds))),
            action_server_host=trimmed("ACTION_SERVER_HOST", cls.action_server_host),
            action_server_max_body_bytes=int(trimmed("ACTION_SERVER_MAX_BODY", str(cls.action_server_max_body_bytes))),
            identity_secret=trimmed("IDENTITY_SECRET", ""),
            verification_failures_per_order=int(trimmed("VERIFICATION_FAILURES_PER_ORDER", str(cls.verification_failures_per_order))),
            verification_failures_per_client=int(trimmed("VERIFICATION_FAILURES_PER_CLIENT", str(cls.verification_failures_per_client))),
            verification_lock_minutes=float(trimmed("VERIFICATION_LOCK_MINUTES", str(cls.verification_lock_minutes))),
            message_max_chars=int(trimmed("MESSAGE_MAX_CHARS", str(cls.message_max_chars))),
            messages_per_minute_per_sender=int(trimmed("MESSAGES_PER_MINUTE_PER_SENDER", str(cls.messages_per_minute_per_sender))),
            messages_per_minute_per_ip=int(trimmed("MESSAGES_PER_MINUTE_PER_IP", str(cls.messages_per_minute_per_ip))),
            open_cases_per_ip=int(trimmed("OPEN_CASES_PER_IP", str(cls.open_cases_per_ip))),
            tickets_per_client_per_day=int(trimmed("TICKETS_PER_CLIENT_PER_DAY", str(cls.tickets_per_client_per_day))),
            tickets_per_phone_per_day=int(trimmed("TICKETS_PER_PHONE_PER_DAY", str(cls.tickets_per_phone_per_day))),
            trust_forwarded_headers=_flag(trimmed("TRUST_FORWARDED_HEADERS", "false")),
            demo_mode=_flag(trimmed("KEFU_DEMO_MODE", "false")),
            retention_days=int(trimmed("RETENTION_DAYS", str(cls.retention_days))),
            **_platform_bridge_settings(environ),
            wechat_api_base=trimmed("WECHAT_API_BASE", cls.wechat_api_base),
            wecom_api_base=trimmed("WECOM_API_BASE", cls.wecom_api_base),
            wechat_credentials={name: environ.get(name, "") for name in WECHAT_CREDENTIAL_VARIABLES},
        )


def _names(value: str) -> tuple:
    return tuple(name.strip().lower() for name in value.split(",") if name.strip())


def _platform_bridge_settings(environ: Mapping[str, str]) -> dict:
    trimmed = partial(_trimmed, environ)
    platforms = _names(trimmed("PLATFORM_BRIDGE_PLATFORMS", ",".join(Settings.platform_bridge_platforms)))
    secrets = tuple((name, trimmed(f"PLATFORM_BRIDGE_SECRET_{name.upper()}", "")) for name in platforms)
    return {
        "platform_bridge_platforms": platforms,
        "platform_bridge_secrets": tuple((name, secret) for name, secret in secrets if secret),
        "platform_bridge_window_seconds": float(trimmed("PLATFORM_BRIDGE_WINDOW_SECONDS", "300")),
        "platform_bridge_max_body_bytes": int(trimmed("PLATFORM_BRIDGE_MAX_BODY", str(64 * 1024))),
        "platform_bridge_callback_hosts": _names(trimmed("PLATFORM_BRIDGE_CALLBACK_HOSTS", "")),
        "platform_bridge_callback_timeout_seconds": float(trimmed("PLATFORM_BRIDGE_CALLBACK_TIMEOUT", "5")),
    }
