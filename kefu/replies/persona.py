"""The merchant's reply style (``persona.yml``): bot name, warm/formal/concise and own wording;
the replies are written once in warm 亲 style and the other styles derived by rules that never
touch values, quoted text, digits, line breaks or button payloads (docs/replies.md). Used by
the action server (kefu/replies) and Rasa's NLG (kefu/nlg.py)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

from kefu.storage.yaml_source import Fields, LineList, LineMap, Problems, read_file_text, read_yaml

DEFAULT_BOT_NAME = "小蜜蜂"
STYLES = ("warm", "formal", "concise")
DEFAULT_STYLE = "warm"

Variation = Mapping[str, Any]


@dataclass(frozen=True)
class Persona:
    bot_name: str = DEFAULT_BOT_NAME
    style: str = DEFAULT_STYLE
    # response name -> the merchant's own variations of its text
    overrides: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r} (styles: {', '.join(STYLES)})")

    def text(self, text: str) -> str:
        """A reply's wording in this style and with this bot name."""
        return _styled(text, self.style, self.bot_name, titles=False)

    def title(self, title: str) -> str:
        """A button title: cleaned like a text, but nothing is dropped (every word of a title counts)."""
        return _styled(title, self.style, self.bot_name, titles=True)

    def styled(self, variation: Variation) -> Dict[str, Any]:
        """A copy of one response variation with its text and button titles in this style."""
        styled = dict(variation)
        if isinstance(styled.get("text"), str):
            styled["text"] = self.text(styled["text"])
        if styled.get("buttons"):
            styled["buttons"] = [
                {**button, "title": self.title(button["title"])} if isinstance(button.get("title"), str) else dict(button)
                for button in styled["buttons"]
            ]
        return styled

    def variations(self, name: str, originals: Sequence[Variation]) -> List[Dict[str, Any]]:
        """The variations to choose from for the response ``name``, in this style.

        The merchant's own texts replace the written ones; they keep the
        original's buttons, whose payloads the dialogue depends on.
        """
        if name in self.overrides:
            buttons = {"buttons": originals[0]["buttons"]} if originals and originals[0].get("buttons") else {}
            originals = [{"text": text, **buttons} for text in self.overrides[name]]
        return [self.styled(variation) for variation in originals]


# --- the style rules ------------------------------------------------------------

# Quoted text is an example of what the shopper may type (“转人工”) or a value
# from the shop (【{status}】); placeholders are values. None of it is wording.
_PROTECTED = re.compile(r"\{[^{}\n]*\}|“[^”\n]*”|「[^」\n]*」|【[^】\n]*】|\"[^\"\n]*\"")
_SENTINEL_BASE = 0xE000  # private-use characters stand in for protected spans

_EMOJI_CHARS = (
    "\U0001F000-\U0001FAFF"  # pictographs, faces, transport, symbols
    "\u2600-\u27BF"  # miscellaneous symbols and dingbats (✅ ⚠ ❤ ✨)
    "\u2B00-\u2BFF"  # ⭐ ⬆
    "\u2300-\u23FF"  # ⌚ ⏰
    "\uFE0F\u200D\u20E3"  # emoji presentation selector, joiner, keycap
)
_EMOJI_RUN = re.compile(rf"[ \t]*[{_EMOJI_CHARS}]+[ \t]*")
_TILDE_RUN = re.compile(r"[～~〜]+")
_TILDE_RANGE = re.compile(r"(?<=\d)[～~〜](?=\d)")  # 1～3天 is a range, not a tone

# What ends a clause (for particles, emoji and ～ before it).
_CLAUSE_PUNCTUATION = "，。！？、；：,.!?;:～~〜"
_CLAUSE_END = rf"(?=[{_CLAUSE_PUNCTUATION}（）()\s{_EMOJI_CHARS}]|$)"

# 亲 as a form of address, not as part of a word (亲自, 亲肤, 父亲 …).
_VOCATIVE = re.compile(r"(?<![父母双乡相可表])亲亲?(?![自手身测友戚人爱子密肤近切属眼笔临])")
_PARTICLES = re.compile(rf"(?<!干)[哦噢喔呢呀哈嘛哟咯]+{_CLAUSE_END}")

# Cute words with a plain equivalent.
_FORMAL_WORDS = (
    ("客服小姐姐", "客服人员"),
    ("小姐姐", "客服人员"),
    ("好嘞", "好的"),
    ("戳我", "联系我"),
    ("拜拜", "再见"),
    ("咱家", "本店"),
    ("小店", "本店"),
    ("一下下", "一下"),
    ("不客气的", "不客气"),
    ("么么哒", ""),
)

# Clauses that only keep the conversation friendly; concise drops them
# (never the first clause of a line, never one with a value or a digit).
_PLEASANTRY = re.compile(
    "|".join(
        (
            r"尽管问",
            r"随时(?:问|说|找|叫|告诉|来找|联系|再来)",
            r"^(?:如果)?还有(?:其他|什么|别的).*(?:吗|问|说|找我|帮您的)$",
            r"^您还想了解点什么",
            r"(?:继续|再)问我",
            r"(?:再|来)找我$",
            r"期待下次",
            r"的荣幸",
            r"^(?:再见|拜拜)$",
            r"^请您谅解$",
            r"^您的心情我完全理解$",
            r"^(?:给您添麻烦了?)?(?:真的|非常)?很?抱歉$",
            r"^喜欢可以尽快下单$",
            r"^想了解哪一项可以再问我$",
        )
    )
)
_CONDITION = re.compile(r"(?:如果|要是|若是?|万一)")
_CLAUSE_SPLIT = re.compile(r"([，。！？；,!?;])")
_SOFT_DELIMITERS = ("，", "；", ",", ";")


def _protect(line: str) -> Tuple[str, List[str]]:
    spans: List[str] = []

    def stash(match: re.Match) -> str:
        spans.append(match.group(0))
        return chr(_SENTINEL_BASE + len(spans) - 1)

    return _PROTECTED.sub(stash, line), spans


def _restore(line: str, spans: List[str]) -> str:
    for index, span in enumerate(spans):
        line = line.replace(chr(_SENTINEL_BASE + index), span)
    return line


def _has_value(clause: str) -> bool:
    return any(ch.isdigit() or _SENTINEL_BASE <= ord(ch) < _SENTINEL_BASE + 0x1900 for ch in clause)


def _as_boundary(match: re.Match, inside: str, end: str) -> str:
    """What a removed tone marker (emoji, ～) becomes: nothing next to punctuation,
    ``end`` at the end of a line, ``inside`` between two clauses."""
    line = match.string
    before = line[match.start() - 1] if match.start() > 0 else None
    after = line[match.end()] if match.end() < len(line) else None
    if before is None or before in _CLAUSE_PUNCTUATION:
        return ""
    if after is None:
        return end
    if after in _CLAUSE_PUNCTUATION:
        return ""
    return inside


_OPENING_VOCATIVE = re.compile(rf"^{_VOCATIVE.pattern}[{_CLAUSE_PUNCTUATION}\s]+")


def _vocative(match: re.Match) -> str:
    after = match.string[match.end() : match.end() + 1]
    # "好的亲～" / "亲亲您好": the address goes; "亲太客气啦": 您 takes its place.
    return "" if after in ("", "您") or after in _CLAUSE_PUNCTUATION else "您"


def _formal_line(line: str, end: str) -> str:
    line = _OPENING_VOCATIVE.sub("", line)  # "亲，…": the address and its comma
    line = _VOCATIVE.sub(_vocative, line)
    for cute, plain in _FORMAL_WORDS:
        line = line.replace(cute, plain)
    line = re.sub("了?啦+", "了", line)
    line = _PARTICLES.sub("", line)
    line = _TILDE_RANGE.sub("-", line)
    line = _EMOJI_RUN.sub(lambda m: _as_boundary(m, "。", end), line)
    line = _TILDE_RUN.sub(lambda m: _as_boundary(m, "，", end), line)
    # What is left where an address stood between two clauses: "。，".
    return re.sub(rf"([{_CLAUSE_PUNCTUATION}])[，、,]+", r"\1", line)


def _concise_line(line: str) -> str:
    parts = _CLAUSE_SPLIT.split(line)
    pairs = [[parts[i], parts[i + 1] if i + 1 < len(parts) else ""] for i in range(0, len(parts), 2)]
    kept = pairs[:1]
    for clause, delimiter in pairs[1:]:
        if clause.strip() and not _has_value(clause) and _PLEASANTRY.search(clause.strip()):
            # A condition goes with the offer it leads to: "如果商品有任何问题，随时告诉我".
            while len(kept) > 1 and kept[-1][1] in _SOFT_DELIMITERS and _CONDITION.match(kept[-1][0]) and not _has_value(kept[-1][0]):
                kept.pop()
            if kept[-1][1] in _SOFT_DELIMITERS and delimiter not in _SOFT_DELIMITERS:
                # "A，pleasantry。" -> "A。"; the question was the pleasantry's, not A's.
                kept[-1][1] = "。" if delimiter in ("？", "?") else delimiter
            continue
        kept.append([clause, delimiter])
    return "".join(clause + delimiter for clause, delimiter in kept)


@lru_cache(maxsize=8192)
def _styled(text: str, style: str, bot_name: str, titles: bool) -> str:
    # Cached: the inputs are the finite set of written replies (values are
    # filled in afterwards), and the engines say their phrases in loops.
    if style != "warm":
        lines = []
        for line in text.split("\n"):  # line structure is the layout of the reply
            protected, spans = _protect(line)
            # A button title is not a sentence: no full stop where a marker ended it.
            protected = _formal_line(protected, end="" if titles else "。")
            if style == "concise" and not titles:
                protected = _concise_line(protected)
            lines.append(_restore(protected, spans))
        text = "\n".join(lines)
    if bot_name != DEFAULT_BOT_NAME:
        # The bee emoji is a pun on the default name only.
        text = re.sub(f"{DEFAULT_BOT_NAME}🐝?", lambda _: bot_name, text)
    return text


# --- persona.yml --------------------------------------------------------------------


def placeholders_in(text: str) -> Set[str]:
    """The {names} a text fills in; ValueError for unbalanced braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_persona(path: Union[str, Path], responses: Mapping[str, Sequence[Variation]]) -> Persona:
    """The persona in ``path``; ``responses`` are the replies it may override.

    Raises KnowledgeFileError listing every problem with its line.
    """
    problems = Problems(str(path))
    try:
        text = read_file_text(path, problems)
    except FileNotFoundError:
        problems.add(0, "the persona file does not exist")
        text = None
    document = read_yaml(text, problems) if text is not None else None
    if document is None:
        problems.raise_if_any()
        return Persona()  # an empty file: the defaults
    if not isinstance(document, LineMap):
        problems.add(1, "the persona file must be a mapping (bot_name: …, style: …, overrides: …)")
        problems.raise_if_any()
    fields = Fields(document, problems, "persona")
    if fields.has("bot_name") and document["bot_name"] is None:
        fields.problem("bot_name", "'bot_name' is empty (the name the assistant introduces itself with)")
    bot_name = fields.text("bot_name", default=DEFAULT_BOT_NAME)
    if bot_name is not None and re.search(r"[{}\n]", bot_name):
        fields.problem("bot_name", f"'bot_name' must be a plain name without braces or line breaks, not {bot_name!r}")
    style = fields.text("style", default=DEFAULT_STYLE)
    if style not in STYLES:
        fields.problem("style", f"unknown style {style!r} (styles: {', '.join(STYLES)})")
        style = DEFAULT_STYLE
    overrides = _read_overrides(fields.mapping_of("overrides"), responses, problems)
    fields.finish()
    problems.raise_if_any()
    return Persona(bot_name=bot_name, style=style, overrides=overrides)


def _read_overrides(
    mapping: Optional[LineMap], responses: Mapping[str, Sequence[Variation]], problems: Problems
) -> Dict[str, Tuple[str, ...]]:
    overrides: Dict[str, Tuple[str, ...]] = {}
    for name, value in (mapping or {}).items():
        line = mapping.line_of(name)
        if name not in responses:
            problems.add(line, f"override of unknown response {name!r} (not in domain.yml responses or data/responses)")
            continue
        if isinstance(value, str):
            items = [(line, value)]
        elif isinstance(value, LineList) and value:
            items = list(zip(value.item_lines, value))
        else:
            problems.add(line, f"override of {name!r} must be a text or a list of texts, not {value!r}")
            continue
        provided = set()
        for variation in responses[name]:
            provided |= placeholders_in(variation.get("text") or "")
        texts = []
        for item_line, item in items:
            if not isinstance(item, str) or not item.strip():
                problems.add(item_line, f"override of {name!r}: each variation must be a non-empty text, not {item!r}")
                continue
            try:
                unknown = placeholders_in(item) - provided
            except ValueError:
                problems.add(item_line, f"override of {name!r}: unbalanced {{ }} (a value is written {{name}})")
                continue
            if unknown:
                known = ", ".join(f"{{{p}}}" for p in sorted(provided)) or "none"
                problems.add(
                    item_line,
                    f"override of {name!r} uses {', '.join(f'{{{p}}}' for p in sorted(unknown))}, "
                    f"which this reply does not fill in (it has: {known})",
                )
                continue
            texts.append(item.strip())
        if texts and len(texts) == len(items):
            overrides[name] = tuple(texts)
    return overrides
