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
    may_log_in,
    online_agents,
    password_matches,
    revoke_session,
    session_revoked,
    set_password,
    set_role,
    verify_agent,
)
from kefu.storage.agent_access_models import AgentAccess
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
    assert "created agent mei (小美, agent)" in capsys.readouterr().out
    assert module.main(["--database-url", url, "add", "mei", "--display-name", "小美",
                        "--password-from-env", "NEW_AGENT_PASSWORD"]) == 1
    assert "taken" in capsys.readouterr().err
    assert module.main(["--database-url", url, "add", "wang", "--display-name", "小王",
                        "--password-from-env", "UNSET_VARIABLE_FOR_TEST"]) == 2
    assert "UNSET_VARIABLE_FOR_TEST is not set" in capsys.readouterr().err
    assert module.main(["--database-url", url, "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["mei\t小美\tagent\tlast seen never"]


def test_the_command_line_uses_database_url(tmp_path, monkeypatch, capsys):
    from kefu.storage.db import make_engine

    url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NEW_AGENT_PASSWORD", PASSWORD)
    assert module.main(["add", "mei", "--display-name", "小美", "--password-from-env", "NEW_AGENT_PASSWORD"]) == 0
    engine = make_engine(url)
    assert verify_agent(engine, "mei", PASSWORD) is not None
    engine.dispose()


# --- roles ---------------------------------------------------------------------------------


def test_an_agent_is_a_plain_agent_unless_made_a_supervisor(engine):
    assert create_agent(engine, "mei", "小美", PASSWORD).role == "agent"
    boss = create_agent(engine, "boss", "主管", PASSWORD, role="supervisor")
    assert boss.is_supervisor and verify_agent(engine, "boss", PASSWORD).is_supervisor
    assert not get_agent(engine, "mei").is_supervisor
    assert set_role(engine, "mei", "supervisor") and get_agent(engine, "mei").is_supervisor
    assert set_role(engine, "mei", "agent") and not get_agent(engine, "mei").is_supervisor
    assert not set_role(engine, "nobody", "supervisor")
    with pytest.raises(AgentError):
        set_role(engine, "mei", "root")
    with pytest.raises(AgentError):
        create_agent(engine, "wang", "小王", PASSWORD, role="admin")


def forget_access(engine, username):
    """The agent as a database made before roles has it: no access row."""
    with make_session_factory(engine)() as session, session.begin():
        session.delete(session.get(AgentAccess, username))


def test_an_agent_made_before_roles_is_a_plain_agent(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    forget_access(engine, "mei")
    account = get_agent(engine, "mei")
    assert (account.role, account.password_generation, account.password_set_by_operator) == ("agent", 0, False)
    assert [a.username for a in list_agents(engine)] == ["mei"]
    assert set_role(engine, "mei", "supervisor") and get_agent(engine, "mei").is_supervisor


# --- password changes --------------------------------------------------------------------------


def test_a_new_password_starts_a_new_generation(engine):
    created = create_agent(engine, "mei", "小美", PASSWORD)
    assert created.password_generation == 0
    assert set_password(engine, "mei", "another-password")
    assert verify_agent(engine, "mei", PASSWORD) is None
    assert verify_agent(engine, "mei", "another-password").password_generation == 1
    assert set_password(engine, "mei", "a-third-password") and get_agent(engine, "mei").password_generation == 2
    assert not set_password(engine, "nobody", "another-password")
    with pytest.raises(AgentError):
        set_password(engine, "mei", "short")


def test_a_password_change_on_an_agent_made_before_roles(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    forget_access(engine, "mei")
    assert set_password(engine, "mei", "another-password")
    assert get_agent(engine, "mei").password_generation == 1


# --- the demo account ------------------------------------------------------------------------


def test_the_demo_password_is_not_an_operators(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    assert not ensure_demo_agent(engine).password_set_by_operator
    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "another-secret")
    assert not ensure_demo_agent(engine).password_set_by_operator, "a reset by the demo is no operator's"


def test_an_operator_set_demo_password_survives_every_start(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    ensure_demo_agent(engine)
    assert set_password(engine, "agent", "the-operators-own")
    kept = ensure_demo_agent(engine)
    assert kept.password_set_by_operator
    assert verify_agent(engine, "agent", "the-operators-own") is not None
    assert verify_agent(engine, "agent", "agent123") is None
    assert ensure_demo_agent(engine).password_generation == kept.password_generation, "no reset, no logout"


def test_a_demo_account_an_operator_created_is_left_alone(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    create_agent(engine, "agent", "值班客服", PASSWORD)
    assert ensure_demo_agent(engine).display_name == "值班客服"
    assert verify_agent(engine, "agent", "agent123") is None


def test_a_reset_demo_password_ends_the_demo_sessions(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    first = ensure_demo_agent(engine)
    assert ensure_demo_agent(engine).password_generation == first.password_generation, "unchanged: no logout"
    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "another-secret")
    assert ensure_demo_agent(engine).password_generation == first.password_generation + 1


def test_the_demo_account_logs_in_only_in_demo_mode_until_an_operator_sets_its_password(engine, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    demo = ensure_demo_agent(engine)
    assert may_log_in(demo, demo_mode=True) and not may_log_in(demo, demo_mode=False)
    set_password(engine, "agent", "the-operators-own")
    assert may_log_in(get_agent(engine, "agent"), demo_mode=False)
    mei = create_agent(engine, "mei", "小美", PASSWORD)
    assert may_log_in(mei, demo_mode=False)


# --- the command line, roles and passwords ------------------------------------------------------


def test_the_command_line_makes_supervisors_and_changes_roles_and_passwords(tmp_path, monkeypatch, capsys):
    from kefu.storage.db import make_engine

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("NEW_AGENT_PASSWORD", PASSWORD)
    monkeypatch.setenv("CHANGED_PASSWORD", "changed-password")
    assert module.main(["--database-url", url, "add", "boss", "--display-name", "主管",
                        "--password-from-env", "NEW_AGENT_PASSWORD", "--role", "supervisor"]) == 0
    assert "created agent boss (主管, supervisor)" in capsys.readouterr().out
    assert module.main(["--database-url", url, "add", "mei", "--display-name", "小美",
                        "--password-from-env", "NEW_AGENT_PASSWORD"]) == 0
    assert module.main(["--database-url", url, "set-role", "mei", "supervisor"]) == 0
    assert module.main(["--database-url", url, "set-role", "nobody", "supervisor"]) == 1
    with pytest.raises(SystemExit):
        module.main(["--database-url", url, "set-role", "mei", "root"])
    assert module.main(["--database-url", url, "set-password", "mei", "--password-from-env", "CHANGED_PASSWORD"]) == 0
    assert "their sessions have ended" in capsys.readouterr().out
    assert module.main(["--database-url", url, "set-password", "nobody", "--password-from-env",
                        "CHANGED_PASSWORD"]) == 1
    assert module.main(["--database-url", url, "set-password", "mei", "--password-from-env", "UNSET_FOR_TEST"]) == 2
    engine = make_engine(url)
    mei = verify_agent(engine, "mei", "changed-password")
    assert (mei.role, mei.password_generation, mei.password_set_by_operator) == ("supervisor", 1, True)
    engine.dispose()
    capsys.readouterr()
    assert module.main(["--database-url", url, "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["boss\t主管\tsupervisor\tlast seen never",
                                                   "mei\t小美\tsupervisor\tlast seen never"]


def test_prepare_agents_makes_the_demo_agent_in_demo_mode_only(engine, monkeypatch):
    from dataclasses import replace as replaced

    from kefu.handoff.agents import prepare_agents
    from kefu.settings import Settings

    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    assert prepare_agents(engine, replaced(Settings.from_env(), demo_mode=False)) is None
    assert list_agents(engine) == []
    assert prepare_agents(engine, replaced(Settings.from_env(), demo_mode=True)).username == "agent"
