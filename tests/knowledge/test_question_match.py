"""The character n-gram BM25 matcher: what it counts, how it ranks, how sure it is."""

from __future__ import annotations

import pytest

from kefu.knowledge.question_match import QuestionIndex, content_runs, ngrams

INDEX = QuestionIndex([
    ("cable", "包装里带充电线吗 充电线 数据线"),
    ("swim", "能戴着游泳吗 游泳 水洗"),
    ("phones", "苹果安卓手机都能连吗 苹果 安卓 iphone"),
    ("logo", "能印字印LOGO吗 定制 团购"),
    ("vat", "能开增值税专用发票吗 专票 增值税"),
])


def test_greetings_particles_links_and_product_ids_carry_no_meaning():
    assert content_runs("亲，你好 在么？这款带数据线么～ https://item.jd.com/100.html P3001") == ["带数据线"]


def test_a_not_a_questions_are_said_one_way():
    assert content_runs("孕妇可以用不") == content_runs("孕妇能用吗") == ["孕妇能用"]
    assert content_runs("有没有送膜") == ["有送膜"]


def test_words_to_ignore_are_cut_out():
    assert content_runs("这款耳机带充电线吗", ignored=["耳机"]) == ["带充电线"]


def test_han_characters_and_pairs_latin_words_whole():
    assert ngrams("能印LOGO吗") == ["能", "印", "logo", "能印"]
    assert ngrams("５ATM防水") == ["5atm", "防", "水", "防水"], "full-width is read as half-width"


def test_the_entry_explaining_the_question_ranks_first_with_full_confidence():
    match = INDEX.best("亲，带充电线不？")
    assert match.item == "cable" and match.confidence == pytest.approx(1.0)


def test_part_of_the_question_unexplained_lowers_the_confidence():
    whole, partial = INDEX.best("能游泳吗"), INDEX.best("下雨天跑步能游泳吗")
    assert whole.item == partial.item == "swim"
    assert partial.confidence < whole.confidence


def test_a_question_covering_little_of_any_sub_question_is_not_sure():
    index = QuestionIndex([("postage", "有运费险吗？退货运费谁出？ 运费险 退货运费"), ("vat", "能开专票吗 专票")])
    said = index.best("我想退货")
    assert said.item == "postage" and said.confidence < 0.5, "退货 is all of the question but little of the entry"
    assert index.best("退货运费谁出").confidence == pytest.approx(1.0)


def test_a_question_sharing_nothing_has_no_match():
    assert INDEX.best("今天天气怎么样") is None
    assert INDEX.best("吗？") is None, "nothing left to match once the particles are gone"


def test_among_limits_the_entries_while_the_statistics_stay_those_of_the_whole_index():
    assert INDEX.best("苹果手机能印LOGO吗", among={"phones"}).item == "phones"
    elsewhere = INDEX.best("能游泳吗", among={"cable", "logo"})
    assert elsewhere.item == "logo" and elsewhere.confidence < 0.5, "only 能 is shared"


def test_a_rare_term_outweighs_a_common_one():
    # 能 is in most entries, 专票 in one: the VAT entry wins though the question shares 能 with others.
    ranked = INDEX.ranked("能开专票吗")
    assert ranked[0].item == "vat" and ranked[0].score > ranked[1].score


def test_an_empty_index_matches_nothing():
    assert len(QuestionIndex([])) == 0 and QuestionIndex([]).best("带充电线吗") is None
