"""Size advice on the demo shop's charts."""

import pytest

from kefu.knowledge.body_measurements import BodyMeasurements
from kefu.knowledge.size_advice import NEED_MORE, OUT_OF_CHART, RECOMMENDED, advise_size, advise_size_for_text, position
from kefu.knowledge.size_charts import HEIGHT, SAMPLE_SIZE_CHARTS
from tests.knowledge.support import load_size_charts

CHARTS = load_size_charts(SAMPLE_SIZE_CHARTS)
TOPS = CHARTS.chart_for("P1001")  # 男士T恤: S-XXL by height, 斤 and chest; fits loose


def advice(product_id, text):
    return advise_size_for_text(CHARTS.chart_for(product_id), text)


@pytest.mark.parametrize(
    "text, size, alternative",
    [
        ("170/130斤", "M", None),  # the product page says: 170cm、130斤左右选M码
        ("175cm 150斤", "L", None),  # and 175cm、150斤左右选L码
        ("一米七 65公斤", "M", None),
        ("175cm 68kg", "L", None),
        ("173cm 120斤", "L", "M"),  # tall for the weight: L for length, slim ones M
        ("168cm 140斤", "L", "M"),  # heavy for the height: L for girth
        ("胸围96", "L", None),
    ],
)
def test_sizes_from_height_and_weight(text, size, alternative):
    result = advise_size_for_text(TOPS, text)
    assert (result.status, result.size, result.alternative) == (RECOMMENDED, size, alternative)


def test_the_advice_gives_its_reason():
    assert advise_size_for_text(TOPS, "173cm 120斤").text == "173cm/120斤 建议 L，偏瘦可选 M（这款版型偏宽松，喜欢更宽松可选大一码）"
    assert advise_size_for_text(TOPS, "168cm 140斤").text.startswith("168cm/140斤 建议 L，喜欢合身可选 M")


def test_between_two_sizes_the_larger_is_advised_and_the_smaller_offered():
    result = advise_size_for_text(CHARTS.chart_for("P1004"), "腰围二尺二")  # 73.3cm: L ends at 73, XL starts at 74
    assert (result.size, result.alternative) == ("XL", "L")
    assert result.text.startswith("腰围73.3cm 介于 L 和 XL 之间，建议 XL，喜欢合身可选 L")
    assert position(TOPS, HEIGHT, 171.5) == 1.5


def test_a_preference_moves_the_advice():
    fitted = advise_size_for_text(TOPS, "173cm 120斤 想穿合身点")
    assert (fitted.size, fitted.alternative) == ("M", "L") and "喜欢宽松可选 L" in fitted.text
    loose = advise_size_for_text(TOPS, "170 130斤 想宽松点")
    assert (loose.size, loose.alternative) == ("M", "L")


def test_measurements_far_apart_get_the_larger_size_and_the_offer_of_a_human():
    result = advise_size_for_text(TOPS, "178cm 65kg")
    assert (result.size, result.suggest_human) == ("XL", True)
    assert "差得比较多（M 到 XL）" in result.text


@pytest.mark.parametrize(
    "product, text, words",
    [
        ("P1001", "195cm 90kg", "195cm 超出了这款的尺码表（最大的 XXL 适合身高 184-190cm）"),
        ("P1001", "一米八五两百斤", "200斤 超出了这款的尺码表（最大的 XXL 适合体重 171-195斤）"),
        ("P1001", "一米五 80斤", "150cm 超出了这款的尺码表（最小的 S 适合身高 155-164cm）"),
        ("P2003", "脚长28cm", "脚长28cm 超出了这款的尺码表（最大的 44 适合脚长 26.6-27cm）"),
        ("P1007", "孩子身高150", "150cm 超出了这款的尺码表（最大的 140 适合身高 136-145cm）"),
    ],
)
def test_outside_the_chart_the_answer_is_clear_and_a_human_is_offered(product, text, words):
    result = advice(product, text)
    assert (result.status, result.size, result.suggest_human) == (OUT_OF_CHART, None, True)
    assert result.text.startswith(words) and "人工客服" in result.text


def test_with_nothing_usable_the_advice_asks_for_what_it_needs():
    clothes = advise_size_for_text(TOPS, "尺码怎么选啊亲")
    assert clothes.status == NEED_MORE and clothes.missing == ("height", "weight")
    assert "身高、体重" in clothes.text and "平时穿L" in clothes.text
    shoes = advice("P2001", "我175 65kg")
    assert shoes.status == NEED_MORE and shoes.missing == ("foot_length",)
    assert shoes.text.startswith("鞋子要按脚长或者平时穿的鞋码来选")
    other_system = advise_size_for_text(TOPS, "42码")
    assert other_system.status == NEED_MORE and other_system.text.startswith("这款的尺码是 S、M、L、XL、XXL，没有 42。")


def test_one_measurement_is_enough_but_the_other_is_asked_for():
    result = advise_size_for_text(TOPS, "170")
    assert (result.size, result.missing) == ("M", ("weight",))
    assert result.text.endswith("告诉我体重能推荐得更准哦")


@pytest.mark.parametrize(
    "product, text, size, alternative",
    [
        ("P1001", "平时穿L", "L", None),
        ("P1005", "平时穿L", "XL", None),  # 偏修身: one size up
        ("P2006", "平时穿42码", "43", None),  # 偏小: one size up
        ("P2003", "平时穿42", "42", "41"),  # 偏大半码, no half sizes: 42, or 41 for a narrow foot
        ("P2002", "平时穿37.5", "38", "37"),  # a half size between two whole ones
        ("P2010", "平时穿38", "38-39", None),  # slippers come two sizes to one
        ("P1001", "平时穿M 175 150斤", "M", "L"),  # the usual size wins, the measurements are mentioned
    ],
)
def test_the_usual_size_is_shifted_by_how_the_product_runs(product, text, size, alternative):
    result = advice(product, text)
    assert (result.status, result.size, result.alternative) == (RECOMMENDED, size, alternative)


def test_the_usual_size_advice_says_how_the_product_runs():
    assert advice("P1005", "平时穿L").text == "您平时穿 L，建议 XL（这款偏修身，建议按平时尺码选大一码）"
    assert advice("P2003", "平时穿42").text == "您平时穿 42，建议 42，脚偏瘦可选 41（这款偏大半码）"
    assert advice("P1002", "平时穿M").text == "您平时穿 M，建议 M（这款尺码标准）"
    assert advice("P1001", "平时穿M 175 150斤").text.startswith("您平时穿 M，建议 M；按您给的身材数据看是 L")


def test_a_usual_size_that_runs_off_the_chart():
    result = advice("P2006", "平时穿44")
    assert (result.status, result.suggest_human) == (OUT_OF_CHART, True)
    assert result.text == "您平时穿 44（这款偏小，建议选大一码），按这款换算超出了尺码表（最大只有 44），建议咨询人工客服帮您确认"


@pytest.mark.parametrize(
    "product, text, size",
    [("P2001", "脚长26cm", "42"), ("P2002", "脚长23.5cm", "37"), ("P2005", "孩子脚长18cm", "30"), ("P1007", "孩子130cm", "130")],
)
def test_shoes_by_foot_length_and_children_by_height(product, text, size):
    assert advice(product, text).size == size


def test_measurements_can_come_from_the_nlu_entities():
    body = BodyMeasurements(height_cm=170, weight_kg=65)
    assert advise_size(TOPS, body).text.startswith("170cm/65kg 建议 M")
