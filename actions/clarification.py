"""Clarification instead of guessing: the answer to nlu_fallback."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import say
from kefu.replies import render_with_buttons
from kefu.replies.intent_labels import intent_labels
from kefu.services.clarification import CHOOSE, OFFER_HUMAN, clarification_plan, entity_values, intent_payload


class ActionClarify(Action):
    """Offers the model's close guesses as buttons; after two misses in a row, an agent."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        latest = tracker.latest_message or {}
        labels = intent_labels()
        plan = clarification_plan(latest.get("intent_ranking"), tracker.events, offerable=labels)
        if plan.kind == OFFER_HUMAN:
            say(dispatcher, "clarify_offer_human")
        elif plan.kind == CHOOSE:
            entities = entity_values(latest.get("entities"))
            buttons = [{"title": labels[intent], "payload": intent_payload(intent, entities)} for intent in plan.intents]
            template = "clarify_choose" if len(plan.intents) > 1 else "clarify_confirm"
            dispatcher.utter_message(**render_with_buttons(template, buttons))
        else:
            say(dispatcher, "clarify_rephrase")
        return []
