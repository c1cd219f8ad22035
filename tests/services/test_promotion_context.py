import pytest

from kefu.backends.factory import sql_backends
from kefu.services.promotion_context import member_level, order_facts
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
