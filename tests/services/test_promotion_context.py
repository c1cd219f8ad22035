import pytest

from kefu.backends.factory import sql_backends
from dataclasses import replace
from decimal import Decimal

from kefu.services.promotion_context import member_level, order_facts, order_in_question
from tests.demo_shop.fixtures import seeded_sqlite_shop  # noqa: F401


@pytest.fixture
def shop(seeded_sqlite_shop):
    return sql_backends(engine=seeded_sqlite_shop.engine)


def test_the_member_level_of_a_known_shopper_and_regular_for_anyone_else(shop):
    assert member_level(shop.customers, "C0001") == "gold"
    assert member_level(shop.customers, "C9999") == "regular"
    assert member_level(shop.customers, None) == "regular"


def test_an_orders_items_with_their_category_and_price_today(shop):
    order = shop.orders.get_order("2024111100001")
    categories, prices = order_facts(shop.catalogue, order)
    assert len(categories) == len(prices) == len(order.items)
    for item, category, price in zip(order.items, categories, prices):
        product = shop.catalogue.get_product(item.product_id)
        assert category == product.category
        assert price == next(sku.price for sku in product.skus if sku.sku_id == item.sku_id)


def test_the_order_a_question_is_about_holds_the_product_under_discussion(shop):
    orders = shop.orders.orders_of_customer("C0001", 10)
    assert order_in_question(shop.catalogue, orders, "P3002", price_protection=True).order_id == "2024111100002"
    assert order_in_question(shop.catalogue, orders, None, price_protection=False).order_id == "2024111100003"


def test_for_price_protection_the_order_whose_price_dropped_comes_first(shop):
    orders = shop.orders.orders_of_customer("C0001", 10)
    dearer = [replace(orders[1], items=[replace(item, unit_price=item.unit_price + Decimal(50))
                                        for item in orders[1].items])]
    assert order_in_question(shop.catalogue, orders[:1] + dearer, None, price_protection=True) is dearer[0]


def test_settled_and_unpaid_orders_are_left_out_where_they_cannot_be_meant(shop):
    orders = shop.orders.orders_of_customer("C0002", 10)  # one delivered, one cancelled
    assert order_in_question(shop.catalogue, orders, None, price_protection=False).status == "delivered"
    unpaid = replace(orders[0], status="unpaid", paid_at=None)
    assert order_in_question(shop.catalogue, [unpaid], None, price_protection=True) is None
    assert order_in_question(shop.catalogue, [], None, price_protection=False) is None
