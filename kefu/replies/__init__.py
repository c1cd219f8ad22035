"""The only place that renders text: the templates and phrases of ``data/responses/`` in the
merchant's persona; ``render`` fills in a template, wording the phrases among its values in
the persona too and never restyling other values (docs/replies.md)."""

from __future__ import annotations

import random
import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional

import yaml

from kefu.replies.persona import Persona, load_persona, placeholders_in
from kefu.settings import Settings
from kefu.storage.phrases import Phrase, worded
from kefu.storage.responses import responses


def templates() -> Dict[str, List[Dict[str, Any]]]:
    return responses().templates


def phrases() -> Dict[str, str]:
    return responses().phrases


def placeholders(name: str) -> set:
    return {p for variation in templates()[name] for p in placeholders_in(variation["text"])}


def overridable_responses() -> Dict[str, List[Dict[str, Any]]]:
    """Every text a persona may reword: the domain's responses, the templates and the phrases."""
    domain = yaml.safe_load((Settings.from_env().project_root / "domain.yml").read_text(encoding="utf-8"))
    written = {name: [{"text": text}] for name, text in phrases().items()}
    return {**(domain.get("responses") or {}), **templates(), **written}


@lru_cache(maxsize=1)
def configured_persona() -> Persona:
    """The persona of persona.yml (or $PERSONA_FILE), read once per process."""
    return load_persona(Settings.from_env().persona_file, overridable_responses())


_chosen: List[Persona] = []


def current_persona() -> Persona:
    return _chosen[-1] if _chosen else configured_persona()


@contextmanager
def using_persona(chosen: Persona) -> Iterator[Persona]:
    """Replies follow ``chosen`` instead of the configured persona (tests, previews)."""
    _chosen.append(chosen)
    try:
        yield chosen
    finally:
        _chosen.pop()


def variations(name: str) -> List[Dict[str, Any]]:
    """The template's variations as the persona words them (KeyError for an unknown template)."""
    return current_persona().variations(name, templates()[name])


def in_persona(value: Any) -> Any:
    """A value to fill in with every phrase in it worded in the persona (the first text of an
    override); any other value as it is."""
    persona = current_persona()
    return worded(value, lambda name: persona.variations(name, [{"text": phrases()[name]}])[0]["text"])


def phrase_text(name: str, /, **values: Any) -> str:
    """The phrase ``name`` filled in, in the persona (KeyError for an unknown phrase or a missing value)."""
    return in_persona(Phrase(name, **values))


def render(name: str, /, chooser=random.choice, **values: Any) -> Dict[str, Any]:
    """``{"text": ..., "buttons": [...]}`` for dispatcher.utter_message(**...).

    Raises KeyError for an unknown template or a missing placeholder value,
    so a mistake shows up in the tests rather than as a broken reply.
    """
    variation = chooser(variations(name))
    reply: Dict[str, Any] = {"text": variation["text"].format(**{key: in_persona(value) for key, value in values.items()})}
    if variation.get("buttons"):
        reply["buttons"] = [dict(button) for button in variation["buttons"]]
    return reply


def render_with_buttons(name: str, buttons: List[Dict[str, str]], /, **values: Any) -> Dict[str, Any]:
    """A template whose own buttons (转人工, 都不是 …) come after the ones computed for this reply."""
    reply = render(name, **values)
    computed = [{**button, "title": in_persona(button["title"])} for button in buttons]
    reply["buttons"] = computed + reply.get("buttons", [])
    return reply


def button_payloads(name: str) -> set:
    """What the template's own buttons send back."""
    return {button["payload"] for variation in templates()[name] for button in variation.get("buttons", [])}


def templates_matching(text: str) -> List[str]:
    """Every template one of whose variations could have produced the text."""
    matching = []
    for name in templates():
        for variation in variations(name):
            pattern = re.escape(variation["text"])
            pattern = re.sub(r"\\\{(\w+)\\\}", "(?s:.+?)", pattern)
            if re.fullmatch(pattern, text):
                matching.append(name)
                break
    return matching


def identify(text: str) -> Optional[str]:
    """Which template a sent text came from (for tests and reports)."""
    matching = templates_matching(text)
    return matching[0] if matching else None
