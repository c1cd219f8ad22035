"""Wanting an after-sales task done ("我要退货") starts it; asking how it works ("怎么退货") gets the policy."""

import pytest

from kefu.services.after_sales_wish import wants_it_done


@pytest.mark.parametrize("text", [
    "我想退货", "我要退货", "我要退货 尺码买错了", "想退货怎么弄", "我想要退款", "要退货，码数不合适",
    "帮我退了吧", "麻烦帮我把这单退了", "我想把这件衣服退掉", "能帮我退货吗", "不要了，退了吧", "申请退款",
    "我想问一下，我要退货怎么操作", "我要换个大一码", "帮我取消订单", "我需要改地址", "给我补发一个",
])
def test_wanting_the_task_done(text):
    assert wants_it_done(text)


@pytest.mark.parametrize("text", [
    "怎么退货", "七天无理由吗", "那退货呢", "能退吗", "可以退吗", "退货运费谁出", "退货要多久",
    "我想问下怎么退货", "我想了解一下退货流程", "怎么申请退货", "东西要退回去吗",
])
def test_asking_how_it_works(text):
    assert not wants_it_done(text)


@pytest.mark.parametrize("text", ["如果我想退货怎么办", "万一不合适要退呢", "我要退货的话运费谁出"])
def test_a_question_about_what_would_happen_is_not_a_wish(text):
    assert not wants_it_done(text)


@pytest.mark.parametrize("text", ["我不想退了", "不用退了", "别帮我取消"])
def test_a_negated_wish_is_none(text):
    assert not wants_it_done(text)


@pytest.mark.parametrize("text", ["", None, "/ask_return", '/inform{"order_id": "2024111100001"}'])
def test_nothing_and_buttons_are_no_wish(text):
    assert not wants_it_done(text)
