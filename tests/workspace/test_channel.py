"""The workspace as a Rasa input channel: the addresses it answers at, and what `make run` prepares for it.
The API behind them is tested against a real Rasa server in test_api.py."""

from dataclasses import replace

from rasa.core.channels.channel import register
from sanic import Sanic

from kefu.handoff.agents import list_agents, set_password, verify_agent
from kefu.launcher import Assistant, _banner, prepare_handoff
from kefu.settings import Settings
from kefu.storage.db import make_engine
from kefu.workspace.channel import AgentWorkspaceInput

ROUTES = {
    ("webhooks/workspace", "GET"),
    ("webhooks/workspace/static/<name:str>", "GET"),
    ("webhooks/workspace/api/login", "POST"),
    ("webhooks/workspace/api/logout", "POST"),
    ("webhooks/workspace/api/me", "GET"),
    ("webhooks/workspace/api/queue", "GET"),
    ("webhooks/workspace/api/tickets", "GET"),
    ("webhooks/workspace/api/heartbeat", "POST"),
    ("webhooks/workspace/api/cases/<case_id:int>", "GET"),
    ("webhooks/workspace/api/cases/<case_id:int>/claim", "POST"),
    ("webhooks/workspace/api/cases/<case_id:int>/messages", "GET"),
    ("webhooks/workspace/api/cases/<case_id:int>/suggestions", "GET"),
    ("webhooks/workspace/api/cases/<case_id:int>/reports", "GET"),
    ("webhooks/workspace/api/cases/<case_id:int>/reply", "POST"),
    ("webhooks/workspace/api/cases/<case_id:int>/typing", "POST"),
    ("webhooks/workspace/api/cases/<case_id:int>/close", "POST"),
    ("webhooks/workspace/api/cases/<case_id:int>/callback", "POST"),
}


def test_the_workspace_answers_under_webhooks_workspace():
    app = Sanic("workspace_routes")
    register([AgentWorkspaceInput(service_factory=lambda: None)], app, route="/webhooks/")
    app.router.finalize()
    assert {(route.path, method) for route in app.router.routes for method in route.methods} == ROUTES


def demo_settings(**overrides):
    return replace(Settings.from_env(), demo_mode=True, **overrides)


def test_make_run_prepares_the_tables_and_the_demo_login(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    settings = demo_settings()
    account = prepare_handoff(url, settings)
    assert prepare_handoff(url, settings) == account, "every start, same agent"
    engine = make_engine(url)
    assert verify_agent(engine, "agent", "agent123") is not None
    engine.dispose()
    banner = _banner(Assistant(replace(settings, rasa_port=5005), tmp_path / "model.tar.gz"), account)
    assert "http://localhost:5005/webhooks/workspace/" in banner and "agent / agent123" in banner

    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "a-secret-demo-password")
    settings = demo_settings(demo_agent_password="a-secret-demo-password")
    banner = _banner(Assistant(settings, tmp_path / "model.tar.gz"), prepare_handoff(url, settings))
    assert "a-secret-demo-password" not in banner and "DEMO_AGENT_PASSWORD" in banner


def test_outside_demo_mode_there_is_no_demo_agent(tmp_path, monkeypatch):
    monkeypatch.delenv("KEFU_DEMO_MODE", raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    settings = Settings.from_env()
    assert prepare_handoff(url, settings) is None and prepare_handoff(url) is None
    engine = make_engine(url)
    assert list_agents(engine) == [], "the tables, and no agent with a well-known password"
    engine.dispose()
    banner = _banner(Assistant(settings, tmp_path / "model.tar.gz"), None)
    assert "agent123" not in banner and "python -m kefu.handoff.agents add" in banner


def test_an_operator_set_demo_password_is_kept_and_not_printed(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    prepare_handoff(url, demo_settings())
    engine = make_engine(url)
    set_password(engine, "agent", "the-operators-own")
    account = prepare_handoff(url, demo_settings())
    assert verify_agent(engine, "agent", "the-operators-own") is not None
    assert verify_agent(engine, "agent", "agent123") is None
    engine.dispose()
    banner = _banner(Assistant(demo_settings(), tmp_path / "model.tar.gz"), account)
    assert "agent123" not in banner and "the password an operator set" in banner
