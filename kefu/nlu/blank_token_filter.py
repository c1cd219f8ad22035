"""Drops the whitespace tokens jieba makes of every space.

jieba turns each space into a token of its own, and the normaliser blanks
platform residue with spaces (so that offsets stay valid): a pasted order
card would otherwise become dozens of empty tokens in DIET's sequence and a
run of spaces in the n-gram model's input.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.message_step import TextStep


# A tokenizer-stage component, so that it runs right after JiebaTokenizer on
# training data, end-to-end story text and every message.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BlankTokenFilter(TextStep):
    """Removes tokens that are only whitespace."""

    def process_message(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens:
            kept = [token for token in tokens if token.text.strip()]
            # A message of blanks only keeps one token: featurizers and
            # DIET expect at least one.
            message.set(TOKENS_NAMES[TEXT], kept or tokens[:1])
