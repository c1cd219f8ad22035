"""Human agents: accounts with scrypt-hashed passwords and a role (agent or supervisor), who is online,
workspace sessions revoked by logging out or by a password change, the demo account, and the command
that manages agents (``python -m kefu.handoff.agents``; docs/handoff.md, docs/workspace.md)."""

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

from kefu.storage.agent_access_models import AGENT_ROLE, ROLES, SUPERVISOR_ROLE, AgentAccess
from kefu.storage.handoff_models import Agent, RevokedSession
from kefu.storage.handoff_schema import create_handoff_schema
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
    role: str = AGENT_ROLE
    # Workspace sessions issued under an older generation are refused (kefu/workspace/auth.py).
    password_generation: int = 0
    password_set_by_operator: bool = False

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR_ROLE


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
                 now: Optional[datetime] = None, role: str = AGENT_ROLE,
                 password_set_by_operator: bool = True) -> AgentAccount:
    """A new agent; ``password_set_by_operator`` is False only for the demo account ``make run`` makes."""
    _check_username(username)
    _check_password(password)
    _check_role(role)
    if not display_name.strip():
        raise AgentError("display name is empty")
    row = Agent(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        created_at=now or shop_now(),
    )
    access = AgentAccess(username=username, role=role, password_generation=0,
                         password_set_by_operator=password_set_by_operator)
    try:
        with make_session_factory(engine)() as session, session.begin():
            session.add(row)
            session.flush()  # the agent before its access row (foreign key)
            session.add(access)
    except IntegrityError as error:
        raise AgentError(f"username {username!r} is taken") from error
    return _account(row, access)


def verify_agent(engine: Engine, username: str, password: str) -> Optional[AgentAccount]:
    """The agent if the password is theirs; None for a wrong password or an unknown name alike.

    Blocking and slow (scrypt): the workspace runs it on its own small thread pool.
    """
    with make_session_factory(engine)() as session:
        found = _row_and_access(session, username)
    if found is None:
        password_matches(password, _UNKNOWN_USER_HASH)
        return None
    row, access = found
    return _account(row, access) if password_matches(password, row.password_hash) else None


def may_log_in(account: AgentAccount, demo_mode: bool) -> bool:
    """False for the demo account with its well-known password outside demo mode (KEFU_DEMO_MODE).

    A database that ``make run`` once prepared keeps ``agent``/``agent123``; a
    server started for real must not let it in until an operator sets a password.
    """
    return demo_mode or account.username != DEMO_AGENT_USERNAME or account.password_set_by_operator


def set_password(engine: Engine, username: str, password: str, by_operator: bool = True) -> bool:
    """Give the agent a new password, ending every session they have; False if there is no such agent.

    ``by_operator`` marks the password as an operator's (the demo account is
    then never reset); only ``ensure_demo_agent`` passes False.
    """
    _check_password(password)
    password_hash = hash_password(password)

    def change(session) -> bool:
        if session.execute(update(Agent).where(Agent.username == username)
                           .values(password_hash=password_hash)).rowcount != 1:
            return False
        access = _access_row(session, username)
        access.password_generation = (access.password_generation or 0) + 1
        access.password_set_by_operator = bool(access.password_set_by_operator) or by_operator
        return True

    return _write_access(engine, change)


def set_role(engine: Engine, username: str, role: str) -> bool:
    """Make the agent an ``agent`` or a ``supervisor``; False if there is no such agent."""
    _check_role(role)

    def change(session) -> bool:
        if _agent_id(session, username) is None:
            return False
        _access_row(session, username).role = role
        return True

    return _write_access(engine, change)


def get_agent(engine: Engine, username: str) -> Optional[AgentAccount]:
    with make_session_factory(engine)() as session:
        found = _row_and_access(session, username)
        return _account(*found) if found is not None else None


def list_agents(engine: Engine) -> List[AgentAccount]:
    with make_session_factory(engine)() as session:
        rows = session.execute(_with_access().order_by(Agent.username)).all()
        return [_account(row, access) for row, access in rows]


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


def prepare_agents(engine: Engine, settings: Optional[Settings] = None) -> Optional[AgentAccount]:
    """The handoff tables and, in demo mode only (KEFU_DEMO_MODE), the demo agent; None outside demo mode,
    where no account with a well-known password is ever made."""
    settings = settings or Settings.from_env()
    if not settings.demo_mode:
        create_handoff_schema(engine)
        return None
    return ensure_demo_agent(engine, settings)


def ensure_demo_agent(engine: Engine, settings: Optional[Settings] = None) -> AgentAccount:
    """The demo agent ``agent``, with the password of DEMO_AGENT_PASSWORD (default agent123).

    Creates the handoff tables if needed. Only for demo mode (the launcher
    decides: ``kefu.launcher.prepare_handoff``). Run at every start: a changed
    DEMO_AGENT_PASSWORD takes effect on the next start — unless an operator
    set the account's password (``set-password``), which is then left alone.
    """
    create_handoff_schema(engine)
    existing = get_agent(engine, DEMO_AGENT_USERNAME)
    if existing is not None and existing.password_set_by_operator:
        return existing
    password = (settings or Settings.from_env()).demo_agent_password
    if existing is not None and verify_agent(engine, DEMO_AGENT_USERNAME, password) is not None:
        return existing
    if not set_password(engine, DEMO_AGENT_USERNAME, password, by_operator=False):
        try:
            return create_agent(engine, DEMO_AGENT_USERNAME, DEMO_AGENT_DISPLAY_NAME, password,
                                password_set_by_operator=False)
        except AgentError:
            # Another process (the second replica) created it meanwhile.
            set_password(engine, DEMO_AGENT_USERNAME, password, by_operator=False)
    return get_agent(engine, DEMO_AGENT_USERNAME)


def _check_username(username: str) -> None:
    if not _USERNAME.match(username or ""):
        raise AgentError("a username is 1 to 50 letters, digits, '_', '.' or '-'")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AgentError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AgentError(f"a role is one of {', '.join(ROLES)}")


def _with_access():
    # An agent made before roles existed has no access row: a plain agent, generation 0.
    return select(Agent, AgentAccess).outerjoin(AgentAccess, AgentAccess.username == Agent.username)


def _row_and_access(session, username: str):
    return session.execute(_with_access().where(Agent.username == username)).first()


def _agent_id(session, username: str) -> Optional[int]:
    return session.execute(select(Agent.id).where(Agent.username == username)).scalar_one_or_none()


def _access_row(session, username: str) -> AgentAccess:
    access = session.get(AgentAccess, username)
    if access is None:
        access = AgentAccess(username=username, role=AGENT_ROLE, password_generation=0,
                             password_set_by_operator=False)
        session.add(access)
    return access


def _write_access(engine: Engine, change) -> bool:
    """Run ``change`` in a transaction; once more if another process added the same access row meanwhile."""
    for attempt in range(2):
        try:
            with make_session_factory(engine)() as session, session.begin():
                return change(session)
        except IntegrityError:
            if attempt:
                raise
    return False


def _account(row: Agent, access: Optional[AgentAccess] = None) -> AgentAccount:
    if access is None:
        return AgentAccount(row.username, row.display_name, row.created_at, row.last_seen_at)
    return AgentAccount(row.username, row.display_name, row.created_at, row.last_seen_at,
                        role=access.role, password_generation=access.password_generation or 0,
                        password_set_by_operator=bool(access.password_set_by_operator))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kefu.handoff.agents", description="Manage human agents.")
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite shop database")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent")
    add.add_argument("username")
    add.add_argument("--display-name", required=True)
    _password_from_env(add)
    add.add_argument("--role", choices=ROLES, default=AGENT_ROLE,
                     help="agent: the queue and their own cases; supervisor: every case, closed ones too")
    password = commands.add_parser("set-password", help="give an agent a new password (logs them out everywhere)")
    password.add_argument("username")
    _password_from_env(password)
    role = commands.add_parser("set-role", help="make an agent an agent or a supervisor")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    commands.add_parser("list", help="list the agents")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url)
    try:
        create_handoff_schema(engine)
        return _run_command(engine, args)
    finally:
        engine.dispose()


def _password_from_env(command: argparse.ArgumentParser) -> None:
    # Never on the command line, where it would stay in the shell history and `ps`.
    command.add_argument("--password-from-env", required=True, metavar="VAR",
                         help="name of the environment variable holding the password")


def _run_command(engine: Engine, args: argparse.Namespace) -> int:
    if args.command == "list":
        for account in list_agents(engine):
            seen = account.last_seen_at.strftime("%Y-%m-%d %H:%M") if account.last_seen_at else "never"
            print(f"{account.username}\t{account.display_name}\t{account.role}\tlast seen {seen}")
        return 0
    if args.command == "set-role":
        if not set_role(engine, args.username, args.role):
            print(f"error: no agent {args.username!r}", file=sys.stderr)
            return 1
        print(f"{args.username} is now {args.role}")
        return 0
    password = environment_variable(args.password_from_env)
    if not password:
        print(f"error: environment variable {args.password_from_env} is not set", file=sys.stderr)
        return 2
    try:
        if args.command == "add":
            account = create_agent(engine, args.username, args.display_name, password, role=args.role)
            print(f"created agent {account.username} ({account.display_name}, {account.role})")
            return 0
        if not set_password(engine, args.username, password):
            print(f"error: no agent {args.username!r}", file=sys.stderr)
            return 1
    except AgentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"new password for {args.username}; their sessions have ended")
    return 0


if __name__ == "__main__":
    sys.exit(main())
