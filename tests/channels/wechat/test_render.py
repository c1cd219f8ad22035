"""The bot's answers as WeChat texts: numbered choices for buttons, splits under the byte limit."""

from kefu.channels.wechat.render import (
    TEXT_BYTE_LIMIT, choice_number, merge_to_fit, render_messages, split_text,
)


def test_buttons_become_numbered_choices_whose_numbers_map_to_the_payloads():
    rendered = render_messages([{"text": "亲，要查哪一个呢？", "buttons": [
        {"title": "查看物流", "payload": "/track_order"}, {"title": "申请退货", "payload": "/ask_return"}]}])
    assert rendered.texts == ["亲，要查哪一个呢？\n亲，回复数字就可以选哦：\n回复 1 查看物流\n回复 2 申请退货"]
    assert rendered.choices == ["/track_order", "/ask_return"]


def test_choices_are_numbered_across_the_messages_of_one_turn():
    rendered = render_messages([{"text": "a", "buttons": [{"title": "一", "payload": "/one"}]},
                                {"text": "b", "quick_replies": [{"title": "二", "payload": "/two"}]}])
    assert "回复 2 二" in rendered.texts[1] and rendered.choices == ["/one", "/two"]


def test_a_reply_that_is_only_a_number_picks_a_choice():
    assert [choice_number(text) for text in ["1", " 2 ", "３", "4.", "1个", "12345", "", None]] == \
        [1, 2, 3, 4, None, None, None, None]


def test_long_replies_are_split_under_the_byte_limit_never_inside_a_character():
    text = "很长的回复。" * 400  # 7200 bytes
    pieces = split_text(text)
    assert len(pieces) == 4
    assert all(len(piece.encode("utf-8")) <= TEXT_BYTE_LIMIT for piece in pieces)
    assert "".join(pieces) == text
    emoji = split_text("😊" * 1000)  # 4 bytes each
    assert all(len(piece.encode()) <= TEXT_BYTE_LIMIT for piece in emoji) and "".join(emoji) == "😊" * 1000


def test_a_split_prefers_a_line_break():
    text = "第一段" * 200 + "\n" + "第二段" * 200  # 1800 + 1 + 1800 bytes
    assert split_text(text) == ["第一段" * 200, "第二段" * 200]


def test_short_texts_are_packed_into_few_messages():
    assert merge_to_fit(["你好", "在的"]) == ["你好\n\n在的"]
    big = "内容" * 400  # 2400 bytes: already as large as a message may be after splitting
    assert merge_to_fit(split_text(big) + ["尾巴"]) == [split_text(big)[0], split_text(big)[1] + "\n\n尾巴"]
