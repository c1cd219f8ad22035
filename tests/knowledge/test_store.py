"""The knowledge store reads what was imported last, and nothing else."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from kefu.backends.errors import BackendFailure
from kefu.knowledge.importer import import_file
from kefu.knowledge.store import FaqEntry, KnowledgeStore, Policy, ProductQaEntry, shared_store
from kefu.storage import models
from kefu.storage.clock import SHOP_TZ
from kefu.storage.db import create_schema, make_engine, make_session_factory
from tests.demo_shop.fixtures import fresh_sqlite_shop, seeded_sqlite_shop  # noqa: F401


def reimport(engine, path, text):
    path.write_text(text, encoding="utf-8")
    with make_session_factory(engine)() as session:
        outcome = import_file(session, path, now=datetime(2030, 1, 1, tzinfo=SHOP_TZ))
        assert outcome.problems == ()
        session.commit()


@pytest.fixture
def empty_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def test_nothing_imported_means_nothing_known(empty_engine):
    store = KnowledgeStore(empty_engine)

    assert store.promotions().rules == () and store.size_charts().charts == ()
    assert store.policies() == () and store.policies("ask_invoice") == () and store.policy("invoice") is None
    assert store.faq() == () and store.faq("ask_invoice") == ()
    assert store.product_qa() == () and store.product_qa("P3001") == ()


def test_policies_and_faq_are_plain_frozen_values(seeded_sqlite_shop):
    store = KnowledgeStore(seeded_sqlite_shop.engine)

    invoice = store.policy("invoice")
    assert isinstance(invoice, Policy) and dataclasses.is_dataclass(invoice)
    assert (invoice.topic, invoice.title) == ("ask_invoice", "发票说明") and invoice.facts["request_within_days"] == 90
    with pytest.raises(dataclasses.FrozenInstanceError):
        invoice.answer = "x"
    entries = store.faq("ask_invoice")
    assert all(isinstance(entry, FaqEntry) for entry in entries)
    assert entries[0].id == "invoice_how" and [e.position for e in entries] == sorted(e.position for e in entries)
    vat = next(entry for entry in entries if entry.id == "invoice_vat")
    assert isinstance(vat.keywords, tuple) and "专票" in vat.keywords
    assert [policy.id for policy in store.policies("ask_return")] == ["return"]
    assert len(store.policies()) == 9 and len(store.faq()) > len(entries)


def test_product_qa_entries_are_read_per_product_in_file_order(seeded_sqlite_shop):
    store = KnowledgeStore(seeded_sqlite_shop.engine)

    earphones = store.product_qa("P3001")

    assert earphones and all(isinstance(e, ProductQaEntry) and e.product_id == "P3001" for e in earphones)
    assert [e.position for e in earphones] == sorted(e.position for e in earphones)
    box = next(entry for entry in earphones if "充电线" in entry.keywords)
    assert isinstance(box.keywords, tuple) and "充电线" in box.answer
    with pytest.raises(dataclasses.FrozenInstanceError):
        box.answer = "x"
    assert len(store.product_qa()) > len(earphones) and store.product_qa("P9999") == ()


def test_the_promotions_and_charts_are_those_of_the_loaders(seeded_sqlite_shop):
    store = KnowledgeStore(seeded_sqlite_shop.engine)

    assert store.promotions().rule("protection_7_days").days == 7
    assert store.size_charts().chart_for("P1001").sizes == ("S", "M", "L", "XL", "XXL")
    assert store.promotions().source == "kefu/knowledge/samples/promotions.yml"


def test_a_reimport_is_seen_on_the_next_call(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    store = KnowledgeStore(engine)
    first = store.promotions()
    assert store.promotions() is first  # unchanged: the parsed rules are reused

    reimport(engine, tmp_path / "promotions.yml", "rules:\n  - id: only\n    kind: percent_off\n    rate: 0.9\n")
    reimport(engine, tmp_path / "size_charts.yml",
             "charts:\n  - id: t\n    kind: clothing\n    products: [P1003]\n    sizes:\n"
             "      - {size: M, height: [160, 175]}\n      - {size: L, height: [176, 190]}\n")
    reimport(engine, tmp_path / "policies.yml",
             "policies:\n  - id: invoice\n    topic: ask_invoice\n    title: 发票\n    answer: 亲，只开电子发票哦\n")
    reimport(engine, tmp_path / "faq.yml",
             "faq:\n  - id: only\n    topic: ask_payment\n    question: 付款\n    answer: 亲，支付宝哦\n")

    assert [rule.id for rule in store.promotions().rules] == ["only"]
    assert store.size_charts().chart_for("P1001") is None and store.size_charts().chart_for("P1003").sizes == ("M", "L")
    assert store.policy("invoice").answer == "亲，只开电子发票哦" and store.policy("warranty") is None
    assert [entry.id for entry in store.faq()] == ["only"]


def test_a_database_failure_is_a_backend_failure(tmp_path):
    store = KnowledgeStore(make_engine(f"sqlite:///{tmp_path / 'nothing.db'}"))  # no tables

    with pytest.raises(BackendFailure):
        store.policies("ask_invoice")
    with pytest.raises(BackendFailure):
        store.size_charts()


def test_stored_rules_that_no_longer_load_are_a_backend_failure(fresh_sqlite_shop):
    with make_session_factory(fresh_sqlite_shop.engine)() as session, session.begin():
        document = session.get(models.KnowledgeDocument, "promotions")
        document.content, document.checksum = "rules: [", "changed"

    with pytest.raises(BackendFailure):
        KnowledgeStore(fresh_sqlite_shop.engine).promotions()


def test_the_shared_store_follows_the_database_url(seeded_sqlite_shop, empty_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(seeded_sqlite_shop.engine.url))
    assert shared_store() is shared_store() and shared_store().policy("invoice") is not None

    monkeypatch.setenv("DATABASE_URL", str(empty_engine.url))
    assert shared_store().policy("invoice") is None
