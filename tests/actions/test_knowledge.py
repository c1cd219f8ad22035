"""Policy questions answered from the knowledge imported into the demo shop."""

import pytest

from actions.knowledge import ActionAnswerFromKnowledge
from kefu.knowledge.store import shared_store
from tests.actions.conftest import make_tracker, responses, run_action


def answer(text, intent):
    dispatcher, events = run_action(ActionAnswerFromKnowledge(), make_tracker({}, None, text, intent))
    return dispatcher, events


@pytest.mark.parametrize("text, intent, entry_id", [
    ("专票怎么开", "ask_invoice", "invoice_vat"),
    ("能开纸质发票吗", "ask_invoice", "invoice_paper"),
    ("能花呗分期吗", "ask_payment", "payment_huabei"),
    ("支持货到付款不", "ask_payment", "payment_cod"),
])
def test_the_faq_entry_the_question_names_answers(shop_backends, text, intent, entry_id):
    dispatcher, _ = answer(text, intent)
    expected = next(entry for entry in shared_store().faq(intent) if entry.id == entry_id)
    assert responses(dispatcher) == ["knowledge_answer"]
    assert expected.answer in dispatcher.messages[0]["text"]


def test_a_general_question_gets_the_merchants_policy(shop_backends):
    dispatcher, _ = answer("能开发票吗", "ask_invoice")
    assert shared_store().policy("invoice").answer in dispatcher.messages[0]["text"]


def test_a_topic_without_imported_knowledge_says_so_and_offers_an_agent(shop_backends):
    dispatcher, _ = answer("你们有以旧换新吗", "ask_trade_in")
    assert responses(dispatcher) == ["knowledge_unknown"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"


def test_the_database_being_down_gets_an_apology(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    dispatcher, events = answer("专票怎么开", "ask_invoice")
    assert responses(dispatcher) == ["backend_unavailable"] and events == []
