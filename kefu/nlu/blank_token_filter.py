"""Drops the whitespace tokens jieba makes of every space.

jieba turns each space into a token of its own, and the normaliser blanks
platform residue with spaces (so that offsets stay valid): a pasted order
card would otherwise become dozens of empty tokens in DIET's sequence and a
run of spaces in the n-gram model's input.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


# A tokenizer-stage component, so that it runs right after JiebaTokenizer on
# training data, end-to-end story text and every message.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BlankTokenFilter(GraphComponent):
    """Removes tokens that are only whitespace."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BlankTokenFilter:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if tokens:
                kept = [token for token in tokens if token.text.strip()]
                # A message of blanks only keeps one token: featurizers and
                # DIET expect at least one.
                message.set(TOKENS_NAMES[TEXT], kept or tokens[:1])
        return messages
