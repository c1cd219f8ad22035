"""The bot's answers as WeChat text messages: buttons and quick replies become numbered choices
("回复 1 查看物流"), and a reply longer than WeChat allows is split under the byte limit (2048 bytes
for a text customer-service message) at line or character boundaries, never inside a character.
A reply "1" maps back to the payload of the first choice last offered (the store keeps them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from kefu.replies.wechat import wechat_text

TEXT_BYTE_LIMIT = 2048
# A choice is picked by its number alone (full-width digits too: a Chinese keyboard types them).
_CHOICE = re.compile(r"\s*([0-9０-９]{1,2})\s*[.。、]?\s*")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass
class Rendered:
    """The texts to send, in order, and the button payloads they offered as numbered choices."""

    texts: List[str] = field(default_factory=list)
    choices: List[str] = field(default_factory=list)


def render_messages(messages: Iterable[Dict[str, Any]], byte_limit: int = TEXT_BYTE_LIMIT) -> Rendered:
    """Rasa's collected bot messages (text, buttons, quick_replies, image, custom) as WeChat texts."""
    rendered = Rendered()
    for message in messages:
        parts: List[str] = []
        if message.get("text"):
            parts.append(str(message["text"]))
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("text"):
            parts.append(str(custom["text"]))
        if message.get("image"):
            parts.append(str(message["image"]))
        buttons = list(message.get("buttons") or []) + list(message.get("quick_replies") or [])
        lines = []
        for button in buttons:
            if not isinstance(button, dict) or not button.get("title"):
                continue
            rendered.choices.append(str(button.get("payload") or button["title"]))
            lines.append(wechat_text("choice_line", number=len(rendered.choices), title=button["title"]))
        if lines:
            parts.append("\n".join([wechat_text("choices_intro"), *lines]))
        text = "\n".join(parts).strip()
        if text:
            rendered.texts.extend(split_text(text, byte_limit))
    return rendered


def choice_number(text: Optional[str]) -> Optional[int]:
    """The number of a reply that is only a choice number ("1", "２", "3."); None for anything else."""
    match = _CHOICE.fullmatch(text or "")
    if not match:
        return None
    return int(match.group(1).translate(_FULL_WIDTH_DIGITS))


def split_text(text: str, byte_limit: int = TEXT_BYTE_LIMIT) -> List[str]:
    """``text`` in pieces of at most ``byte_limit`` UTF-8 bytes, cut after a line break where one is
    near, else between characters."""
    if byte_limit < 8:
        raise ValueError("byte limit too small")
    pieces: List[str] = []
    rest = text
    while len(rest.encode("utf-8")) > byte_limit:
        cut = _fitting_chars(rest, byte_limit)
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:  # a line break in the second half: cut there
            cut = newline + 1
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def _fitting_chars(text: str, byte_limit: int) -> int:
    """How many leading characters of ``text`` fit in ``byte_limit`` bytes."""
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > byte_limit:
            return index
    return len(text)


def merge_to_fit(texts: List[str], byte_limit: int = TEXT_BYTE_LIMIT) -> List[str]:
    """``texts`` packed into as few messages as fit under the byte limit, in order (the WeChat Customer
    Service window allows only so many messages)."""
    merged: List[str] = []
    for text in texts:
        if merged and len((merged[-1] + "\n\n" + text).encode("utf-8")) <= byte_limit:
            merged[-1] = merged[-1] + "\n\n" + text
        else:
            merged.append(text)
    return merged
