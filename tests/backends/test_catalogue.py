"""CatalogueBackend, one test body for every implementation (see conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kefu.backends.catalogue import ATTRIBUTE_LABELS, CATEGORIES


def test_get_product_has_variants_and_attributes(shop):
    tshirt = shop.backends.catalogue.get_product("P1001")

    assert tshirt.name == "男士纯棉圆领短袖T恤" and tshirt.category == "服装"
    assert tshirt.colors == ["白色", "黑色", "藏青色", "灰色"]
    assert tshirt.sizes == ["S", "M", "L", "XL", "XXL"]
    assert "棉" in tshirt.attribute("material")
    assert tshirt.attribute("size_advice") and tshirt.attribute("care")
    assert tshirt.price == Decimal("79.00")
    assert {sku.price for sku in tshirt.skus if sku.size == "XXL"} == {Decimal("89.00")}


def test_get_product_without_colours_or_sizes(shop):
    knife = shop.backends.catalogue.get_product("P4004")

    assert knife.colors == [] and knife.sizes == []
    (sku,) = knife.skus
    assert sku.color is None and sku.size is None


def test_get_product_of_unknown_product_is_none(shop):
    assert shop.backends.catalogue.get_product("P0000") is None


def test_find_products_by_keyword_and_budget(shop):
    cheap = shop.backends.catalogue.find_products("蓝牙耳机", max_price=Decimal("300"), in_stock_only=True)
    dear = shop.backends.catalogue.find_products("蓝牙耳机", min_price=Decimal("300"), in_stock_only=True)

    assert cheap and dear
    assert all(product.price <= 300 for product in cheap)
    assert all(product.price >= 300 for product in dear)
    assert all(product.category == "数码" for product in cheap + dear)
    assert {"P3001", "P3002"} <= {product.product_id for product in cheap + dear}


def test_find_products_needs_every_word(shop):
    found = shop.backends.catalogue.find_products("纯棉 T恤")

    assert "P1001" in [product.product_id for product in found]
    assert all("T恤" in product.name or "POLO" in product.name for product in found)


def test_find_products_by_a_shoppers_category_name(shop):
    clothes = shop.backends.catalogue.find_products(category="衣服", limit=50)

    assert len(clothes) >= 10
    assert {product.category for product in clothes} == {"服装"}


def test_find_products_respects_the_limit(shop):
    assert len(shop.backends.catalogue.find_products(category="数码", limit=3)) == 3


def test_find_products_without_a_match_is_empty(shop):
    assert shop.backends.catalogue.find_products("火箭发动机") == []
    assert shop.backends.catalogue.find_products("100%") == []


def test_the_catalogue_is_large_and_described(shop):
    products = [
        product
        for category in CATEGORIES
        for product in shop.backends.catalogue.find_products(category=category, limit=50)
    ]

    assert len(products) >= 60
    for category in CATEGORIES:
        assert sum(product.category == category for product in products) >= 10
    for product in products:
        assert product.description and product.skus and product.attributes
        # Every attribute can be named to a shopper in Chinese.
        assert set(product.attributes) <= set(ATTRIBUTE_LABELS), product.product_id


def test_stock_of_a_sold_out_variant_has_its_restock_date(shop):
    (white_m,) = shop.backends.catalogue.stock("P1001", color="白色", size="M")

    assert not white_m.in_stock and white_m.quantity == 0
    assert white_m.restock_date == shop.today + timedelta(days=5)
    assert white_m.warehouses and all(level.quantity == 0 for level in white_m.warehouses)


def test_stock_adds_up_the_warehouses(shop):
    (white_l,) = shop.backends.catalogue.stock("P1001", color="白色", size="L")

    assert white_l.in_stock
    assert white_l.quantity == sum(level.quantity for level in white_l.warehouses)
    assert all(level.warehouse_name.endswith("仓") for level in white_l.warehouses)


def test_stock_by_colour_lists_every_size(shop):
    white = shop.backends.catalogue.stock("P1001", color="白色")

    assert [level.size for level in white] == ["S", "M", "L", "XL", "XXL"]
    assert {level.color for level in white} == {"白色"}


@pytest.mark.parametrize("product_id", ["P3001", "P3002"])
def test_bluetooth_earphones_are_in_stock(shop, product_id):
    assert all(level.in_stock for level in shop.backends.catalogue.stock(product_id))


def test_stock_of_a_missing_colour_is_empty_and_of_unknown_product_none(shop):
    assert shop.backends.catalogue.stock("P1001", color="紫色") == []
    assert shop.backends.catalogue.stock("P0000") is None


@pytest.mark.parametrize("said", ["家电", "小家电", "电器"])
def test_appliances_are_found_under_kitchenware(shop, said):
    # The shop sells rice cookers, air fryers and kettles as 厨具: "看看家电" must find them.
    found = shop.backends.catalogue.find_products(category=said)
    assert found and {product.category for product in found} == {"厨具"}
