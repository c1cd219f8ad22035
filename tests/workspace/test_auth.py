"""The workspace's sessions: signed, expiring tokens, the secret every replica shares, what is kept of a
revoked token, and the login throttle. The HTTP API itself is tested against a real Rasa server in
test_api.py, the page in tests/browser/."""

from dataclasses import replace

import pytest

from kefu.settings import Settings
from kefu.workspace.auth import LoginThrottle, SessionSigner, token_hash, workspace_secret

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
