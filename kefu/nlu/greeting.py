"""Blanks a greeting that opens a message with a question in it, so that the
question is what gets classified (issue 14, family 3: "你好 录音笔坏了",
"在么 带数据线么?"). A message that is only a greeting is left alone and
stays ``greet``. Blanking replaces characters with spaces one for one, so
annotated spans and extracted entity offsets stay valid (see docs/nlu.md).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.message_step import TextStep

BLANK = " "

# Openers that ask nothing: hellos, "are you there", forms of address.
GREETINGS = (
    "你好", "您好", "你们好", "大家好", "哈喽", "哈罗", "哈啰", "哈囉", "哈佬", "嗨", "嘿", "喂",
    "hi", "hello", "hey", "helo", "hallo", "nihao", "zaima", "zaime", "zaibuzai",
    "早", "早安", "早上好", "上午好", "中午好", "下午好", "晚上好",
    "在吗", "在么", "在嘛", "在不", "在不在", "在没", "在没在", "在线吗", "在线不", "在线嘛",
    "还在吗", "还在不", "有人吗", "有人么", "有人嘛", "有人没", "有人不", "有人在吗", "有人在不",
    "有人在嘛", "有没有人", "有没有人在", "有活人吗", "有活人没", "有活人不", "有没有活人",
    "亲", "亲亲", "亲爱的", "宝", "宝子", "老板", "掌柜", "掌柜的", "店家", "商家",
    "客服", "kf", "客服小姐姐", "客服小哥哥", "客服小二",
)
# Run-ups to a question that carry no topic of their own.
FILLERS = (
    "请问", "请问一下", "请问下", "问一下", "问下", "问问", "想问一下", "想问下", "想问问",
    "我想问一下", "我想问下", "我想问问", "我想请问一下", "我问一下", "我问下",
    "打扰一下", "打扰了", "打扰啦", "打扰下", "麻烦问一下", "麻烦问下", "麻烦问问", "麻烦一下",
    "咨询一下", "咨询下", "想咨询一下", "想咨询下", "我想咨询一下", "我想咨询下",
    "问个问题", "问个事", "问个事儿", "有个问题", "我有个问题", "想问点事", "想问点事儿",
    "打扰一哈", "问一哈", "请教一下", "请教下",
)
# "在" alone is a greeting only when something separates it from what follows
# ("在？有货吗"), never in "在家能用吗".
NEEDS_SEPARATOR = {"在"}
# Sentence-final particles a greeting trails ("你好呀", "在吗亲" is two
# openers); on their own they carry no question.
PARTICLES = set("吗么嘛呢呀啊哈吧哦噢喔啦咯哇呐嗯哟")
# An opener followed by a character that makes a common word with it is that
# word, not an opener (亲子, 宝宝, 早点, 老板娘); jieba's dictionary says which.
COMMON_WORD_MIN_FREQ = 50
LONGEST_CROSSING_WORD = 4

_OPENERS = sorted({p.lower() for p in GREETINGS + FILLERS} | NEEDS_SEPARATOR, key=len, reverse=True)


def _is_separator(char: str) -> bool:
    # Spaces, punctuation, symbols and emoji with their joiners and selectors.
    category = unicodedata.category(char)
    return char.isspace() or category[0] in "PSZ" or category in ("Mn", "Cf")


def _jieba_frequency(word: str) -> int:
    import jieba

    jieba.initialize()
    return jieba.get_FREQ(word) or 0


def carries_content(text: str) -> bool:
    """Whether text holds a word: any letter, digit or character but particles."""
    return any(char.isalnum() and char not in PARTICLES for char in text)


class GreetingSplitter:
    """Finds where the leading openers of a message end and its content starts."""

    def __init__(self, word_frequency: Optional[Callable[[str], int]] = None) -> None:
        self._word_frequency = word_frequency or _jieba_frequency

    def content_start(self, text: str) -> int:
        """Index of the first character after the leading openers (0 if none)."""
        lowered = text.lower()
        position = self._skip(lowered, 0, _is_separator)
        content = 0
        while position < len(text):
            opener = self._opener_at(lowered, position)
            if opener is not None:
                position += len(opener)
            elif content and lowered[position] in PARTICLES:
                # A particle trailing an opener (你好呀); 哈 may also start 哈喽.
                position += 1
            else:
                break
            position = self._skip(lowered, position, _is_separator)
            content = position
        return content

    def blank(self, text: str) -> str:
        """Leading openers replaced by spaces, when content follows them."""
        start = self.content_start(text)
        if not start or not carries_content(text[start:]):
            return text
        return BLANK * start + text[start:]

    @staticmethod
    def _skip(text: str, position: int, skipped: Callable[[str], bool]) -> int:
        while position < len(text) and skipped(text[position]):
            position += 1
        return position

    def _opener_at(self, text: str, position: int) -> Optional[str]:
        for opener in _OPENERS:
            end = position + len(opener)
            if not text.startswith(opener, position) or not self._ends_there(text, position, end):
                continue
            if opener in NEEDS_SEPARATOR and end < len(text) and not _is_separator(text[end]):
                continue
            return opener
        return None

    def _ends_there(self, text: str, start: int, end: int) -> bool:
        if end >= len(text):
            return True
        if text[end - 1].isascii() and text[end - 1].isalpha():
            # hi / hello are words only when no letter follows (not "history").
            return not (text[end].isascii() and text[end].isalnum())
        # No common word runs across the opener's end (亲|子, 早|点, 老板|娘).
        for word_start in range(start, end):
            for word_end in range(end + 1, min(word_start + LONGEST_CROSSING_WORD, len(text)) + 1):
                if self._word_frequency(text[word_start:word_end]) >= COMMON_WORD_MIN_FREQ:
                    return False
        return True


# A tokenizer-stage component, so the recipe runs it in pipeline order on
# training data, story text and every message, before jieba sees the text.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class GreetingPrefixBlanker(TextStep):
    """Blanks leading greetings and fillers when a question follows them."""

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        super().__init__(config)
        self._splitter = GreetingSplitter()

    def process_message(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        blanked = self._splitter.blank(text)
        if blanked != text and not _blanks_an_entity(message, len(blanked) - len(blanked.lstrip(BLANK))):
            message.set(TEXT, blanked)


def _blanks_an_entity(message: Message, blanked_up_to: int) -> bool:
    # An annotated entity inside the opener ("[亲](...)") would lose its text.
    return any(entity[ENTITY_ATTRIBUTE_START] < blanked_up_to for entity in message.get(ENTITIES) or [])
