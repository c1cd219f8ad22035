"""Phrases that are text as written and can be worded again (kefu/storage/phrases.py)."""

import copy
import json
import pickle

import pytest

from kefu.storage.phrases import Joined, Phrase, worded

BRACKETED = lambda name: f"<{name}>" if name != "tier_hint" else "[{missing}|{off}|{label}]"  # noqa: E731


def test_a_phrase_is_its_text_as_written_and_remembers_how_it_was_made():
    label = Phrase("every_tier", threshold=200, off=20)
    hint = Phrase("tier_hint", missing="1.00", off=60, label=label)
    assert hint == "再买 1.00 元就能减 60 元（每满200减20）"
    assert isinstance(hint, str) and "每满200减20" in hint
    assert (hint.name, hint.values) == ("tier_hint", {"missing": "1.00", "off": 60, "label": label})


def test_an_unknown_phrase_or_a_missing_value_is_an_error():
    with pytest.raises(KeyError):
        Phrase("no_such_phrase")
    with pytest.raises(KeyError):
        Phrase("tier_hint", missing="1.00")


def test_wording_again_reaches_every_phrase_inside_and_leaves_plain_values_alone():
    hint = Phrase("tier_hint", missing="1.00", off=60, label=Phrase("every_tier", threshold=200, off=20))
    text = Joined((hint, "· plain", Phrase("stack_same_rule")), Phrase("price_separator"))
    assert text == "再买 1.00 元就能减 60 元（每满200减20）；· plain；这是同一个优惠哦"
    assert worded(text, BRACKETED) == "[1.00|60|<every_tier>]<price_separator>· plain<price_separator><stack_same_rule>"
    assert worded("plain", BRACKETED) == "plain" and worded(7, BRACKETED) == 7


def test_copies_keep_the_phrases_and_json_sees_plain_text():
    text = Joined((Phrase("kind_shop_coupon"), Phrase("stack_same_rule")), "，")
    for copied in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert copied == text and worded(copied, BRACKETED) == "<kind_shop_coupon>，<stack_same_rule>"
    assert json.loads(json.dumps({"text": text})) == {"text": "店铺券，这是同一个优惠哦"}


def test_ordinary_string_operations_give_plain_text_as_written():
    joined = "、".join([Phrase("measure_height"), Phrase("measure_weight")])
    assert joined == "身高、体重" and type(joined) is str
