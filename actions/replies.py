"""Sending template replies (data/responses/) from actions."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa_sdk.executor import CollectingDispatcher

from kefu.replies import configured_persona, render

# rasa-sdk imports every module of this package when the action server starts: reading the
# texts of data/responses/ and the persona now makes a broken file stop the start, with its
# file, line and reason, instead of breaking the first reply.
configured_persona()


def say(dispatcher: CollectingDispatcher, template: str, **values: Any) -> None:
    dispatcher.utter_message(**render(template, **values))


def say_reply(dispatcher: CollectingDispatcher, reply: Dict[str, Any], card: Optional[Dict[str, Any]] = None) -> None:
    """Sends a reply the services composed: its template name plus the values to fill in. A ``card``
    (a custom payload such as an order card) travels in the same message, so a channel that cannot
    draw it still has the text."""
    values = {key: value for key, value in reply.items() if key != "template"}
    if card is None:
        say(dispatcher, reply["template"], **values)
    else:
        dispatcher.utter_message(**render(reply["template"], **values), json_message=card)


def apologise_for_backend(dispatcher: CollectingDispatcher) -> None:
    """The shop's systems are down or slow: apologise and offer an agent."""
    say(dispatcher, "backend_unavailable")
