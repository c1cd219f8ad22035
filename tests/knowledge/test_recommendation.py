"""The recommendation ranking over a small catalogue of the test's own (best sellers first)."""

from datetime import datetime
from decimal import Decimal

import pytest

from kefu.backends.catalogue import CatalogueBackend, Product, Sku, StockLevel, normalise_category
from kefu.backends.customers import Customer
from kefu.backends.orders import Order, OrderItem, Recipient
from kefu.knowledge import recommendation as ranking
from kefu.knowledge.recommendation import Needs, ShopperHistory, cheaper_than, dearer_than, recommend, shopper_history

NOW = datetime(2026, 12, 1, 12, 0)


def product(product_id, name, price, category="数码", brand="牌子", colors=(None,), sizes=(None,), stock=None,
            description="", prices=None):
    """A product whose SKUs are every colour × size; ``stock`` maps (colour, size) to the quantity (default 10)."""
    skus = []
    for color in colors:
        for size in sizes:
            sku_price = Decimal((prices or {}).get((color, size), price))
            skus.append(Sku(f"{product_id}-{len(skus) + 1:02d}", color, size, sku_price))
    item = Product(product_id, name, category, brand, Decimal(price), {}, description, skus)
    levels = [
        StockLevel(sku.sku_id, sku.color, sku.size, (stock or {}).get((sku.color, sku.size), 10), None)
        for sku in skus
    ]
    return item, levels


class Catalogue(CatalogueBackend):
    """Lists products in the order given: that order is the sales ranking."""

    def __init__(self, *entries):
        self.products = [entry[0] for entry in entries]
        self.levels = {entry[0].product_id: entry[1] for entry in entries}
        self.stock_calls = 0

    def get_product(self, product_id):
        return next((p for p in self.products if p.product_id == product_id), None)

    def find_products(self, keyword=None, category=None, min_price=None, max_price=None, in_stock_only=False, limit=10):
        assert 1 <= limit <= 50, "the shop backend contract allows at most 50 products per search"
        found = [
            p for p in self.products
            if (not keyword or keyword in p.name)
            and (not category or p.category == normalise_category(category))
            and (not in_stock_only or any(level.in_stock for level in self.levels[p.product_id]))
        ]
        return found[:limit]

    def stock(self, product_id, color=None, size=None):
        self.stock_calls += 1
        return [l for l in self.levels[product_id] if (not color or l.color == color) and (not size or l.size == size)]


EARPHONES = Catalogue(
    product("E1", "降噪蓝牙耳机", 499, colors=("黑色", "白色")),
    product("E2", "头戴蓝牙耳机", 899, colors=("黑色",)),
    product("E3", "运动蓝牙耳机", 199, colors=("黑色", "蓝色"), description="挂耳式，跑步不掉"),
    product("E4", "入门蓝牙耳机", 129, colors=("白色", "黑色"), stock={("白色", None): 0}),
    product("E5", "学生蓝牙耳机", 89, colors=("黑色",), stock={("黑色", None): 0}),  # sold out
)


def ids(result):
    return [pick.product.product_id for pick in result.picks]


# --- budget, stock, colours, rejection -----------------------------------------------------
def test_without_wishes_the_best_sellers_in_stock_are_recommended_three_at_most():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机"))
    assert ids(result) == ["E1", "E2", "E3"]
    assert [pick.sales_rank for pick in result.picks] == [1, 2, 3]
    assert result.relaxation is None


def test_the_budget_keeps_out_what_costs_more():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", budget_max=Decimal(300)))
    assert ids(result) == ["E3", "E4"]
    assert all(pick.price <= 300 for pick in result.picks)
    assert ranking.Reason(ranking.WITHIN_BUDGET, {"budget": "300"}) in result.picks[0].reasons


def test_a_lower_bound_keeps_out_what_is_too_cheap():
    assert ids(recommend(EARPHONES, Needs(category="蓝牙耳机", budget_min=Decimal(300)))) == ["E1", "E2"]


def test_a_sold_out_product_is_never_recommended():
    assert "E5" not in ids(recommend(EARPHONES, Needs(category="蓝牙耳机", budget_max=Decimal(100))))


def test_an_excluded_colour_drops_products_that_only_come_in_it_and_is_never_the_variant_shown():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", colors_excluded=("黑色",)))
    assert ids(result) == ["E1", "E3"]  # E2 is black only; E4 has white, but white is sold out
    assert [pick.color for pick in result.picks] == ["白色", "蓝色"]


def test_a_wanted_colour_must_be_in_stock():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", colors_wanted=("白色",)))
    assert ids(result) == ["E1"]  # E4's white is sold out
    assert result.picks[0].color == "白色"
    assert result.picks[0].reasons[0] == ranking.Reason(ranking.COLOR_IN_STOCK, {"color": "白色"})


def test_rejected_products_are_not_shown_again():
    assert ids(recommend(EARPHONES, Needs(category="蓝牙耳机", rejected=("E1", "E2")))) == ["E3", "E4"]


def test_the_variant_within_budget_is_the_one_shown():
    catalogue = Catalogue(product("S1", "卫衣", 159, category="服装", colors=("黑色",), sizes=("L", "XXL"),
                                  prices={("黑色", "XXL"): 199}))
    result = recommend(catalogue, Needs(category="服装", size="XXL", budget_max=Decimal(180)))
    assert result.picks == ()
    assert recommend(catalogue, Needs(category="服装", size="XXL")).picks[0].price == Decimal(199)


def test_a_wanted_size_must_be_in_stock_and_is_named():
    catalogue = Catalogue(
        product("T1", "T恤", 79, category="服装", colors=("白色",), sizes=("M", "L"), stock={("白色", "M"): 0}),
        product("T2", "衬衫", 169, category="服装", colors=("白色",), sizes=("M", "L")),
    )
    result = recommend(catalogue, Needs(category="服装", size="M"))
    assert ids(result) == ["T2"]
    assert result.picks[0].variant == "白色/M"


def test_without_a_size_asked_for_none_is_named():
    catalogue = Catalogue(product("T1", "T恤", 79, category="服装", colors=("白色",), sizes=("M", "L")))
    assert recommend(catalogue, Needs(category="服装")).picks[0].variant == "白色"


def test_stock_is_asked_only_for_products_that_could_be_shown():
    catalogue = Catalogue(*[product(f"P{n}", f"耳机{n}", 100 + n) for n in range(10)])
    recommend(catalogue, Needs(category="耳机"))
    assert catalogue.stock_calls == 3


# --- who it is for and what for ----------------------------------------------------------------
CLOTHES = Catalogue(
    product("C1", "男士卫衣", 159, category="服装", colors=("黑色",)),
    product("C2", "情侣款POLO衫", 119, category="服装", colors=("白色",)),
    product("C3", "女士针织开衫", 149, category="服装", colors=("米白色",)),
    product("C4", "儿童睡衣", 89, category="服装", colors=("蓝色",)),
)


def test_a_present_for_a_girlfriend_leaves_out_mens_and_childrens_things_and_says_why_it_fits():
    result = recommend(CLOTHES, Needs(category="服装", recipient="女朋友"))
    assert ids(result) == ["C2", "C3"]  # both fit (3 points); the POLO sells better
    assert result.picks[0].reasons[0].kind == ranking.COUPLE
    assert result.picks[1].reasons[0] == ranking.Reason(ranking.FITS_RECIPIENT, {"recipient": "女朋友"})


def test_a_present_for_a_child_is_made_for_children():
    assert ids(recommend(CLOTHES, Needs(category="服装", recipient="孩子"))) == ["C4"]


def test_for_oneself_nothing_is_left_out():
    assert ids(recommend(CLOTHES, Needs(category="服装", recipient="自己"))) == ["C1", "C2", "C3"]


def test_a_recipients_favourite_category_ranks_first_without_a_category():
    catalogue = Catalogue(
        product("K1", "电饭煲", 459, category="厨具"),
        product("M1", "口红", 129, category="美妆"),
    )
    result = recommend(catalogue, Needs(recipient="女朋友"))
    assert ids(result) == ["M1", "K1"]
    assert result.picks[0].reasons[0] == ranking.Reason(ranking.RECIPIENT_FAVOURITE, {"recipient": "女朋友"})


def test_a_use_the_product_is_made_for_outranks_sales():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", uses=("跑步",)))
    assert ids(result)[0] == "E3"
    assert result.picks[0].reasons[0] == ranking.Reason(ranking.USE, {"use": "跑步"})


# --- what the shop knows about the shopper ------------------------------------------------------
def test_a_brand_bought_before_ranks_first_with_the_reason():
    catalogue = Catalogue(
        product("A1", "蓝牙耳机 A", 199, brand="动力"),
        product("A2", "蓝牙耳机 B", 129, brand="声悦"),
    )
    result = recommend(catalogue, Needs(category="蓝牙耳机"), ShopperHistory(brands=("声悦",)))
    assert ids(result) == ["A2", "A1"]
    assert result.picks[0].reasons[0] == ranking.Reason(ranking.BRAND_BOUGHT, {"brand": "声悦"})


def test_what_the_shopper_already_owns_is_not_recommended_again():
    history = ShopperHistory(owned=frozenset({"E1"}))
    assert "E1" not in ids(recommend(EARPHONES, Needs(category="蓝牙耳机"), history))


def test_the_size_bought_before_is_the_variant_shown():
    catalogue = Catalogue(product("T1", "T恤", 79, category="服装", colors=("白色",), sizes=("M", "L")))
    pick = recommend(catalogue, Needs(category="服装"), ShopperHistory(sizes={"服装": "L"})).picks[0]
    assert pick.variant == "白色/L"
    assert ranking.Reason(ranking.USUAL_SIZE, {"size": "L"}) in pick.reasons


def test_a_crm_interest_tips_the_balance():
    catalogue = Catalogue(product("K1", "保温杯", 89, category="厨具"), product("D1", "数据线", 29, category="数码"))
    assert ids(recommend(catalogue, Needs(), ShopperHistory(tags=("数码爱好者",)))) == ["D1", "K1"]


class Customers:
    def get_customer(self, customer_id):
        if customer_id != "C1":
            return None
        return Customer("C1", "张三", "13800000001", "gold", ["数码爱好者"])


def _order(status, *items):
    return Order(
        order_id=f"O-{status}", customer_id="C1", status=status, channel="web",
        recipient=Recipient("张三", "13800000001", "上海", "上海", "路1号"),
        items=[OrderItem(f"{pid}-01", pid, pid, color, size, Decimal(10), 1) for pid, color, size in items],
        goods_amount=Decimal(10), shipping_fee=Decimal(0), discount=Decimal(0), paid_amount=Decimal(10),
        payment_method="支付宝", created_at=NOW, paid_at=NOW, shipped_at=None, delivered_at=None, cancelled_at=None,
    )


class Orders:
    def orders_of_customer(self, customer_id, limit=5):
        return [_order("delivered", ("T1", "白色", "L"), ("E3", "黑色", None)), _order("refunded", ("E1", "黑色", None))]


def test_the_history_comes_from_orders_kept_and_crm_tags():
    catalogue = Catalogue(
        product("T1", "T恤", 79, category="服装", brand="棉语", colors=("白色",), sizes=("M", "L")),
        *[(p, EARPHONES.levels[p.product_id]) for p in EARPHONES.products],
    )
    history = shopper_history("C1", Customers(), Orders(), catalogue)
    assert history.owned == {"T1", "E3"}  # the refunded order went back
    assert history.brands == ("棉语", "牌子") and history.categories == ("服装", "数码")
    assert history.sizes == {"服装": "L"}
    assert history.liked_categories == ("数码",)
    assert shopper_history("C9", Customers(), Orders(), catalogue) is None


# --- ties and nothing to recommend ---------------------------------------------------------------
def test_ties_go_to_the_better_seller():
    same = Catalogue(product("B2", "蓝牙耳机乙", 100), product("B1", "蓝牙耳机甲", 100))
    assert ids(recommend(same, Needs(category="蓝牙耳机"))) == ["B2", "B1"]


def test_the_ranking_is_the_same_every_time():
    needs = Needs(category="蓝牙耳机", uses=("跑步",), budget_max=Decimal(600))
    assert len({tuple(ids(recommend(EARPHONES, needs))) for _ in range(5)}) == 1


def test_nothing_in_the_wanted_colour_suggests_any_colour_with_what_there_is():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", colors_wanted=("粉色",)))
    assert result.picks == ()
    assert result.relaxation.kind == ranking.RELAX_COLORS_WANTED
    assert result.relaxation.needs.colors_wanted == ()
    assert [pick.product.product_id for pick in result.relaxation.picks] == ["E1", "E2", "E3"]


def test_nothing_within_budget_suggests_the_cheapest_that_is_in_stock():
    result = recommend(EARPHONES, Needs(category="蓝牙耳机", budget_max=Decimal(100)))
    assert result.relaxation.kind == ranking.RELAX_BUDGET_MAX
    assert [pick.product.product_id for pick in result.relaxation.picks] == ["E4", "E3", "E1"]  # cheapest first


def test_when_everything_was_turned_down_that_is_what_is_said():
    rejected = tuple(p.product_id for p in EARPHONES.products)
    assert recommend(EARPHONES, Needs(category="蓝牙耳机", rejected=rejected)).relaxation.kind == ranking.RELAX_REJECTED


def test_an_unknown_kind_of_product_has_nothing_to_relax():
    result = recommend(EARPHONES, Needs(category="拖拉机"))
    assert result.picks == () and result.relaxation.kind == ranking.NOTHING_IN_CATEGORY


# --- budget arithmetic and the slot form ----------------------------------------------------------
@pytest.mark.parametrize("prices, cheaper", [([Decimal(199), Decimal(499)], Decimal(198)), ([Decimal("79.9")], Decimal(79)),
                                             ([Decimal("0.5")], Decimal(0))])
def test_too_expensive_means_a_whole_yuan_below_the_cheapest_shown(prices, cheaper):
    assert cheaper_than(prices) == cheaper


def test_too_cheap_means_a_whole_yuan_above_the_dearest_shown():
    assert dearer_than([Decimal(129), Decimal("199.5")]) == Decimal(200)
    assert cheaper_than([]) is None and dearer_than([]) is None


def test_needs_survive_a_round_trip_through_a_slot():
    needs = Needs("蓝牙耳机", Decimal("299.5"), Decimal(100), "女朋友", ("白色",), ("黑色",), "M", ("跑步",), ("E1",))
    assert Needs.from_dict(needs.to_dict()) == needs
    assert Needs.from_dict(None) == Needs()
