from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, insert
from sqlalchemy.exc import IntegrityError

from kefu.handoff.service import HandoffService
from kefu.handoff.agents import create_agent
from kefu.storage.handoff_models import Base, HandoffCase, TicketCallback
from kefu.storage.handoff_schema import create_handoff_schema, drop_handoff_schema
from kefu.handoff.triggers import decide_handoff
from kefu.storage import db as shop_db
from tests.handoff.conftest import PASSWORD, WEDNESDAY_10AM, handoff_settings

HANDOFF_TABLES = {"agents", "handoff_cases", "handoff_messages", "revoked_sessions", "ticket_callbacks",
                  "agent_access", "case_clients", "channel_sessions", "verification_failures",
                  "wechat_access_tokens", "wechat_seen_messages", "wechat_kf_cursors", "wechat_users",
                  "webchat_client_messages", "webchat_photos", "webchat_ratings"}
# What a database made before sessions could be revoked and tickets called back has.
FIRST_TABLES = ("agents", "handoff_cases", "handoff_messages")


def row(sender, status):
    return dict(sender_id=sender, status=status, reason="requested", priority=3, reason_label="顾客要求人工",
                slots={}, recent_orders=[], transcript=[], created_at=WEDNESDAY_10AM)


def test_the_handoff_tables_are_their_own(engine):
    assert set(Base.metadata.tables) == HANDOFF_TABLES
    assert HANDOFF_TABLES <= set(inspect(engine).get_table_names())
    from kefu.storage.models import Base as ShopBase

    assert not HANDOFF_TABLES & set(ShopBase.metadata.tables)


def test_dropping_the_shop_keeps_every_case(engine):
    # What `make reset-shop` does to the tables: drop the shop's, build them again.
    shop_db.create_schema(engine)
    service = HandoffService(engine, handoff_settings())
    case = service.open_case("shopper-1", decide_handoff("request_human", "转人工")).case
    shop_db.drop_schema(engine)
    shop_db.create_schema(engine)
    assert service.get(case.id) == case


def test_the_database_itself_allows_one_open_case_per_shopper(engine):
    with engine.begin() as connection:
        connection.execute(insert(HandoffCase), [row("s", "closed"), row("s", "closed"), row("s", "ticket")])
        connection.execute(insert(HandoffCase), [row("s", "queued")])
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(HandoffCase), [row("s", "claimed")])


def test_an_unknown_status_is_refused(engine):
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(HandoffCase), [row("s", "lost")])


def test_schema_creation_is_repeatable_and_dropping_takes_only_the_handoff_tables(engine):
    shop_db.create_schema(engine)
    create_handoff_schema(engine)
    drop_handoff_schema(engine)
    existing = set(inspect(engine).get_table_names())
    assert not HANDOFF_TABLES & existing and "customers" in existing
    shop_db.drop_schema(engine)


def test_a_database_from_before_gets_the_new_tables_and_keeps_its_cases(engine):
    drop_handoff_schema(engine)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in FIRST_TABLES])
    columns_before = {name: [c["name"] for c in inspect(engine).get_columns(name)] for name in FIRST_TABLES}
    service = HandoffService(engine, handoff_settings())
    case = service.open_case("shopper-1", decide_handoff("request_human", "转人工")).case
    assert not {"revoked_sessions", "ticket_callbacks"} & set(inspect(engine).get_table_names())

    create_handoff_schema(engine)  # what every start does
    assert HANDOFF_TABLES <= set(inspect(engine).get_table_names())
    assert {name: [c["name"] for c in inspect(engine).get_columns(name)] for name in FIRST_TABLES} == columns_before
    assert service.get(case.id) == case


def test_an_unknown_call_back_outcome_is_refused(engine):
    create_agent(engine, "mei", "小美", PASSWORD)
    case = HandoffService(engine, handoff_settings()).open_case("s", decide_handoff("request_human", "转人工")).case
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(TicketCallback), [dict(case_id=case.id, agent="mei", outcome="busy", note="",
                                                             called_at=WEDNESDAY_10AM)])


def test_a_database_from_before_gets_the_index_of_waiting_replies(engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX handoff_messages_awaiting_delivery")
    assert "handoff_messages_awaiting_delivery" not in {i["name"] for i in inspect(engine).get_indexes("handoff_messages")}
    create_handoff_schema(engine)  # what every start does
    create_handoff_schema(engine)  # and again: nothing to do
    assert "handoff_messages_awaiting_delivery" in {i["name"] for i in inspect(engine).get_indexes("handoff_messages")}


def test_the_delivery_round_uses_the_index_of_waiting_replies(sqlite_engine):
    # SQLite's plan for the query HandoffService.senders_awaiting_delivery sends.
    captured = []
    event.listen(sqlite_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, params, context, many: captured.append((statement, params)))
    HandoffService(sqlite_engine, handoff_settings()).senders_awaiting_delivery()
    statement, params = captured[-1]
    with sqlite_engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params))
    assert "handoff_messages_awaiting_delivery" in plan, plan
