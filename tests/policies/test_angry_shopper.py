"""The policy that hands angry shoppers to a human."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kefu.policies.angry_shopper import AngryShopperPolicy, next_action_for_angry_shopper

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def tracker(text, intent, *actions):
    events = [ActionExecuted("action_listen"), UserUttered(text, {"name": intent, "confidence": 0.9})]
    events += [ActionExecuted(action) for action in actions]
    return DialogueStateTracker.from_events("shopper", events)


@pytest.mark.parametrize("text", ["气死了 三次都发错", "你们什么破服务!!!"])
def test_an_angry_message_is_apologised_for_then_handed_over(text):
    assert next_action_for_angry_shopper(tracker(text, "report_problem")) == "utter_complain"
    assert next_action_for_angry_shopper(tracker(text, "report_problem", "utter_complain")) == "action_handoff_to_human"
    done = tracker(text, "report_problem", "utter_complain", "action_handoff_to_human")
    assert next_action_for_angry_shopper(done) is None


@pytest.mark.parametrize("text, intent", [("快递到哪了", "track_order"), ("好的谢谢", "thank"),
                                          ("你们什么破服务!!!", "complain"), ("", "nlu_fallback")])
def test_calm_messages_and_intents_with_their_own_rules_are_left_to_the_other_policies(text, intent):
    assert next_action_for_angry_shopper(tracker(text, intent)) is None


@pytest.mark.parametrize("text", ["这么好的东西谁给差评谁有病！！！", "一点都不差，必须好评!!!"])
def test_praise_is_never_apologised_for_nor_handed_over(text):
    assert next_action_for_angry_shopper(tracker(text, "praise")) is None


def test_a_grievance_written_like_a_review_is_apologised_for():
    assert next_action_for_angry_shopper(tracker("速度就是龟速，差评，令人失望!!!", "report_problem")) == "utter_complain"


def test_an_angry_message_answered_otherwise_is_not_taken_over():
    assert next_action_for_angry_shopper(tracker("气死了 三次都发错", "report_problem", "action_start_after_sales")) is None


def test_the_policy_outranks_the_rule_policy_on_angry_turns_only(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    policy = AngryShopperPolicy.create(AngryShopperPolicy.get_default_config(), storage, Resource("angry"), context)
    prediction = policy.predict_action_probabilities(tracker("气死了 三次都发错", "report_problem"), DOMAIN)
    assert DOMAIN.action_names_or_texts[prediction.max_confidence_index] == "utter_complain"
    assert prediction.max_confidence == 1.0 and prediction.policy_priority == 7
    calm = policy.predict_action_probabilities(tracker("快递到哪了", "track_order"), DOMAIN)
    assert calm.max_confidence == 0.0
