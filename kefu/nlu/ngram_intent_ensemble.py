"""Averages DIET's intent ranking with a linear model on character n-grams,
which keeps the evidence a typo or an unseen compound takes from DIET's
tokens (see docs/nlu.md)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "ngram_intent_model.skops"
# Plain data types skops does not trust by default but this model holds (the
# TF-IDF weights are a sparse diagonal matrix). Anything else is refused.
TRUSTED_TYPES = {"scipy.sparse._csr.csr_matrix"}


def _features_text(message: Message) -> str:
    """The message's tokens joined by spaces, the input of both vectorizers."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(token.text for token in tokens)


def _new_model(c: float) -> Pipeline:
    # Character n-grams run across token boundaries (the joining space is one
    # more character), so a word jieba split wrongly still shares most of its
    # n-grams with the right one; word n-grams add the tokenizer's view.
    # An n-gram seen in one training example only (min_df=2) teaches nothing
    # general: leaving those out fits in a third of the time, at the same
    # development-set accuracy (docs/nlu.md).
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                                  preprocessor=None, lowercase=True, min_df=2)),
                        ("words", TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2),
                                                  sublinear_tf=True, lowercase=True, min_df=2)),
                    ]
                ),
            ),
            ("classifier", LogisticRegression(C=c, max_iter=3000)),
        ]
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentEnsemble(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Share of the final confidence that comes from the n-gram model.
            "ngram_weight": 0.5,
            # Inverse regularisation strength of the logistic regression.
            "C": 20.0,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Pipeline | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NgramIntentEnsemble":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self._model = _new_model(self._config["C"])
        self._model.fit([_features_text(e) for e in examples], [e.get(INTENT) for e in examples])
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "NgramIntentEnsemble":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = set(sio.get_untrusted_types(file=path)) - TRUSTED_TYPES
                if untrusted:
                    raise ValueError(f"untrusted types in {path}: {sorted(untrusted)}")
                model = sio.load(path, trusted=sorted(TRUSTED_TYPES))
        except ValueError as error:
            logger.warning(f"n-gram intent model not loaded ({error}); DIET's ranking is used alone")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        probabilities = self._model.predict_proba([_features_text(m) for m in messages])
        classes = list(self._model.classes_)
        weight = float(self._config["ngram_weight"])
        for message, ngram_row in zip(messages, probabilities):
            diet = {r["name"]: r["confidence"] for r in (message.get(INTENT_RANKING_KEY) or [])}
            combined = {
                intent: weight * float(p) + (1 - weight) * float(diet.get(intent, 0.0))
                for intent, p in zip(classes, ngram_row)
            }
            ranking = sorted(
                ({"name": name, "confidence": confidence} for name, confidence in combined.items()),
                key=lambda r: -r["confidence"],
            )[:10]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
