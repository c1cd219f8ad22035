import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from kefu.nlu.entity_deduplicator import EntityDeduplicator, deduplicate, drop_shapeless_order_ids
from kefu.nlu.entity_shapes import has_order_id_shape

ROOT = Path(__file__).resolve().parents[2]

PREFERRED = ["RegexEntityExtractor", "DIETClassifier"]


def entity(name, start, end, extractor):
    return {"entity": name, "start": start, "end": end, "value": "x", "extractor": extractor}


def test_regex_match_wins_over_diet_copy_of_the_same_span():
    regex = entity("order_id", 3, 16, "RegexEntityExtractor")
    diet = entity("order_id", 3, 16, "DIETClassifier")
    assert deduplicate([diet, regex], PREFERRED) == [regex]


def test_regex_match_overrules_diet_calling_the_digits_something_else():
    regex = entity("phone", 0, 11, "RegexEntityExtractor")
    diet = entity("order_id", 0, 11, "DIETClassifier")
    assert deduplicate([diet, regex], PREFERRED) == [regex]


def test_different_spans_are_all_kept_in_text_order():
    colour = entity("color", 5, 7, "DIETClassifier")
    order = entity("order_id", 10, 23, "RegexEntityExtractor")
    size = entity("size", 0, 1, "DIETClassifier")
    assert deduplicate([colour, order, size], PREFERRED) == [size, colour, order]


def test_entities_of_one_extractor_with_different_types_may_overlap():
    product = entity("product", 0, 4, "DIETClassifier")
    category = entity("category", 2, 4, "DIETClassifier")
    assert deduplicate([product, category], PREFERRED) == [product, category]


def order_id(value, extractor="DIETClassifier"):
    return {"entity": "order_id", "start": 0, "end": len(value), "value": value, "extractor": extractor}


@pytest.mark.parametrize("value", ["3", "59", "202411110000", "20241111000012345678", "P1001", ""])
def test_a_value_without_the_order_id_shape_is_never_an_order_number(value):
    assert drop_shapeless_order_ids([order_id(value)]) == []


@pytest.mark.parametrize("value", ["2024111100001", "20241111000011", "2024111100001234567", "2024 1111 00001"])
def test_order_numbers_of_13_to_19_digits_are_kept(value):
    assert drop_shapeless_order_ids([order_id(value)]) == [order_id(value)]


def test_other_entities_are_not_shape_checked():
    size = {"entity": "size", "start": 0, "end": 1, "value": "3", "extractor": "DIETClassifier"}
    assert drop_shapeless_order_ids([size]) == [size]


def test_the_component_drops_diet_guessing_a_lone_digit_as_order_number():
    message = Message(data={"text": "商品ID:3 到哪了", "entities": [order_id("3")]})
    EntityDeduplicator({"preferred_extractors": PREFERRED}).process([message])
    assert message.get("entities") == []


def test_regex_yml_gives_order_ids_the_same_shape():
    data = yaml.safe_load((ROOT / "data" / "nlu" / "regex.yml").read_text(encoding="utf-8"))
    [pattern] = [
        line.strip()[2:]
        for block in data["nlu"] if block.get("regex") == "order_id"
        for line in block["examples"].splitlines() if line.strip()
    ]
    for digits in range(1, 25):
        number = "1" * digits
        found = re.search(pattern, f"订单{number}到哪了")
        assert bool(found) == has_order_id_shape(number), digits


def test_by_default_the_regex_match_overrules_the_crf_extractor():
    """config.yml extracts entities with the CRF: its copy of a regex match is dropped."""
    regex = {"entity": "phone", "start": 3, "end": 14, "value": "13800138000", "extractor": "RegexEntityExtractor"}
    crf = {"entity": "order_id", "start": 3, "end": 14, "value": "13800138000", "extractor": "CRFEntityExtractor"}
    message = Message(data={"text": "手机号13800138000", "entities": [crf, regex]})
    EntityDeduplicator(EntityDeduplicator.get_default_config()).process([message])
    assert message.get("entities") == [regex]
