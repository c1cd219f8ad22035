"""Retrieval before giving up, and the product Q&A match: the thresholds, both ways, on questions written
here (run with -s to see each confidence), over the demo shop's FAQ and product Q&A (the sample files)."""

from __future__ import annotations

import pytest

from kefu.knowledge.store import KnowledgeStore
from kefu.services.retrieval import (
    PRODUCT_QA_CONFIDENCE,
    RETRIEVABLE_TOPICS,
    RETRIEVAL_CONFIDENCE,
    answer_index,
    best_product_answer,
    entry_text,
    retrieved_reply,
)


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    from tests.demo_shop.support import seeded_sqlite

    shop = seeded_sqlite(tmp_path_factory.mktemp("retrieval") / "shop.db")
    store = KnowledgeStore(shop.engine)
    yield store.faq(), store.product_qa()
    shop.engine.dispose()


def confidence(knowledge, text, product_id, product_words=()):
    faqs, entries = knowledge
    among = [*(e for e in faqs if e.topic in RETRIEVABLE_TOPICS), *(e for e in entries if e.product_id == product_id)]
    match = answer_index([*faqs, *entries]).best(text, among=among, ignored=product_words)
    print(f"{text!r:32} {product_id or '-':6} {match.item.id if match else None!s:22} {match.confidence if match else 0:.2f}")
    return match


# (message, product in question, the entry it must be answered with[, the product's words in it])
ANSWERED = [
    ("亲 能开专票不", None, "invoice_vat"),
    ("电子发票去哪里下载啊", None, "invoice_electronic"),
    ("发新疆吗 运费多少", None, "shipping_remote"),
    ("退货运费谁出啊", None, "shipping_insurance"),
    ("能用花呗分期么", None, "payment_huabei"),
    ("坏了可以修吗", None, "warranty_repair"),
    ("在么 带数据线么?", "P3001", "p3001_box"),
    ("苹果手机连得上不", "P3001", "p3001_phones"),
    ("戴时间长了耳朵疼不疼", "P3001", "p3001_ear_pain"),
    ("两个一起连可以吗", "P3011", "p3011_pair"),
    ("给爸妈用行不行", "P3008", "p3008_elderly"),
    ("怀孕了能用不", "P5005", "p5005_pregnant"),
    ("杯子上能刻字吗", "P4010", "p4010_engrave", ["杯子"]),
]
# Messages the classifier is rightly unsure of, or that need the shopper's own data: never answered from text.
NOT_ANSWERED = [
    ("那个单子咋样了 2024111100002", None),
    ("嗯那个呢", None),
    ("今天天气怎么样", None),
    ("帮我写个作业", None),
    ("质量不错好评", None),
    ("我要投诉你们", None),
    ("东西坏了", "P3001"),
    ("我的快递到哪了", None),
    # Written answers exist, but the shopper's own order decides: the buttons lead to the actions that look.
    ("今天能到吗", None),
    ("我想退货", None),
    ("优惠券怎么用不了", None),
    ("能便宜点吗", "P3001"),
    ("给老人用行不行", "P3001"),  # P3008's entry, but the shopper asks about the earphones
]


@pytest.mark.parametrize("text, product_id, entry_id, product_words", [(*case, *[()][len(case) - 3:]) for case in ANSWERED])
def test_a_clear_match_is_answered(knowledge, text, product_id, entry_id, product_words):
    match = confidence(knowledge, text, product_id, product_words)
    assert match.item.id == entry_id and match.confidence >= RETRIEVAL_CONFIDENCE
    reply = retrieved_reply(*knowledge, product_id, text, ignored=product_words)
    assert reply == {"template": "retrieved_answer", "question": match.item.question, "answer": match.item.answer}


@pytest.mark.parametrize("text, product_id", NOT_ANSWERED)
def test_anything_less_goes_to_clarification(knowledge, text, product_id):
    match = confidence(knowledge, text, product_id)
    assert match is None or match.confidence < RETRIEVAL_CONFIDENCE
    assert retrieved_reply(*knowledge, product_id, text) is None


def test_faq_topics_that_depend_on_the_shoppers_order_are_never_retrieved(knowledge):
    faqs, entries = knowledge
    return_policy = next(entry for entry in faqs if entry.topic == "ask_return")
    assert retrieved_reply(faqs, entries, None, return_policy.question) is None
    assert {"ask_invoice", "ask_warranty", "ask_payment", "ask_shipping_fee"} == set(RETRIEVABLE_TOPICS)


def test_the_threshold_for_an_unsure_classifier_is_stricter_than_for_a_product_question():
    assert 0 < PRODUCT_QA_CONFIDENCE < RETRIEVAL_CONFIDENCE < 1


def test_another_products_entry_is_never_answered(knowledge):
    faqs, entries = knowledge
    assert retrieved_reply(faqs, entries, None, "孕妇能用吗") is None
    assert retrieved_reply(faqs, entries, "P5005", "孕妇能用吗")["answer"].startswith("亲，这款含化学防晒剂")


def test_nothing_imported_retrieves_nothing():
    assert retrieved_reply([], [], "P3001", "带充电线吗") is None


def test_the_product_words_are_set_aside(knowledge):
    _, entries = knowledge
    # "耳机" is in none of the earphones' questions: left in, it would weigh against the match.
    with_word = best_product_answer(entries, "P3002", "这款降噪耳机地铁上能听清吗", threshold=0)
    without = best_product_answer(entries, "P3002", "这款降噪耳机地铁上能听清吗", ignored=["降噪耳机"], threshold=0)
    assert with_word.item.id == without.item.id == "p3002_anc_level"
    assert without.confidence > with_word.confidence


def test_a_product_answer_is_found_among_that_products_entries_only(knowledge):
    _, entries = knowledge
    assert best_product_answer(entries, "P3003", "能戴着游泳吗").item.id == "p3003_swim"
    assert best_product_answer(entries, "P3005", "游泳能戴不").item.id == "p3005_swim"
    assert best_product_answer(entries, "P4006", "能戴着游泳吗") is None, "the rice cooker's entries do not answer it"
    assert best_product_answer(entries, "P9999", "能戴着游泳吗") is None


def test_an_entry_is_matched_on_its_question_and_keywords(knowledge):
    _, entries = knowledge
    box = next(e for e in entries if e.id == "p3001_box")
    assert entry_text(box).startswith(box.question) and "数据线" in entry_text(box)
