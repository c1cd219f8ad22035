"""Conversations live in the SQL tracker store: they survive a restart of both
servers, in SQLite by default and in PostgreSQL when configured."""

import uuid

import pytest
import sqlalchemy as sa

from kefu.chat import send
from kefu.replies import identify
from tests.conftest import assistant_on
from tests.demo_shop.support import find_postgres, seeded_sqlite

RASA_PORT, ACTION_PORT = 5110, 5160


def replies_of(assistant, sender, text):
    return [identify(r["text"]) for r in send(assistant.rasa_url, sender, text)]


@pytest.fixture(scope="module")
def shop_environment(tmp_path_factory):
    shop = seeded_sqlite(tmp_path_factory.mktemp("persistence-shop") / "shop.db")
    return {"SHOP_BACKEND": "sql", "DATABASE_URL": str(shop.engine.url)}


def verification_survives_a_restart(workdir, model, shop_environment, tracker_store=None):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    with assistant_on(workdir, model, RASA_PORT, ACTION_PORT, shop_environment, tracker_store) as assistant:
        assert replies_of(assistant, sender, "我买的东西到哪了") == ["ask_order_id"]
        assert replies_of(assistant, sender, "2024111100002") == ["ask_phone_last4"]
    # Both servers are down here; the form is half filled in the tracker store.
    with assistant_on(workdir, model, RASA_PORT, ACTION_PORT, shop_environment, tracker_store) as assistant:
        assert replies_of(assistant, sender, "尾号0001")[0] == "order_summary"
    return sender


def test_a_conversation_survives_a_restart_of_both_servers_mid_form(trained_model, shop_environment, tmp_path):
    verification_survives_a_restart(tmp_path, trained_model, shop_environment)
    assert (tmp_path / "tracker.db").exists()


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
