"""A merchant changes a price and a policy, re-imports, and the running bot answers
with the new figures at once: no retraining, no restart. The bot is the one the live
suites share (``running_assistant``): the re-imported knowledge is put back with its
shop after this module."""

import re
import subprocess
import sys
import uuid

import pytest

from kefu.chat import send
from kefu.replies import identify
from kefu.settings import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "kefu" / "knowledge" / "samples"


@pytest.fixture(scope="module")
def assistant(running_assistant):
    return running_assistant


@pytest.fixture(scope="module")
def shop(assistant):
    """The running bot's shop database (URL)."""
    return assistant.extra_environment["DATABASE_URL"]


def ask(assistant, text):
    replies = send(assistant.rasa_url, f"reimport-{uuid.uuid4().hex[:8]}", text, metadata={"channel": "web"})
    return [identify(reply.get("text") or "") for reply in replies], "\n".join(r.get("text") or "" for r in replies)


def reimport(shop, path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kefu.knowledge.importer", str(path), "--database-url", shop,
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_changed_policy_is_answered_after_reimport(assistant, shop, tmp_path):
    templates, text = ask(assistant, "能开发票吗")
    assert templates == ["knowledge_answer"] and "90天内" in text
    changed = tmp_path / "policies.yml"
    changed.write_text((SAMPLES / "policies.yml").read_text(encoding="utf-8").replace("90天内", "180天内"),
                       encoding="utf-8")
    reimport(shop, changed, tmp_path)
    templates, text = ask(assistant, "能开发票吗")
    assert templates == ["knowledge_answer"] and "180天内" in text and "90天内" not in text.replace("180天内", "")


def test_a_changed_price_is_quoted_after_reimport(assistant, shop, tmp_path):
    question = "https://shop.example/item?id=P1001 这件有啥优惠吗"
    templates, text = ask(assistant, question)
    assert templates == ["promotion_product"] and "商品原价 79.00 元" in text
    lines = (SAMPLES / "catalogue.csv").read_text(encoding="utf-8-sig").splitlines()
    changed_lines = [re.sub(r"^(P1001,(?:[^,]*,){6})79,", r"\g<1>89,", line) for line in lines]
    assert changed_lines != lines
    changed = tmp_path / "catalogue.csv"
    changed.write_text("\n".join(changed_lines) + "\n", encoding="utf-8")
    output = reimport(shop, changed, tmp_path)
    assert "updated" in output
    templates, text = ask(assistant, question)
    assert templates == ["promotion_product"] and "商品原价 89.00 元" in text
