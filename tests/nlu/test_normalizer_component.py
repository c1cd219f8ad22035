from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.normalizer_component import RESIDUE, ShopperTextNormalizer
from kefu.nlu.text_normalizer import load_terms, load_typos


def component():
    return ShopperTextNormalizer({}, None, None, load_terms(), load_typos())


def test_residue_is_blanked_and_recorded_in_the_parse_output():
    text = "售后咨询 咨询订单号:2024111100001 商品ID:3 推货怎么弄"
    message = Message(data={"text": text})
    component().process([message])
    assert message.get("text").split() == ["售后", "2024111100001", "退货怎么弄"]
    assert message.get(RESIDUE) == {"menu_topic": "售后", "order_card": True}
    assert message.as_dict(only_output_properties=True)[RESIDUE]["menu_topic"] == "售后"


def test_a_plain_message_gets_no_residue():
    message = Message(data={"text": "快递到哪了"})
    component().process([message])
    assert message.get(RESIDUE) is None


def test_training_annotations_on_blanked_residue_are_dropped():
    text = "有XL的吗 有XL的吗"
    first = {"entity": "size", "start": 1, "end": 3, "value": "XL"}
    second = {"entity": "size", "start": 7, "end": 9, "value": "XL"}
    message = Message(data={"text": text, "intent": "ask_stock", "entities": [first, second]})
    component().process_training_data(TrainingData([message]))
    assert message.get("entities") == [first]
