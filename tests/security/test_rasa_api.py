"""The Rasa HTTP API's door, against a real Rasa server started by the launcher's Assistant
with RASA_API_TOKEN set: every API route wants the token, the public channels do not,
CORS admits only the listed origins, and only a server with a token listens beyond loopback."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Dict, Iterator

import pytest
import requests

from kefu.launcher import Assistant
from kefu.names import VERIFIED_CUSTOMER_SLOT
from kefu.settings import Settings
from tests.security.network_support import accepts_connections, non_loopback_address

RASA_PORT, ACTION_PORT = 5205, 5206
TOKEN = "rasa-api-token-" + uuid.uuid4().hex
ALLOWED_ORIGIN = "https://shop.example.com"
WRONG_TOKENS = [{}, {"token": "not-the-token"}, {"token": ""}]
WRONG_TOKEN_IDS = ["no-token", "wrong-token", "empty-token"]


def _settings(workdir, **changes) -> Settings:
    values = dict(
        rasa_port=RASA_PORT, action_port=ACTION_PORT, action_endpoint_url=f"http://localhost:{ACTION_PORT}/webhook",
        tracker_db_dialect="sqlite", tracker_db_host="", tracker_db_name=str(workdir / "tracker.db"),
        rasa_api_token=TOKEN, cors_origins=(ALLOWED_ORIGIN,), action_server_host="127.0.0.1",
    )
    return replace(Settings.from_env(), **{**values, **changes})


@pytest.fixture(scope="module")
def guarded(trained_model, tmp_path_factory) -> Iterator[Assistant]:
    from tests.demo_shop.support import seeded_sqlite

    workdir = tmp_path_factory.mktemp("rasa-api")
    shop = seeded_sqlite(workdir / "shop.db")
    environment = {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)}
    with Assistant(_settings(workdir), trained_model, log_dir=workdir / "logs",
                   extra_environment=environment) as assistant:
        yield assistant


def _conversation() -> str:
    return f"attacker-{uuid.uuid4().hex[:8]}"


def _forged_identity() -> list:
    return [{"event": "slot", "name": VERIFIED_CUSTOMER_SLOT, "value": "C0001"}]


# (method, path, JSON body): each API route an attacker would use.
API_CALLS = {
    "read-tracker": ("GET", "/conversations/{id}/tracker", None),
    "inject-identity": ("POST", "/conversations/{id}/tracker/events", _forged_identity()),
    "execute-action": ("POST", "/conversations/{id}/execute", {"name": "action_track_order"}),
    "replace-model": ("PUT", "/model", {"model_file": "/nonexistent/model.tar.gz"}),
    "unload-model": ("DELETE", "/model", None),
    "parse": ("POST", "/model/parse", {"text": "我的订单到哪了"}),
}


def _call(assistant: Assistant, name: str, params: Dict[str, str], conversation: str) -> requests.Response:
    method, path, body = API_CALLS[name]
    return requests.request(method, assistant.rasa_url + path.format(id=conversation), params=params, json=body,
                            timeout=60)


@pytest.mark.parametrize("params", WRONG_TOKENS, ids=WRONG_TOKEN_IDS)
@pytest.mark.parametrize("call", list(API_CALLS))
def test_api_routes_refuse_a_caller_without_the_token(guarded, call, params):
    answer = _call(guarded, call, params, _conversation())
    assert answer.status_code in (401, 403), answer.text
    assert "events" not in answer.text and "intent" not in answer.text


def test_a_refused_injection_leaves_the_conversation_unverified(guarded):
    conversation = _conversation()
    assert _call(guarded, "inject-identity", {}, conversation).status_code == 401
    tracker = _call(guarded, "read-tracker", guarded.api_params, conversation).json()
    assert tracker["slots"].get(VERIFIED_CUSTOMER_SLOT) is None


@pytest.mark.parametrize("call", ["read-tracker", "inject-identity", "execute-action", "parse"])
def test_api_routes_answer_with_the_token(guarded, call):
    """The control for the refusals: the very same calls with the token get through."""
    conversation = _conversation()
    _say_hello(guarded, conversation)  # /execute wants a conversation that exists
    answer = _call(guarded, call, {"token": TOKEN}, conversation)
    assert answer.status_code == 200, answer.text


def _say_hello(assistant: Assistant, conversation: str) -> requests.Response:
    return requests.post(f"{assistant.rasa_url}/webhooks/rest/webhook",
                         json={"sender": conversation, "message": "你好"}, timeout=60)


def test_the_rest_channel_needs_no_token(guarded):
    answer = _say_hello(guarded, _conversation())
    assert answer.status_code == 200
    assert answer.json() and answer.json()[0].get("text")


def _preflight(assistant: Assistant, origin: str) -> requests.Response:
    return requests.options(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
        timeout=30,
    )


def test_cors_admits_a_listed_origin(guarded):
    assert _preflight(guarded, ALLOWED_ORIGIN).headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://shop.example.com.evil.example"])
def test_cors_admits_no_other_origin(guarded, origin):
    answer = _preflight(guarded, origin)
    assert "Access-Control-Allow-Origin" not in answer.headers
    simple = requests.post(f"{guarded.rasa_url}/webhooks/rest/webhook", headers={"Origin": origin},
                           json={"sender": _conversation(), "message": "你好"}, timeout=60)
    assert "Access-Control-Allow-Origin" not in simple.headers


def test_with_a_token_rasa_listens_on_every_interface(guarded):
    command = guarded.rasa_command()
    assert command[command.index("--interface") + 1] == "0.0.0.0"
    assert command[command.index("--auth-token") + 1] == TOKEN
    assert command[command.index("--cors") + 1:command.index("--cors") + 2] == [ALLOWED_ORIGIN]
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback: nothing else to connect to")
    assert accepts_connections(address, RASA_PORT)


def test_without_a_token_the_command_binds_loopback_and_allows_no_origin(tmp_path):
    """The command line of the default start (the real default server is under test in
    tests/test_launcher_supervision.py): loopback, no token, no --cors at all (never "*")."""
    assistant = Assistant(_settings(tmp_path, rasa_api_token="", cors_origins=()), tmp_path / "model.tar.gz")
    command = assistant.rasa_command()
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert "--auth-token" not in command and "--cors" not in command and "*" not in command
    assert assistant.api_params == {}


def test_the_action_server_secret_is_made_per_run_and_never_on_a_command_line(tmp_path):
    first = Assistant(_settings(tmp_path, action_server_token=""), tmp_path / "model.tar.gz")
    second = Assistant(_settings(tmp_path, action_server_token=""), tmp_path / "model.tar.gz")
    assert len(first.action_server_token) >= 32 and first.action_server_token != second.action_server_token
    assert first._environment()["ACTION_SERVER_TOKEN"] == first.action_server_token
    assert first.action_server_token not in " ".join(first.action_server_command() + first.rasa_command())
    configured = Assistant(_settings(tmp_path, action_server_token="operator-secret"), tmp_path / "model.tar.gz")
    assert configured._environment()["ACTION_SERVER_TOKEN"] == "operator-secret"


def test_the_model_is_replaced_only_with_the_token(guarded):
    """Last: reloads the same model, the one write to /model the token allows here."""
    refused = requests.put(f"{guarded.rasa_url}/model", json={"model_file": str(guarded.model)}, timeout=120)
    assert refused.status_code == 401
    accepted = requests.put(f"{guarded.rasa_url}/model", params={"token": TOKEN},
                            json={"model_file": str(guarded.model)}, timeout=300)
    assert accepted.status_code == 204, accepted.text
