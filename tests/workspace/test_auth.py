"""The workspace's sessions: signed, expiring tokens bound to a password generation, the secret every
replica shares, what is kept of a revoked token, the login throttle, the hashing pool, the client's
address and TLS. The HTTP API itself is tested against a real Rasa server in test_api.py and a real
workspace server in tests/security/test_workspace.py, the page in tests/browser/."""

import threading
from dataclasses import replace
from types import SimpleNamespace

import pytest

from kefu.settings import Settings
from kefu.workspace.auth import (
    PASSWORD_HASHING_THREADS,
    LoginThrottle,
    SessionSigner,
    came_over_tls,
    request_client_address,
    password_hashing_pool,
    token_hash,
    workspace_secret,
)

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
    lambda token: ".".join(token.split(".")[:3] + ["7"] + token.split(".")[4:]),  # generation moved on
    lambda token: "v2" + token[2:],
    lambda token: "v2." + ".".join(token.split(".")[1:3] + token.split(".")[4:]),  # the v2 format, no generation
    lambda token: ".".join(token.split(".")[:4] + ["another-nonce"] + token.split(".")[5:]),
    lambda token: token + ".extra",
    lambda token: "",
    lambda token: "not-a-token",
    lambda token: None,
], ids=["signature", "username", "expiry", "generation", "version", "v2-format", "nonce", "extra-part", "empty",
        "garbage", "missing"])
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
    assert (read.username, read.expires, read.generation) == ("agent", 1_000_000 + 3600, 0)
    assert signer.read("v3.YWdlbnQ.9999999999.0.bm9uY2U.forged") is None


def test_a_token_carries_the_password_generation_it_was_issued_under():
    signer = SessionSigner(SECRET)
    assert signer.read(signer.issue("agent", generation=3)).generation == 3


def test_only_a_hash_of_a_revoked_token_is_kept():
    token = SessionSigner(SECRET).issue("agent")
    assert len(token_hash(token)) == 64 and token not in token_hash(token)
    assert token_hash(token) == token_hash(token) != token_hash(token + "x")


def test_tokens_from_one_replica_work_on_another_with_the_same_secret(monkeypatch):
    monkeypatch.setenv("WORKSPACE_SECRET", "shared-by-every-replica-of-rasa")
    assert SessionSigner(workspace_secret()).verify(SessionSigner(workspace_secret()).issue("agent")) == "agent"


# --- login throttle ---------------------------------------------------------------------


def test_wrong_passwords_block_a_username_from_a_client_for_a_while():
    clock = Seconds()
    throttle = LoginThrottle(attempts=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1", "agent")
        assert throttle.begin("10.0.0.1", "agent") is not None
    assert throttle.blocked("10.0.0.1", "agent") and throttle.begin("10.0.0.1", "agent") is None
    assert not throttle.blocked("10.0.0.1", "other") and not throttle.blocked("10.0.0.2", "agent"), \
        "neither another account nor another client is locked out by it"
    clock.now += 61
    assert not throttle.blocked("10.0.0.1", "agent")


def test_a_client_trying_many_usernames_is_blocked_too():
    throttle = LoginThrottle(attempts=3, attempts_per_client=5, window_seconds=60, clock=Seconds())
    for number in range(5):
        assert throttle.begin("10.0.0.1", f"user{number}") is not None
    assert throttle.begin("10.0.0.1", "user-never-tried") is None
    assert throttle.begin("10.0.0.2", "user-never-tried") is not None


def test_a_good_password_clears_the_failures_and_its_own_attempt():
    throttle = LoginThrottle(attempts=2, attempts_per_client=2, window_seconds=60, clock=Seconds())
    throttle.begin("10.0.0.1", "agent")
    attempt = throttle.begin("10.0.0.1", "agent")
    throttle.succeeded("10.0.0.1", "agent", attempt)
    assert throttle.begin("10.0.0.1", "agent") is not None, "the username's failures are forgotten"
    assert throttle.blocked("10.0.0.1", "someone-else"), "the client's first failure still counts"


def test_an_attempt_counts_before_its_password_is_checked():
    # Twenty logins begun at once, none finished: only the first three get to check a password.
    throttle = LoginThrottle(attempts=3, window_seconds=60, clock=Seconds())
    started, barrier = [], threading.Barrier(20)

    def log_in():
        barrier.wait()
        started.append(throttle.begin("10.0.0.1", "agent"))

    threads = [threading.Thread(target=log_in) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(attempt is not None for attempt in started) == 3


def test_the_throttle_forgets_clients_whose_failures_are_old():
    clock = Seconds()
    throttle = LoginThrottle(attempts=3, window_seconds=60, clock=clock)
    for number in range(100):
        throttle.begin(f"10.0.{number}.1", "agent")
    assert throttle.tracked_keys() == 200
    clock.now += 61
    throttle.begin("10.9.9.9", "agent")
    assert throttle.tracked_keys() == 2


def test_the_throttle_keeps_at_most_so_many_keys():
    throttle = LoginThrottle(attempts=3, window_seconds=60, clock=Seconds(), max_keys=50)
    for number in range(1000):
        throttle.begin("10.0.0.1", f"made-up-{number}")
    assert throttle.tracked_keys() <= 50
    assert throttle.blocked("10.0.0.1", "anyone"), "the busy client itself is the last one forgotten"


# --- password hashing, the client, TLS ---------------------------------------------------


def test_passwords_are_hashed_on_a_small_pool_of_their_own():
    pool = password_hashing_pool()
    try:
        names = {pool.submit(lambda: threading.current_thread().name).result() for _ in range(20)}
        assert all(name.startswith("workspace-password") for name in names)
        assert pool._max_workers == PASSWORD_HASHING_THREADS == 2
    finally:
        pool.shutdown()


def request(ip="203.0.113.7", scheme="http", **headers):
    return SimpleNamespace(ip=ip, scheme=scheme, headers={name.replace("_", "-").lower(): value
                                                          for name, value in headers.items()})


def test_the_clients_address_is_the_peers_unless_a_proxy_is_trusted():
    forwarded = request(ip="127.0.0.1", x_forwarded_for="6.6.6.6, 198.51.100.9")
    assert request_client_address(forwarded, trust_forwarded_headers=False) == "127.0.0.1"
    # The proxy appends the address it saw; what came before is the client's own writing.
    assert request_client_address(forwarded, trust_forwarded_headers=True) == "198.51.100.9"
    assert request_client_address(request(ip="127.0.0.1"), trust_forwarded_headers=True) == "127.0.0.1"


def test_tls_is_the_servers_own_or_a_trusted_proxys():
    assert came_over_tls(request(scheme="https"), trust_forwarded_headers=False)
    behind_proxy = request(x_forwarded_proto="https")
    assert not came_over_tls(behind_proxy, trust_forwarded_headers=False)
    assert came_over_tls(behind_proxy, trust_forwarded_headers=True)
    assert came_over_tls(request(x_forwarded_proto="HTTPS, http"), trust_forwarded_headers=True)
    assert not came_over_tls(request(x_forwarded_proto="http"), trust_forwarded_headers=True)
    assert not came_over_tls(request(), trust_forwarded_headers=True)
