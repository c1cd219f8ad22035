"""What the workspace's API accepts: an agent's reply and a call-back report, and the clear answer to
anything else."""

import pytest

from kefu.workspace.checks import (
    MAX_PASSWORD_CHARS,
    MAX_REPLY_CHARS,
    ApiError,
    check_callback,
    check_login,
    check_reply,
    check_since,
)


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


def test_a_login_names_the_agent_and_the_password():
    assert check_login({"username": " mei ", "password": " pass word "}) == ("mei", " pass word ")


@pytest.mark.parametrize("body, status, code", [
    ({"username": "mei"}, 400, "bad_request"),
    ({"username": " ", "password": "x"}, 400, "bad_request"),
    ({"username": "mei", "password": 42}, 400, "bad_request"),
    ("mei:secret", 400, "bad_request"),
    ({"username": "mei", "password": "x" * (MAX_PASSWORD_CHARS + 1)}, 401, "wrong_password"),
    ({"username": "m" * 51, "password": "secret"}, 401, "wrong_password"),
], ids=["no-password", "blank-name", "number-password", "not-json-object", "long-password", "long-name"])
def test_a_bad_login_is_refused_before_any_password_is_checked(body, status, code):
    with pytest.raises(ApiError) as refused:
        check_login(body)
    assert (refused.value.status, refused.value.code) == (status, code)


def test_since_is_a_message_id():
    assert check_since(None) is None and check_since("") is None and check_since("42") == 42
    with pytest.raises(ApiError, match="since"):
        check_since("yesterday")
