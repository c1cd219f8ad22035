"""The agent workspace's plain parts: session tokens, the login throttle, reply checks, what the page
is sent, and the relay's resume events. The HTTP API itself is tested against a real Rasa server in
test_workspace_api.py, the page in tests/browser/."""

from dataclasses import replace
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain

from kefu.channels import relay
from kefu.handoff.agents import verify_agent
from kefu.handoff.cases import Message, TranscriptLine
from kefu.handoff.triggers import decide_handoff
from kefu.handoff.workspace import (
    MAX_REPLY_CHARS,
    ApiError,
    LoginThrottle,
    SessionSigner,
    case_detail,
    case_summary,
    check_callback,
    check_reply,
    last_shopper_text,
    token_hash,
    workspace_secret,
)
from kefu.launcher import Assistant, _banner, prepare_handoff
from kefu.settings import Settings
from kefu.storage.db import make_engine

SECRET = b"0123456789abcdef0123456789abcdef"


class Seconds:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


# --- sessions ------------------------------------------------------------------------


def test_a_token_names_the_agent_it_was_issued_to():
    signer = SessionSigner(SECRET)
    assert signer.verify(signer.issue("agent")) == "agent"
    assert signer.verify(signer.issue("wang.xiao-mei_2")) == "wang.xiao-mei_2"


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
    lambda token: token.replace("YWdlbnQ", "cm9vdA"),  # username swapped for "root", old signature
    lambda token: ".".join(token.split(".")[:2] + ["9999999999"] + token.split(".")[3:]),  # expiry pushed out
    lambda token: "v1" + token[2:],
    lambda token: "v1." + ".".join(token.split(".")[1:3] + token.split(".")[4:]),  # the old format, without nonce
    lambda token: ".".join(token.split(".")[:3] + ["another-nonce"] + token.split(".")[4:]),
    lambda token: token + ".extra",
    lambda token: "",
    lambda token: "not-a-token",
    lambda token: None,
], ids=["signature", "username", "expiry", "version", "old-format", "nonce", "extra-part", "empty", "garbage",
        "missing"])
def test_a_forged_or_altered_token_is_refused(forge):
    signer = SessionSigner(SECRET)
    assert signer.verify(forge(signer.issue("agent"))) is None


def test_every_login_gets_a_token_of_its_own():
    signer = SessionSigner(SECRET, clock=Seconds())  # the same second
    first, second = signer.issue("agent"), signer.issue("agent")
    assert first != second and signer.verify(first) == signer.verify(second) == "agent"


def test_a_token_signed_with_another_key_is_refused():
    assert SessionSigner(SECRET).verify(SessionSigner(b"another key, also 32 bytes long!").issue("agent")) is None


def test_a_token_expires():
    clock = Seconds()
    signer = SessionSigner(SECRET, lifetime_seconds=60, clock=clock)
    token = signer.issue("agent")
    clock.now += 59
    assert signer.verify(token) == "agent"
    clock.now += 2
    assert signer.verify(token) is None


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError):
        SessionSigner(b"short")


def test_the_secret_comes_from_the_environment_or_is_random_per_process(monkeypatch):
    monkeypatch.setenv("WORKSPACE_SECRET", "a-long-configured-workspace-secret")
    assert workspace_secret() == b"a-long-configured-workspace-secret"
    monkeypatch.delenv("WORKSPACE_SECRET")
    first, second = workspace_secret(), workspace_secret()
    assert len(first) == 32 and first != second


def test_the_secret_is_a_setting(monkeypatch):
    monkeypatch.delenv("WORKSPACE_SECRET", raising=False)
    assert Settings.from_env().workspace_secret == ""
    monkeypatch.setenv("WORKSPACE_SECRET", "from-the-environment-of-rasa")
    settings = Settings.from_env()
    assert settings.workspace_secret == "from-the-environment-of-rasa"
    assert "from-the-environment-of-rasa" not in repr(settings), "a secret stays out of logs"
    given = replace(settings, workspace_secret="given-to-the-channel-in-code")
    assert workspace_secret(given) == b"given-to-the-channel-in-code"
    assert SessionSigner(workspace_secret(given)).verify(
        SessionSigner(b"given-to-the-channel-in-code").issue("agent")) == "agent"


def test_a_token_tells_until_when_it_is_valid():
    clock = Seconds()
    signer = SessionSigner(SECRET, lifetime_seconds=3600, clock=clock)
    read = signer.read(signer.issue("agent"))
    assert (read.username, read.expires) == ("agent", 1_000_000 + 3600)
    assert signer.read("v2.YWdlbnQ.9999999999.bm9uY2U.forged") is None


def test_only_a_hash_of_a_revoked_token_is_kept():
    token = SessionSigner(SECRET).issue("agent")
    assert len(token_hash(token)) == 64 and token not in token_hash(token)
    assert token_hash(token) == token_hash(token) != token_hash(token + "x")


def test_tokens_from_one_replica_work_on_another_with_the_same_secret(monkeypatch):
    monkeypatch.setenv("WORKSPACE_SECRET", "shared-by-every-replica-of-rasa")
    assert SessionSigner(workspace_secret()).verify(SessionSigner(workspace_secret()).issue("agent")) == "agent"


# --- login throttle ---------------------------------------------------------------------


def test_wrong_passwords_block_a_username_for_a_while():
    clock = Seconds()
    throttle = LoginThrottle(attempts=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("agent")
        throttle.failed("agent")
    assert throttle.blocked("agent") and not throttle.blocked("other")
    clock.now += 61
    assert not throttle.blocked("agent")


def test_a_good_password_clears_the_failures():
    throttle = LoginThrottle(attempts=2, window_seconds=60, clock=Seconds())
    throttle.failed("agent")
    throttle.succeeded("agent")
    throttle.failed("agent")
    assert not throttle.blocked("agent")


# --- replies ------------------------------------------------------------------------------


def test_a_reply_is_trimmed():
    assert check_reply({"text": "  亲，在的  \n"}) == "亲，在的"


@pytest.mark.parametrize("body, code", [
    ({"text": ""}, "empty_reply"),
    ({"text": " \n\t "}, "empty_reply"),
    ({"text": "啊" * 10000}, "reply_too_long"),
    ({"text": 42}, "bad_request"),
    ({}, "bad_request"),
    (["text"], "bad_request"),
    (None, "bad_request"),
], ids=["empty", "blank", "10000-characters", "number", "no-text", "list", "no-body"])
def test_a_bad_reply_gets_a_clear_answer(body, code):
    with pytest.raises(ApiError) as refused:
        check_reply(body)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert refused.value.message  # Chinese, for the agent


def test_the_longest_reply_allowed():
    assert len(check_reply({"text": "好" * MAX_REPLY_CHARS})) == MAX_REPLY_CHARS
    with pytest.raises(ApiError, match="10000 字"):
        check_reply({"text": "好" * 10000})


# --- what the page is sent ------------------------------------------------------------------


def _message(direction, text, id=1):
    return Message(id, 7, direction, None, text, None, None)


def test_suggestions_answer_the_shoppers_last_message(service):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工"),
                             transcript=[TranscriptLine("shopper", "我的快递呢"), TranscriptLine("bot", "亲，帮您查")]).case
    assert last_shopper_text(case, []) == "我的快递呢"
    messages = [_message("shopper", "运费险怎么用", 1), _message("agent", "您好", 2), _message("system", "演示客服 接入", 3)]
    assert last_shopper_text(case, messages) == "运费险怎么用"
    bare = service.open_case("s-2", decide_handoff("request_human", "转人工")).case
    assert last_shopper_text(bare, []) is None


def test_a_queue_line_has_what_the_agent_picks_by(service, clock):
    customer = {"customer_id": "C0001", "name": "张三", "member_level": "gold", "member_level_label": "金卡会员",
                "high_value": True}
    case = service.open_case("s-1", decide_handoff("report_problem", "耳机是坏的", member_level="gold"),
                             channel="taobao", intent="report_problem", customer=customer,
                             slots={"order_id": "2024111100002"}).case
    line = case_summary(case, clock.now + timedelta(minutes=3, seconds=10))
    assert line["waiting_seconds"] == 190
    assert (line["priority"], line["reason_label"], line["channel"]) == (1, "金卡会员遇到问题", "taobao")
    assert (line["customer_name"], line["member_level_label"], line["high_value"]) == ("张三", "金卡会员", True)
    assert line["intent_label"] == "收到的商品有问题"
    detail = case_detail(case, clock.now)
    assert detail["slots"] == {"order_id": "2024111100002"} and detail["customer"] == customer


def test_an_anonymous_shoppers_line(service, clock):
    line = case_summary(service.open_case("s-1", decide_handoff("request_human", "转人工"),
                                          intent="request_human").case, clock.now)
    assert line["customer_name"] is None and line["high_value"] is False and line["waiting_seconds"] == 0
    assert line["intent_label"] == "要求转人工"  # an intent that is never a button still has a name


def test_the_cases_an_agent_holds(service, clock, agents):
    mei, wang = agents
    first = service.open_case("a", decide_handoff("request_human", "转人工")).case
    second = service.open_case("b", decide_handoff("request_human", "转人工")).case
    third = service.open_case("c", decide_handoff("request_human", "转人工")).case
    service.claim(second.id, mei)
    clock.advance(seconds=5)
    service.claim(first.id, mei)
    service.claim(third.id, wang)
    assert [case.id for case in service.held_by(mei)] == [second.id, first.id]
    service.close(second.id, mei)
    assert [case.id for case in service.held_by(mei)] == [first.id]
    assert service.held_by("nobody") == []


# --- tickets ---------------------------------------------------------------------------------


def test_a_ticket_whose_call_back_time_has_passed_is_overdue(service, clock, agents):
    ticket = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    ticket = service.to_ticket(ticket.id, "13800000001", clock.now + timedelta(hours=2))
    assert case_summary(ticket, clock.now)["overdue"] is False
    assert case_summary(ticket, clock.now + timedelta(hours=2))["overdue"] is False, "due now is not late yet"
    assert case_summary(ticket, clock.now + timedelta(hours=2, minutes=1))["overdue"] is True
    queued = service.open_case("s-2", decide_handoff("request_human", "转人工")).case
    assert case_summary(queued, clock.now + timedelta(days=1))["overdue"] is False, "only tickets are called back"
    closed = service.record_callback(ticket.id, "mei", "reached", "已处理").case
    assert case_summary(closed, clock.now + timedelta(days=1))["overdue"] is False


def test_a_ticket_shows_the_calls_made(service, clock, agents):
    ticket = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    ticket = service.to_ticket(ticket.id, "13800000001", clock.now)
    service.record_callback(ticket.id, "mei", "no_answer", "无人接听")
    ticket = service.get(ticket.id)
    calls = service.callbacks([ticket.id])[ticket.id]
    detail = case_detail(ticket, clock.now, calls, {"mei": "小美"})
    assert detail["callback_attempts"] == 1
    assert [(c["agent"], c["agent_name"], c["outcome"], c["note"]) for c in detail["callbacks"]] == [
        ("mei", "小美", "no_answer", "无人接听")]
    assert detail["callbacks"][0]["at"] == clock.now.isoformat()
    assert case_detail(ticket, clock.now)["callbacks"] == []


def test_the_holder_is_shown_by_display_name(service, clock, agents):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    service.claim(case.id, "mei")
    case = service.get(case.id)
    assert case_summary(case, clock.now, {"mei": "小美"})["claimed_by_name"] == "小美"
    assert case_summary(case, clock.now)["claimed_by_name"] == "mei"


@pytest.mark.parametrize("body, expected", [
    ({"outcome": "reached", "note": "  已补发  "}, ("reached", "已补发")),
    ({"outcome": "no_answer"}, ("no_answer", "")),
    ({"outcome": "no_answer", "note": None}, ("no_answer", "")),
    ({"outcome": "no_answer", "note": " 关机 "}, ("no_answer", "关机")),
], ids=["reached", "no-answer-without-note", "null-note", "no-answer-with-note"])
def test_a_call_back_report(body, expected):
    assert check_callback(body) == expected


@pytest.mark.parametrize("body, code", [
    ({"outcome": "reached", "note": ""}, "empty_note"),
    ({"outcome": "reached", "note": " \n "}, "empty_note"),
    ({"outcome": "reached"}, "empty_note"),
    ({"outcome": "busy", "note": "占线"}, "bad_outcome"),
    ({"note": "占线"}, "bad_outcome"),
    ({"outcome": ["reached"], "note": "x"}, "bad_outcome"),
    ({"outcome": "no_answer", "note": 42}, "bad_request"),
    ({"outcome": "no_answer", "note": "啊" * (MAX_REPLY_CHARS + 1)}, "note_too_long"),
    (["reached"], "bad_request"),
    (None, "bad_request"),
], ids=["reached-empty-note", "reached-blank-note", "reached-no-note", "unknown-outcome", "no-outcome",
        "list-outcome", "number-note", "long-note", "list", "no-body"])
def test_a_bad_call_back_report_gets_a_clear_answer(body, code):
    with pytest.raises(ApiError) as refused:
        check_callback(body)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert refused.value.message


# --- handing the conversation back to the bot -------------------------------------------------


def test_resuming_clears_the_handoff_status_and_listens():
    domain = Domain.from_dict({"slots": {"handoff_status": {
        "type": "categorical", "values": ["queued", "ticket"], "influence_conversation": True,
        "mappings": [{"type": "custom"}]}}})
    assert [event.as_dict()["event"] for event in relay.resume_events(domain)] == ["resume", "slot", "action"]
    slot, listen = relay.resume_events(domain)[1:]
    assert (slot.key, slot.value, listen.action_name) == ("handoff_status", None, "action_listen")


def test_resuming_without_the_slot():
    assert [event.as_dict()["event"] for event in relay.resume_events(Domain.empty())] == ["resume", "action"]


# --- make run ---------------------------------------------------------------------------------


def test_make_run_prepares_the_tables_and_the_demo_login(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    account = prepare_handoff(url)
    assert prepare_handoff(url) == account, "every start, same agent"
    engine = make_engine(url)
    assert verify_agent(engine, "agent", "agent123") is not None
    engine.dispose()
    banner = _banner(Assistant(replace(Settings.from_env(), rasa_port=5005), tmp_path / "model.tar.gz"), account)
    assert "http://localhost:5005/webhooks/workspace/" in banner and "agent / agent123" in banner

    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "a-secret-demo-password")
    banner = _banner(Assistant(Settings.from_env(), tmp_path / "model.tar.gz"), prepare_handoff(url))
    assert "a-secret-demo-password" not in banner and "DEMO_AGENT_PASSWORD" in banner
