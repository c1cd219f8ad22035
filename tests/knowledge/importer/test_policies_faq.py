"""Policies and FAQ entries: every entry checked with its line, the file is the
merchant's whole set (entries gone from it are removed), idempotent."""

from __future__ import annotations

import textwrap

from sqlalchemy import select

from kefu.knowledge.importer import SAMPLE_FAQ, SAMPLE_POLICIES, TOPICS
from kefu.storage import models
from kefu.storage.db import make_session_factory
from tests.knowledge.importer.support import counts, reasons, run_import


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def rows(engine, model):
    with make_session_factory(engine)() as session:
        return {row.id: row for row in session.execute(select(model)).scalars()}


POLICIES = """
policies:
  - id: invoice
    topic: ask_invoice
    title: 发票
    answer: 亲，可以开电子发票哦
    facts: {vat: true, days: 90, kinds: [电子普通发票]}
  - id: payment
    topic: ask_payment
    title: 付款
    answer: 亲，支持支付宝哦
"""


def test_policies_are_stored_in_file_order_with_their_facts(empty_shop, tmp_path):
    outcome = run_import(empty_shop, write(tmp_path, "policies.yml", POLICIES))

    assert counts(outcome) == {"policies": (2, 0, 0, 0)}
    stored = rows(empty_shop, models.Policy)
    invoice = stored["invoice"]
    assert (invoice.topic, invoice.title, invoice.answer, invoice.position) == ("ask_invoice", "发票", "亲，可以开电子发票哦", 1)
    assert invoice.facts == {"vat": True, "days": 90, "kinds": ["电子普通发票"]}
    assert (stored["payment"].facts, stored["payment"].position) == ({}, 2)


def test_reimporting_changes_nothing_and_an_edit_updates(empty_shop, tmp_path):
    path = write(tmp_path, "policies.yml", POLICIES)
    run_import(empty_shop, path)
    assert counts(run_import(empty_shop, path)) == {"policies": (0, 0, 2, 0)}

    write(tmp_path, "policies.yml", POLICIES.replace("支持支付宝哦", "支持支付宝和微信哦"))
    outcome = run_import(empty_shop, path)

    assert counts(outcome) == {"policies": (0, 1, 1, 0)}
    assert rows(empty_shop, models.Policy)["payment"].answer == "亲，支持支付宝和微信哦"


def test_a_policy_gone_from_the_file_is_removed(empty_shop, tmp_path):
    path = write(tmp_path, "policies.yml", POLICIES)
    run_import(empty_shop, path)
    write(tmp_path, "policies.yml", POLICIES.split("  - id: payment")[0])

    outcome = run_import(empty_shop, path)

    assert counts(outcome) == {"policies": (0, 0, 1, 1)} and set(rows(empty_shop, models.Policy)) == {"invoice"}


def test_bad_policies_are_reported_with_their_lines_and_nothing_is_written(empty_shop, tmp_path):
    path = write(tmp_path, "policies.yml", """
        policies:
          - id: invoice
            topic: ask_invoices
            title: 发票
            answer: 亲
          - id: payment
            topic: ask_payment
            answer: 亲
            facts: {since: 2026-01-01}
          - id: invoice
            topic: ask_invoice
            title: 发票
            answer: 亲
            extra: 1
          - id: warranty
            topic: ask_warranty
            title: 保修
            answer: 亲，保修一年
        """)

    outcome = run_import(empty_shop, path)

    assert outcome.refused and reasons(outcome) == [
        (3, f"policy 'invoice': unknown topic 'ask_invoices' (topics: {', '.join(TOPICS)})"),
        (6, "policy 'payment': 'title' is missing"),
        (9, "policy 'payment': 'facts' may hold texts, numbers, true/false and lists or mappings of them, "
            "not datetime.date(2026, 1, 1) (quote it: \"2026-01-01\")"),
        (14, "policy 'invoice': unknown field 'extra'"),
    ]
    assert rows(empty_shop, models.Policy) == {}


def test_skipping_bad_entries_writes_the_good_ones_and_deletes_nothing(empty_shop, tmp_path):
    path = write(tmp_path, "policies.yml", POLICIES)
    run_import(empty_shop, path)
    write(tmp_path, "policies.yml", """
        policies:
          - id: invoice
            topic: ask_invoice
            answer: 亲，标题忘了写
          - id: warranty
            topic: ask_warranty
            title: 保修
            answer: 亲，保修一年
        """)

    outcome = run_import(empty_shop, path, skip_bad_rows=True)

    assert [line for line, _ in reasons(outcome)] == [2] and outcome.skipped == 1
    assert counts(outcome) == {"policies": (1, 0, 0, 0)}
    assert set(rows(empty_shop, models.Policy)) == {"invoice", "payment", "warranty"}


def test_a_file_that_is_not_a_policy_list_is_refused_even_when_skipping(empty_shop, tmp_path):
    outcome = run_import(empty_shop, write(tmp_path, "policies.yml", "policies: [a, b\n"), skip_bad_rows=True)

    assert outcome.refused and outcome.whole_file and "not valid YAML" in outcome.problems[0].reason


FAQ = """
faq:
  - id: invoice_how
    topic: ask_invoice
    question: 能开发票吗
    answer: 亲，可以的
  - id: invoice_vat
    topic: ask_invoice
    question: 能开专票吗
    keywords: [专票, 增值税]
    answer: 亲，专票也可以
"""


def test_faq_entries_are_stored_with_their_keywords(empty_shop, tmp_path):
    outcome = run_import(empty_shop, write(tmp_path, "faq.yml", FAQ))

    assert counts(outcome) == {"FAQ entries": (2, 0, 0, 0)}
    stored = rows(empty_shop, models.FaqEntry)
    assert stored["invoice_vat"].keywords == ["专票", "增值税"] and stored["invoice_how"].keywords == []
    assert counts(run_import(empty_shop, tmp_path / "faq.yml")) == {"FAQ entries": (0, 0, 2, 0)}


def test_a_keyword_picking_two_entries_of_a_topic_is_reported(empty_shop, tmp_path):
    path = write(tmp_path, "faq.yml", FAQ + """
  - id: invoice_vat_again
    topic: ask_invoice
    question: 专用发票怎么开
    keywords: [专用发票, 专票]
    answer: 亲
  - id: invoice_general_again
    topic: ask_invoice
    question: 发票呢
    answer: 亲
  - id: warranty_vat
    topic: ask_warranty
    question: 专票能保修吗
    keywords: [专票]
    answer: 亲，不同的话题可以用同一个词
""")

    outcome = run_import(empty_shop, path)

    assert reasons(outcome) == [
        (12, "FAQ entry 'invoice_vat_again': keyword '专票' already picks 'invoice_vat' (line 6) in topic ask_invoice"),
        (17, "FAQ entry 'invoice_general_again': topic ask_invoice already has an entry without keywords "
             "('invoice_how', line 2); give this one keywords"),
    ]


def test_an_faq_entry_without_its_answer_names_its_line(empty_shop, tmp_path):
    path = write(tmp_path, "faq.yml", "faq:\n  - id: x\n    topic: ask_invoice\n    question: 发票\n    keywords: 专票\n")

    assert reasons(run_import(empty_shop, path)) == [(2, "FAQ entry 'x': 'answer' is missing")]


def test_the_samples_cover_the_questions_the_static_answers_covered(seeded_sqlite_shop):
    policies = rows(seeded_sqlite_shop.engine, models.Policy)
    faq = rows(seeded_sqlite_shop.engine, models.FaqEntry)
    topics = {policy.topic for policy in policies.values()}
    assert {"ask_invoice", "ask_warranty", "ask_payment", "ask_shipping_fee", "ask_delivery_time", "ask_return",
            "ask_exchange", "ask_promotion"} <= topics
    keywords = {keyword: entry.id for entry in faq.values() for keyword in entry.keywords}
    assert keywords["专票"] == "invoice_vat" and keywords["电子发票"] == "invoice_electronic"
    assert keywords["花呗"] == "payment_huabei" and keywords["货到付款"] == "payment_cod"
    assert keywords["价保"] == "price_protection"
    assert all(answer.startswith("亲") for answer in [p.answer for p in policies.values()] + [e.answer for e in faq.values()])
    assert SAMPLE_POLICIES.exists() and SAMPLE_FAQ.exists()
