"""Rasa pipeline component that runs :class:`TextNormalizer` before tokenizing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.platform_residue import entities_outside_residue
from kefu.nlu.text_normalizer import (
    DEFAULT_TERMS_FILE,
    DEFAULT_TYPOS_FILE,
    TextNormalizer,
    load_terms,
    load_typos,
)

TERMS_FILE = "terms.json"
# Message (and parse output) key of what platform residue said.
RESIDUE = "residue"


# Registered as a tokenizer-stage component so the recipe runs it, in pipeline
# order, on training data, on end-to-end story text and on every message.
@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ShopperTextNormalizer(GraphComponent):
    """Blanks platform residue and corrects homophone typos (快第 -> 快递) in place."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # One shop term per line, the targets of homophone correction.
            "terms_path": str(DEFAULT_TERMS_FILE),
            # wrong<TAB>right lines of typos that are not homophones.
            "typos_path": str(DEFAULT_TYPOS_FILE),
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        terms: Optional[List[str]] = None,
        typos: Optional[Dict[str, str]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._terms = terms or []
        self._typos = typos or {}
        self._normalizer = TextNormalizer(self._terms, self._typos)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShopperTextNormalizer:
        terms = load_terms(Path(config["terms_path"]))
        typos = load_typos(Path(config["typos_path"]))
        return cls(config, model_storage, resource, terms, typos)

    def train(self, training_data: TrainingData) -> Resource:
        # The terms and typos are stored in the model so that a trained model
        # behaves the same wherever it is loaded.
        with self._model_storage.write_to(self._resource) as directory:
            (directory / TERMS_FILE).write_text(
                json.dumps({"terms": self._terms, "typos": self._typos}, ensure_ascii=False),
                encoding="utf-8",
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ShopperTextNormalizer:
        with model_storage.read_from(resource) as directory:
            stored = json.loads((directory / TERMS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, stored["terms"], stored["typos"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            original = message.get(TEXT)
            self.process([message])
            entities = message.get(ENTITIES)
            if original and entities:
                # An annotation on blanked residue (the second copy of a
                # question pasted twice) would teach DIET to tag blanks.
                message.set(ENTITIES, entities_outside_residue(original, message.get(TEXT), entities))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                normalized, residue = self._normalizer.analyse(text)
                message.set(TEXT, normalized)
                found = residue.as_dict()
                if found:
                    # The menu topic, platform and product ids the blanked
                    # residue carried, in the parse output for the actions.
                    message.set(RESIDUE, found, add_to_output=True)
        return messages
