"""Clarification instead of guessing: the answer to nlu_fallback, after looking for the merchant's written
answer to the message (FAQ, the product's Q&A) first."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.products import product_names, question_in
from actions.replies import say, say_reply
from actions.shop import call_backend
from kefu.backends.errors import BackendFailure
from kefu.knowledge.product_questions import is_feature_word
from kefu.knowledge.store import shared_store
from kefu.replies import render_with_buttons
from kefu.replies.intent_labels import intent_labels
from kefu.services.clarification import CHOOSE, OFFER_HUMAN, clarification_plan, entity_values, intent_payload
from kefu.services.product_answers import product_words_of
from kefu.services.retrieval import retrieved_reply


async def retrieved_answer(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The FAQ entry or product Q&A entry that answers the message with confidence, if any; a shop
    that does not answer just means no retrieval (clarification follows)."""
    try:
        question = await question_in(tracker)
        product = question.products[0] if question.products and not question.comparison else None
        store = shared_store()
        faqs = await call_backend(store.faq)
        entries = await call_backend(store.product_qa)
    except BackendFailure:
        return None
    said = product_names(tracker)
    words = product_words_of(product, said) if product is not None else [w for w in said if not is_feature_word(w)]
    return retrieved_reply(faqs, entries, product.product_id if product is not None else None,
                           tracker.latest_message.get("text") or "", ignored=words)


class ActionClarify(Action):
    """Answers from the FAQ or the product's Q&A when one entry clearly matches; otherwise offers the
    model's close guesses as buttons, and after two misses in a row, an agent."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answer = await retrieved_answer(tracker)
        if answer is not None:
            say_reply(dispatcher, answer)
            return []
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
