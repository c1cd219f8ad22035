"""What "第二个", "最后那个", "那个呢" point at in a list the shopper was just shown."""

from __future__ import annotations

import re
from typing import Optional, Sequence, TypeVar

T = TypeVar("T")

_ORDINALS = {"一": 0, "1": 0, "头": 0, "二": 1, "2": 1, "两": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4}
_ORDINAL = re.compile(r"第\s*([一二两三四五12345])|([一二两三四五12345])\s*[号个件]|^([12345])$")
_LAST = ("最后", "末尾")
# A message that points by position alone; "要一个便宜的" counts things, it does not point.
_POINTING = re.compile(r"第\s*[一二两三四五1-5]|最后|^\s*[1-5]\s*$")
# "那个呢" / "另一个呢" next to the one just discussed: the other of two.
_THE_OTHER = ("那个", "另一个", "另外一个", "另一笔", "另一单", "另外一单", "另外那")


def ordinal_in(text: Optional[str]) -> Optional[int]:
    """"第二个" -> 1, "最后一个" -> -1, "3" -> 2; None when the text names no position."""
    text = (text or "").strip()
    if any(word in text for word in _LAST):
        return -1
    match = _ORDINAL.search(text)
    if not match:
        return None
    return _ORDINALS[next(group for group in match.groups() if group)]


def option_meant(text: Optional[str], options: Sequence[T], current: Optional[T] = None) -> Optional[T]:
    """The option a reference picks: by position, or the other of two; None when it picks none."""
    if not options:
        return None
    position = ordinal_in(text)
    if position is not None:
        return options[position] if -len(options) <= position < len(options) else None
    others = [option for option in options if option != current]
    if current is not None and len(others) == 1 and any(word in (text or "") for word in _THE_OTHER):
        return others[0]
    return None


def option_pointed_at(text: Optional[str], options: Sequence[T]) -> Optional[T]:
    """The option a message picks by its position alone ("第二个", "最后那个", "2"); None otherwise."""
    if not _POINTING.search(text or "") or ordinal_in(text) is None:
        return None
    return option_meant(text, options)
