"""Keeps one entity per text span when several extractors found it, and
drops order numbers that do not have an order number's shape."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.entity_shapes import ORDER_ID_ENTITY, has_order_id_shape
from kefu.nlu.message_step import ConfiguredComponent


def deduplicate(entities: List[Dict[Text, Any]], preferred: List[Text]) -> List[Dict[Text, Any]]:
    """Drops an entity that overlaps one already kept.

    Extractors named in ``preferred`` win, in that order. An entity is dropped
    when it overlaps a kept one of the same type, or any kept one from a
    better-ranked extractor (a regex match of a phone number overrules the CRF
    calling the same digits an order number).
    """

    def rank(entity: Dict[Text, Any]) -> int:
        extractor = entity.get("extractor")
        return preferred.index(extractor) if extractor in preferred else len(preferred)

    kept: List[Dict[Text, Any]] = []
    for entity in sorted(entities, key=rank):
        overlaps = any(
            (other["entity"] == entity["entity"] or rank(other) < rank(entity))
            and other.get("start", 0) < entity.get("end", 0)
            and entity.get("start", 0) < other.get("end", 0)
            for other in kept
        )
        if not overlaps:
            kept.append(entity)
    return sorted(kept, key=lambda e: (e.get("start", 0), e.get("end", 0)))


def drop_shapeless_order_ids(entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """An order number comes from its shape only: the CRF calling a lone digit
    (商品ID:3) or a price an order_id is a guess from the words around it."""
    return [
        entity
        for entity in entities
        if entity.get("entity") != ORDER_ID_ENTITY or has_order_id_shape(entity.get("value"))
    ]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class EntityDeduplicator(ConfiguredComponent):
    """Regex-extracted order and phone numbers are exact; the CRF's copies, and
    its order numbers without the shape of one, are dropped."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"preferred_extractors": ["RegexEntityExtractor", "CRFEntityExtractor", "DIETClassifier"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._preferred = list(self._config["preferred_extractors"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            if entities:
                kept = deduplicate(drop_shapeless_order_ids(entities), self._preferred)
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
