from decimal import Decimal

import pytest

from kefu.backends.catalogue import Product, Sku, StockLevel
from kefu.services.product_answers import asked_attribute, attribute_reply, product_id_in, stock_reply

PAN = Product("P4001", "麦饭石色不粘炒锅", "厨具", "厨小二", Decimal("169"),
              {"material": "铝合金", "compatible_stoves": "燃气灶、电磁炉通用", "weight": "约1.3公斤"}, "",
              [Sku("S1", "灰色", "28cm", Decimal("169"))])


@pytest.mark.parametrize(
    "text, product_id",
    [("https://shop.example/item?id=P4001", "P4001"), ("P1001 有货吗", "P1001"), ("XP10012", None), ("没有链接", None)],
)
def test_product_ids_in_links_and_text(text, product_id):
    assert product_id_in(text) == product_id


@pytest.mark.parametrize(
    "text, key",
    [("能用电磁炉吗", "compatible_stoves"), ("是什么材质", "material"), ("多重啊", "weight"), ("好用吗", None)],
)
def test_which_attribute_is_asked(text, key):
    assert asked_attribute(PAN, text) == key


def test_an_attribute_the_product_lacks_is_not_chosen():
    assert asked_attribute(PAN, "续航多久") is None


def level(color, size, quantity, restock=None):
    return StockLevel(f"{color}{size}", color, size, quantity, restock)


def test_several_variants_list_only_those_in_stock():
    reply = stock_reply(PAN, [level("灰色", "28cm", 3), level("灰色", "30cm", 0)], "灰色", None)
    assert reply["template"] == "stock_variants"
    assert reply["variants"] == "灰色/28cm"


def test_nothing_in_stock_at_all():
    reply = stock_reply(PAN, [level("灰色", "28cm", 0), level("灰色", "30cm", 0)], None, None)
    assert (reply["template"], reply["variant"]) == ("stock_sold_out", "所有规格")


def test_an_attribute_the_catalogue_does_not_give_is_not_guessed_but_offered_to_an_agent():
    reply = attribute_reply(PAN, "这锅续航多久")
    assert reply == {"template": "product_attribute_unknown", "product": "麦饭石色不粘炒锅", "label": "续航"}


def test_a_question_about_no_attribute_in_particular_gets_the_overview():
    assert attribute_reply(PAN, "介绍一下这个")["template"] == "product_overview"


# --- open product questions: Q&A, attributes, comparison, honest fallback --------------------------

from kefu.backends.factory import sql_backends  # noqa: E402
from kefu.knowledge.store import KnowledgeStore, ProductQaEntry  # noqa: E402
from kefu.services.product_answers import (  # noqa: E402
    ProductQuestion,
    comparison_reply,
    product_ids_in,
    product_info_reply,
    products_in_question,
)
from tests.demo_shop.fixtures import seeded_sqlite_shop  # noqa: E402,F401

EARPHONES = Product("P3001", "声悦 Air 半入耳式蓝牙耳机", "数码", "声悦", Decimal("129"),
                    {"connectivity": "蓝牙5.3", "battery": "约5小时", "charging": "Type-C充电", "usage_notes": "打开盒盖配对"}, "")
HEADPHONES = Product("P3004", "声悦 Max 头戴式降噪蓝牙耳机", "数码", "声悦", Decimal("899"),
                     {"connectivity": "蓝牙5.3", "noise_cancelling": "自适应主动降噪", "battery": "约40小时",
                      "usage_notes": "附赠收纳包与音频线"}, "")
QA = (
    ProductQaEntry("air_box", "P3001", "包装里有什么？带充电线吗？", "亲，带一根Type-C充电线哦", ("充电线", "数据线"), 1),
    ProductQaEntry("air_ios", "P3001", "苹果手机能连吗？", "亲，苹果安卓都能连哦", ("苹果", "安卓"), 2),
    ProductQaEntry("max_game", "P3004", "能连电脑玩游戏吗？", "亲，有线连接零延迟哦", ("电脑", "游戏"), 3),
)


def ask(text, product=EARPHONES, feature=None, words=("耳机",)):
    return product_info_reply(ProductQuestion((product,), feature), text, QA, words)


def test_several_product_ids_each_once_in_order():
    assert product_ids_in("P3001 和 https://x.example/item?id=P3002 P3001") == ["P3001", "P3002"]


def test_the_products_qa_answers_first():
    assert ask("这款耳机带不带数据线") == {"template": "product_qa_answer", "product": EARPHONES.name,
                                       "answer": "亲，带一根Type-C充电线哦"}


def test_another_products_entry_never_answers():
    assert ask("能连电脑玩游戏吗")["template"] == "product_question_unknown"
    assert ask("能连电脑玩游戏吗", product=HEADPHONES)["answer"] == "亲，有线连接零延迟哦"


def test_the_feature_asked_about_is_matched_not_set_aside():
    assert ask("带充电线吗", words=("耳机", "充电线"))["template"] == "product_qa_answer"


def test_then_the_attributes():
    reply = ask("续航多久")
    assert (reply["template"], reply["label"], reply["value"]) == ("product_attribute", "续航", "约5小时")


def test_a_feature_no_entry_names_is_answered_from_an_attribute_that_names_it():
    reply = ask("带音频线吗", product=HEADPHONES, feature="音频线")
    assert (reply["template"], reply["value"]) == ("product_attribute", "附赠收纳包与音频线")


def test_a_feature_nothing_mentions_is_checked_not_guessed():
    assert ask("送耳机包吗", feature="收纳包") == {"template": "product_feature_unknown", "product": EARPHONES.name,
                                               "feature": "收纳包"}


def test_a_specific_question_nothing_answers_is_checked_not_guessed():
    assert ask("孕妇能用吗") == {"template": "product_question_unknown", "product": EARPHONES.name}
    assert ask("耳机能印LOGO吗")["template"] == "product_question_unknown"


def test_nothing_specific_gives_the_overview():
    assert ask("这款耳机怎么样")["template"] == "product_overview"


def test_an_attribute_the_product_lacks_still_says_which():
    assert ask("防水吗")["template"] == "product_attribute_unknown"


def test_two_products_side_by_side_with_their_prices():
    reply = comparison_reply(EARPHONES, HEADPHONES)
    assert (reply["template"], reply["first"], reply["second"]) == ("product_compare", EARPHONES.name, HEADPHONES.name)
    lines = reply["table"].split("\n")
    assert lines[0] == f"【{EARPHONES.name}】129元起 VS 【{HEADPHONES.name}】899元起"
    assert lines[1:] == ["· 连接方式：蓝牙5.3 ｜ 蓝牙5.3", "· 续航：约5小时 ｜ 约40小时",
                         "· 充电：Type-C充电 ｜ 未标注", "· 降噪：未标注 ｜ 自适应主动降噪"], \
        "shared attributes first; long texts (使用说明) left out"


def test_a_comparison_of_fewer_than_two_asks_which():
    assert product_info_reply(ProductQuestion((EARPHONES,), comparison=True), "有什么区别", QA) == {
        "template": "product_compare_which"}


@pytest.fixture(scope="module")
def catalogue(seeded_sqlite_shop):
    return sql_backends(engine=seeded_sqlite_shop.engine).catalogue


def ids(question):
    return [product.product_id for product in question.products]


def test_a_feature_named_as_the_product_is_a_feature_of_the_product_discussed(catalogue):
    question = products_in_question(catalogue, "这款耳机带充电线吗", ["充电线"], "P3002")
    assert (ids(question), question.feature, question.comparison) == (["P3002"], "充电线", False)


def test_a_feature_of_the_product_named(catalogue):
    question = products_in_question(catalogue, "这款耳机带充电线吗", ["耳机", "充电线"])
    assert "耳机" in question.products[0].name and question.feature == "充电线"


def test_the_product_discussed_is_the_one_a_kind_of_product_means(catalogue):
    question = products_in_question(catalogue, "这款耳机带充电线吗", ["耳机", "充电线"], "P3005")
    assert ids(question) == ["P3005"]
    assert ids(products_in_question(catalogue, "这个锅能用电磁炉吗", ["锅"], "P3005")) != ["P3005"]


def test_a_feature_asked_about_with_no_product_known_asks_which(catalogue):
    assert products_in_question(catalogue, "带充电线吗", ["充电线"]).products == ()


def test_the_thing_itself_when_nothing_else_is_in_question(catalogue):
    question = products_in_question(catalogue, "充电线多长", ["充电线"])
    assert ids(question) == ["P3012"] and question.feature is None


def test_two_links_are_compared(catalogue):
    question = products_in_question(catalogue, "https://a.example/item?id=P3001 https://a.example/item?id=P3004", [])
    assert question.comparison and ids(question) == ["P3001", "P3004"]


def test_two_names_are_compared(catalogue):
    question = products_in_question(catalogue, "声悦 Air和声悦 Max有啥区别", ["声悦 Air", "声悦 Max"])
    assert question.comparison and ids(question) == ["P3001", "P3004"]


def test_these_two_are_the_two_discussed_not_the_first_the_word_finds(catalogue):
    question = products_in_question(catalogue, "这两款耳机有什么区别", ["耳机"], "P3004", ["P3004", "P3002"])
    assert question.comparison and ids(question) == ["P3004", "P3002"]


def test_one_named_is_compared_with_the_one_discussed(catalogue):
    question = products_in_question(catalogue, "和声悦 Pro比哪个好", ["声悦 Pro"], "P3001")
    assert question.comparison and ids(question) == ["P3002", "P3001"]


def test_a_kind_of_product_said_with_a_pasted_id_is_that_product_not_a_second_one(catalogue):
    # "这款耳机" describes P3001 itself: no comparison with the first earphones the word finds.
    question = products_in_question(catalogue, "P3001 这款耳机续航多久", ["耳机"])
    assert (ids(question), question.comparison) == (["P3001"], False)
    question = products_in_question(catalogue, "P3001 这款耳机续航多久", ["耳机"], "P3002")
    assert ids(question) == ["P3001"], "the id pasted wins over the product discussed before"


def test_a_pasted_id_and_another_product_named_are_compared(catalogue):
    question = products_in_question(catalogue, "P3001和声悦 Pro哪个好", ["声悦 Pro"])
    assert question.comparison and ids(question) == ["P3001", "P3002"]


def test_a_comparison_with_only_one_product_known(catalogue):
    question = products_in_question(catalogue, "这两款有什么区别", [], "P3001")
    assert question.comparison and ids(question) == ["P3001"]


def test_the_demo_shops_earphones_answer_from_their_qa(seeded_sqlite_shop, catalogue):
    entries = KnowledgeStore(seeded_sqlite_shop.engine).product_qa()
    question = products_in_question(catalogue, "这款耳机带充电线吗", ["耳机", "充电线"])
    reply = product_info_reply(question, "这款耳机带充电线吗", entries, ["耳机", "充电线"])
    assert reply["template"] == "product_qa_answer" and "充电线" in reply["answer"]
