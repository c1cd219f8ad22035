"""How angry one shopper message sounds: a negative-emotion score in [0, 1], from a lexicon (not a trained
classifier) so that an agent can be shown the words that made a case urgent; docs/handoff.md has the rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from kefu.names import PRAISE_INTENT
from kefu.storage.phrases import plain_phrase

# Chosen on the tuning list of tests/handoff/emotion_messages.py (the best
# accuracy there; see tests/handoff/test_emotion.py).
ANGRY_THRESHOLD = 0.5


@dataclass(frozen=True)
class _Term:
    weight: float
    # Evaluative words (差, 慢, 生气) that 不/没/别 in front turn around.
    negatable: bool = False
    # Words containing the term that carry no anger (垃圾桶 for 垃圾).
    not_in: Tuple[str, ...] = ()


def _terms(weight: float, *words: str, negatable: bool = False, not_in: Tuple[str, ...] = ()) -> Dict[str, _Term]:
    return {word: _Term(weight, negatable, not_in) for word in words}


def _lexicon(*groups: Dict[str, _Term]) -> Dict[str, _Term]:
    # A word listed twice would silently take the later weight.
    merged: Dict[str, _Term] = {}
    for group in groups:
        twice = merged.keys() & group.keys()
        if twice:
            raise ValueError(f"listed twice in the emotion lexicon: {sorted(twice)}")
        merged.update(group)
    return merged


LEXICON: Dict[str, _Term] = _lexicon(
    # rage and the last straw
    _terms(1.0, "忍无可忍", "傻逼", "傻b", "煞笔", "sb", "cnm", "nmsl", "fuck", "操你", "草泥马"),
    _terms(0.9, "气死", "奸商", "骗子", "诈骗", "12315"),
    _terms(0.8, "什么玩意", "啥玩意", "干什么吃的", "干啥吃的", "坑爹", "骗人", "欺诈", "黑心", "愤怒",
           "辣鸡", "智障", "脑残", "卧槽", "我操", "他妈", "妈的", "tmd"),
    _terms(0.8, "滚", not_in=("滚筒", "滚轮", "滚动", "滚珠", "滚刷")),
    _terms(0.8, "垃圾", not_in=("垃圾桶", "垃圾袋", "垃圾篓", "垃圾分类", "垃圾箱")),
    _terms(0.7, "什么破", "破服务", "破店", "破快递", "破东西", "破玩意", "破客服", "破平台", "破质量",
           "破系统", "破机器人", "破烂", "差评", "恶心", "有病", "气人", "火大", "坑人", "坑死", "慢死",
           "烦死", "赔钱", "离谱", "消协", "消费者协会", "起诉", "律师", "耍我", "wtf", "shit"),
    _terms(0.6, "无语", "投诉", "举报", "曝光", "维权", "退钱", "还钱", "赔偿", "受不了", "不像话", "太过分",
           "敷衍", "糊弄", "忽悠", "踢皮球", "不负责", "死人", "烦人", "玩我", "欺负", "假货", "什么鬼", "搞什么",
           "骗", "服了你们", "有没有搞错"),
    _terms(0.6, "生气", "过分", "差劲", negatable=True),
    _terms(0.5, "用点心", "个说法", "没人管", "有没有人管", "没人理", "不理人", "不回消息", "半天不回",
           "不满意", "不太满意", "不是很满意", "不满", "不靠谱", "崩溃", "失望", "凭什么", "别烦", "没搞错吧"),
    _terms(0.5, "扯", not_in=("扯平",)),
    _terms(0.5, "坑", negatable=True, not_in=("坑洼", "坑位")),
    _terms(0.5, "烂", "渣", negatable=True, not_in=("灿烂", "烂漫")),
    _terms(0.4, "呵呵", "服了", "你们老板", "你们领导", "你们经理", "我靠", "后悔"),
    _terms(0.4, "差", negatable=True,
           not_in=("差不多", "差价", "差距", "出差", "差点", "差额", "误差", "色差", "相差", "差几", "差一")),
    _terms(0.4, "烦", negatable=True, not_in=("麻烦", "不厌其烦")),
    _terms(0.35, "慢", negatable=True, not_in=("慢慢", "慢走", "慢用", "慢炖", "慢回弹", "慢跑", "怠慢")),
    _terms(0.35, "slow", "bad", "worst", "terrible", "useless", "scam", negatable=True),
    _terms(0.3, "耽误", "着急", negatable=True),
    _terms(0.3, "醉了", "怎么回事", "搞错"),
    # urging that has run out of patience
    _terms(0.35, "催了", "怎么还没", "咋还没"),
    _terms(0.25, "到底", "必须", "半天"),
)

_NEGATORS = ("不", "没", "别", "未")
_INTENSIFIERS = ("太", "真", "非常", "特别", "超", "很", "好", "极", "巨", "贼", "忒", "简直", "实在", "最",
                 "这么", "那么", "都", "到底", "根本", "一点")
_LONG_INTENSIFIERS = tuple(word for word in _INTENSIFIERS if len(word) > 1)
_INTENSIFIER_SUFFIXES = ("死了", "透了", "极了", "爆了", "死")
INTENSIFIED = 1.5
# How far before a term a negator or an intensifier still belongs to it.
_LOOKBACK = 3
# Where a clause ends: a negator or intensifier beyond it is about something else.
_CLAUSE_BREAK = re.compile(r"[\s,，.。!！?？;；~～、]")

# Angry emoji; their sum is capped (three 😡 are not three times as angry).
EMOJI: Dict[str, float] = {
    "🤬": 0.9, "🖕": 0.9, "😡": 0.7, "😠": 0.6, "👿": 0.6, "💢": 0.5,
    "👎": 0.45, "😤": 0.45, "😾": 0.4, "🙄": 0.25, "😒": 0.25, "😑": 0.2,
}
EMOJI_CAP = 1.2

_EXCLAMATIONS = re.compile(r"[!！]+")
_QUESTIONS = re.compile(r"[?？]+")
_INTERROBANG = re.compile(r"[!！][?？]|[?？][!！]")
PUNCTUATION_CAP = 0.6
# Exclamations of joy are not anger.
_POSITIVE = ("谢谢", "感谢", "多谢", "好评", "太好了", "喜欢", "满意", "哈哈", "棒", "赞", "辛苦")

_REPETITION = re.compile(
    r"又|再次|一次又一次|一而再|每次|总是|老是|一直|还是|还没|还不|都|"
    r"[两二三四五六七八九十几多\d]+[次遍回]|第[二三四五六七八九十几\d]+次|多少[次遍回]"
)
REPETITION_STEP = 0.25
REPETITION_MAX_STEPS = 2
# A letter typed three times or more (sooo, slowww); words of only h and w are laughter (hhhh, www).
_LAUGHTER_LETTERS = set("hw")
_TRIPLED_LETTER = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)
STRETCHED = 1.15
# Swear words in capitals (WTF) count more; a message typed in capitals is shouting.
CAPITALS = 1.3
SHOUTING = 0.25
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LATIN_TERMS = {word for word in LEXICON if word.isascii() and word.isalpha()}

# Terms by their first character, longest first: the longest match wins.
_BY_FIRST_CHARACTER: Dict[str, List[str]] = {}
for _word in sorted(LEXICON, key=len, reverse=True):
    _BY_FIRST_CHARACTER.setdefault(_word[0], []).append(_word)


@dataclass(frozen=True)
class EmotionReading:
    score: float  # 0 calm … 1 furious
    signals: Tuple[str, ...]  # what was found, for the agent: "气死", "!!!", "×重复"

    @property
    def angry(self) -> bool:
        return is_angry(self.score)


def is_angry(score: float) -> bool:
    return score >= ANGRY_THRESHOLD


def emotion_score(text: Optional[str]) -> float:
    """The negative-emotion score of one message, in [0, 1]."""
    return read_emotion(text).score


# Intents whose messages are never read for anger: praise ("质量不错，好评！！", "一点都不差") says the
# shopper is pleased, whatever 差 or exclamation marks it holds. Grievances (complain, report_problem)
# are read like any other message.
CALM_INTENTS = frozenset({PRAISE_INTENT})
CALM = EmotionReading(0.0, ())


def message_emotion(text: Optional[str], intent: Optional[str]) -> EmotionReading:
    """The reading of a message the NLU classified as ``intent``: calm for praise, else its words'."""
    return CALM if intent in CALM_INTENTS else read_emotion(text)


def read_emotion(text: Optional[str]) -> EmotionReading:
    """The score with the signals that made it."""
    text = text or ""
    # slowww is slow to the lexicon; the stretching itself counts below.
    plain = _TRIPLED_LETTER.sub(r"\1", text)
    signals: List[str] = []
    raw = 0.0
    hits = 0
    for word, weight in _lexicon_hits(plain, plain.lower()):
        raw += weight
        hits += 1
        signals.append(word)
    emoji = [char for char in text if char in EMOJI]
    if emoji:
        raw += min(sum(EMOJI[char] for char in emoji), EMOJI_CAP)
        signals.extend(emoji)
    punctuation, marks = _punctuation(text)
    if punctuation:
        if hits == 0 and any(word in text for word in _POSITIVE):
            punctuation /= 2
        raw += punctuation
        signals.extend(marks)
    if _is_shouting(text):
        raw += SHOUTING
        signals.append(plain_phrase("emotion_signal_shouting"))
    if raw > 0:
        repeats = min(len(_REPETITION.findall(text)), REPETITION_MAX_STEPS)
        if repeats:
            raw *= 1 + REPETITION_STEP * repeats
            signals.append(plain_phrase("emotion_signal_repeated"))
        if _is_stretched(text):
            raw *= STRETCHED
            signals.append(plain_phrase("emotion_signal_stretched"))
    return EmotionReading(round(1 - math.exp(-raw), 4), tuple(signals))


def _lexicon_hits(text: str, lowered: str) -> Iterable[Tuple[str, float]]:
    position = 0
    while position < len(lowered):
        word = _term_at(lowered, position)
        if word is None:
            position += 1
            continue
        term = LEXICON[word]
        end = position + len(word)
        before = _clause_before(lowered, position)
        if not (term.negatable and _is_negated(before)):
            weight = term.weight
            if _any_within(before, _INTENSIFIERS) or lowered.startswith(_INTENSIFIER_SUFFIXES, end):
                weight *= INTENSIFIED
            if word in _LATIN_TERMS and text[position:end].isupper():
                weight *= CAPITALS
            yield word, weight
        position = end


def _term_at(lowered: str, position: int) -> Optional[str]:
    for word in _BY_FIRST_CHARACTER.get(lowered[position], ()):
        if not lowered.startswith(word, position):
            continue
        term = LEXICON[word]
        if word in _LATIN_TERMS and not _is_latin_word_at(lowered, position, len(word)):
            continue  # sb in usb
        if any(_inside(lowered, position, word, longer) for longer in term.not_in):
            continue
        return word
    return None


def _inside(lowered: str, position: int, word: str, longer: str) -> bool:
    """Whether the ``word`` at ``position`` is part of an occurrence of ``longer``."""
    offset = longer.find(word)
    while offset != -1:
        if position - offset >= 0 and lowered.startswith(longer, position - offset):
            return True
        offset = longer.find(word, offset + 1)
    return False


def _is_latin_word_at(lowered: str, position: int, length: int) -> bool:
    before = lowered[position - 1] if position > 0 else ""
    after = lowered[position + length] if position + length < len(lowered) else ""
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


def _clause_before(lowered: str, position: int) -> str:
    window = lowered[max(0, position - _LOOKBACK):position]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end():] if breaks else window


def _is_negated(window: str) -> bool:
    # 特别 holds 别 but intensifies.
    for word in _LONG_INTENSIFIERS:
        window = window.replace(word, " ")
    return _any_within(window, _NEGATORS)


def _any_within(window: str, words: Tuple[str, ...]) -> bool:
    # Anywhere in the few characters before the term: 不太慢, 真的很差, 一点都不差.
    return any(word in window for word in words)


def _punctuation(text: str) -> Tuple[float, List[str]]:
    marks: List[str] = []
    amount = 0.0
    longest_exclamation = max((len(run) for run in _EXCLAMATIONS.findall(text)), default=0)
    if longest_exclamation:
        amount += {1: 0.1, 2: 0.3}.get(longest_exclamation, 0.45)
        marks.append("!" * min(longest_exclamation, 3))
    longest_question = max((len(run) for run in _QUESTIONS.findall(text)), default=0)
    if longest_question >= 2:
        amount += 0.2 if longest_question == 2 else 0.35
        marks.append("?" * min(longest_question, 3))
    if _INTERROBANG.search(text):
        amount += 0.35
        marks.append("?!")
    return min(amount, PUNCTUATION_CAP), marks


def _is_stretched(text: str) -> bool:
    return any(
        _TRIPLED_LETTER.search(word) and set(word.lower()) - _LAUGHTER_LETTERS for word in _LATIN_WORD.findall(text)
    )


def _is_shouting(text: str) -> bool:
    words = [word for word in _LATIN_WORD.findall(text) if len(word) >= 2]
    letters = sum(len(word) for word in words)
    return len(words) >= 2 and letters >= 6 and all(word.isupper() for word in words)
