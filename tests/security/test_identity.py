"""A customer_id counts only with a valid identity_token signed with IDENTITY_SECRET (CONTRACT §3):
the helper a shop's web site uses, the demo's own key, and — against a real Rasa server and action
server — forged identities that must not show or change anyone's orders."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kefu.chat import logged_in as shell_logged_in
from kefu.security.identity import identity_metadata, identity_secret, sign_identity, verified_customer
from kefu.settings import PROJECT_ROOT, Settings
from tests.logged_in import TEST_IDENTITY_SECRET, logged_in
from tests.shopper import Shopper

SECRET = "a-shop-secret"
NOW = 1_900_000_000


# --- the token --------------------------------------------------------------------------------
def test_the_token_is_the_contracts_format():
    token = sign_identity("C0001", SECRET, expires_at=NOW + 60)
    mac = hmac.new(SECRET.encode(), f"C0001.{NOW + 60}".encode(), hashlib.sha256).hexdigest()
    assert token == f"C0001.{NOW + 60}.{mac}"


def test_a_valid_token_names_its_customer():
    token = sign_identity("C0001", SECRET, expires_at=NOW + 60)
    assert verified_customer("C0001", token, SECRET, now=NOW) == "C0001"


def test_a_token_lives_its_lifetime_by_default():
    token = sign_identity("C0001", SECRET, lifetime_seconds=3600)
    expires = int(token.split(".")[1])
    assert verified_customer("C0001", token, SECRET, now=expires - 1) == "C0001"
    assert verified_customer("C0001", token, SECRET, now=expires) is None


def test_an_expired_token_is_refused():
    token = sign_identity("C0001", SECRET, expires_at=NOW - 1)
    assert verified_customer("C0001", token, SECRET, now=NOW) is None


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # one digit of the mac
        lambda t: t.replace(f".{NOW + 60}.", f".{NOW + 9999}."),  # a later expiry, same mac
        lambda t: t.upper(),  # the mac is lowercase hex
    ],
    ids=["mac", "expiry", "case"],
)
def test_an_altered_token_is_refused(alter):
    token = sign_identity("C0001", SECRET, expires_at=NOW + 60)
    assert verified_customer("C0001", alter(token), SECRET, now=NOW) is None


def test_another_customers_token_proves_nothing():
    token = sign_identity("C0002", SECRET, expires_at=NOW + 60)
    assert verified_customer("C0001", token, SECRET, now=NOW) is None


def test_a_token_signed_with_another_key_proves_nothing():
    token = sign_identity("C0001", "someone-elses-key", expires_at=NOW + 60)
    assert verified_customer("C0001", token, SECRET, now=NOW) is None


@pytest.mark.parametrize(
    "token",
    [None, "", "C0001", "C0001.123", "C0001.soon.abcdef", "..", 12345, {"customer_id": "C0001"}, "C0001.-5.abc"],
)
def test_a_missing_or_malformed_token_proves_nothing(token):
    assert verified_customer("C0001", token, SECRET, now=NOW) is None


@pytest.mark.parametrize("customer_id", [None, "", 1, ["C0001"]])
def test_a_missing_or_odd_customer_id_is_anonymous(customer_id):
    token = sign_identity("C0001", SECRET, expires_at=NOW + 60)
    assert verified_customer(customer_id, token, SECRET, now=NOW) is None


def test_without_a_secret_nothing_is_signed_or_verified():
    token = sign_identity("C0001", SECRET, expires_at=NOW + 60)
    assert verified_customer("C0001", token, "", now=NOW) is None
    with pytest.raises(ValueError):
        sign_identity("C0001", "")


def test_customer_ids_with_dots_are_split_from_the_right():
    token = sign_identity("shop.cn.C0001", SECRET, expires_at=NOW + 60)
    assert verified_customer("shop.cn.C0001", token, SECRET, now=NOW) == "shop.cn.C0001"
    assert verified_customer("shop.cn", token, SECRET, now=NOW) is None
    # "a.b" + expiry must not pass for "a" + "b.expiry".
    shifted = sign_identity("a", SECRET, expires_at=NOW + 60)
    assert verified_customer("a.x", shifted.replace("a.", "a.x.", 1), SECRET, now=NOW) is None


def test_the_metadata_a_web_site_sends():
    metadata = identity_metadata("C0001", SECRET)
    assert verified_customer(metadata["customer_id"], metadata["identity_token"], SECRET) == "C0001"


# --- the key -------------------------------------------------------------------------------------
def test_the_configured_secret_is_used(tmp_path):
    settings = replace(Settings.from_env({"IDENTITY_SECRET": "configured"}), project_root=tmp_path)
    assert identity_secret(settings) == "configured"
    assert not (tmp_path / "var" / "identity_secret").exists()


def test_the_demo_key_is_made_once_private_and_shared(tmp_path):
    settings = replace(Settings.from_env({}), project_root=tmp_path)
    first = identity_secret(settings)
    key_file = tmp_path / "var" / "identity_secret"
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert identity_secret(settings) == first  # the action server, `make shell` and the launcher agree
    assert [p.name for p in key_file.parent.iterdir()] == ["identity_secret"]  # no draft left behind


def test_two_demo_projects_get_different_keys(tmp_path):
    one = identity_secret(replace(Settings.from_env({}), project_root=tmp_path / "one"))
    other = identity_secret(replace(Settings.from_env({}), project_root=tmp_path / "other"))
    assert one != other


# --- what a shop's web site (and `make shell`) runs -------------------------------------------------
def test_the_command_prints_a_token_that_verifies():
    environment = {**os.environ, "IDENTITY_SECRET": SECRET, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "kefu.security.identity", "C0001", "--hours", "2"],
        capture_output=True, text=True, env=environment, cwd=PROJECT_ROOT, timeout=60, check=True,
    )
    token = result.stdout.strip()
    assert verified_customer("C0001", token, SECRET) == "C0001"
    lifetime = int(token.split(".")[1]) - time.time()
    assert 2 * 3600 - 120 <= lifetime <= 2 * 3600


def test_the_shell_signs_with_the_action_servers_key(monkeypatch):
    monkeypatch.setenv("IDENTITY_SECRET", SECRET)
    metadata = shell_logged_in("C0002", Settings.from_env())
    assert verified_customer("C0002", metadata["identity_token"], SECRET) == "C0002"


# --- live: the real Rasa server and action server the live suites share (running_assistant) ------
C0001_ORDERS = ("2024111100001", "2024111100002", "2024111100003", "2024111100004")
C0001_PERSONAL = ("张三", "13800000001", "张杨路")


@pytest.fixture(scope="module")
def assistant(running_assistant):
    return running_assistant


FORGERIES = {
    "no-token": {"customer_id": "C0001"},
    "expired-token": {"customer_id": "C0001",
                      "identity_token": sign_identity("C0001", TEST_IDENTITY_SECRET, expires_at=1_600_000_000)},
    "token-of-C0002": {**logged_in("C0002"), "customer_id": "C0001"},
    "wrong-key": {"customer_id": "C0001", "identity_token": sign_identity("C0001", "guessed-key")},
    "trust-me": {"customer_id": "C0001", "verified_customer_id": "C0001", "identity_known": True},
}


def _nothing_of_c0001(texts):
    said = "\n".join(texts)
    assert not [order for order in C0001_ORDERS if order in said], said
    assert not [fact for fact in C0001_PERSONAL if fact in said], said


@pytest.mark.parametrize("forged", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_identity_sees_none_of_the_customers_orders(assistant, forged):
    shopper = Shopper(assistant, metadata=forged, name="identity")
    replies = shopper.says("我的快递到哪了")
    _nothing_of_c0001(shopper.texts())
    assert replies[0] == "ask_order_id"  # treated as anonymous: asked for the proof


# Replies that show an order's details to change or say a change was made.
CHANGES_SHOWN = {"confirm_cancel", "confirm_change_address", "cancel_done_unpaid", "cancel_done_refund", "address_changed"}


@pytest.mark.parametrize("forged", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_identity_cannot_cancel_or_redirect_an_order(assistant, forged):
    for request in ("取消订单2024111100003", "订单2024111100003改一下收货地址"):
        shopper = Shopper(assistant, metadata=forged, name="identity")
        replies, texts = shopper.says(request), shopper.texts()
        replies, texts = replies + shopper.says("确认"), texts + shopper.texts()
        _nothing_of_c0001([t.replace("2024111100003", "") for t in texts])  # the number typed may be echoed
        assert "ask_phone_last4" in replies, texts  # it must be proved first
        assert not CHANGES_SHOWN & set(replies), texts
    assert _order_status(assistant, "2024111100003") == "paid"


def test_a_named_order_is_not_shown_to_a_forged_identity(assistant):
    for forged in FORGERIES.values():
        shopper = Shopper(assistant, metadata=forged, name="identity")
        replies = shopper.says("帮我查下订单2024111100002到哪了")
        assert not {"order_summary", "order_logistics"} & set(replies), shopper.texts()
        assert "运单" not in shopper.text() and "张三" not in shopper.text()


def test_a_valid_token_shows_and_changes_the_customers_own_orders(assistant):
    shopper = Shopper(assistant, "C0001", name="identity")
    assert shopper.says("帮我查下订单2024111100002到哪了")[:2] == ["order_summary", "order_logistics"]
    assert "2024111100002" in shopper.texts()[0]
    # "快递" means the parcel on the road: the shopper's one order in transit is shown at once (issue 14).
    parcel = Shopper(assistant, "C0001", name="identity")
    assert parcel.says("我的快递到哪了")[0] == "order_summary" and "2024111100002" in parcel.texts()[0]


def _order_status(assistant, order_id):
    from kefu.backends.factory import sql_backends

    url = assistant.extra_environment["DATABASE_URL"]
    return sql_backends(url).orders.get_order(order_id).status
