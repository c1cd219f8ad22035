import pytest

from kefu.knowledge.body_measurements import (
    FITTED,
    LOOSE,
    chinese_number,
    guess_weight_kg,
    normalise_size,
    parse_body,
)


@pytest.mark.parametrize(
    "text, height, weight, in_jin",
    [
        ("170/130斤", 170, 65, True),
        ("一米七 65公斤", 170, 65, False),
        ("175cm 68kg", 175, 68, False),
        ("１７０ｃｍ　６５ｋｇ", 170, 65, False),  # full-width, as some input methods type it
        ("我175/140选多大合适", 175, 70, True),  # no unit: 140 kg at 175 cm is not a body, 140 斤 is
        ("帮我看看尺码 163 105", 163, 52.5, True),
        ("170 65", 170, 65, False),
        ("体重120 身高162", 162, 60, True),
        ("1.63 55kg", 163, 55, False),
        ("1.8米 80公斤", 180, 80, False),
        ("身高1米58 体重九十斤", 158, 45, True),
        ("一米八五两百斤", 185, 100, True),
        ("给我妈买 她一米五八 一百二左右", 158, 60, True),
        ("我58kg 小肚子 1米65", 165, 58, False),
        ("俺170公分 一百五十斤", 170, 75, True),
        ("儿子身高140 70斤", 140, 35, True),
        ("孩子130cm 穿多大", 130, None, False),
        ("130多斤 172", 172, 65, True),
    ],
)
def test_height_and_weight_in_the_ways_shoppers_write_them(text, height, weight, in_jin):
    body = parse_body(text)
    assert (body.height_cm, body.weight_kg, body.weight_in_jin) == (height, weight, in_jin)


@pytest.mark.parametrize(
    "text, size",
    [
        ("平时穿L", "L"),
        ("42码", "42"),
        ("平常穿xl的", "XL"),
        ("一般穿2XL", "XXL"),
        ("平时都穿M码", "M"),
        ("平时41的", "41"),
        ("nike我穿42", "42"),
        ("平时穿38码 这双要拍多大", "38"),
        ("平时穿37.5", "37.5"),
        ("加大码", "XL"),
        ("L", "L"),
        ("平时穿L 170 65kg", "L"),
        ("孩子穿120码", "120"),
    ],
)
def test_the_usual_size(text, size):
    assert parse_body(text).usual_size == size


def test_a_usual_shoe_size_is_not_read_as_a_weight():
    body = parse_body("脚宽 平时37码")
    assert (body.usual_size, body.weight_kg) == ("37", None)


def test_a_size_asked_about_beside_measurements_is_not_a_usual_size():
    assert parse_body("165cm 50kg 拿S还是M").usual_size is None
    assert parse_body("1.8米 80公斤 XL够不够").usual_size is None


def test_the_rest_of_the_body():
    assert parse_body("脚长25.5cm").foot_length_mm == 255
    assert parse_body("脚长255mm 平时穿40").foot_length_mm == 255
    assert parse_body("脚长26").foot_length_mm == 260
    body = parse_body("胸围88腰围70 拿啥码")
    assert (body.chest_cm, body.waist_cm) == (88, 70)
    assert parse_body("腰围二尺二 裤子拿几码").waist_cm == 73.3
    assert parse_body("腰2尺1").waist_cm == 70.0


@pytest.mark.parametrize(
    "text, preference",
    [("想宽松点穿", LOOSE), ("拿大一码行吗", LOOSE), ("想要修身效果", FITTED), ("不想穿太宽松 合身点", FITTED), ("170 65kg", None)],
)
def test_a_preference_for_a_looser_or_closer_fit(text, preference):
    assert parse_body(text).fit_preference == preference


def test_nothing_said_is_nothing_measured():
    assert parse_body("尺码怎么选啊亲").is_empty
    assert parse_body(None).is_empty


@pytest.mark.parametrize(
    "text, number",
    [("一百三", 130), ("一百三十", 130), ("一百零五", 105), ("一百四十五", 145), ("两百", 200), ("六十五", 65), ("十五", 15), ("九十", 90), ("1.75", 1.75)],
)
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


@pytest.mark.parametrize("text", ["", "一千", "三百百", "abc", "一二三"])
def test_what_is_not_a_chinese_number(text):
    assert chinese_number(text) is None


def test_a_weight_without_unit_or_height():
    assert guess_weight_kg(120, None) == (60, True)
    assert guess_weight_kg(60, None) == (60, False)


@pytest.mark.parametrize(
    "text, size",
    [("xl", "XL"), ("2XL", "XXL"), ("3xl", "XXXL"), ("加加大", "XXL"), ("中码", "M"), ("42码", "42"), ("37.5", "37.5"), ("均码", None), ("", None)],
)
def test_sizes_are_normalised(text, size):
    assert normalise_size(text) == size
