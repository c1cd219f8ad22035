from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.handoff.emotion import ANGRY_THRESHOLD, emotion_score, is_angry, message_emotion, read_emotion
from tests.handoff.emotion_messages import TABLE, TUNING

REQUIRED_TABLE_ACCURACY = 0.9


def accuracy(rows, threshold=ANGRY_THRESHOLD):
    return sum((emotion_score(text) >= threshold) == angry for text, angry in rows) / len(rows)


@pytest.mark.parametrize("text", ["你们什么破服务!!!", "气死了 三次都发错"])
def test_the_issues_angry_messages_are_angry(text):
    assert is_angry(emotion_score(text))


@pytest.mark.parametrize("text", ["好的谢谢", "怎么退货", "这个多少钱", "快递到哪了"])
def test_plain_questions_and_thanks_score_low(text):
    assert emotion_score(text) < 0.2


def test_the_table_of_labelled_messages_is_rated_well_enough():
    wrong = [(text, angry, emotion_score(text)) for text, angry in TABLE if is_angry(emotion_score(text)) != angry]
    assert accuracy(TABLE) >= REQUIRED_TABLE_ACCURACY, wrong
    assert len(TABLE) >= 40
    assert sum(angry for _, angry in TABLE) == len(TABLE) // 2


def test_the_threshold_is_the_best_one_on_the_tuning_list():
    candidates = [step / 100 for step in range(5, 96)]
    best = max(accuracy(TUNING, threshold) for threshold in candidates)
    assert accuracy(TUNING) == best


def test_a_polite_complaint_is_not_anger():
    # The complain intent hands these off; the emotion signal is for tone.
    assert not is_angry(emotion_score("我想投诉一下快递员，他态度不太好"))
    assert not is_angry(emotion_score("你好，收到的杯子有个小裂缝，麻烦处理一下"))


@pytest.mark.parametrize("calm, angry", [
    ("质量不差", "质量差"),
    ("我不生气", "我很生气"),
    ("物流一点都不慢", "物流慢死了"),
    ("别着急", "着急"),
])
def test_negation_turns_an_evaluative_word_around(calm, angry):
    assert emotion_score(calm) == 0
    assert emotion_score(angry) > 0


@pytest.mark.parametrize("text", ["不退钱我就投诉", "你们是不是有病", "不给个说法就差评"])
def test_threats_and_insults_stay_angry_behind_a_negation(text):
    assert is_angry(emotion_score(text))


@pytest.mark.parametrize("plain, intensified", [
    ("慢", "太慢"),
    ("差", "真的很差"),
    ("坑", "特别坑"),
    ("慢", "慢死了"),
    ("干什么吃的", "到底干什么吃的"),
])
def test_intensifiers_make_a_word_weigh_more(plain, intensified):
    assert emotion_score(intensified) > emotion_score(plain) > 0


def test_an_intensifier_in_another_clause_does_not_count():
    assert emotion_score("太好了，就是有点慢") == emotion_score("有点慢")


def test_repetition_amplifies_but_never_scores_alone():
    assert emotion_score("又发错了") == 0
    assert emotion_score("还有M码吗") == 0
    assert emotion_score("气死了 三次都发错") > emotion_score("气死了")
    assert "×重复" in read_emotion("又骗我").signals


@pytest.mark.parametrize("quiet, loud", [
    ("怎么还没发货", "怎么还没发货！！！"),
    ("你们是骗子", "你们是骗子!!"),
    ("到底发不发货", "到底发不发货？？？"),
    ("过分", "过分?!"),
])
def test_punctuation_adds(quiet, loud):
    assert emotion_score(loud) > emotion_score(quiet)


def test_punctuation_alone_or_in_joy_is_not_anger():
    assert not is_angry(emotion_score("在吗！！！"))
    assert emotion_score("太好了！！！") < emotion_score("在吗！！！")


def test_angry_emoji_count_and_happy_ones_do_not():
    assert is_angry(emotion_score("🤬"))
    assert emotion_score("😡😡😡") > emotion_score("😡") > 0
    assert emotion_score("👍👍👍") == 0


def test_capitals_and_stretched_letters():
    assert emotion_score("WTF") > emotion_score("wtf") > 0
    assert is_angry(emotion_score("WHY SO SLOW"))
    assert emotion_score("so slowww") > emotion_score("so slow")
    assert "大写" not in read_emotion("USB XL 的有吗").signals  # two short acronyms are not shouting
    assert emotion_score("有点慢hhhh www") == emotion_score("有点慢")  # laughter, not stretching


@pytest.mark.parametrize("text", ["垃圾桶有卖吗", "滚筒洗衣机", "差不多合身", "能退差价吗", "麻烦你了", "怎么操作",
                                  "慢走", "慢炖锅", "usb线", "破洞牛仔裤", "衣服破了个洞"])
def test_everyday_words_that_contain_an_angry_one(text):
    assert emotion_score(text) == 0


def test_signals_say_why():
    assert read_emotion("你们什么破服务!!!").signals == ("什么破", "!!!")
    assert read_emotion("好的").signals == ()


def test_empty_text():
    assert emotion_score("") == 0
    assert emotion_score(None) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("破垃圾气死了不太真慢差评!！?？😡又三次 abcSB")), max_size=40))
def test_the_score_is_always_between_0_and_1(text):
    assert 0 <= emotion_score(text) <= 1


# --- praise is never read for anger -------------------------------------------------------
PRAISE_THAT_LOOKS_ANGRY = ["这么好的东西谁给差评谁有病！！！", "一点都不差，必须好评!!!", "质量不错，好评！"]


@pytest.mark.parametrize("text", PRAISE_THAT_LOOKS_ANGRY)
def test_a_message_classified_as_praise_scores_zero_whatever_its_words(text):
    reading = message_emotion(text, "praise")
    assert reading.score == 0.0 and reading.signals == () and not reading.angry


@pytest.mark.parametrize("intent", ["complain", "report_problem", "ask_delivery_time", None])
def test_grievances_and_other_messages_are_read_by_their_words(intent):
    text = "速度就是龟速，差评，令人失望!!!"
    assert message_emotion(text, intent) == read_emotion(text)
    assert message_emotion(text, intent).angry
