"""The recommendation's product buttons as product cards in the web chat (kefu/channels/webchat_cards.py),
with the demo shop's real SQL catalogue."""

import pytest

from kefu.backends.factory import sql_backends
from kefu.channels.webchat_cards import product_of, with_product_cards
from kefu.channels.webchat_history import conversation_history
from kefu.services.recommendation_replies import _payload, DETAILS_INTENT, ORDER_INTENT
from tests.demo_shop.support import seeded_sqlite


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    shop = seeded_sqlite(tmp_path_factory.mktemp("cards") / "shop.db")
    yield sql_backends(engine=shop.engine).catalogue
    shop.engine.dispose()


def recommendation_buttons(*product_ids):
    buttons = []
    for index, product_id in enumerate(product_ids, start=1):
        buttons.append({"title": f"详情{index}", "payload": _payload(DETAILS_INTENT, product_id)})
        buttons.append({"title": f"下单{index}", "payload": _payload(ORDER_INTENT, product_id)})
    return buttons


def test_each_recommended_product_becomes_one_card_with_both_payloads(catalogue):
    first, second = catalogue.find_products(keyword="蓝牙耳机", limit=2)
    other = {"title": "都不喜欢", "payload": "/deny"}
    remaining, cards = with_product_cards(recommendation_buttons(first.product_id, second.product_id) + [other],
                                          catalogue.get_product)
    assert remaining == [other]
    assert [card["product"]["name"] for card in cards] == [first.name, second.name]
    card = cards[0]
    assert card["type"] == "product_card"
    assert card["product"]["details_payload"] == _payload(DETAILS_INTENT, first.product_id)
    assert card["product"]["buy_payload"] == _payload(ORDER_INTENT, first.product_id)
    assert float(card["product"]["price"]) == float(first.price)


def test_a_product_the_catalogue_does_not_know_keeps_its_buttons(catalogue):
    buttons = recommendation_buttons("NO-SUCH-PRODUCT")
    assert with_product_cards(buttons, catalogue.get_product) == (buttons, [])


def test_only_recommendation_payloads_name_a_product():
    assert product_of('/ask_product_info{"product":"P1"}') == ("details", "P1")
    assert product_of('/inform{"product":"P1"}') == ("order", "P1")
    for payload in (None, 3, "/inform", '/inform{"order_id":"1"}', "/inform{broken", '/greet{"product":"P1"}',
                    '/inform{"product":""}', '/inform["P1"]'):
        assert product_of(payload) is None


def test_the_history_shows_the_cards_the_shopper_saw(catalogue):
    product = catalogue.find_products(keyword="蓝牙耳机", limit=1)[0]
    events = [{"event": "bot", "text": "为您推荐：", "timestamp": 1.0,
               "data": {"buttons": recommendation_buttons(product.product_id)}}]
    history = conversation_history(events, (), lambda buttons: with_product_cards(buttons, catalogue.get_product))
    assert "buttons" not in history[0]
    assert [card["product"]["product_id"] for card in history[0]["cards"]] == [product.product_id]
