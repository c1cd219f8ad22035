"""The shared frame of the pipeline's stateless components: nothing to train
or load, built from the config alone."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class ConfiguredComponent(GraphComponent):
    """A component whose only state is its config (defaults filled in)."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConfiguredComponent:
        return cls(config)


class TextStep(ConfiguredComponent):
    """A tokenizer-stage step: the same change, one message at a time, on the
    training data, the stories' user text and every live message.

    Only for steps before classification: a classifier or extractor must not
    change the training examples, whose intent and entities are the gold labels.
    """

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_message(message)
        return messages

    @abstractmethod
    def process_message(self, message: Message) -> None:
        """Changes one message in place."""
