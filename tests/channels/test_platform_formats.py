"""kefu/channels/platform_formats.py: each marketplace's order numbers and product links, as buyers paste
them, and nothing else taken for one."""

import pytest

from kefu.channels.platform_formats import platform_format


@pytest.mark.parametrize("platform, text, orders", [
    ("taobao", "订单号：3712345678901234567 还没发货", ["3712345678901234567"]),
    ("taobao", "单号 212345678901234567，手机13800000001", ["212345678901234567"]),
    ("jd", "订单290811234567怎么还没到", ["290811234567"]),
    ("jd", "手机13800000001", []),  # eleven digits: a phone number, not a JD order
    ("pdd", "订单编号：241111-123456789012345 拍错了", ["241111-123456789012345"]),
    ("pdd", "241311-123456789012345", []),  # no 13th month
    ("pdd", "123456789012345", []),
    ("douyin", "订单 4987654321098765432 到哪了", ["4987654321098765432"]),
    ("douyin", "498765432109876543", []),  # 18 digits
    ("taobao", "两单 3712345678901234567 和 3712345678901234568，还有 3712345678901234567", ["3712345678901234567", "3712345678901234568"]),
    ("kuaishou", "订单 2412345678901", ["2412345678901"]),  # a platform without its own format: generic numbers
])
def test_order_numbers(platform, text, orders):
    assert platform_format(platform).order_ids(text) == orders


@pytest.mark.parametrize("platform, text, items", [
    ("taobao", "https://item.taobao.com/item.htm?id=641234567890&spm=x 这个有货吗", ["641234567890"]),
    ("taobao", "detail.tmall.com/item.htm?spm=a1z10&id=600000000001", ["600000000001"]),
    ("jd", "https://item.jd.com/100012043978.html", ["100012043978"]),
    ("jd", "https://item.m.jd.com/product/100012043978.html?x=1", ["100012043978"]),
    ("pdd", "https://mobile.yangkeduo.com/goods.html?goods_id=123456789", ["123456789"]),
    ("pdd", "https://mobile.yangkeduo.com/goods2.html?refer=1&goods_id=987654321", ["987654321"]),
    ("douyin", "https://haohuo.jinritemai.com/views/product/item2?id=3612345678901234567", ["3612345678901234567"]),
    ("taobao", "https://item.jd.com/100012043978.html", []),  # another platform's link
])
def test_product_links(platform, text, items):
    assert platform_format(platform).item_ids(text) == items


def test_a_link_is_never_an_order_number():
    taobao = platform_format("taobao")
    assert taobao.order_ids("https://item.taobao.com/item.htm?id=6412345678901234567") == []
    assert platform_format("douyin").order_ids("haohuo.jinritemai.com/views/product/item2?id=3612345678901234567") == []
