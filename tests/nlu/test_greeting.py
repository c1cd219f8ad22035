import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.greeting import GreetingPrefixBlanker, GreetingSplitter, carries_content

# Common words that start with an opener's characters, as jieba's dictionary has them.
COMMON_WORDS = {"亲子": 90, "宝宝": 301, "早点": 371, "老板娘": 146, "在家": 1016}


@pytest.fixture
def splitter():
    return GreetingSplitter(word_frequency=lambda word: COMMON_WORDS.get(word, 0))


@pytest.mark.parametrize(
    "text, rest",
    [
        ("你好 耳机坏了", "耳机坏了"),
        ("你好耳机坏了", "耳机坏了"),
        ("在么 带数据线么?", "带数据线么?"),
        ("您好，我想问一下，这个锅能用电磁炉吗", "这个锅能用电磁炉吗"),
        ("亲亲在吗～ 退款到哪了", "退款到哪了"),
        ("hi 包邮吗", "包邮吗"),
        ("Hello~ 有货吗", "有货吗"),
        ("请问怎么开发票", "怎么开发票"),
        ("在？有白色吗", "有白色吗"),
        ("老板 能便宜点吗😊", "能便宜点吗😊"),
        ("早上好呀 我的快递到哪了", "我的快递到哪了"),
    ],
)
def test_openers_before_a_question_are_blanked(splitter, text, rest):
    blanked = splitter.blank(text)
    assert len(blanked) == len(text)
    assert blanked.endswith(rest)
    assert blanked[: len(text) - len(rest)].strip() == ""


@pytest.mark.parametrize(
    "text",
    ["你好", "您好，我想问一下…", "在吗？？？", "哈喽哈喽", "你好呀 在吗", "喂喂 有人吗", "嗨 亲 🙋", "hi 在吗", "亲，在线吗", "哈喽呀", "客服呢", "您好您好"],
)
def test_a_message_that_is_only_a_greeting_stays_as_it_is(splitter, text):
    assert splitter.blank(text) == text


@pytest.mark.parametrize(
    "text",
    ["亲子装有M码吗", "宝宝能用吗", "早点发货行吗", "老板娘在吗", "在家能用吗", "history of this brand", "这个耳机在吗"],
)
def test_words_that_only_begin_like_an_opener_are_kept(splitter, text):
    assert splitter.blank(text) == text


def test_a_greeting_later_in_the_message_is_not_touched(splitter):
    assert splitter.blank("耳机坏了 你好") == "耳机坏了 你好"


def test_particles_alone_are_not_content():
    assert not carries_content("呀～～ ？")
    assert carries_content("有货吗")
    assert carries_content("M")


def test_jieba_dictionary_keeps_common_words_whole():
    splitter = GreetingSplitter()
    assert splitter.blank("亲自试过吗") == "亲自试过吗"
    assert splitter.blank("亲 有货吗") == "  有货吗"


@pytest.fixture
def component(tmp_path):
    return GreetingPrefixBlanker.create(
        {}, LocalModelStorage(tmp_path), Resource("greeting"), ExecutionContext(graph_schema=None, model_id="m")
    )


def test_component_blanks_messages_and_keeps_entity_offsets(component):
    text = "你好 订单2024111100003能改地址吗"
    entity = {"entity": "order_id", "start": 5, "end": 18, "value": "2024111100003"}
    message = Message(data={TEXT: text, INTENT: "change_address", ENTITIES: [entity]})
    data = TrainingData([message])
    component.process_training_data(data)
    processed = data.training_examples[0].get(TEXT)
    assert processed == "   订单2024111100003能改地址吗"
    assert processed[entity["start"] : entity["end"]] == entity["value"]


def test_component_never_blanks_an_annotated_entity(component):
    message = Message(
        data={TEXT: "亲 耳机呢", INTENT: "track_order", ENTITIES: [{"entity": "product", "start": 0, "end": 1}]}
    )
    [processed] = component.process([message])
    assert processed.get(TEXT) == "亲 耳机呢"


def test_component_leaves_a_lone_greeting_and_empty_messages(component):
    greeting, empty = Message(data={TEXT: "在吗亲"}), Message(data={})
    component.process([greeting, empty])
    assert greeting.get(TEXT) == "在吗亲"
    assert empty.get(TEXT) is None
