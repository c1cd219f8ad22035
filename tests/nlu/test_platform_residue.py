import pytest

from kefu.nlu.platform_residue import entities_outside_residue, reduce_residue


def words(text):
    return text.split()


@pytest.mark.parametrize("text", [
    "我的快递到哪了",
    "订单号 2024111100001 到哪了",
    "我想售后咨询一下 耳机坏了",
    "好的好的",
    "快点快点",
    "这个和那个有什么区别",
    "170/65kg穿M还是L",
])
def test_a_plain_message_is_left_alone(text):
    reduced, residue = reduce_residue(text)
    assert reduced == text
    assert residue.as_dict() == {}


def test_an_order_card_keeps_the_order_number_in_place():
    text = "咨询订单号:2024111100001 商品ID:3 怎么还没发货"
    reduced, residue = reduce_residue(text)
    assert len(reduced) == len(text)
    assert reduced.index("2024111100001") == text.index("2024111100001")
    assert words(reduced) == ["2024111100001", "怎么还没发货"]
    assert residue.order_card


def test_a_lone_digit_in_a_card_is_blanked_not_kept_as_an_order_number():
    reduced, _ = reduce_residue("咨询订单号:3 商品ID:12 能退吗")
    assert words(reduced) == ["能退吗"]


def test_amount_and_time_fields_are_blanked():
    text = "订单编号:[2024111100003],订单金额:59.00,下单时间:2024-11-11 10:00:00 能改地址吗"
    reduced, _ = reduce_residue(text)
    assert len(reduced) == len(text)
    assert words(reduced) == ["2024111100003", "能改地址吗"]


def test_a_product_card_keeps_the_name_and_our_product_id():
    reduced, residue = reduce_residue("商品ID:P1001 商品名称:纯棉T恤 有M码吗")
    assert words(reduced) == ["P1001", "纯棉T恤", "有M码吗"]
    assert residue.product_ids == ["P1001"]


@pytest.mark.parametrize("label, topic", [
    ("发票类咨询", "发票"), ("售后咨询", "售后"), ("物流咨询", "物流"), ("商品信息咨询", "商品"),
])
def test_a_menu_label_leaves_its_topic_word_as_a_hint(label, topic):
    text = f"{label} 这个怎么弄"
    reduced, residue = reduce_residue(text)
    assert words(reduced) == [topic, "这个怎么弄"]
    assert residue.menu_topic == topic


def test_a_menu_label_without_a_topic_is_blanked_whole():
    reduced, residue = reduce_residue("【请选择咨询订单】 我要退货")
    assert words(reduced) == ["我要退货"]
    assert residue.menu_topic is None


def test_a_menu_label_that_is_the_whole_message_stays():
    reduced, residue = reduce_residue("【售后咨询】")
    assert reduced == "【售后咨询】"
    assert residue.menu_topic == "售后"


@pytest.mark.parametrize("link, platform", [
    ("https://item.jd.com/100012345678.html", "jd"),
    ("https://detail.tmall.com/item.htm?id=612345678901", "tmall"),
    ("https://item.taobao.com/item.htm?id=612345678901", "taobao"),
    ("mobile.yangkeduo.com/goods.html?goods_id=123456789", "pdd"),
    ("https://haohuo.jinritemai.com/views/product/item2?id=3456789012", "douyin"),
])
def test_foreign_links_leave_a_link_word(link, platform):
    text = f"{link} 这款带充电线吗"
    reduced, residue = reduce_residue(text)
    assert len(reduced) == len(text)
    assert words(reduced) == ["链接", "这款带充电线吗"]
    assert residue.platforms == [platform]
    assert residue.platform_item_ids


def test_our_link_keeps_the_product_id_where_it_was():
    text = "https://shop.example/item?id=P1001 这件有啥优惠吗"
    reduced, residue = reduce_residue(text)
    assert reduced.index("P1001") == text.index("P1001")
    assert words(reduced) == ["P1001", "这件有啥优惠吗"]
    assert residue.as_dict() == {"platforms": ["shop"], "product_ids": ["P1001"]}


@pytest.mark.parametrize("text, kept", [
    ("这个锅能用电磁炉吗 这个锅能用电磁炉吗", ["这个锅能用电磁炉吗"]),
    ("在吗，多久发货在吗，多久发货", ["在吗，多久发货"]),
])
def test_the_second_copy_of_a_question_pasted_twice_is_blanked(text, kept):
    reduced, residue = reduce_residue(text)
    assert len(reduced) == len(text)
    assert words(reduced) == kept
    assert residue.repeated


def test_entities_on_blanked_residue_are_dropped_others_kept():
    text = "还有XL的吗 还有XL的吗"
    first = {"entity": "size", "start": 2, "end": 4, "value": "XL"}
    second = {"entity": "size", "start": 9, "end": 11, "value": "XL"}
    reduced, _ = reduce_residue(text)
    assert entities_outside_residue(text, reduced, [first, second]) == [first]
