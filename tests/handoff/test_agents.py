from __future__ import annotations

import pytest
from sqlalchemy import select

from datetime import timedelta

from kefu.handoff import agents as module
from kefu.handoff.agents import (
    AgentError,
    create_agent,
    display_names,
    ensure_demo_agent,
    get_agent,
    hash_password,
    list_agents,
    mark_seen,
    online_agents,
    password_matches,
    revoke_session,
    session_revoked,
    verify_agent,
)
from kefu.storage.handoff_models import Agent, RevokedSession
from kefu.storage.db import make_session_factory
from tests.handoff.conftest import PASSWORD, WEDNESDAY_10AM


def stored_hash(engine, username):
    with make_session_factory(engine)() as session:
        return session.execute(select(Agent.password_hash).where(Agent.username == username)).scalar_one()


def test_an_agent_logs_in_with_their_password_only(engine):
    created = create_agent(engine, "mei", "小美", PASSWORD, now=WEDNESDAY_10AM)
    assert (created.username, created.display_name, created.created_at) == ("mei", "小美", WEDNESDAY_10AM)
    assert verify_agent(engine, "mei", PASSWORD) == created
    assert verify_agent(engine, "mei", PASSWORD + "x") is None
    assert verify_agent(engine, "nobody", PASSWORD) is None


def test_passwords_are_salted_hashes(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    create_agent(engine, "wang", "小王", PASSWORD)
    first, second = stored_hash(engine, "mei"), stored_hash(engine, "wang")
    assert PASSWORD not in first and first != second
    assert first.startswith("scrypt$")


def test_a_hash_that_cannot_be_read_matches_nothing():
    assert password_matches(PASSWORD, hash_password(PASSWORD))
    for broken in ("", "plain", "md5$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00"):
        assert not password_matches(PASSWORD, broken)


def test_passwords_are_compared_in_constant_time(monkeypatch):
    compared = []
    real = module.hmac.compare_digest
    monkeypatch.setattr(module.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    password_matches("wrong-password", hash_password(PASSWORD))
    assert compared


def test_an_unknown_name_costs_a_hash_too(engine, monkeypatch):
    checked = []
    real = module.password_matches
    monkeypatch.setattr(module, "password_matches", lambda p, h: checked.append(h) or real(p, h))
    verify_agent(engine, "nobody", PASSWORD)
    assert checked == [module._UNKNOWN_USER_HASH]


@pytest.mark.parametrize("username, password", [("", PASSWORD), ("has space", PASSWORD), ("x" * 51, PASSWORD),
                                                ("mei", "short")])
def test_unusable_names_and_passwords(engine, username, password):
    with pytest.raises(AgentError):
        create_agent(engine, username, "小美", password)


def test_a_username_is_taken_once(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    with pytest.raises(AgentError, match="taken"):
        create_agent(engine, "mei", "另一个小美", PASSWORD)


def test_who_is_online(engine, clock):
    create_agent(engine, "mei", "小美", PASSWORD)
    create_agent(engine, "wang", "小王", PASSWORD)
    assert online_agents(engine, clock.now, 120) == []
    seen = clock.now
    assert mark_seen(engine, "mei", seen)
    assert not mark_seen(engine, "nobody", seen)
    assert get_agent(engine, "mei").last_seen_at == seen
    assert online_agents(engine, clock.now, 120) == ["mei"]
    assert online_agents(engine, clock.advance(seconds=121), 120) == []


def test_the_online_window_comes_from_the_settings(engine, clock, monkeypatch):
    create_agent(engine, "mei", "小美", PASSWORD)
    mark_seen(engine, "mei", clock.now)
    clock.advance(seconds=200)
    assert online_agents(engine, clock.now) == []
    monkeypatch.setenv("HANDOFF_AGENT_ONLINE_SECONDS", "300")
    assert online_agents(engine, clock.now) == ["mei"]


def test_display_names(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    create_agent(engine, "wang", "小王", PASSWORD)
    assert display_names(engine, ["mei", "wang", "mei"]) == {"mei": "小美", "wang": "小王"}
    assert display_names(engine, ["removed", None]) == {"removed": "removed", None: None}
    assert display_names(engine, []) == {}


# --- sessions ended by logging out ----------------------------------------------------


def revoked_hashes(engine):
    with make_session_factory(engine)() as session:
        return sorted(session.execute(select(RevokedSession.token_hash)).scalars())


def test_a_revoked_session_stays_revoked_until_it_would_have_expired(engine, clock):
    expires = clock.now + timedelta(hours=12)
    assert not session_revoked(engine, "a" * 64)
    revoke_session(engine, "a" * 64, expires, now=clock.now)
    assert session_revoked(engine, "a" * 64) and not session_revoked(engine, "b" * 64)
    revoke_session(engine, "a" * 64, expires, now=clock.advance(minutes=1))  # twice is once
    assert revoked_hashes(engine) == ["a" * 64]


def test_revocations_past_their_expiry_are_pruned(engine, clock):
    revoke_session(engine, "a" * 64, clock.now + timedelta(hours=1), now=clock.now)
    revoke_session(engine, "b" * 64, clock.now + timedelta(hours=12), now=clock.now)
    clock.advance(hours=1, seconds=1)
    revoke_session(engine, "c" * 64, clock.now + timedelta(hours=12), now=clock.now)
    assert revoked_hashes(engine) == ["b" * 64, "c" * 64]


def test_the_demo_agent(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    demo = ensure_demo_agent(engine)
    assert demo.username == "agent"
    assert verify_agent(engine, "agent", "agent123") is not None
    assert ensure_demo_agent(engine) == demo  # idempotent
    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "another-secret")
    ensure_demo_agent(engine)
    assert verify_agent(engine, "agent", "agent123") is None
    assert verify_agent(engine, "agent", "another-secret") is not None
    assert [account.username for account in list_agents(engine)] == ["agent"]


def test_the_demo_agent_creates_the_tables(tmp_path, monkeypatch):
    from kefu.storage.db import make_engine

    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert ensure_demo_agent(engine).username == "agent"
    engine.dispose()


def test_the_command_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("NEW_AGENT_PASSWORD", PASSWORD)
    assert module.main(["--database-url", url, "add", "mei", "--display-name", "小美",
                        "--password-from-env", "NEW_AGENT_PASSWORD"]) == 0
    assert "created agent mei (小美)" in capsys.readouterr().out
    assert module.main(["--database-url", url, "add", "mei", "--display-name", "小美",
                        "--password-from-env", "NEW_AGENT_PASSWORD"]) == 1
    assert "taken" in capsys.readouterr().err
    assert module.main(["--database-url", url, "add", "wang", "--display-name", "小王",
                        "--password-from-env", "UNSET_VARIABLE_FOR_TEST"]) == 2
    assert "UNSET_VARIABLE_FOR_TEST is not set" in capsys.readouterr().err
    assert module.main(["--database-url", url, "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["mei\t小美\tlast seen never"]


def test_the_command_line_uses_database_url(tmp_path, monkeypatch, capsys):
    from kefu.storage.db import make_engine

    url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NEW_AGENT_PASSWORD", PASSWORD)
    assert module.main(["add", "mei", "--display-name", "小美", "--password-from-env", "NEW_AGENT_PASSWORD"]) == 0
    engine = make_engine(url)
    assert verify_agent(engine, "mei", PASSWORD) is not None
    engine.dispose()
