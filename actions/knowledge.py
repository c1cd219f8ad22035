"""Answers from the merchant's imported knowledge (policies, FAQ, promotion rules), read from the shop
database on every answer, so that a re-import changes what the running bot says without a restart."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import apologise_for_backend, say_reply
from actions.shop import call_backend
from kefu.backends.errors import BackendFailure
from kefu.knowledge.promotions import PromotionEngine
from kefu.knowledge.store import shared_store
from kefu.services.knowledge_answers import knowledge_reply


def promotion_engine() -> PromotionEngine:
    return PromotionEngine(shared_store().promotions())


def _reply_for(topic: str, text: str):
    store = shared_store()
    return knowledge_reply(store.policies(topic), store.faq(topic), text)


class ActionAnswerFromKnowledge(Action):
    """A policy question (invoice, warranty, payment …): the intent names the topic."""

    def name(self) -> Text:
        return "action_answer_from_knowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        topic = (tracker.latest_message.get("intent") or {}).get("name") or ""
        try:
            reply = await call_backend(_reply_for, topic, tracker.latest_message.get("text") or "")
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return []
        say_reply(dispatcher, reply)
        return []
