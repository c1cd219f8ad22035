"""Recommendations over several turns (docs/dialogue.md): the request read into needs, the form's two
questions at most, the list, and the shopper's next messages about it; the parsing is
kefu/services/recommendation.py, the ranking kefu/knowledge/recommendation.py."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.after_sales import decline_offer
from actions.identity import known_customer_id
from actions.replies import apologise_for_backend, say, say_reply
from actions.shop import backends, call_backend
from kefu import names
from kefu.backends.errors import BackendFailure
from kefu.knowledge.recommendation import Needs
from kefu.replies import render_with_buttons
from kefu.services.recommendation import (
    RecommendationState,
    Refinement,
    ShownProduct,
    read_refinement,
    recommend_for,
    refined_needs,
    same_kind,
)
from kefu.services.recommendation_replies import (
    budget_question,
    category_question,
    details_button,
    order_reply,
    present,
    product_buttons,
    shown_products,
)
from kefu.services.product_answers import product_id_in
from kefu.services.references import option_pointed_at

QUESTION_SLOTS = (names.RECOMMENDATION_CATEGORY_SLOT, names.RECOMMENDATION_BUDGET_SLOT)

# Questions about a product: a position in them picks from the list ("第二个有白色吗").
_PRODUCT_QUESTIONS = (names.ASK_PRODUCT_INFO_INTENT, names.ASK_STOCK_INTENT)
# Intents in which a kind of product named is what the question is about, not a new
# wish ("蓝牙耳机哪个降噪好", "口红有优惠吗", "买的衣服想换个码").
_KIND_IS_THE_SUBJECT = (*_PRODUCT_QUESTIONS, names.ASK_PROMOTION_INTENT, names.ASK_EXCHANGE_INTENT)


def _state(tracker: Tracker) -> RecommendationState:
    return RecommendationState.from_slot(tracker.get_slot(names.RECOMMENDATION_SLOT))


def _entities(tracker: Tracker) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for entity in tracker.latest_message.get("entities", []):
        found.setdefault(entity.get("entity"), []).append(str(entity.get("value")))
    return found


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _read(tracker: Tracker, expecting_budget: bool = False) -> Refinement:
    return read_refinement(tracker.latest_message.get("text"), _entities(tracker), expecting_budget)


def _ended() -> List[EventType]:
    return [
        SlotSet(names.RECOMMENDATION_SLOT, None),
        SlotSet(names.RECOMMENDATION_SHOWN_SLOT, False),
        SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True),
    ]


async def _show(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    state: RecommendationState,
    needs: Needs,
    refinement: Optional[Refinement],
) -> List[EventType]:
    """Ranks for the needs and shows the list (or why nothing fits), keeping what was shown for the next turn."""
    try:
        result = await call_backend(recommend_for, backends(), needs, known_customer_id(tracker))
    except BackendFailure:
        apologise_for_backend(dispatcher)
        return [SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True)]
    shown = present(result, needs, refinement, state.shown)
    values = {key: value for key, value in shown.reply.items() if key != "template"}
    dispatcher.utter_message(**render_with_buttons(shown.reply["template"], product_buttons(shown.picks), **values))
    events: List[EventType] = [
        SlotSet(names.RECOMMENDATION_SHOWN_SLOT, True), SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True),
    ]
    if not shown.picks and state.shown:
        # Nothing new to show: the list already shown, and the wishes it answers, stay.
        return events + [SlotSet(names.RECOMMENDATION_SLOT, state.to_slot())]
    kept = RecommendationState(shown.needs, tuple(shown_products(shown.picks)))
    events.append(SlotSet(names.RECOMMENDATION_SLOT, kept.to_slot()))
    if shown.picks:
        events.append(SlotSet(names.CURRENT_PRODUCT_SLOT, shown.picks[0].product.product_id))
    return events


class ActionStartRecommendation(Action):
    """A request for a recommendation: a new one, or more of what is shown."""

    def name(self) -> Text:
        return "action_start_recommendation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = _state(tracker)
        refinement = _read(tracker)
        if tracker.get_slot(names.RECOMMENDATION_SHOWN_SLOT) and state.shown:
            if not refinement.category or same_kind(refinement.category, state.needs.category):
                # More of the same kind: action_recommend shows it as a change of the list.
                needs = refined_needs(state.needs, refinement.more_of_the_same(), state.shown)
                return [SlotSet(names.RECOMMENDATION_SLOT, replace(state, needs=needs).to_slot())]
            # Another kind of product: what it is for and the budget still hold.
            needs = refined_needs(state.needs, refinement, state.shown)
            return [SlotSet(names.RECOMMENDATION_SLOT, RecommendationState(needs).to_slot())]
        needs = refined_needs(Needs(), refinement)
        return [
            SlotSet(names.RECOMMENDATION_SLOT, RecommendationState(needs).to_slot()),
            SlotSet(names.RECOMMENDATION_SHOWN_SLOT, False),
            *[SlotSet(slot, None) for slot in QUESTION_SLOTS],
        ]


class ValidateRecommendationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_recommendation_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        state = _state(tracker)
        if state.cancelled or tracker.get_slot(names.RECOMMENDATION_SHOWN_SLOT):
            return []  # questions are asked only before the first list
        slots = []
        if not state.needs.category:
            slots.append(names.RECOMMENDATION_CATEGORY_SLOT)
        if state.needs.budget_max is None and state.needs.budget_min is None:
            slots.append(names.RECOMMENDATION_BUDGET_SLOT)
        return slots

    def validate_recommendation_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._answer(names.RECOMMENDATION_CATEGORY_SLOT, value, tracker, expecting_budget=False)

    def validate_recommendation_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._answer(names.RECOMMENDATION_BUDGET_SLOT, value, tracker, expecting_budget=True)

    @staticmethod
    def _answer(slot: str, value: Any, tracker: Tracker, expecting_budget: bool) -> Dict[Text, Any]:
        """Whatever the answer says is kept ("耳机，300以内" answers both questions); "随便" answers too."""
        if value is None:
            return {slot: None}  # cleared when the recommendation started: nothing was answered
        state = _state(tracker)
        refinement = _read(tracker, expecting_budget)
        if refinement.abandon:
            state = replace(state, cancelled=True)
        else:
            state = replace(state, needs=refined_needs(state.needs, refinement))
        return {slot: str(value), names.RECOMMENDATION_SLOT: state.to_slot()}


class ActionAskRecommendationCategory(Action):
    def name(self) -> Text:
        return "action_ask_recommendation_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_reply(dispatcher, category_question(_state(tracker).needs))
        return []


class ActionAskRecommendationBudget(Action):
    def name(self) -> Text:
        return "action_ask_recommendation_budget"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_reply(dispatcher, budget_question(_state(tracker).needs))
        return []


class ActionRecommend(Action):
    """The list, once the form has what it needs (or the shopper gave up)."""

    def name(self) -> Text:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = _state(tracker)
        if state.cancelled:
            say(dispatcher, "recommend_ended")
            return _ended()
        refinement = _read(tracker).more_of_the_same() if state.shown else None
        return await _show(dispatcher, tracker, state, state.needs, refinement)


class ActionRefineRecommendation(Action):
    """A message while a list is shown: a product picked, a wish changed, giving up, or something else."""

    def name(self) -> Text:
        return "action_refine_recommendation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = _state(tracker)
        intent = _intent(tracker)
        meant = self._product_meant(tracker, state)
        if meant and intent in _PRODUCT_QUESTIONS:
            # "第二个有白色吗": the product answer, for that one.
            return [SlotSet(names.CURRENT_PRODUCT_SLOT, meant), SlotSet(names.RECOMMENDATION_HANDLED_SLOT, False)]
        if meant and intent == names.INFORM_INTENT:
            return await self._order(dispatcher, state, meant)
        refinement = _read(tracker)
        if intent in _KIND_IS_THE_SUBJECT:
            refinement = replace(refinement, category=None, uses=())
        if refinement.changes_needs:
            return await _show(dispatcher, tracker, state, refined_needs(state.needs, refinement, state.shown), refinement)
        if intent == names.DENY_INTENT or (intent == names.INFORM_INTENT and refinement.abandon):
            if tracker.get_slot(names.OFFERED_TASK_SLOT):
                # The "no" answers the after-sales offer made since the list.
                return decline_offer(dispatcher) + [SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True)]
            say(dispatcher, "recommend_ended")
            return _ended()
        if intent == names.INFORM_INTENT:
            # An order number and the like: the shopper has moved on.
            return [SlotSet(names.RECOMMENDATION_SHOWN_SLOT, False), SlotSet(names.RECOMMENDATION_HANDLED_SLOT, False)]
        return [SlotSet(names.RECOMMENDATION_HANDLED_SLOT, False)]

    @staticmethod
    def _product_meant(tracker: Tracker, state: RecommendationState) -> Optional[str]:
        """A product of the list named by a button (its id; an earlier list's button too) or by position."""
        ids = state.shown_ids
        text = tracker.latest_message.get("text") or ""
        clicked = text.startswith("/")
        named = [value for value in _entities(tracker).get(names.PRODUCT_ENTITY, [])
                 if value in ids or (clicked and product_id_in(value))]
        if named:
            return named[-1]
        return option_pointed_at(text, ids)

    @staticmethod
    async def _order(dispatcher: CollectingDispatcher, state: RecommendationState, product_id: str) -> List[EventType]:
        try:
            product = await call_backend(backends().catalogue.get_product, product_id)
        except BackendFailure:
            apologise_for_backend(dispatcher)
            return [SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True)]
        if product is None:
            say(dispatcher, "product_which")
            return [SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True)]
        # The variant the list showed; a product of an earlier list: its price from, variant to choose.
        shown = next((item for item in state.shown if item.product_id == product_id), ShownProduct(product_id, product.price))
        reply = order_reply(product.name, shown)
        values = {key: value for key, value in reply.items() if key != "template"}
        index = state.shown_ids.index(product_id) + 1 if product_id in state.shown_ids else 1
        dispatcher.utter_message(**render_with_buttons(reply["template"], [details_button(product_id, index)], **values))
        return [SlotSet(names.CURRENT_PRODUCT_SLOT, product_id), SlotSet(names.RECOMMENDATION_HANDLED_SLOT, True)]
