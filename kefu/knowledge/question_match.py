"""Matching a shopper's question against the merchant's written questions (FAQ,
product Q&A): Okapi BM25 over character n-grams, the usual choice for short
Chinese texts without a word segmenter or a downloaded model.

A question is cut into runs of content (greetings, 亲, particles, punctuation,
links and product ids cut it), each run into its characters and character
pairs; a run of Latin letters or digits (iphone, logo, 5atm) is one token.
How sure a match is (``Match.confidence``, between 0 and 1, so that one
threshold means the same for every corpus) is the lesser of two shares, each
of n-grams weighted by their IDF: how much of the question the entry explains,
and how much of the entry's best-covered sub-question or keyword the question
covers. The first keeps "下雨天能游泳吗" from passing for "能游泳吗"; the
second keeps "我想退货" from passing for "退货运费谁出". Entries are ranked
by it, their BM25 score breaking ties: a bare BM25 ranking favours an entry
that repeats a common pair ("无线充电…充电板" for "带充电线吗").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Dict, Generic, Iterable, List, Optional, Sequence, Set, Tuple, TypeVar

K1 = 1.2
B = 0.75

# What carries no meaning of its own in a shopper's question; cut out before
# matching (longest first, so that 请问一下 goes before 请问).
_FILLER_PHRASES = (
    "请问一下", "想问一下", "问一下", "请问", "咨询一下", "咨询", "你好", "您好", "在吗", "在么", "客服", "亲亲", "亲",
    "这款", "这个", "那款", "那个", "这件", "这双", "这套", "这台", "这只", "它", "一下", "我想", "想问", "我问",
    "你们", "你家", "咱家", "我们",
)
_FILLER_CHARACTERS = "吗嘛么呢啊吧呀哦哈啦呗的了喔哇嗯"
# Ways of asking the same thing, said one way (A-not-A questions and their synonyms), so that
# "孕妇可以用不" finds "孕妇能用吗".
_SAME_MEANING = (
    ("可不可以", "能"), ("行不行", "能"), ("可以", "能"),
    ("行吗", "能"), ("行不", "能"), ("啥", "什么"), ("多长时间", "多久"), ("时间长", "久"),
)
# A question ending in "…不" / "…没" / "…没有" asks yes or no, like "…吗".
_QUESTION_TAG = re.compile(r"(?:不|没有|没|否)[\s?？!！。~～]*$")
# "疼不疼", "支不支持", "好不好看": an A-not-A question asks about A.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|cn|net)\S*", re.IGNORECASE)
_PRODUCT_ID = re.compile(r"(?<![a-z0-9])p\d{4}(?!\d)")
_LATIN = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SEGMENT_BREAK = re.compile(r"[\s?？!！。，,、；;]+")

T = TypeVar("T")


def _cut_out(text: str, pieces: Iterable[str]) -> str:
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        text = text.replace(piece.lower(), " ")
    return text


def content_runs(text: str, ignored: Collection[str] = ()) -> List[str]:
    """The runs of content of a question: lower-cased, half-width, fillers and ``ignored`` words cut out."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _PRODUCT_ID.sub(" ", _LINK.sub(" ", text))
    text = _A_NOT_A.sub(r"\1", _QUESTION_TAG.sub(" ", text))
    for said, meant in _SAME_MEANING:
        text = text.replace(said, meant)
    text = _cut_out(text, (*ignored, *_FILLER_PHRASES))
    text = "".join(" " if ch in _FILLER_CHARACTERS else ch for ch in text)
    runs, current = [], []
    for character in text:
        if _HAN.match(character) or character.isalnum():
            current.append(character)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def ngrams(text: str, ignored: Collection[str] = ()) -> List[str]:
    """The terms BM25 counts: Han characters and character pairs of each run, Latin words whole."""
    terms: List[str] = []
    for run in content_runs(text, ignored):
        units: List[str] = []
        position = 0
        while position < len(run):
            latin = _LATIN.match(run, position)
            if latin:
                units.append(latin.group())
                position = latin.end()
            else:
                units.append(run[position])
                position += 1
        terms += units
        terms += [units[i] + units[i + 1] for i in range(len(units) - 1)
                  if _HAN.match(units[i]) and _HAN.match(units[i + 1])]
    return terms


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: float  # BM25: ranks the entries of one search
    # How sure the match is (0..1): the lesser of the share of the question the entry explains and the
    # share of the entry's best-covered sub-question or keyword the question covers (module doc).
    confidence: float


class QuestionIndex(Generic[T]):
    """BM25 over ``(item, text)`` pairs; the texts' statistics (IDF, lengths) are those of the whole index."""

    def __init__(self, documents: Sequence[Tuple[T, str]]) -> None:
        self._items = [item for item, _ in documents]
        self._terms = [Counter(ngrams(text)) for _, text in documents]
        # Each sub-question and keyword of an entry on its own: how much of one of them a question covers.
        self._segments = [[set(ngrams(segment)) for segment in _SEGMENT_BREAK.split(text) if ngrams(segment)]
                          for _, text in documents]
        self._lengths = [sum(counts.values()) for counts in self._terms]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter = Counter()
        for counts in self._terms:
            frequency.update(counts.keys())
        total = len(documents)
        self._idf: Dict[str, float] = {term: _idf(total, df) for term, df in frequency.items()}
        self._unseen_idf = _idf(total, 0)

    def __len__(self) -> int:
        return len(self._items)

    def best(self, question: str, among: Optional[Collection[T]] = None, ignored: Collection[str] = ()) -> Optional[Match[T]]:
        """The entry (of ``among``, when given) that matches the question best, or None when none shares a term."""
        ranked = self.ranked(question, among, ignored)
        return ranked[0] if ranked else None

    def ranked(self, question: str, among: Optional[Collection[T]] = None, ignored: Collection[str] = ()) -> List[Match[T]]:
        query = set(ngrams(question, ignored))
        if not query:
            return []
        weight = {term: self._weight(term) for term in query}
        whole = sum(weight.values())
        matches = []
        for index, item in enumerate(self._items):
            if among is not None and item not in among:
                continue
            counts = self._terms[index]
            shared = [term for term in query if term in counts]
            if not shared:
                continue
            score = sum(self._term_score(term, counts[term], self._lengths[index]) for term in shared)
            explained = sum(weight[term] for term in shared) / whole
            matches.append(Match(item, score, min(explained, self._covered_segment(index, query))))
        return sorted(matches, key=lambda match: (-match.confidence, -match.score))

    def _covered_segment(self, index: int, query: Set[str]) -> float:
        """How much of the entry's sub-question or keyword the question covers best (IDF-weighted)."""
        return max((sum(self._idf[t] for t in segment & query) / sum(self._idf[t] for t in segment)
                    for segment in self._segments[index]), default=0.0)

    def _weight(self, term: str) -> float:
        """A term's part in the confidence: its IDF. A pair of characters no entry has, made of two that
        entries do have, is most often where two words meet ("杯子上能刻字" gives 上能): it says
        nothing the two characters do not, so it counts for nothing; any other unknown term says the
        question is about something no entry covers, and counts in full."""
        if term in self._idf:
            return self._idf[term]
        if len(term) == 2 and all(character in self._idf for character in term):
            return 0.0
        return self._unseen_idf

    def _term_score(self, term: str, frequency: int, length: int) -> float:
        norm = 1 - B + B * (length / self._average if self._average else 1)
        return self._idf[term] * frequency * (K1 + 1) / (frequency + K1 * norm)


def _idf(total: int, document_frequency: int) -> float:
    # The BM25+ form, never negative: a term in most entries still counts a little.
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))
