"""Messages without a word go to the fallback instead of a guess."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.wordless_guard import WordlessMessageGuard, has_words, is_wordless


@pytest.mark.parametrize("text", ["🤔🤔", "ㄅㄆㄇ", "……", "@#￥%……&*", "~~~", "😶", ""])
def test_messages_without_words_are_wordless(text):
    assert is_wordless(text)


@pytest.mark.parametrize("text", ["好的", "M", "2024111100001", "ok", "👌", "👍👍", "🙏", "白色😀"])
def test_words_and_settled_symbols_are_not(text):
    assert not is_wordless(text)


def test_bopomofo_is_not_a_word_but_chinese_is():
    assert not has_words("ㄅㄆㄇ") and has_words("ㄅ好")


def message(text):
    return Message(data={"text": text, "intent": {"name": "inform", "confidence": 0.7},
                         "intent_ranking": [{"name": "inform", "confidence": 0.7}, {"name": "affirm", "confidence": 0.2}]})


def test_the_guard_zeroes_the_confidence_of_wordless_messages_only():
    guard = WordlessMessageGuard(WordlessMessageGuard.get_default_config())
    wordless, worded = guard.process([message("🤔🤔"), message("白色的")])
    assert wordless.get("intent")["confidence"] == 0.0
    assert all(entry["confidence"] == 0.0 for entry in wordless.get("intent_ranking"))
    assert worded.get("intent")["confidence"] == 0.7
