"""Messages without a single word ("🤔🤔", "……", "@#￥%") are sent to the
fallback instead of being guessed at, except for symbols whose meaning is
settled (👌 👍 🙏 …)."""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.message_step import ConfiguredComponent

DEFAULT_MEANINGFUL_SYMBOLS = ("👌", "👍", "🙏", "🙆", "🤝", "❤", "💕", "🆗")
# Variation selectors and joiners carry no meaning of their own.
_INVISIBLE = {"\ufe0f", "\u200d", " ", "\u3000"}


def has_words(text: str) -> bool:
    """Whether the text holds a Chinese character, a letter or a digit (bopomofo is not a word)."""
    for char in text or "":
        if "\u3100" <= char <= "\u312f":  # ㄅㄆㄇ: phonetic symbols typed by mistake
            continue
        category = unicodedata.category(char)
        if category.startswith("L") or category == "Nd":
            return True
    return False


def is_wordless(text: str, meaningful_symbols=DEFAULT_MEANINGFUL_SYMBOLS) -> bool:
    """No word at all, and not only symbols with a settled meaning."""
    if has_words(text):
        return False
    symbols = [char for char in text or "" if char not in _INVISIBLE]
    return not (symbols and all(char in meaningful_symbols for char in symbols))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class WordlessMessageGuard(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"meaningful_symbols": list(DEFAULT_MEANINGFUL_SYMBOLS)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._meaningful = tuple(self._config["meaningful_symbols"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or not is_wordless(message.get(TEXT) or "", self._meaningful):
                continue
            # Zero confidence everywhere: the FallbackClassifier after this turns it into nlu_fallback.
            message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
            ranking = [{**entry, PREDICTED_CONFIDENCE_KEY: 0.0} for entry in message.get(INTENT_RANKING_KEY) or []]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
