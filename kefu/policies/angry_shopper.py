"""A dialogue policy that hands an angry shopper to a human, whatever they asked.

"气死了 三次都发错" is a problem report by intent, but a shopper this upset
should not be walked through a form: the bot apologises (utter_complain) and
hands over (action_handoff_to_human), as it does for the complain intent.
The anger is scored on the message itself (kefu.handoff.emotion), so no
training data is needed; the policy outranks the rule policy only on those
turns and abstains on every other one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from kefu.handoff.emotion import message_emotion
from kefu.names import COMPLAIN_INTENT, HANDOFF_TO_HUMAN_ACTION, REQUEST_HUMAN_INTENT

APOLOGY = "utter_complain"
HANDOFF = HANDOFF_TO_HUMAN_ACTION
# These intents have their own rules (apology and handoff, or straight handoff).
INTENTS_WITH_RULES = (COMPLAIN_INTENT, REQUEST_HUMAN_INTENT)
# Above the rule policy's 6, so that on an angry turn this prediction wins.
ANGRY_SHOPPER_PRIORITY = 7


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class AngryShopperPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": ANGRY_SHOPPER_PRIORITY}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        # Nothing to learn: the signal is the message's wording.
        return self._resource

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None, **kwargs: Any,
    ) -> PolicyPrediction:
        action = next_action_for_angry_shopper(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)


def next_action_for_angry_shopper(tracker: DialogueStateTracker) -> Optional[Text]:
    """utter_complain right after an angry message, then the handoff; None on any other turn."""
    message = tracker.latest_message
    if message is None:
        return None
    intent = (message.intent or {}).get("name")
    # Praise ("一点都不差，好评！！") reads calm whatever its words: it is thanked by its rule.
    if intent in INTENTS_WITH_RULES or not message_emotion(message.text, intent).angry:
        return None
    actions_since_message = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            actions_since_message.append(event.action_name)
    if not actions_since_message:
        return APOLOGY
    if actions_since_message == [APOLOGY]:
        return HANDOFF
    return None
