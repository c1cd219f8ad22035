"""The command line: what it prints, its exit status, one transaction per file,
and the NLU resources it regenerates after a catalogue import."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kefu.knowledge.importer import KINDS, SAMPLE_FILES, TOPICS, detect_kind
from kefu.knowledge.importer.cli import main
from kefu.knowledge.lookups import CATALOGUE_USERDICT_NAME, PRODUCT_LOOKUP_NAME
from kefu.settings import PROJECT_ROOT
from kefu.storage.db import make_engine
from tests.knowledge.importer.support import products, write_csv

HEADER = ["product_id", "name", "category", "brand", "sku_id", "price"]


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main([str(arg) for arg in argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'shop.db'}"


def test_help_describes_the_command():
    result = subprocess.run([sys.executable, "-m", "kefu.knowledge.importer", "--help"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": ""})
    assert result.returncode == 0
    assert "--skip-bad-rows" in result.stdout and "catalogue" in result.stdout


def test_the_samples_import_into_an_empty_database_then_change_nothing(tmp_path, url):
    data = tmp_path / "data"

    status, first, _ = run("--database-url", url, "--data-dir", data, *SAMPLE_FILES)
    again_status, again, _ = run("--database-url", url, "--data-dir", data, *SAMPLE_FILES)

    assert status == 0 and again_status == 0
    assert "products: 64 created, 0 updated, 0 unchanged; SKUs: 407 created" in first
    assert "policies: 9 created" in first and "FAQ entries:" in first and "product Q&A entries:" in first
    assert "Retrain the model" in first and "without retraining" in first
    assert "products: 0 created, 0 updated, 64 unchanged" in again and "Retrain" not in again
    for relative in (PRODUCT_LOOKUP_NAME, CATALOGUE_USERDICT_NAME):
        # The catalogue in the database gives exactly the files committed for the sample.
        assert (data / relative).read_text(encoding="utf-8") == (PROJECT_ROOT / "data" / relative).read_text(encoding="utf-8")


def test_a_price_change_needs_no_retraining(tmp_path, url):
    data = tmp_path / "data"
    path = write_csv(tmp_path / "c.csv", [HEADER, ["P9001", "测试品", "数码", "声悦", "P9001-01", "10"]])
    run("--database-url", url, "--data-dir", data, path)
    write_csv(path, [HEADER, ["P9001", "测试品", "数码", "声悦", "P9001-01", "12"]])

    status, out, _ = run("--database-url", url, "--data-dir", data, path)

    assert status == 0 and "products: 0 created, 1 updated" in out
    assert "product names and brands are unchanged: no retraining needed" in out


def test_problems_are_listed_and_the_status_is_non_zero(tmp_path, url):
    path = write_csv(tmp_path / "c.csv", [HEADER, ["P9001", "测试品", "电器", "声悦", "P9001-01", "10"],
                                          ["P9002", "好的", "数码", "声悦", "P9002-01", "10"]])

    status, out, _ = run("--database-url", url, "--data-dir", tmp_path / "data", path)

    assert status == 1
    assert "nothing imported; --skip-bad-rows imports the good rows" in out
    assert f"{path}:2: product 'P9001': unknown category '电器'" in out
    assert not (tmp_path / "data").exists()  # nothing imported, nothing to regenerate

    status, out, _ = run("--database-url", url, "--data-dir", tmp_path / "data", "--skip-bad-rows", path)

    assert status == 1 and "1 bad row(s) skipped" in out and "products: 1 created" in out


def test_check_writes_nothing(tmp_path, url):
    path = write_csv(tmp_path / "c.csv", [HEADER, ["P9001", "测试品", "数码", "声悦", "P9001-01", "10"]])

    status, out, _ = run("--database-url", url, "--check", path)

    assert status == 0 and "products: would be 1 created" in out
    assert products(make_engine(url)) == {}


def test_each_file_is_its_own_transaction(tmp_path, url):
    good = write_csv(tmp_path / "good.csv", [HEADER, ["P9001", "测试品", "数码", "声悦", "P9001-01", "10"]])
    bad = tmp_path / "policies.yml"
    bad.write_text("policies:\n  - id: x\n", encoding="utf-8")

    status, out, _ = run("--database-url", url, "--data-dir", tmp_path / "data", bad, good)

    assert status == 1 and "products: 1 created" in out and "policies.yml (policies): 3 problem(s)" in out


def test_progress_goes_to_stderr(tmp_path, url):
    rows = [[f"P{n:05d}", f"测试商品{n}", "数码", "声悦", f"P{n:05d}-01", "10"] for n in range(2000)]
    path = write_csv(tmp_path / "big.csv", [HEADER, *rows])

    status, out, err = run("--database-url", url, "--data-dir", tmp_path / "data", path)

    assert status == 0 and "rows checked: 1000/2000 (50%)" in err and "SKUs written: 2000/2000 (100%)" in err
    assert "rows checked" not in out


def test_an_unknown_kind_is_reported(tmp_path, url):
    (tmp_path / "notes.yml").write_text("hello: world\n", encoding="utf-8")

    status, out, _ = run("--database-url", url, tmp_path / "notes.yml")

    assert status == 1 and "cannot tell what kind of file this is" in out


@pytest.mark.parametrize("name, content, kind", [
    ("商品.xlsx", "", "catalogue"), ("goods.csv", "", "catalogue"), ("双11促销.yml", "", "promotions"),
    ("size_charts_2026.yaml", "", "size_charts"), ("售后政策.yml", "", "policies"), ("faq-12月.yml", "", "faq"),
    ("mine.yml", "# my rules\nrules:\n  - id: a\n", "promotions"), ("x.yml", "charts: []\n", "size_charts"),
    ("product_qa.yml", "", "product_qa"), ("商品问答.yml", "", "product_qa"), ("问大家-耳机.yaml", "", "product_qa"),
    ("answers.yml", "product_qa:\n  - id: a\n", "product_qa"),
])
def test_the_kind_is_told_from_the_name_or_the_top_level_list(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    assert detect_kind(path) == kind


def test_the_make_target_imports_the_samples_by_default():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "import: setup" in makefile and "-m kefu.knowledge.importer $(IMPORT_OPTIONS) $(FILES)" in makefile
    for path in SAMPLE_FILES:
        assert str(Path(path).relative_to(PROJECT_ROOT)) in makefile


def test_every_topic_is_an_intent_of_the_domain():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(TOPICS) <= set(domain["intents"]) and len(KINDS) == 6
