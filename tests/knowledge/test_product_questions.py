"""Reading open product questions: things that come with a product, comparisons, overviews."""

from __future__ import annotations

import pytest

from kefu.knowledge.product_questions import (
    asked_feature,
    asks_comparison,
    asks_something_specific,
    asks_whether_included,
    is_feature_word,
    points_at_two,
)


@pytest.mark.parametrize("text, feature", [
    ("这款耳机带充电线吗", "充电线"), ("送膜不", "膜"), ("有没有说明书啊", "说明书"), ("有包装盒吗 送人的", "包装盒"),
    ("带线吗", "线"), ("孕妇能用吗", None),
])
def test_the_thing_asked_about_is_the_longest_feature_word(text, feature):
    assert asked_feature(text) == feature


def test_feature_words_are_told_from_products():
    assert is_feature_word("充电线") and is_feature_word(" 膜 ") and not is_feature_word("耳机") and not is_feature_word(None)


@pytest.mark.parametrize("text", ["带充电线吗", "送不送膜", "配说明书么", "有没有包装盒"])
def test_asking_whether_it_comes_with_something(text):
    assert asks_whether_included(text)


def test_asking_about_the_thing_itself_is_not_asking_whether_it_comes_with_it():
    assert not asks_whether_included("充电线多长")


@pytest.mark.parametrize("text", ["这两款有什么区别", "P3001和P3002哪个好", "声悦Air跟Pro有啥不一样", "选哪个好纠结", "对比一下"])
def test_comparisons(text):
    assert asks_comparison(text)


@pytest.mark.parametrize("text", ["不同颜色价格一样吗", "比较薄吗", "这个耳机好用吗"])
def test_not_comparisons(text):
    assert not asks_comparison(text)


def test_pointing_at_two_products():
    assert points_at_two("这两款耳机有什么区别") and points_at_two("这俩哪个好") and not points_at_two("这款有什么区别")


@pytest.mark.parametrize("text, specific", [
    ("这款耳机怎么样", False), ("介绍一下", False), ("声悦 Air 半入耳式蓝牙耳机", False), ("这个呢？", False),
    ("孕妇能用吗", True), ("能印LOGO吗", True), ("屏幕发黄怎么调", True),
])
def test_something_specific_is_left_once_the_products_words_are_set_aside(text, specific):
    assert asks_something_specific(text, ["耳机", "声悦 Air 半入耳式蓝牙耳机", "声悦"]) is specific
