"""The agent workspace's HTTP API, served by a real Rasa server (credentials.yml), on a shop database
of its own: sessions, the queue, claiming, replying, closing, calling tickets back, and every bad
request it must refuse. A second workspace server on the same database and secret stands for another
Rasa replica."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests

from kefu.handoff.agents import DEMO_AGENT_USERNAME, create_agent
from kefu.handoff.triggers import decide_handoff
from kefu.settings import PROJECT_ROOT
from kefu.storage.clock import shop_now
from kefu.workspace.auth import LOGIN_ATTEMPTS, SESSION_COOKIE, SessionSigner
from tests.channels.support import OTHER_AGENT, AgentClient, Shopper, from_bot, handoff_site, stop_process, wait_for

RASA_PORT, ACTION_PORT, REPLICA_PORT = 5141, 5191, 5143
CLAIM_TIMEOUT_SECONDS = 5
HEARTBEAT_SECONDS = max(1.0, min(10.0, CLAIM_TIMEOUT_SECONDS / 4))
SECRET = "the-secret-every-replica-shares"

CASE_ROUTES = [
    ("get", "cases/{id}"), ("post", "cases/{id}/claim"), ("get", "cases/{id}/messages"),
    ("get", "cases/{id}/suggestions"), ("get", "cases/{id}/reports"), ("post", "cases/{id}/reply"),
    ("post", "cases/{id}/close"), ("post", "cases/{id}/callback"),
]
ROUTES = [("get", "me"), ("get", "queue"), ("get", "tickets"), ("post", "heartbeat")] + CASE_ROUTES

# Another Rasa replica's workspace, minus the Rasa agent: the channel served by Sanic the way
# Rasa serves it (rasa.core.channels.channel.register), on DATABASE_URL with WORKSPACE_SECRET.
REPLICA = """
import sys
from rasa.core.channels.channel import register
from sanic import Sanic
from kefu.workspace.channel import AgentWorkspaceInput

app = Sanic("workspace_replica")
app.ctx.agent = None
register([AgentWorkspaceInput()], app, route="/webhooks/")
app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""


@pytest.fixture(scope="module")
def site(trained_model, tmp_path_factory):
    with handoff_site(tmp_path_factory.mktemp("workspace-api"), trained_model, RASA_PORT, ACTION_PORT,
                      HANDOFF_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS), WORKSPACE_SECRET=SECRET) as running:
        yield running


@dataclass
class Replica:
    workspace_url: str


@pytest.fixture(scope="module")
def replica(site, tmp_path_factory):
    log = tmp_path_factory.mktemp("replica") / "replica.log"
    environment = {**os.environ, "DATABASE_URL": str(site.service.engine.url), "WORKSPACE_SECRET": SECRET,
                   "PYTHONPATH": str(PROJECT_ROOT)}
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-c", REPLICA, str(REPLICA_PORT)], cwd=PROJECT_ROOT,
                                  env=environment, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{REPLICA_PORT}/webhooks/workspace/"

    def answers():
        assert server.poll() is None, f"the replica exited: {log.read_text(errors='replace')[-2000:]}"
        try:
            return requests.get(url, timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_for(answers, timeout=90, interval=0.5, message="the second workspace server")
        yield Replica(url)
    finally:
        stop_process(server)


def bearer(url, token, path="queue"):
    return requests.get(f"{url}api/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def logged_in_token(url, username="agent", password="agent123"):
    answer = requests.post(url + "api/login", json={"username": username, "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.cookies[SESSION_COOKIE]


@pytest.fixture
def agent(site):
    return AgentClient(site)


@pytest.fixture
def other(site):
    return AgentClient(site, OTHER_AGENT[0], OTHER_AGENT[2])


@pytest.fixture
def shopper(site):
    shopper = Shopper(site)
    shopper.says("你好")
    return shopper


@pytest.fixture
def case(site, shopper):
    return site.open_case(shopper.sender)


# --- the page --------------------------------------------------------------------------


def test_the_page_and_its_files_are_served(site):
    page = requests.get(site.workspace_url, timeout=10)
    assert page.status_code == 200 and "人工客服工作台" in page.text
    assert requests.get(site.workspace_url + "static/app.js", timeout=10).headers["content-type"].startswith(
        "application/javascript")
    assert requests.get(site.workspace_url + "static/app.css", timeout=10).status_code == 200
    assert requests.get(site.workspace_url + "static/secrets.txt", timeout=10).status_code == 404
    without_slash = requests.get(site.workspace_url.rstrip("/"), allow_redirects=False, timeout=10)
    assert without_slash.status_code == 302 and without_slash.headers["location"].endswith("/webhooks/workspace/")


# --- sessions ----------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_call_but_login_needs_a_session(site, case, method, path):
    anonymous = AgentClient(site, login=False)
    answer = getattr(anonymous, method)(path.format(id=case.id), json={"text": "hi"})
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"


@pytest.mark.parametrize("token", [
    "v2.YWdlbnQ.9999999999.bm9uY2U.forged-signature",
    SessionSigner(b"a key the server never had, 32b").issue(DEMO_AGENT_USERNAME),
    "garbage",
], ids=["made-up-signature", "signed-with-another-key", "garbage"])
def test_a_forged_session_is_refused(site, case, token):
    forger = AgentClient(site, login=False)
    forger.http.cookies.set(SESSION_COOKIE, token)
    for method, path in ROUTES:
        assert getattr(forger, method)(path.format(id=case.id)).status_code == 401, path
    as_bearer = requests.get(site.workspace_url + "api/queue", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert as_bearer.status_code == 401


def test_logging_in_sets_an_httponly_cookie_for_the_workspace_only(site):
    answer = requests.post(site.workspace_url + "api/login", json={"username": "agent", "password": "agent123"},
                           timeout=30)
    assert answer.status_code == 200
    assert answer.json()["agent"] == {"username": "agent", "display_name": "演示客服", "role": "agent",
                                     "heartbeat_seconds": HEARTBEAT_SECONDS}
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/webhooks/workspace/" in cookie
    token = answer.cookies[SESSION_COOKIE]
    as_bearer = requests.get(site.workspace_url + "api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert as_bearer.json()["agent"]["username"] == "agent"


def test_logging_out_clears_the_cookie(agent):
    assert agent.get("me").status_code == 200
    logged_out = agent.post("logout")
    assert logged_out.status_code == 200
    assert "Max-Age=0" in logged_out.headers["set-cookie"]
    assert agent.get("me").status_code == 401


def test_logging_out_revokes_the_token_on_every_replica(site, replica):
    token = logged_in_token(site.workspace_url)
    # Before: the same secret, so either server takes the other's token.
    assert bearer(site.workspace_url, token).status_code == 200
    assert bearer(replica.workspace_url, token).status_code == 200
    from_replica = logged_in_token(replica.workspace_url)
    assert bearer(site.workspace_url, from_replica).status_code == 200

    out = requests.post(site.workspace_url + "api/logout", cookies={SESSION_COOKIE: token}, timeout=30)
    assert out.status_code == 200
    # A copy of the cookie (stolen, say) is worth nothing now, on this server and on the other.
    for url in (site.workspace_url, replica.workspace_url):
        for path in ("queue", "me", "tickets"):
            answer = bearer(url, token, path)
            assert (answer.status_code, answer.json()["error"]) == (401, "unauthorized"), (url, path)
        stolen = requests.get(url + "api/queue", cookies={SESSION_COOKIE: token}, timeout=30)
        assert stolen.status_code == 401
    # Only that session ended: the agent's session from the other replica lives on, and logging in again works.
    assert bearer(site.workspace_url, from_replica).status_code == 200
    fresh = logged_in_token(site.workspace_url)
    assert fresh != token
    assert bearer(site.workspace_url, fresh).status_code == 200
    assert bearer(replica.workspace_url, fresh).status_code == 200


def test_logging_out_with_a_bearer_token_on_another_replica_revokes_it_here(site, replica):
    token = logged_in_token(site.workspace_url)
    out = requests.post(replica.workspace_url + "api/logout", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)
    assert out.status_code == 200
    assert bearer(site.workspace_url, token).status_code == 401
    assert bearer(replica.workspace_url, token).status_code == 401


def test_logging_out_without_a_session_is_harmless(site):
    assert requests.post(site.workspace_url + "api/logout", timeout=30).status_code == 200
    forged = requests.post(site.workspace_url + "api/logout",
                           headers={"Authorization": "Bearer v2.YWdlbnQ.9999999999.bm9uY2U.forged"}, timeout=30)
    assert forged.status_code == 200


@pytest.mark.parametrize("body, status, code", [
    ({"username": "agent", "password": "wrong-password"}, 401, "wrong_password"),
    ({"username": "nobody", "password": "agent123"}, 401, "wrong_password"),
    ({"username": "agent", "password": "x" * 10000}, 401, "wrong_password"),
    ({"username": "", "password": "agent123"}, 400, "bad_request"),
    ({"username": "agent"}, 400, "bad_request"),
    ({"username": ["agent"], "password": "agent123"}, 400, "bad_request"),
], ids=["wrong-password", "unknown-user", "10000-character-password", "empty-username", "no-password", "list"])
def test_a_bad_login_gets_a_clear_answer(site, body, status, code):
    answer = requests.post(site.workspace_url + "api/login", json=body, timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (status, code)
    assert SESSION_COOKIE not in answer.cookies


def test_a_login_that_is_not_json(site):
    answer = requests.post(site.workspace_url + "api/login", data="username=agent", timeout=30)
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")


def test_guessing_passwords_is_stopped(site):
    create_agent(site.service.engine, "guessed", "被猜的", "right-password")
    login = site.workspace_url + "api/login"
    for _ in range(LOGIN_ATTEMPTS):
        assert requests.post(login, json={"username": "guessed", "password": "guess"}, timeout=30).status_code == 401
    blocked = requests.post(login, json={"username": "guessed", "password": "right-password"}, timeout=30)
    assert (blocked.status_code, blocked.json()["error"]) == (429, "too_many_attempts")
    assert requests.post(login, json={"username": "agent", "password": "agent123"}, timeout=30).status_code == 200


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_is_sorted_by_priority_then_waiting_time(site, agent):
    requested = site.open_case(Shopper(site).sender, decision=decide_handoff("request_human", "转人工"))
    time.sleep(0.05)
    unknown = site.open_case(Shopper(site).sender, "能进烤箱吗",
                             decision=decide_handoff("ask_product_info", "能进烤箱吗", knowledge_unknown=True))
    complaint = site.open_case(Shopper(site).sender, "我要投诉", decision=decide_handoff("complain", "我要投诉"))
    queue = agent.ok("get", "queue")
    ours = [line for line in queue["queue"] if line["id"] in (requested.id, unknown.id, complaint.id)]
    assert [line["id"] for line in ours] == [complaint.id, requested.id, unknown.id]
    assert [(line["priority"], line["reason_label"]) for line in ours] == [
        (1, "投诉/索赔"), (3, "顾客要求人工"), (4, "知识库答不上来")]
    assert ours[0]["channel"] == "web" and ours[0]["waiting_seconds"] >= 0
    assert queue["agents_online"] >= 1
    for case in (requested, unknown, complaint):
        site.service.close(case.id, "agent")


# --- claiming --------------------------------------------------------------------------------


def test_claiming_a_case_shows_everything_about_it(agent, case):
    data = agent.claim(case.id)
    assert data["case"]["status"] == "claimed" and data["case"]["claimed_by"] == "agent"
    assert data["case"]["transcript"][0]["text"] == "转人工"
    assert [m["text"] for m in data["messages"]] == ["演示客服 接入"]
    assert (data["messages"][0]["author"], data["messages"][0]["author_name"]) == ("agent", "演示客服")
    assert [line["id"] for line in agent.ok("get", "queue")["mine"]] == [case.id]
    assert agent.claim(case.id)["case"]["claimed_by"] == "agent", "claiming your own case again is fine"
    agent.close(case.id)


def test_a_case_someone_else_holds_is_no_other_agents_business(agent, other, case):
    # Another agent's case is answered as if it did not exist (tests/security/test_workspace.py).
    agent.claim(case.id)
    for method, path in CASE_ROUTES:
        answer = getattr(other, method)(path.format(id=case.id), json={"text": "我来", "outcome": "no_answer"})
        assert (answer.status_code, answer.json()["error"]) == (404, "case_not_found"), path
    assert agent.ok("get", f"cases/{case.id}")["case"]["claimed_by_name"] == "演示客服"
    agent.close(case.id)


def test_an_unknown_case(agent):
    for method, path in CASE_ROUTES:
        answer = getattr(agent, method)(path.format(id=987654), json={"text": "hi", "outcome": "reached", "note": "hi"})
        assert (answer.status_code, answer.json()["error"]) == (404, "case_not_found"), path
    assert agent.get("cases/not-a-number").status_code == 404


def test_a_closed_case_is_gone_from_an_agents_workspace(agent, case):
    agent.claim(case.id)
    assert agent.close(case.id)["case"]["status"] == "closed"
    for method, path in CASE_ROUTES:
        answer = getattr(agent, method)(path.format(id=case.id), json={"text": "还在吗", "outcome": "no_answer"})
        assert (answer.status_code, answer.json()["error"]) == (404, "case_not_found"), path


# --- replying ----------------------------------------------------------------------------------


@pytest.mark.parametrize("options, code", [
    ({"json": {"text": ""}}, "empty_reply"),
    ({"json": {"text": "   "}}, "empty_reply"),
    ({"json": {"text": "啊" * 10000}}, "reply_too_long"),
    ({"json": {"message": "hi"}}, "bad_request"),
    ({"data": "not json"}, "bad_request"),
], ids=["empty", "blank", "10000-characters", "no-text", "not-json"])
def test_a_bad_reply_is_refused_and_nothing_reaches_the_shopper(agent, case, shopper, options, code):
    agent.claim(case.id)
    answer = agent.post(f"cases/{case.id}/reply", **options)
    assert (answer.status_code, answer.json()["error"]) == (400, code)
    assert answer.json()["message"]
    assert shopper.polls() == []
    agent.close(case.id)


def test_a_reply_is_stored_logged_and_waits_for_the_rest_shopper(site, agent, case, shopper):
    agent.claim(case.id)
    sent = agent.reply(case.id, "  亲，在的  ")
    assert sent["message"]["text"] == "亲，在的" and sent["pushed"] is False
    new = agent.ok("get", f"cases/{case.id}/messages", params={"since": sent["message"]["id"] - 1})["messages"]
    assert [m["text"] for m in new] == ["亲，在的"] and new[0]["direction"] == "agent"
    assert [r["text"] for r in shopper.polls()] == ["亲，在的"]
    bot_events = [e for e in site.tracker_events(shopper.sender) if e["event"] == "bot"]
    assert bot_events[-1]["text"] == "亲，在的" and bot_events[-1]["metadata"]["handoff"]["agent"] == "演示客服"
    agent.close(case.id)


def test_messages_since_needs_a_number(agent, case):
    answer = agent.get(f"cases/{case.id}/messages", params={"since": "yesterday"})
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")


def test_suggested_replies_answer_the_shoppers_last_message(agent, case, shopper):
    agent.claim(case.id)
    shopper.says("你们包邮吗")
    data = agent.ok("get", f"cases/{case.id}/suggestions")
    assert data["for"] == "你们包邮吗"
    assert data["replies"] and all(isinstance(reply, str) and reply for reply in data["replies"])
    agent.close(case.id)


# --- closing and coming back ---------------------------------------------------------------------


def test_closing_resumes_the_bot(site, agent, case, shopper):
    agent.claim(case.id)
    assert shopper.says("人呢") == []
    closed = agent.close(case.id)
    assert closed["case"]["status"] == "closed" and closed["resumed"] is True
    assert any(e["event"] == "resume" for e in site.tracker_events(shopper.sender))
    assert from_bot(shopper.says("你好"))


def test_a_waiting_case_may_be_closed_by_any_agent(other, case):
    assert other.close(case.id)["case"]["closed_by"] == OTHER_AGENT[0]


def test_heartbeats_keep_a_claim_and_silence_releases_it(site, agent, case):
    agent.claim(case.id)
    for _ in range(4):  # past the timeout, alive
        assert agent.ok("post", "heartbeat")["held"] == [case.id]
        time.sleep(CLAIM_TIMEOUT_SECONDS / 3)
    assert site.service.get(case.id).status == "claimed"
    # Silence. Nobody reads the queue either: the server's own task releases it.
    wait_for(lambda: site.service.get(case.id).status == "queued", timeout=CLAIM_TIMEOUT_SECONDS * 4,
             message="the case back in the queue")
    assert agent.ok("post", "heartbeat")["held"] == []
    assert site.service.messages(case.id)[-1].text == "演示客服 超时未响应，已退回排队"
    site.service.close(case.id, "agent")


def test_tickets_left_out_of_hours_are_listed_and_closed_by_any_agent(site, other, case):
    callback = site.service.get(case.id).created_at + timedelta(hours=2)
    site.service.to_ticket(case.id, "13800000001", callback, "请明天上午给我回电话")
    tickets = other.ok("get", "tickets")["tickets"]
    ticket = next(t for t in tickets if t["id"] == case.id)
    assert (ticket["status"], ticket["ticket_contact"]) == ("ticket", "13800000001")
    assert ticket["callback_at"].startswith(callback.isoformat()[:16])
    assert [m["text"] for m in ticket["messages"]] == ["请明天上午给我回电话"]
    assert other.ok("get", "queue")["tickets"] >= 1
    assert other.post(f"cases/{case.id}/claim").json()["message"] == "这个会话已转为留言工单"
    assert other.close(case.id)["case"]["status"] == "closed"
    assert case.id not in [t["id"] for t in other.ok("get", "tickets")["tickets"]]


# --- calling tickets back ------------------------------------------------------------------------


def ticket_of(site, shopper, callback_at=None):
    case = site.open_case(shopper.sender)
    callback_at = callback_at or shop_now() + timedelta(hours=2)
    return site.service.to_ticket(case.id, "13800000001", callback_at, "请回电")


def ticket_line(client, case_id):
    return next(t for t in client.ok("get", "tickets")["tickets"] if t["id"] == case_id)


def test_a_shopper_reached_on_the_phone_closes_the_ticket(site, other, shopper):
    ticket = ticket_of(site, shopper)
    done = other.ok("post", f"cases/{ticket.id}/callback", json={"outcome": "reached", "note": " 已约好明天补发 "})
    assert (done["case"]["status"], done["case"]["closed_by"]) == ("closed", OTHER_AGENT[0])
    assert done["unreachable"] is False and done["case"]["callback_attempts"] == 1
    note = done["message"]
    assert (note["direction"], note["author"], note["author_name"]) == ("system", OTHER_AGENT[0], "小王")
    assert note["text"] == "小王 回电，已联系上顾客：已约好明天补发" and note["at"]
    assert site.service.messages(ticket.id)[-1].text == note["text"], "the note is in the case"
    assert ticket.id not in [t["id"] for t in other.ok("get", "tickets")["tickets"]]
    assert shopper.polls() == [], "the note is for agents, not the shopper"


def test_a_shopper_who_does_not_answer_keeps_the_ticket_with_a_later_call_back(site, agent, other, shopper):
    ticket = ticket_of(site, shopper, callback_at=shop_now() - timedelta(minutes=30))  # late already
    line = ticket_line(agent, ticket.id)
    assert (line["overdue"], line["callback_attempts"], line["callbacks"]) == (True, 0, [])
    assert agent.ok("get", "queue")["tickets_overdue"] >= 1

    before = shop_now()
    first = agent.ok("post", f"cases/{ticket.id}/callback", json={"outcome": "no_answer", "note": "无人接听"})
    after = shop_now()
    moved = datetime.fromisoformat(first["case"]["callback_at"])
    # HANDOFF_HOURS is 00:00-24:00 here: two hours on, to the minute.
    assert before + timedelta(hours=2) <= moved <= after + timedelta(hours=2, minutes=1)
    assert (first["case"]["status"], first["unanswered"], first["unreachable"]) == ("ticket", 1, False)
    assert first["message"]["text"].startswith("演示客服 回电未接通（第 1 次）：无人接听；下次回电 ")
    line = ticket_line(agent, ticket.id)
    assert (line["overdue"], line["callback_attempts"]) == (False, 1)
    assert [(c["agent_name"], c["outcome"], c["note"]) for c in line["callbacks"]] == [("演示客服", "no_answer", "无人接听")]
    assert line["callback_at"] == first["case"]["callback_at"]

    assert other.ok("post", f"cases/{ticket.id}/callback", json={"outcome": "no_answer"})["unanswered"] == 2
    last = other.ok("post", f"cases/{ticket.id}/callback", json={"outcome": "no_answer", "note": "关机"})
    assert (last["case"]["status"], last["unanswered"], last["unreachable"]) == ("closed", 3, True)
    assert last["message"]["text"].endswith("3 次未接通，联系不上顾客，工单已关闭")
    assert ticket.id not in [t["id"] for t in agent.ok("get", "tickets")["tickets"]]
    again = agent.post(f"cases/{ticket.id}/callback", json={"outcome": "no_answer"})
    assert (again.status_code, again.json()["error"]) == (404, "case_not_found"), "closed: gone for an agent"


@pytest.mark.parametrize("options, code", [
    ({"json": {"outcome": "called", "note": "x"}}, "bad_outcome"),
    ({"json": {"note": "x"}}, "bad_outcome"),
    ({"json": {"outcome": "reached", "note": "  "}}, "empty_note"),
    ({"json": {"outcome": "reached"}}, "empty_note"),
    ({"json": {"outcome": "no_answer", "note": "啊" * 10000}}, "note_too_long"),
    ({"json": ["reached"]}, "bad_request"),
    ({"data": "not json"}, "bad_request"),
], ids=["unknown-outcome", "no-outcome", "blank-note", "no-note", "10000-characters", "list", "not-json"])
def test_a_bad_call_back_report_is_refused_and_changes_nothing(site, agent, shopper, options, code):
    ticket = ticket_of(site, shopper)
    answer = agent.post(f"cases/{ticket.id}/callback", **options)
    assert (answer.status_code, answer.json()["error"]) == (400, code)
    assert answer.json()["message"]
    assert site.service.get(ticket.id) == ticket and site.service.callbacks([ticket.id]) == {ticket.id: []}
    site.service.close(ticket.id, "agent")


def test_only_a_ticket_is_called_back(site, agent, case):
    report = {"outcome": "reached", "note": "已联系"}
    answer = agent.post(f"cases/{case.id}/callback", json=report)  # waiting in the queue
    assert (answer.status_code, answer.json()["error"]) == (409, "not_a_ticket")
    assert answer.json()["message"] == "这个会话不是待回电的留言工单（可能已经结束）"
    agent.claim(case.id)
    assert agent.post(f"cases/{case.id}/callback", json=report).json()["error"] == "not_a_ticket"
    agent.close(case.id)
    # A closed case is no longer the agent's to see at all (docs/security.md: the workspace).
    assert agent.post(f"cases/{case.id}/callback", json=report).json()["error"] == "case_not_found"
    assert site.service.callbacks([case.id]) == {case.id: []}


def test_suggestions_answer_an_order_question_from_the_customers_own_order(site, agent):
    # A real conversation: 张三 (logged in on the shop's site) asks for an agent, then about his earphones.
    zhang_san = Shopper(site, "C0001")
    zhang_san.says("转人工")
    case = wait_for(lambda: next((c for c in agent.ok("get", "queue")["queue"]
                                  if c["sender_id"] == zhang_san.sender), None))
    agent.claim(case["id"])
    zhang_san.says("我的耳机什么时候到")
    data = agent.ok("get", f"cases/{case['id']}/suggestions")
    assert data["for"] == "我的耳机什么时候到"
    assert "2024111100002" in data["replies"][0] and "运单号" in data["replies"][0]
    agent.close(case["id"])
