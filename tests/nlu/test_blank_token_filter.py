from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.blank_token_filter import BlankTokenFilter

TOKENS = TOKENS_NAMES["text"]


def tokenized(*words):
    tokens, start = [], 0
    for word in words:
        tokens.append(Token(word, start))
        start += len(word)
    return Message(data={"text": "".join(words), TOKENS: tokens})


def test_whitespace_tokens_are_dropped_and_offsets_kept():
    message = tokenized("售后", " ", " ", "退货", " ", "怎么弄")
    BlankTokenFilter().process([message])
    assert [(t.text, t.start, t.end) for t in message.get(TOKENS)] == [
        ("售后", 0, 2), ("退货", 4, 6), ("怎么弄", 7, 10)
    ]


def test_training_data_is_filtered_too():
    message = tokenized("你好", " ", "在吗")
    BlankTokenFilter().process_training_data(TrainingData([message]))
    assert [t.text for t in message.get(TOKENS)] == ["你好", "在吗"]


def test_a_message_of_blanks_keeps_one_token():
    message = tokenized(" ", " ")
    BlankTokenFilter().process([message])
    assert len(message.get(TOKENS)) == 1
