import random

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kefu.nlu.augmentation import (
    KINDS,
    Augmenter,
    TrainingAugmenter,
    order_card,
    with_pinyin,
    with_prefix,
    with_suffix,
)

TERMS = ["发票", "快递", "退货", "退换货"]


def entity(kind, text, value):
    start = text.index(value)
    return {"entity": kind, "start": start, "end": start + len(value), "value": value}


def assert_offsets_valid(text, entities):
    for e in entities:
        assert text[e["start"] : e["end"]] == e["value"], (text, e)


def example(text, intent, *entities):
    return Message(data={TEXT: text, INTENT: intent, ENTITIES: list(entities)})


def examples(count=200):
    made = []
    for number in range(count):
        text = f"订单2024111100{number:03d}的快递到哪了 第{number}次问"
        made.append(example(text, "track_order", entity("order_id", text, f"2024111100{number:03d}")))
    return made


def test_prefix_shifts_every_entity():
    text = "M码还有吗"
    e = entity("size", text, "M")
    variant = with_prefix(text, [e], "你好 ")
    assert variant.text == "你好 M码还有吗"
    assert_offsets_valid(variant.text, variant.entities)
    assert e["start"] == 0, "the original annotation is not changed"


def test_suffix_keeps_offsets():
    text = "白色还有吗"
    variant = with_suffix(text, [entity("color", text, "白色")], " 急急急")
    assert variant.text == "白色还有吗 急急急"
    assert_offsets_valid(variant.text, variant.entities)


def test_order_card_prefix_annotates_its_order_number():
    card, card_entities = order_card(random.Random(1))
    text = "能开发票吗"
    variant = with_prefix(text, [], card, card_entities)
    [order] = variant.entities
    assert order["entity"] == "order_id" and len(order["value"]) == 13
    assert_offsets_valid(variant.text, variant.entities)
    assert variant.text.endswith(" 能开发票吗")


def test_pinyin_typo_moves_the_entities_after_it():
    text = "发票开给订单2024111100001"
    e = entity("order_id", text, "2024111100001")
    variant = with_pinyin(text, [e], TERMS, random.Random(0))
    assert variant.text == "fapiao开给订单2024111100001"
    assert_offsets_valid(variant.text, variant.entities)


def test_pinyin_never_touches_an_entity_or_sticks_to_latin_letters():
    text = "退货"
    assert with_pinyin(text, [entity("product", text, "退货")], TERMS, random.Random(0)) is None
    assert with_pinyin("XL退货", [], TERMS, random.Random(0)) is None
    assert with_pinyin("能包邮吗", [], TERMS, random.Random(0)) is None


def test_longest_term_is_typed_whole():
    variant = with_pinyin("退换货怎么弄", [], sorted(TERMS, key=len, reverse=True), random.Random(0))
    assert variant.text == "tuihuanhuo怎么弄"


def test_copies_are_deterministic_capped_and_valid():
    augmenter = Augmenter(seed=7, share=0.25, kinds=KINDS, terms=TERMS)
    first, second = augmenter.copies(examples()), augmenter.copies(examples())
    assert [m.get(TEXT) for m in first] == [m.get(TEXT) for m in second]
    assert 0 < len(first) <= 50
    for message in first:
        assert message.get(INTENT) == "track_order"
        assert_offsets_valid(message.get(TEXT), message.get(ENTITIES))
    assert {m.get(TEXT) for m in first}.isdisjoint({m.get(TEXT) for m in examples()})


def test_another_seed_gives_other_copies():
    texts = lambda seed: [m.get(TEXT) for m in Augmenter(seed, 0.25, KINDS, TERMS).copies(examples())]
    assert texts(1) != texts(2)


def test_a_copy_does_not_depend_on_the_other_examples():
    augmenter = Augmenter(seed=7, share=0.25, kinds=("suffix",), terms=TERMS)
    alone = {m.get(TEXT) for m in augmenter.copies(examples(100))}
    together = {m.get(TEXT) for m in augmenter.copies(examples(200))}
    assert alone <= together


def test_social_intents_and_messages_without_intent_are_not_copied():
    augmenter = Augmenter(seed=7, share=1.0, kinds=("suffix",), terms=TERMS)
    messages = [example("你好", "greet"), example("谢谢亲", "thank"), Message(data={TEXT: "到哪了"}),
                Message(data={INTENT: "track_order"})]
    assert augmenter.copies(messages) == []


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        Augmenter(seed=1, share=0.1, kinds=("shouting",), terms=TERMS)


@pytest.fixture
def component(tmp_path):
    return TrainingAugmenter.create(
        {"share": 0.3}, LocalModelStorage(tmp_path), Resource("augmentation"),
        ExecutionContext(graph_schema=None, model_id="m"),
    )


def test_component_adds_copies_to_training_data_and_keeps_the_rest(component):
    data = TrainingData(examples(), entity_synonyms={"大红": "红色"}, regex_features=[{"name": "phone", "pattern": "1"}])
    augmented = component.process_training_data(data)
    assert len(data.training_examples) < len(augmented.training_examples) <= 1.3 * len(data.training_examples)
    assert augmented.entity_synonyms == {"大红": "红色"}
    assert augmented.regex_features == data.regex_features
    assert augmented.training_examples[: len(data.training_examples)] == data.training_examples


def test_component_leaves_messages_at_inference_untouched(component):
    message = Message(data={TEXT: "发票怎么开"})
    [processed] = component.process([message])
    assert processed is message and processed.get(TEXT) == "发票怎么开"
    assert processed.data == {TEXT: "发票怎么开"}


def test_copies_of_the_training_data_keep_annotations_on_token_boundaries():
    # Checked as the misaligned-annotation check of data/nlu checks the files.
    from rasa.shared.nlu.training_data.loading import load_data

    from kefu.nlu.alignment import ROOT, find_misalignments, pipeline_normalizer, pipeline_tokenizer

    training = load_data(str(ROOT / "data" / "nlu")).training_examples
    copies = Augmenter(seed=2024, share=1.0, kinds=KINDS, terms=TERMS).copies(training)
    annotated = lambda messages: [
        ("copy", m.get(INTENT), m.get(TEXT), m.get(ENTITIES)) for m in messages if m.get(ENTITIES)
    ]
    normalize, tokenize = pipeline_normalizer(), pipeline_tokenizer()
    already = {m.text for m in find_misalignments(annotated(training), normalize, tokenize)}
    misaligned = [
        m.describe() for m in find_misalignments(annotated(copies), normalize, tokenize)
        if not any(original.strip() in m.text for original in already)
    ]
    assert misaligned == []
