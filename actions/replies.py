"""Sending template replies (data/responses/) from actions."""

from __future__ import annotations

from typing import Any, Dict

from rasa_sdk.executor import CollectingDispatcher

from kefu.replies import render


def say(dispatcher: CollectingDispatcher, template: str, **values: Any) -> None:
    dispatcher.utter_message(**render(template, **values))


def say_reply(dispatcher: CollectingDispatcher, reply: Dict[str, Any]) -> None:
    """Sends a reply the services composed: its template name plus the values to fill in."""
    values = {key: value for key, value in reply.items() if key != "template"}
    say(dispatcher, reply["template"], **values)


def apologise_for_backend(dispatcher: CollectingDispatcher) -> None:
    """The shop's systems are down or slow: apologise and offer an agent."""
    say(dispatcher, "backend_unavailable")
