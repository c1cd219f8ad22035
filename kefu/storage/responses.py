"""Reading the shopper-facing texts of ``data/responses/`` (format in its README.md), every
problem reported at once with its file, line and reason (``KnowledgeFileError``), a name
defined twice included, so that a typo stops the servers instead of breaking a reply."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from kefu.settings import Settings
from kefu.storage.yaml_source import (
    Fields,
    KnowledgeFileError,
    LineList,
    LineMap,
    Problems,
    read_file_text,
    read_yaml,
)

TEMPLATES = "templates"
PHRASES = "phrases"
INTENT_WORDS = "intent_words"
SECTIONS = (TEMPLATES, PHRASES, INTENT_WORDS)

Variation = Dict[str, Any]


@dataclass(frozen=True)
class IntentWords:
    name: str  # what the shopper meant, in their words
    button: bool = False  # whether clarification may offer the intent as a button (titled ``name``)


@dataclass(frozen=True)
class Responses:
    templates: Dict[str, List[Variation]]
    phrases: Dict[str, str]
    intents: Dict[str, IntentWords]


def responses_directory() -> Path:
    return Settings.from_env().project_root / "data" / "responses"


@lru_cache(maxsize=1)
def responses() -> Responses:
    """The texts of ``data/responses/``, read once per process."""
    return read_responses(responses_directory())


def read_responses(directory: Path) -> Responses:
    """Every ``*.yml`` file of ``directory``; raises KnowledgeFileError listing every problem."""
    book = Responses({}, {}, {})
    first_places: Dict[Tuple[str, str], Tuple[str, int]] = {}
    all_problems: List[Problems] = []
    for path in sorted(directory.glob("*.yml")):
        problems = Problems(str(path))
        all_problems.append(problems)
        text = read_file_text(path, problems)
        document = read_yaml(text, problems) if text is not None else None
        if document is None:
            continue
        if not isinstance(document, LineMap):
            problems.add(1, f"the file must be a mapping with {', '.join(repr(s) for s in SECTIONS)}")
            continue
        for section in document:
            if section not in SECTIONS:
                problems.add(document.line_of(section), f"unknown top-level key {section!r} (keys: {', '.join(SECTIONS)})")
                continue
            entries = document[section]
            if not isinstance(entries, LineMap):
                problems.add(document.line_of(section), f"'{section}' must be a mapping of names")
                continue
            for name, value in entries.items():
                line = entries.line_of(name)
                namespace = INTENT_WORDS if section == INTENT_WORDS else TEMPLATES
                first = first_places.get((namespace, name))
                if first is not None:
                    problems.add(line, f"{name!r} is defined twice (first in {first[0]}:{first[1]})")
                    continue
                first_places[(namespace, name)] = (str(path), line)
                _read_entry(book, section, str(name), value, line, problems)
    found = [problem for problems in all_problems for problem in problems.items]
    if found:
        raise KnowledgeFileError(sorted(found, key=lambda problem: (problem.file, problem.line)))
    return book


def _read_entry(book: Responses, section: str, name: str, value: Any, line: int, problems: Problems) -> None:
    if section == TEMPLATES:
        variations = _variations(name, value, line, problems)
        if variations is not None:
            book.templates[name] = variations
    elif section == PHRASES:
        if not isinstance(value, str) or not value:
            problems.add(line, f"phrase {name!r} must be a text, not {value!r}")
        elif _has_unbalanced_braces(value):
            problems.add(line, f"phrase {name!r}: unbalanced {{ }} (a value is written {{name}})")
        else:
            book.phrases[name] = value
    else:
        words = _intent_words(name, value, line, problems)
        if words is not None:
            book.intents[name] = words


def _variations(name: str, value: Any, line: int, problems: Problems) -> Optional[List[Variation]]:
    if not isinstance(value, LineList) or not value:
        problems.add(line, f"template {name!r} must be a list of variations (- text: …)")
        return None
    variations = []
    for item_line, item in zip(value.item_lines, value):
        if not isinstance(item, LineMap):
            problems.add(item_line, f"template {name!r}: a variation must be a mapping (text: …, buttons: …), not {item!r}")
            continue
        fields = Fields(item, problems, f"template {name!r}")
        text = item.get("text")
        fields.text("text", required=True)
        if isinstance(text, str) and _has_unbalanced_braces(text):
            fields.problem("text", "unbalanced { } (a value is written {name})")
        buttons = [_button(button, fields) for button in fields.list_of_mappings("buttons")]
        fields.finish()
        if not fields.failed:
            variation: Variation = {"text": text}
            if buttons:
                variation["buttons"] = buttons
            variations.append(variation)
    return variations if len(variations) == len(value) else None


def _button(button: LineMap, template: Fields) -> Dict[str, str]:
    fields = Fields(button, template.problems, f"{template.what}: a button")
    title, payload = fields.text("title", required=True), fields.text("payload", required=True)
    fields.finish()
    template.failed = template.failed or fields.failed
    return {"title": title, "payload": payload}


def _intent_words(intent: str, value: Any, line: int, problems: Problems) -> Optional[IntentWords]:
    if not isinstance(value, LineMap):
        problems.add(line, f"intent {intent!r} must be a mapping ({{name: …, button: true}}), not {value!r}")
        return None
    fields = Fields(value, problems, f"intent {intent!r}")
    name = fields.text("name", required=True)
    button = fields.flag("button")
    fields.finish()
    return None if fields.failed else IntentWords(name, button)


def _has_unbalanced_braces(text: str) -> bool:
    try:
        list(string.Formatter().parse(text))
    except ValueError:
        return True
    return False
