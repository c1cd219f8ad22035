"""The agents' workspace attacked from outside, against real workspace servers (the channel served by
Sanic the way Rasa serves it, on a database of the test's own): other agents' and closed cases, guessing
passwords in parallel, a login burst starving the shoppers' relay, sessions outliving a password
change, cookies without Secure behind TLS, and the demo account (issue 13, docs/security.md).

Two servers share the database and the session key: ``plain`` as a production Rasa runs it (no demo
mode, forwarded headers not trusted) and ``proxied`` behind a TLS proxy in demo mode
(TRUST_FORWARDED_HEADERS, KEFU_DEMO_MODE). Each stands in for Rasa's agent with a lock store only
(the workspace logs, and survives, the tracker writes that then fail), so replies and closing work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Iterator

import pytest
import requests
from sqlalchemy import delete

from kefu.handoff.agents import DEMO_AGENT_USERNAME, create_agent, ensure_demo_agent, get_agent, set_password
from kefu.handoff.case_store import TranscriptLine
from kefu.handoff.service import HandoffService
from kefu.handoff.triggers import decide_handoff
from kefu.launcher import prepare_handoff
from kefu.settings import PROJECT_ROOT, Settings
from kefu.storage.agent_access_models import AgentAccess
from kefu.storage.db import make_engine
from kefu.storage.handoff_models import Agent
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.workspace.auth import LOGIN_ATTEMPTS, SESSION_COOKIE
from tests.channels.support import stop_process, wait_for

PLAIN_PORT, PROXIED_PORT = 5260, 5261
SECRET = "a-workspace-secret-for-the-attack-tests"
PASSWORD = "agents-own-password"
MEI, WANG, BOSS = "mei", "wang", "boss"

SERVER = """
import asyncio, sys, time
from rasa.core.channels.channel import register
from rasa.core.lock_store import InMemoryLockStore
from sanic import Sanic, response
from kefu.workspace.channel import AgentWorkspaceInput


class RasaAgentStandIn:
    def __init__(self):
        self.lock_store = InMemoryLockStore()

    def is_ready(self):
        return True


app = Sanic("workspace_under_attack")
app.ctx.agent = RasaAgentStandIn()
register([AgentWorkspaceInput()], app, route="/webhooks/")


@app.get("/probe/default-pool")
async def default_pool(request):
    # What the shoppers' relay waits for: a job on asyncio's default executor.
    started = time.monotonic()
    await asyncio.to_thread(time.sleep, 0)
    return response.json({"seconds": time.monotonic() - started})


app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""


@dataclass
class Server:
    url: str  # of the workspace, ending in /
    base: str

    def login(self, username: str, password: str = PASSWORD, **headers: str) -> requests.Response:
        return requests.post(self.url + "api/login", json={"username": username, "password": password},
                             headers=headers, timeout=60)

    def session(self, username: str, password: str = PASSWORD) -> requests.Session:
        http = requests.Session()
        answer = http.post(self.url + "api/login", json={"username": username, "password": password}, timeout=60)
        assert answer.status_code == 200, answer.text
        return http


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('workspace-attack') / 'shop.db'}")
    create_handoff_schema(engine)
    create_agent(engine, MEI, "小美", PASSWORD)
    create_agent(engine, WANG, "小王", PASSWORD)
    create_agent(engine, BOSS, "主管", PASSWORD, role="supervisor")
    yield engine
    engine.dispose()


def start_server(port: int, database, log_dir, **environment: str) -> Iterator[Server]:
    env = {**os.environ, "DATABASE_URL": str(database.url), "WORKSPACE_SECRET": SECRET,
           "PYTHONPATH": str(PROJECT_ROOT), "KEFU_DEMO_MODE": "false", "TRUST_FORWARDED_HEADERS": "false",
           **environment}
    log = log_dir / f"workspace-{port}.log"
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=PROJECT_ROOT, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def answers():
        assert server.poll() is None, f"the workspace server exited: {log.read_text(errors='replace')[-3000:]}"
        try:
            return requests.get(base + "/webhooks/workspace/", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_for(answers, timeout=90, interval=0.5, message=f"the workspace server on {port}")
        yield Server(base + "/webhooks/workspace/", base)
    finally:
        stop_process(server)


@pytest.fixture(scope="module")
def plain(database, tmp_path_factory):
    yield from start_server(PLAIN_PORT, database, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def proxied(database, tmp_path_factory):
    yield from start_server(PROXIED_PORT, database, tmp_path_factory.mktemp("proxied"),
                            TRUST_FORWARDED_HEADERS="true", KEFU_DEMO_MODE="true")


@pytest.fixture
def service(database):
    return HandoffService(database)


def opened(service, sender: str):
    return service.open_case(sender, decide_handoff("request_human", "转人工"), channel="web",
                             transcript=[TranscriptLine("shopper", "我的手机号 13800000001，转人工")]).case


@pytest.fixture
def wangs_case(service):
    case = opened(service, f"shopper-of-wang-{time.monotonic_ns()}")
    assert service.claim(case.id, WANG)
    return case


@pytest.fixture
def closed_case(service):
    case = opened(service, f"shopper-closed-{time.monotonic_ns()}")
    service.claim(case.id, MEI)
    return service.close(case.id, MEI)


CASE_CALLS = [
    ("get", "cases/{id}", None), ("get", "cases/{id}/messages", None), ("get", "cases/{id}/suggestions", None),
    ("get", "cases/{id}/reports", None),
    ("post", "cases/{id}/claim", None), ("post", "cases/{id}/reply", {"text": "我是小美"}),
    ("post", "cases/{id}/close", None), ("post", "cases/{id}/callback", {"outcome": "no_answer"}),
]


def calls_on(http: requests.Session, server: Server, case_id: int):
    for method, path, body in CASE_CALLS:
        yield path, getattr(http, method)(server.url + "api/" + path.format(id=case_id), json=body, timeout=60)


# --- roles: what an agent may see ---------------------------------------------------------------


def test_an_agent_cannot_read_answer_claim_or_close_another_agents_case(plain, service, wangs_case):
    mei = plain.session(MEI)
    unknown = mei.get(plain.url + "api/cases/99999999", timeout=30)
    assert unknown.status_code == 404
    for path, answer in calls_on(mei, plain, wangs_case.id):
        # Exactly what a case that does not exist gets: not even its existence leaks.
        assert (answer.status_code, answer.json()) == (404, unknown.json()), path
    after = service.get(wangs_case.id)
    assert (after.status, after.claimed_by) == ("claimed", WANG), "nothing was changed through the 404s"
    assert [m.author for m in service.messages(wangs_case.id) if m.direction == "agent"] == []
    assert plain.session(WANG).get(plain.url + f"api/cases/{wangs_case.id}", timeout=30).status_code == 200


def test_an_agent_cannot_read_a_closed_case_not_even_their_own(plain, closed_case):
    mei = plain.session(MEI)
    for path, answer in calls_on(mei, plain, closed_case.id):
        assert answer.status_code == 404, path


def test_an_agent_still_works_the_queue_and_their_own_cases(plain, service):
    case = opened(service, f"shopper-queued-{time.monotonic_ns()}")
    mei = plain.session(MEI)
    assert mei.get(plain.url + f"api/cases/{case.id}", timeout=30).status_code == 200, "the queue is everyone's"
    assert mei.post(plain.url + f"api/cases/{case.id}/claim", timeout=30).json()["case"]["claimed_by"] == MEI
    assert mei.post(plain.url + f"api/cases/{case.id}/reply", json={"text": "亲，我来帮您看看"},
                    timeout=30).status_code == 200
    closed = mei.post(plain.url + f"api/cases/{case.id}/close", timeout=30)
    assert closed.status_code == 200 and closed.json()["case"]["status"] == "closed"
    assert [m.text for m in service.messages(case.id) if m.direction == "agent"] == ["亲，我来帮您看看"]


def test_a_supervisor_sees_every_case_closed_ones_too(plain, wangs_case, closed_case):
    boss = plain.session(BOSS)
    assert boss.get(plain.url + "api/me", timeout=30).json()["agent"]["role"] == "supervisor"
    for case in (wangs_case, closed_case):
        read = boss.get(plain.url + f"api/cases/{case.id}", timeout=30)
        assert read.status_code == 200 and read.json()["case"]["id"] == case.id
        assert boss.get(plain.url + f"api/cases/{case.id}/messages", timeout=30).status_code == 200
    # Seen, but answering stays the job of the agent holding the case.
    answer = boss.post(plain.url + f"api/cases/{wangs_case.id}/reply", json={"text": "我是主管"}, timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (409, "not_your_case")


# --- login throttle and the hashing pool ------------------------------------------------------


def test_concurrent_wrong_logins_get_at_most_five_password_checks(plain, database):
    create_agent(database, "guessed", "被猜的", PASSWORD)
    barrier = threading.Barrier(20)

    def guess(number: int) -> int:
        barrier.wait()
        return plain.login("guessed", f"guess-{number:04d}").status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert statuses.count(401) == LOGIN_ATTEMPTS and statuses.count(429) == 20 - LOGIN_ATTEMPTS, statuses
    blocked = plain.login("guessed", PASSWORD)
    assert (blocked.status_code, blocked.json()["error"]) == (429, "too_many_attempts"), "even the right one waits"
    assert plain.login(MEI).status_code == 200, "other agents are not locked out"


def test_a_login_burst_does_not_hold_up_the_shoppers_relay(proxied):
    # Sixty logins from sixty addresses (behind the trusted proxy): no throttle, sixty scrypt hashes.
    def log_in(number: int) -> int:
        return proxied.login(f"nobody{number}", "wrong-password",
                             **{"X-Forwarded-For": f"198.51.{number // 200}.{number % 200 + 1}"}).status_code

    def probe() -> float:
        return requests.get(proxied.base + "/probe/default-pool", timeout=60).json()["seconds"]

    with ThreadPoolExecutor(60) as pool:
        burst = [pool.submit(log_in, number) for number in range(60)]
        time.sleep(0.3)  # the hashes are under way
        waits = [probe() for _ in range(5) if not all(login.done() for login in burst)]
        statuses = [login.result() for login in burst]
    assert statuses == [401] * 60
    assert waits, "the burst ended before it could be measured"
    # Generous: on asyncio's default pool each probe waits for tens of queued hashes (seconds).
    assert max(waits) < 0.5, waits


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_made_before_a_password_change_is_refused_after_it(plain, proxied, database):
    create_agent(database, "changing", "改密码的", PASSWORD)
    before = plain.session("changing")
    token = before.cookies[SESSION_COOKIE]
    assert before.get(plain.url + "api/queue", timeout=30).status_code == 200
    assert set_password(database, "changing", "a-brand-new-password")
    for server in (plain, proxied):
        stolen = requests.get(server.url + "api/queue", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert (stolen.status_code, stolen.json()["error"]) == (401, "unauthorized")
    assert before.get(plain.url + "api/me", timeout=30).status_code == 401
    assert plain.session("changing", "a-brand-new-password").get(plain.url + "api/me", timeout=30).status_code == 200


def cookie_flags(answer: requests.Response) -> str:
    return answer.headers["set-cookie"].lower()


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy_only(plain, proxied):
    behind_tls = proxied.login(MEI, **{"X-Forwarded-Proto": "https"})
    assert behind_tls.status_code == 200 and "secure" in cookie_flags(behind_tls)
    assert "secure" not in cookie_flags(proxied.login(MEI, **{"X-Forwarded-Proto": "http"}))
    untrusted = plain.login(MEI, **{"X-Forwarded-Proto": "https"})
    assert untrusted.status_code == 200 and "secure" not in cookie_flags(untrusted), \
        "a header anyone can send proves nothing without a proxy"
    for answer in (behind_tls, untrusted):
        assert "httponly" in cookie_flags(answer) and "samesite=strict" in cookie_flags(answer)


# --- the demo account -------------------------------------------------------------------------------


@pytest.fixture
def no_demo_account(database):
    with database.begin() as connection:
        connection.execute(delete(AgentAccess).where(AgentAccess.username == DEMO_AGENT_USERNAME))
        connection.execute(delete(Agent).where(Agent.username == DEMO_AGENT_USERNAME))


def demo(**overrides) -> Settings:
    return replace(Settings.from_env(), demo_mode=True, demo_agent_password="agent123", **overrides)


def test_no_demo_agent_outside_demo_mode(plain, database, no_demo_account):
    assert prepare_handoff(str(database.url), replace(Settings.from_env(), demo_mode=False)) is None
    assert get_agent(database, DEMO_AGENT_USERNAME) is None
    assert plain.login(DEMO_AGENT_USERNAME, "agent123").status_code == 401


def test_a_demo_account_left_by_make_run_lets_nobody_in_outside_demo_mode(plain, proxied, database, no_demo_account):
    ensure_demo_agent(database, demo())
    assert plain.login(DEMO_AGENT_USERNAME, "agent123").status_code == 401
    assert proxied.login(DEMO_AGENT_USERNAME, "agent123").status_code == 200, "in demo mode it is the demo login"


def test_an_operator_set_demo_password_survives_a_restart_in_demo_mode(plain, proxied, database, no_demo_account):
    prepare_handoff(str(database.url), demo())
    assert set_password(database, DEMO_AGENT_USERNAME, "the-operators-own")
    prepare_handoff(str(database.url), demo())  # `make run` again
    for server in (proxied, plain):
        assert server.login(DEMO_AGENT_USERNAME, "agent123").status_code == 401
        assert server.login(DEMO_AGENT_USERNAME, "the-operators-own").status_code == 200
