"""Human agents: accounts with scrypt-hashed passwords, who is online, workspace sessions revoked by
logging out, and the command that adds agents (``python -m kefu.handoff.agents``; docs/handoff.md)."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, Iterable, List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from kefu.storage.handoff_models import Agent, RevokedSession, create_handoff_schema
from kefu.settings import Settings, environment_variable
from kefu.storage.clock import shop_now
from kefu.storage.db import make_engine, make_session_factory

DEMO_AGENT_USERNAME = "agent"
DEMO_AGENT_DISPLAY_NAME = "演示客服"
# The demo agent's password when DEMO_AGENT_PASSWORD is unset.
DEMO_AGENT_DEFAULT_PASSWORD = Settings.demo_agent_password

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")

# scrypt cost: about 50 ms and 16 MiB per check on a laptop core.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32


class AgentError(ValueError):
    """A username or password that cannot be used, or a username already taken."""


@dataclass(frozen=True)
class AgentAccount:
    username: str
    display_name: str
    created_at: datetime
    last_seen_at: Optional[datetime]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${key.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(key))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * r * (n + p + 2),
                          dklen=_KEY_BYTES)


# Checked against when the username is unknown, so that costs as much as a wrong password.
_UNKNOWN_USER_HASH = hash_password(secrets.token_hex(16))


def create_agent(engine: Engine, username: str, display_name: str, password: str,
                 now: Optional[datetime] = None) -> AgentAccount:
    _check_username(username)
    _check_password(password)
    if not display_name.strip():
        raise AgentError("display name is empty")
    row = Agent(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        created_at=now or shop_now(),
    )
    try:
        with make_session_factory(engine)() as session, session.begin():
            session.add(row)
    except IntegrityError as error:
        raise AgentError(f"username {username!r} is taken") from error
    return _account(row)


def verify_agent(engine: Engine, username: str, password: str) -> Optional[AgentAccount]:
    """The agent if the password is theirs; None for a wrong password or an unknown name alike."""
    with make_session_factory(engine)() as session:
        row = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
    if row is None:
        password_matches(password, _UNKNOWN_USER_HASH)
        return None
    return _account(row) if password_matches(password, row.password_hash) else None


def set_password(engine: Engine, username: str, password: str) -> bool:
    """Give the agent a new password; False if there is no such agent."""
    _check_password(password)
    with make_session_factory(engine)() as session, session.begin():
        changed = session.execute(
            update(Agent).where(Agent.username == username).values(password_hash=hash_password(password))
        ).rowcount
    return changed == 1


def get_agent(engine: Engine, username: str) -> Optional[AgentAccount]:
    with make_session_factory(engine)() as session:
        row = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        return _account(row) if row is not None else None


def list_agents(engine: Engine) -> List[AgentAccount]:
    with make_session_factory(engine)() as session:
        return [_account(row) for row in session.execute(select(Agent).order_by(Agent.username)).scalars()]


def mark_seen(engine: Engine, username: str, now: Optional[datetime] = None) -> bool:
    """The agent's workspace is alive; False if there is no such agent."""
    with engine.begin() as connection:
        changed = connection.execute(
            update(Agent).where(Agent.username == username).values(last_seen_at=now or shop_now())
        ).rowcount
    return changed == 1


def online_agents(engine: Engine, now: Optional[datetime] = None,
                  within_seconds: Optional[float] = None) -> List[str]:
    """Usernames of the agents seen in the last ``within_seconds`` (HANDOFF_AGENT_ONLINE_SECONDS)."""
    if within_seconds is None:
        within_seconds = Settings.from_env().handoff_agent_online_seconds
    since = (now or shop_now()) - timedelta(seconds=within_seconds)
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(Agent.username).where(Agent.last_seen_at >= since).order_by(Agent.username)
            ).scalars()
        )


def display_names(engine: Engine, usernames: Iterable[Optional[str]]) -> Dict[Optional[str], Optional[str]]:
    """{username: display name}; a username without an account (removed) stands for itself."""
    usernames = list(usernames)
    wanted = {name for name in usernames if name}
    names: Dict[Optional[str], Optional[str]] = {name: name for name in usernames}
    if wanted:
        with engine.connect() as connection:
            for username, display_name in connection.execute(
                select(Agent.username, Agent.display_name).where(Agent.username.in_(wanted))
            ):
                names[username] = display_name
    return names


# --- sessions ended by logging out --------------------------------------------------


def revoke_session(engine: Engine, token_hash: str, expires_at: datetime, now: Optional[datetime] = None) -> None:
    """Refuse the session with this token hash from now on, on every replica.

    Kept until ``expires_at`` (when the token dies by itself); revocations
    past theirs are pruned here. Revoking twice is revoking once.
    """
    now = now or shop_now()
    try:
        with make_session_factory(engine)() as session, session.begin():
            session.execute(delete(RevokedSession).where(RevokedSession.expires_at < now))
            if session.get(RevokedSession, token_hash) is None:
                session.add(RevokedSession(token_hash=token_hash, expires_at=expires_at, revoked_at=now))
    except IntegrityError:
        pass  # another replica revoked the same token at the same moment: revoked either way


def session_revoked(engine: Engine, token_hash: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(
            select(RevokedSession.token_hash).where(RevokedSession.token_hash == token_hash)
        ).first() is not None


def ensure_demo_agent(engine: Engine, settings: Optional[Settings] = None) -> AgentAccount:
    """The demo agent ``agent``, with the password of DEMO_AGENT_PASSWORD (default agent123).

    Creates the handoff tables if needed. Run at every start: a changed
    DEMO_AGENT_PASSWORD takes effect on the next start.
    """
    create_handoff_schema(engine)
    password = (settings or Settings.from_env()).demo_agent_password
    if verify_agent(engine, DEMO_AGENT_USERNAME, password) is not None:
        return get_agent(engine, DEMO_AGENT_USERNAME)
    if not set_password(engine, DEMO_AGENT_USERNAME, password):
        try:
            return create_agent(engine, DEMO_AGENT_USERNAME, DEMO_AGENT_DISPLAY_NAME, password)
        except AgentError:
            # Another process (the second replica) created it meanwhile.
            set_password(engine, DEMO_AGENT_USERNAME, password)
    return get_agent(engine, DEMO_AGENT_USERNAME)


def _check_username(username: str) -> None:
    if not _USERNAME.match(username or ""):
        raise AgentError("a username is 1 to 50 letters, digits, '_', '.' or '-'")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AgentError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def _account(row: Agent) -> AgentAccount:
    return AgentAccount(row.username, row.display_name, row.created_at, row.last_seen_at)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kefu.handoff.agents", description="Manage human agents.")
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite shop database")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent")
    add.add_argument("username")
    add.add_argument("--display-name", required=True)
    # Never on the command line, where it would stay in the shell history and `ps`.
    add.add_argument("--password-from-env", required=True, metavar="VAR",
                     help="name of the environment variable holding the password")
    commands.add_parser("list", help="list the agents")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url)
    try:
        create_handoff_schema(engine)
        if args.command == "add":
            password = environment_variable(args.password_from_env)
            if not password:
                print(f"error: environment variable {args.password_from_env} is not set", file=sys.stderr)
                return 2
            try:
                account = create_agent(engine, args.username, args.display_name, password)
            except AgentError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            print(f"created agent {account.username} ({account.display_name})")
        else:
            for account in list_agents(engine):
                seen = account.last_seen_at.strftime("%Y-%m-%d %H:%M") if account.last_seen_at else "never"
                print(f"{account.username}\t{account.display_name}\tlast seen {seen}")
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
