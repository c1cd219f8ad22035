"""Product Q&A: every entry checked with its line (its product must be in the catalogue), the file is
the merchant's whole set, idempotent; real SQLite (a copy of the demo shop, which has the catalogue)."""

from __future__ import annotations

import textwrap

from sqlalchemy import select

from kefu.knowledge.importer import PRODUCT_QA, SAMPLE_PRODUCT_QA, detect_kind
from kefu.storage import models
from kefu.storage.db import make_session_factory
from tests.knowledge.importer.support import counts, reasons, run_import

QA = """
product_qa:
  - id: air_cable
    product_id: P3001
    question: 带充电线吗？
    keywords: [充电线, 数据线, 充电线]
    answer: 亲，带一根Type-C充电线哦
  - id: pro_anc
    product_id: P3002
    question: 降噪效果怎么样？
    answer: 亲，地铁里也很安静哦
"""


def write(tmp_path, text, name="product_qa.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def stored(engine):
    with make_session_factory(engine)() as session:
        return {row.id: row for row in session.execute(select(models.ProductQaEntry)).scalars()}


def test_entries_are_stored_with_their_product_keywords_and_place(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    before = set(stored(engine))  # the demo shop's own entries (the sample file)

    outcome = run_import(engine, write(tmp_path, QA))

    assert outcome.kind == PRODUCT_QA and counts(outcome)["product Q&A entries"][0] == 2
    rows = stored(engine)
    assert set(rows) == {"air_cable", "pro_anc"} and before, "the file is the whole set: the sample's entries are gone"
    cable = rows["air_cable"]
    assert (cable.product_id, cable.question, cable.answer, cable.position) == ("P3001", "带充电线吗？", "亲，带一根Type-C充电线哦", 1)
    assert cable.keywords == ["充电线", "数据线"], "a keyword given twice is kept once"
    assert (rows["pro_anc"].keywords, rows["pro_anc"].position) == ([], 2)


def test_reimporting_changes_nothing_and_an_edit_updates(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    path = write(tmp_path, QA)
    run_import(engine, path)
    assert counts(run_import(engine, path)) == {"product Q&A entries": (0, 0, 2, 0)}

    write(tmp_path, QA.replace("地铁里也很安静哦", "飞机上也很安静哦"))

    assert counts(run_import(engine, path)) == {"product Q&A entries": (0, 1, 1, 0)}
    assert stored(engine)["pro_anc"].answer == "亲，飞机上也很安静哦"


def test_an_unknown_product_or_a_missing_answer_is_reported_and_nothing_is_written(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    before = stored(engine)
    path = write(tmp_path, """
        product_qa:
          - id: typo
            product_id: P3901
            question: 带充电线吗？
            answer: 亲，带的
          - id: no_answer
            product_id: P3001
            question: 能游泳吗？
          - id: extra
            product_id: P3001
            question: 防水吗？
            answer: 亲，IPX4
            topic: ask_product_info
        """)

    outcome = run_import(engine, path)

    assert outcome.refused and reasons(outcome) == [
        (3, "product Q&A entry 'typo': unknown product 'P3901' (import the catalogue first)"),
        (6, "product Q&A entry 'no_answer': 'answer' is missing"),
        (13, "product Q&A entry 'extra': unknown field 'topic'"),
    ]
    assert set(stored(engine)) == set(before)


def test_skipping_bad_entries_writes_the_good_ones_and_deletes_nothing(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    before = set(stored(engine))
    path = write(tmp_path, QA + """
  - id: typo
    product_id: P3901
    question: 带充电线吗？
    answer: 亲，带的
""")

    outcome = run_import(engine, path, skip_bad_rows=True)

    assert not outcome.refused and outcome.skipped == 1
    assert set(stored(engine)) == before | {"air_cable", "pro_anc"}


def test_the_sample_is_a_product_qa_file_of_the_demo_catalogue(fresh_sqlite_shop):
    assert detect_kind(SAMPLE_PRODUCT_QA) == PRODUCT_QA
    outcome = run_import(fresh_sqlite_shop.engine, SAMPLE_PRODUCT_QA)
    assert outcome.problems == () and not outcome.changed, "the demo shop holds the sample already"
