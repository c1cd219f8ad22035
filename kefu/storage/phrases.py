"""Phrases of ``data/responses/`` filled in: a ``Phrase`` is a ``str`` (the phrase as written,
so code and tests use it as text) that keeps its name and values, and ``Joined`` keeps the
pieces of a text made of several, so that ``kefu.replies`` can word every phrase of a reply
in the merchant's persona, as ``markupsafe.Markup`` is a str that remembers it is safe;
ordinary string operations (``+``, ``str.join``, f-strings) give plain text as written."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Tuple

from kefu.storage.responses import responses

# A phrase's name -> the text to fill in (the written one, or a persona's wording of it).
Wording = Callable[[str], str]


def as_written(name: str) -> str:
    return responses().phrases[name]


class Phrase(str):
    """The phrase called ``name`` filled in with ``values`` (KeyError for an unknown phrase or a missing value)."""

    name: str
    values: Mapping[str, Any]

    def __new__(cls, name: str, /, **values: Any) -> "Phrase":
        return cls._made(as_written(name).format(**values), name, values)

    @classmethod
    def _made(cls, text: str, name: str, values: Mapping[str, Any]) -> "Phrase":
        phrase = super().__new__(cls, text)
        phrase.name, phrase.values = name, dict(values)
        return phrase

    def __reduce__(self):
        return Phrase._made, (str(self), self.name, self.values)

    def worded(self, wording: Wording) -> str:
        values = {key: worded(value, wording) for key, value in self.values.items()}
        return wording(self.name).format(**values)


class Joined(str):
    """``separator.join(parts)`` that remembers its parts (phrases or plain text)."""

    parts: Tuple[Any, ...]
    separator: Any

    def __new__(cls, parts: Iterable[Any], separator: Any = "") -> "Joined":
        parts = tuple(parts)
        return cls._made(str(separator).join(str(part) for part in parts), parts, separator)

    @classmethod
    def _made(cls, text: str, parts: Tuple[Any, ...], separator: Any) -> "Joined":
        joined = super().__new__(cls, text)
        joined.parts, joined.separator = parts, separator
        return joined

    def __reduce__(self):
        return Joined._made, (str(self), self.parts, self.separator)

    def worded(self, wording: Wording) -> str:
        return str(worded(self.separator, wording)).join(str(worded(part, wording)) for part in self.parts)


def plain_phrase(name: str, /, **values: Any) -> str:
    """The phrase ``name`` filled in as written, as a plain ``str`` no persona rewords: text for the
    shop's people (agents' notes and labels, error messages), not for the shopper."""
    return str(Phrase(name, **values))


def listed(parts: Iterable[Any], separator: str = "separator_enumeration") -> Joined:
    """The parts joined by the separator phrase called ``separator`` (、 unless told; data/responses/common.yml)."""
    return Joined(parts, Phrase(separator))


def worded(value: Any, wording: Wording) -> Any:
    """``value`` with every phrase in it worded by ``wording``; any other value as it is."""
    return value.worded(wording) if isinstance(value, (Phrase, Joined)) else value
