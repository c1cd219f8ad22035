import pytest

from kefu.services.references import option_meant, option_pointed_at, ordinal_in


@pytest.mark.parametrize(
    "text, position",
    [("第二个", 1), ("第一个", 0), ("就第三个吧", 2), ("最后那个", -1), ("第2个", 1), ("2", 1), ("头一个", 0), ("好的", None), ("", None)],
)
def test_positions_in_the_shoppers_words(text, position):
    assert ordinal_in(text) == position


ORDERS = ["2024111100003", "2024111100002", "2024111100001"]


def test_a_position_picks_from_the_list_just_shown():
    assert option_meant("第二个", ORDERS) == "2024111100002"
    assert option_meant("最后一个", ORDERS) == "2024111100001"
    assert option_meant("第五个", ORDERS) is None
    assert option_meant("第一个", []) is None


def test_the_other_one_of_two():
    two = ORDERS[:2]
    assert option_meant("那另一单呢", two, current="2024111100003") == "2024111100002"
    assert option_meant("那个呢", ORDERS, current="2024111100003") is None  # three: which other?
    assert option_meant("那个呢", two) is None  # nothing under discussion


@pytest.mark.parametrize(
    "text, meant",
    [("第二个", "2024111100002"), ("最后那个有白色吗", "2024111100001"), ("2", "2024111100002"),
     ("要一个便宜的", None), ("那个呢", None), ("两个都要", None)],
)
def test_only_a_position_points_at_an_option(text, meant):
    assert option_pointed_at(text, ORDERS) == meant
