"""Suggested replies for agents, from the demo shop's imported knowledge."""

import pytest

from kefu.handoff.suggestions import MAX_SUGGESTIONS, suggested_replies
from kefu.knowledge.store import KnowledgeStore
from tests.shop.fixtures import seeded_sqlite_shop  # noqa: F401


@pytest.fixture(scope="module")
def store(seeded_sqlite_shop):
    return KnowledgeStore(seeded_sqlite_shop.engine)


def parsed(*intents):
    return {"intent": {"name": intents[0]}, "intent_ranking": [{"name": name} for name in intents]}


def test_the_faq_entry_the_message_names_comes_first(store):
    vat = next(entry for entry in store.faq("ask_invoice") if "专票" in entry.keywords)
    replies = suggested_replies("专票怎么开啊", parsed("ask_invoice"), store, "小美")
    assert replies[0] == vat.answer
    assert replies[-1].startswith("亲，您好，我是人工客服小美")


def test_the_ranked_intents_add_their_policies(store):
    replies = suggested_replies("这个能开票吗 能分期吗", parsed("ask_invoice", "ask_payment"), store)
    assert store.policy("invoice").answer in replies or any("发票" in reply for reply in replies)
    assert len(replies) <= MAX_SUGGESTIONS


def test_promotion_questions_are_answered_by_the_engine(store):
    replies = suggested_replies("有啥活动", parsed("ask_promotion"), store)
    assert any("优惠活动" in reply for reply in replies)


def test_a_message_the_model_did_not_understand_still_gets_a_greeting(store):
    assert suggested_replies("阿巴阿巴", parsed("nlu_fallback"), store) == [
        "亲，您好，我是人工客服，前面的聊天记录我都看到了，马上为您处理，请稍等～"]
    assert suggested_replies("", None, store)
