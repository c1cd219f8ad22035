"""Promotions and size charts: checked by their loaders, stored whole, all or nothing."""

from __future__ import annotations

from datetime import datetime

from kefu.knowledge.importer import SAMPLE_FILES
from kefu.knowledge.importer.base import checksum
from kefu.knowledge.promotions import SAMPLE_PROMOTIONS
from kefu.knowledge.size_charts import SAMPLE_SIZE_CHARTS
from kefu.storage import models
from kefu.storage.clock import SHOP_TZ
from kefu.storage.db import make_session_factory
from tests.knowledge.importer.support import counts, reasons, run_import

LATER = datetime(2030, 1, 1, 9, 0, tzinfo=SHOP_TZ)


def document(engine, kind):
    with make_session_factory(engine)() as session:
        return session.get(models.KnowledgeDocument, kind)


def test_the_demo_shop_holds_the_sample_documents(seeded_sqlite_shop):
    for kind, path in (("promotions", SAMPLE_PROMOTIONS), ("size_charts", SAMPLE_SIZE_CHARTS)):
        stored = document(seeded_sqlite_shop.engine, kind)
        text = path.read_text(encoding="utf-8")
        assert (stored.content, stored.checksum) == (text, checksum(text))
        assert stored.source == f"kefu/knowledge/samples/{path.name}"
    assert SAMPLE_PROMOTIONS in SAMPLE_FILES and SAMPLE_SIZE_CHARTS in SAMPLE_FILES


def test_reimporting_the_same_rules_changes_nothing(fresh_sqlite_shop):
    engine = fresh_sqlite_shop.engine
    before = document(engine, "promotions")

    outcome = run_import(engine, SAMPLE_PROMOTIONS, now=LATER)

    assert counts(outcome) == {"document": (0, 0, 1, 0)} and outcome.entries > 10
    assert document(engine, "promotions").imported_at == before.imported_at


def test_changed_rules_replace_the_stored_document(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    text = "rules:\n  - id: only_one\n    kind: percent_off\n    rate: 0.9\n"
    (tmp_path / "promotions.yml").write_text(text, encoding="utf-8")

    outcome = run_import(engine, tmp_path / "promotions.yml", now=LATER)

    assert counts(outcome) == {"document": (0, 1, 0, 0)} and outcome.entries == 1
    stored = document(engine, "promotions")
    assert (stored.content, stored.imported_at, stored.checksum) == (text, LATER, checksum(text))


def test_a_bad_rule_refuses_the_file_with_its_line_even_when_skipping(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    (tmp_path / "promotions.yml").write_text(
        "rules:\n  - id: a\n    kind: percent_off\n    rate: 0.9\n  - id: b\n    kind: percent_off\n    rate: 2\n"
        "  - id: c\n    kind: shop_coupon\n    off: 5\n    products: [P9999]\n",
        encoding="utf-8",
    )

    outcome = run_import(engine, tmp_path / "promotions.yml", skip_bad_rows=True)

    assert outcome.refused
    assert reasons(outcome) == [(7, "rule 'b': 'rate' must be less than 1, not 2"), (11, "rule 'c': unknown product 'P9999'")]
    assert document(engine, "promotions").content == SAMPLE_PROMOTIONS.read_text(encoding="utf-8")


def test_a_size_chart_for_a_product_the_shop_lacks_is_refused(empty_shop):
    # The catalogue is imported first; charts alone name unknown products.
    outcome = run_import(empty_shop, SAMPLE_SIZE_CHARTS)

    assert outcome.refused and all("unknown product" in problem.reason for problem in outcome.problems)
    assert document(empty_shop, "size_charts") is None


def test_a_bad_size_chart_names_its_line(fresh_sqlite_shop, tmp_path):
    (tmp_path / "size_charts.yml").write_text(
        "charts:\n  - id: c\n    kind: clothing\n    products: [P1001]\n    sizes:\n"
        "      - {size: S, height: [170, 160]}\n",
        encoding="utf-8",
    )

    outcome = run_import(fresh_sqlite_shop.engine, tmp_path / "size_charts.yml")

    assert reasons(outcome) == [(6, "chart 'c' size: 'height' must go from low to high, not 170-160")]


def test_an_empty_or_gbk_yaml_file_is_refused(empty_shop, tmp_path):
    (tmp_path / "promotions.yml").write_text("  \n", encoding="utf-8")
    (tmp_path / "faq.yml").write_bytes("faq:\n  - id: 发票\n".encode("gbk"))

    empty, gbk = run_import(empty_shop, tmp_path / "promotions.yml"), run_import(empty_shop, tmp_path / "faq.yml")

    assert reasons(empty) == [(1, "the file is empty")]
    assert reasons(gbk) == [(2, "the file is not UTF-8 text (save it as UTF-8)")]
