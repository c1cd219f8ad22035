"""Length-preserving correction of shopper typos, mostly homophones typed with
pinyin input methods (快第 -> 快递), after platform residue (links, order
cards, menu labels) is blanked, so that annotated entity offsets stay valid
(see docs/nlu.md). Only messages longer than MAX_MESSAGE_CHARS are cut."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from pypinyin import Style, lazy_pinyin

from kefu.nlu.platform_residue import Residue, reduce_residue

RESOURCES = Path(__file__).parent / "resources"
DEFAULT_TYPOS_FILE = RESOURCES / "typos.tsv"
DEFAULT_TERMS_FILE = RESOURCES / "homophone_terms.txt"

# A window that jieba already knows as a common word is a real word, not a typo
# (发火 is "get angry", not a misspelt 发货). Measured on jieba's dictionary:
# genuine typos such as 推货, 快第, 发漂 have no entry or a frequency below 5.
REAL_WORD_MIN_FREQ = 30

# Longer messages are spam or pasted documents; a real question, however
# rambling, fits well inside this. Cutting the tail keeps entity offsets valid
# and keeps a 10,000-character paste from costing seconds of parsing.
MAX_MESSAGE_CHARS = 1000

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")

# Particles and pronouns are typed right far more often than they stand for a
# term's syllable; replacing them turns 能吃吗 into 能尺码. They are never the
# character a correction changes.
_NEVER_REPLACED = set("的了吗呢吧啊呀哦嘛么是在不没有我你他她它这那就都也还和与很太个")


def _is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (ＸＬ, １２３, ！) becomes half-width; length is unchanged."""
    chars = []
    for char in text:
        code = ord(char)
        if code == 0x3000:
            chars.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            chars.append(chr(code - 0xFEE0))
        else:
            chars.append(char)
    return "".join(chars)


def load_typos(path: Path = DEFAULT_TYPOS_FILE) -> Dict[str, str]:
    """Reads ``wrong<TAB>right`` lines; both sides must have the same length."""
    typos: Dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        wrong, _, right = line.partition("\t")
        wrong, right = wrong.strip(), right.strip()
        if not right or len(wrong) != len(right):
            raise ValueError(
                f"{path}:{number}: a typo and its correction must have the same "
                f"length, got {wrong!r} -> {right!r}"
            )
        typos[wrong] = right
    return typos


def load_terms(path: Path = DEFAULT_TERMS_FILE) -> List[str]:
    """One term per line; ``#`` starts a comment line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=4096)
def _syllables(text: str) -> Tuple[str, ...]:
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


class TextNormalizer:
    """Corrects listed typos, then homophones of known domain terms."""

    def __init__(
        self,
        terms: Iterable[str],
        typos: Optional[Dict[str, str]] = None,
        word_frequency=None,
    ) -> None:
        self.typos = dict(typos or {})
        self._word_frequency = word_frequency or _jieba_frequency
        # Two-character and longer Chinese terms only: single characters have
        # too many homophones to correct safely.
        self._terms_by_sound: Dict[Tuple[str, ...], str] = {}
        for term in sorted(set(terms), key=len, reverse=True):
            if 2 <= len(term) <= 4 and _is_cjk(term):
                self._terms_by_sound.setdefault(_syllables(term), term)
        self._term_lengths = sorted({len(t) for t in self._terms_by_sound.values()}, reverse=True)
        self._known_terms = set(self._terms_by_sound.values())

    def normalize(self, text: str) -> str:
        return self.analyse(text)[0]

    def analyse(self, text: str) -> Tuple[str, Residue]:
        """The normalised text and the platform residue blanked out of it."""
        if not text:
            return text, Residue()
        text, residue = reduce_residue(to_halfwidth(text[:MAX_MESSAGE_CHARS]))
        for wrong, right in self.typos.items():
            if wrong in text:
                text = text.replace(wrong, right)
        return self._correct_homophones(text), residue

    def _correct_homophones(self, text: str) -> str:
        chars = list(text)
        position = 0
        while position < len(chars):
            for length in self._term_lengths:
                window = "".join(chars[position : position + length])
                if len(window) < length or not _is_cjk(window):
                    continue
                if window in self._known_terms:
                    # Already spelt right: keep it and skip past it.
                    position += length - 1
                    break
                term = self._terms_by_sound.get(_syllables(window))
                if term and self._is_typo_of(window, term):
                    chars[position : position + length] = list(term)
                    position += length - 1
                    break
            position += 1
        return "".join(chars)

    def _is_typo_of(self, window: str, term: str) -> bool:
        changed = [w for w, t in zip(window, term) if w != t]
        if any(char in _NEVER_REPLACED for char in changed):
            return False
        return self._word_frequency(window) < REAL_WORD_MIN_FREQ


def _jieba_frequency(word: str) -> int:
    import jieba

    jieba.initialize()
    return jieba.get_FREQ(word) or 0
