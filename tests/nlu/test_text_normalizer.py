import pytest

from kefu.nlu.text_normalizer import (
    MAX_MESSAGE_CHARS,
    TextNormalizer,
    load_terms,
    load_typos,
    to_halfwidth,
)


@pytest.fixture(scope="module")
def normalizer():
    return TextNormalizer(load_terms(), load_typos())


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("快第到哪了", "快递到哪了"),
        ("推货怎么弄", "退货怎么弄"),
        ("能开发漂吗", "能开发票吗"),
        ("物留一直不动", "物流一直不动"),
        ("尺马偏大吗", "尺码偏大吗"),
        ("退宽啥时候到", "退款啥时候到"),
        ("给我转仁工", "给我转人工"),
        ("优惠卷咋用不了", "优惠券咋用不了"),
        ("这个包游吗", "这个包邮吗"),
        ("有L的尺吗没", "有L的尺码没"),
    ],
)
def test_homophone_and_listed_typos_are_corrected(normalizer, typed, meant):
    assert normalizer.normalize(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "别让我发火",  # 发火 (get angry) is a word, not a misspelt 发货
        "这个能吃吗",  # particles are never rewritten into 尺码
        "价格贵但好看",
        "这玩意儿啥时候能送来啊",
        "我的快递到哪了",
    ],
)
def test_real_words_are_left_alone(normalizer, text):
    assert normalizer.normalize(text) == text


@pytest.mark.parametrize("text", ["", "😀😀😀", "!!!", "快第" * 400])
def test_odd_input_keeps_its_length(normalizer, text):
    assert len(normalizer.normalize(text)) == len(text)


def test_very_long_messages_are_cut_to_the_first_thousand_characters(normalizer):
    pasted = "快第到哪了" * 2000
    normalized = normalizer.normalize(pasted)
    assert len(normalized) == MAX_MESSAGE_CHARS
    assert normalized.startswith("快递到哪了")


def test_fullwidth_letters_and_digits_become_halfwidth():
    assert to_halfwidth("ＸＬ码还有吗？１２３") == "XL码还有吗?123"


def test_typo_list_rejects_corrections_that_change_length(tmp_path):
    bad = tmp_path / "typos.tsv"
    bad.write_text("优惠卷\t优惠券券\n", encoding="utf-8")
    with pytest.raises(ValueError, match="same length"):
        load_typos(bad)


def test_comment_lines_are_ignored(tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text("# comment\n快递\n\n退货\n", encoding="utf-8")
    assert load_terms(terms) == ["快递", "退货"]


@pytest.mark.parametrize("typed, seen", [
    ("https://shop.example/item?id=P1001 这件有啥优惠吗", "P1001 这件有啥优惠吗"),
    ("看看这个 https://m.tb.cn/h.abc123 能便宜吗", "看看这个 链接 能便宜吗"),
    ("www.shop.example/P4001这个锅能用电磁炉吗", "P4001这个锅能用电磁炉吗"),
])
def test_a_pasted_link_becomes_the_product_id_it_carries(normalizer, typed, seen):
    normalized = normalizer.normalize(typed)
    assert " ".join(normalized.split()) == seen
    assert len(normalized) == len(typed)


def test_analyse_reports_the_residue_it_blanked(normalizer):
    text, residue = normalizer.analyse("售后咨询 推货怎么弄")
    assert text == "售后   退货怎么弄"
    assert residue.menu_topic == "售后"


def test_a_plain_message_has_no_residue(normalizer):
    assert normalizer.analyse("快第到哪了")[1].as_dict() == {}
