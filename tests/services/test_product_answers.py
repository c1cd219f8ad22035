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
