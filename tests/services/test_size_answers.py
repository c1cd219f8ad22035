from decimal import Decimal

import pytest

from kefu.backends.catalogue import Product
from kefu.knowledge.size_charts import SAMPLE_SIZE_CHARTS
from kefu.services.size_answers import size_reply
from tests.knowledge.support import load_size_charts

T_SHIRT = Product("P1001", "男士纯棉圆领短袖T恤", "服装", "棉语", Decimal("59"), {}, "")
EARPHONES = Product("P3002", "声悦 Pro 主动降噪蓝牙耳机", "数码", "声悦", Decimal("399"), {}, "")


@pytest.fixture(scope="module")
def book():
    return load_size_charts(SAMPLE_SIZE_CHARTS)


def test_height_and_weight_give_a_size_with_the_reason(book):
    reply = size_reply(book, T_SHIRT, "170/130斤穿多大", None, None)
    assert reply["template"] == "size_advice"
    assert "建议 M" in reply["advice"] and "170cm/130斤" in reply["advice"]


def test_entities_count_when_the_text_alone_is_not_enough(book):
    assert size_reply(book, T_SHIRT, "穿哪个码", "170cm", "130斤")["template"] == "size_advice"


def test_out_of_the_chart_is_said_plainly(book):
    reply = size_reply(book, T_SHIRT, "一米八 200斤", None, None)
    assert reply["template"] == "size_out_of_chart" and "超出" in reply["advice"]


def test_what_is_missing_is_asked_for(book):
    reply = size_reply(book, T_SHIRT, "穿多大", None, None)
    assert reply["template"] == "size_need_more" and "身高" in reply["advice"]


def test_a_product_without_sizes_needs_no_advice(book):
    assert size_reply(book, EARPHONES, "170/130斤", None, None)["template"] == "size_no_chart"
