"""Sending template replies (kefu/replies/templates.yml) from actions."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from kefu.replies import render


def say(dispatcher: CollectingDispatcher, template: str, **values: Any) -> None:
    dispatcher.utter_message(**render(template, **values))


def apologise_for_backend(dispatcher: CollectingDispatcher) -> None:
    """The shop's systems are down or slow: apologise and offer an agent."""
    say(dispatcher, "backend_unavailable")
