"""The demo shop is built by importing the sample files, and the samples agree
with the rules the demo shop's data follows."""

from __future__ import annotations

from sqlalchemy import func, select

from kefu.knowledge.importer.base import SAMPLE_CATALOGUE
from kefu.knowledge.importer.catalogue import read_catalogue
from kefu.knowledge.store import KnowledgeStore
from kefu.storage import models
from kefu.storage.db import make_session_factory
from kefu.demo_shop.builder import SHIPPING_ZONES, WAREHOUSES, ZONE_OF_PROVINCE
from kefu.demo_shop.catalogue import CATALOGUE, TSHIRT_ID
from kefu.demo_shop.seed import SEED_VERSION


def test_the_catalogue_is_the_sample_file(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        stored = {p.id: p for p in session.execute(select(models.Product)).scalars()}
        for record in read_catalogue(SAMPLE_CATALOGUE):
            product = stored[record.id]
            assert (product.name, product.category, product.brand, product.price_cents) == (
                record.name, record.category, record.brand, record.price_cents)
            assert product.attributes == record.attributes and product.description == record.description
            assert [(s.id, s.color, s.size, s.price_cents, s.position) for s in product.skus] == [
                (s.id, s.color, s.size, s.price_cents, n) for n, s in enumerate(record.skus, start=1)]
        assert len(stored) == len(CATALOGUE) == 64
        assert session.execute(select(func.count()).select_from(models.Sku)).scalar_one() == 407


def test_the_demo_relies_on_these_products(seeded_sqlite_shop):
    with make_session_factory(seeded_sqlite_shop.engine)() as session:
        tshirt = session.get(models.Product, TSHIRT_ID)
        white_m = next(sku for sku in tshirt.skus if (sku.color, sku.size) == ("白色", "M"))
        assert (tshirt.name, tshirt.price_cents) == ("男士纯棉圆领短袖T恤", 7900)
        assert all(level.quantity == 0 and level.restock_date is not None for level in white_m.stock)
        prices = {pid: session.get(models.Product, pid).price_cents for pid in ("P3001", "P3002")}
        assert prices == {"P3001": 12900, "P3002": 49900}


def test_the_demo_shop_holds_every_kind_of_knowledge(seeded_sqlite_shop):
    store = KnowledgeStore(seeded_sqlite_shop.engine)
    assert store.promotions().rules and store.size_charts().chart_for(TSHIRT_ID) is not None
    assert store.policy("invoice") is not None and store.faq("ask_invoice")
    assert SEED_VERSION == "5"


def test_the_demo_shop_has_product_questions_for_its_earphones_under_and_over_300_yuan(seeded_sqlite_shop):
    store = KnowledgeStore(seeded_sqlite_shop.engine)
    products = {entry.product_id for entry in store.product_qa()}
    assert len(products) >= 10 and all(len(store.product_qa(product_id)) >= 3 for product_id in products)
    assert {"P3001", "P3002"} <= products  # 129 元 and 499 元 (CONTRACT §5)


def test_the_postage_policy_states_the_shipping_zones_of_the_shop(seeded_sqlite_shop):
    zones = KnowledgeStore(seeded_sqlite_shop.engine).policy("shipping_fee").facts["zones"]
    assert [(z["code"], z["name"], z["fee_yuan"], z["free_over_yuan"], z["remote"]) for z in zones] == [
        (code, name, fee, free_over, remote) for code, name, fee, free_over, remote, _ in SHIPPING_ZONES]
    for zone in zones:
        if zone["provinces"] != "other":
            assert sorted(zone["provinces"]) == sorted(p for p, code in ZONE_OF_PROVINCE.items() if code == zone["code"])


def test_the_delivery_policy_states_the_warehouses_cut_off_hours(seeded_sqlite_shop):
    facts = KnowledgeStore(seeded_sqlite_shop.engine).policy("delivery_time").facts
    assert facts["warehouse_cutoff_hours"] == {name: cutoff for _, name, _, _, cutoff, _ in WAREHOUSES}
