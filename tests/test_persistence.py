"""Conversations live in the SQL tracker store: they survive a restart of both
servers, in SQLite by default and in PostgreSQL when configured."""

import uuid

import pytest
import sqlalchemy as sa

from kefu.backends.factory import sql_backends
from kefu.chat import send
from kefu.replies import identify
from tests.conftest import assistant_on
from tests.demo_shop.support import find_postgres, seeded_sqlite
from tests.shopper import Shopper

RASA_PORT, ACTION_PORT = 5110, 5160


def replies_of(assistant, sender, text):
    return [identify(r["text"]) for r in send(assistant.rasa_url, sender, text)]


@pytest.fixture(scope="module")
def shop_environment(tmp_path_factory):
    shop = seeded_sqlite(tmp_path_factory.mktemp("persistence-shop") / "shop.db")
    return {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)}


def asked_for_the_proof(assistant):
    """An anonymous shopper's conversation left where the verification form asks for the phone's last four."""
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    assert replies_of(assistant, sender, "我买的东西到哪了") == ["ask_order_id"]
    assert replies_of(assistant, sender, "2024111100002") == ["ask_phone_last4"]
    return sender


def proof_goes_on(assistant, sender):
    assert replies_of(assistant, sender, "尾号0001")[0] == "order_summary"


def verification_survives_a_restart(workdir, model, shop_environment, tracker_store=None):
    with assistant_on(workdir, model, RASA_PORT, ACTION_PORT, shop_environment, tracker_store) as assistant:
        sender = asked_for_the_proof(assistant)
    # Both servers are down here; the form is half filled in the tracker store.
    with assistant_on(workdir, model, RASA_PORT, ACTION_PORT, shop_environment, tracker_store) as assistant:
        proof_goes_on(assistant, sender)
    return sender


def test_conversations_survive_a_restart_of_both_servers_mid_form(trained_model, shop_environment, tmp_path):
    # Two conversations half way through a form when both servers stop: an anonymous shopper asked to prove
    # an order, and 张三 (signed in) asked which size to exchange to.
    with assistant_on(tmp_path, trained_model, RASA_PORT, ACTION_PORT, shop_environment) as assistant:
        proof = asked_for_the_proof(assistant)
        exchange = Shopper(assistant, "C0001")
        exchange.says("码小了能换大一码吗")
        assert exchange.says('/inform{"order_id":"2024111100001"}') == ["ask_exchange_variant"]
    # Both servers are down; the half-filled forms are in the tracker store (SQLite by default).
    assert (tmp_path / "tracker.db").exists()
    with assistant_on(tmp_path, trained_model, RASA_PORT, ACTION_PORT, shop_environment) as assistant:
        proof_goes_on(assistant, proof)
        exchange.assistant = assistant
        assert exchange.says("换大一码") == ["confirm_exchange"]
        assert "白色/XL" in exchange.text()
        assert exchange.says("确认") == ["exchange_submitted"]
    request = sql_backends(shop_environment["DATABASE_URL"]).orders.get_order("2024111100001").returns[-1]
    assert (request.kind, request.new_sku_id) == ("exchange", "P1001-04")


def test_postgresql_tracker_store(trained_model, shop_environment, tmp_path):
    url, reason = find_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL tracker store not tested: {reason}")
    database = sa.engine.make_url(url).database
    sender = verification_survives_a_restart(
        tmp_path, trained_model, shop_environment, ("postgresql", url, database)
    )
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :sender"), {"sender": sender}
        ).scalar_one()
    assert stored > 0
    assert not (tmp_path / "tracker.db").exists()
