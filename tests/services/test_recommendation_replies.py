"""What the shopper reads about a ranking: the list, the change, or why nothing fits."""

from decimal import Decimal

from kefu.backends.catalogue import Product
from kefu.knowledge import recommendation as ranking
from kefu.knowledge.recommendation import Needs, Pick, Reason, Recommendation, Relaxation
from kefu.replies import identify, render
from kefu.services.recommendation import ShownProduct, read_refinement
from kefu.services.recommendation_replies import (
    budget_question,
    category_question,
    criteria_text,
    order_reply,
    present,
    product_buttons,
    products_text,
)

D = Decimal
SHOWN = (ShownProduct("P3002", D(499), "白色"), ShownProduct("P3003", D(199), "黑色"))


def pick(product_id, name, price, color=None, size=None, reasons=()):
    product = Product(product_id, name, "数码", "声悦", D(price), {}, "", [])
    return Pick(product, f"{product_id}-01", color, size, D(price), tuple(reasons), 0, 1)


AIR = pick("P3001", "声悦 Air 半入耳式蓝牙耳机", 129, "白色",
           reasons=(Reason(ranking.BRAND_BOUGHT, {"brand": "声悦"}), Reason(ranking.WITHIN_BUDGET, {"budget": "198"})))


def renders(reply):
    values = {key: value for key, value in reply.items() if key != "template"}
    return render(reply["template"], **values)["text"]


def test_each_product_is_one_line_with_its_reasons():
    assert products_text([AIR, pick("P3012", "数据线", 29, reasons=(Reason(ranking.BEST_SELLER, {"rank": "1"}),))]) == (
        "【1】声悦 Air 半入耳式蓝牙耳机（白色）129元——您之前买过声悦家的，用着放心，在198元预算内\n"
        "【2】数据线 29元——同类销量第1"
    )


def test_every_product_gets_a_details_and_an_order_button():
    assert product_buttons([AIR]) == [
        {"title": "第1款详情", "payload": '/ask_product_info{"product":"P3001"}'},
        {"title": "下单第1款", "payload": '/inform{"product":"P3001"}'},
    ]


def test_the_criteria_say_what_the_list_was_chosen_by():
    needs = Needs("蓝牙耳机", D(300), None, "女朋友", ("白色",), ("黑色",), "M", ("跑步",))
    assert criteria_text(needs) == "「蓝牙耳机」、预算300元以内、送给女朋友、只看白色、不要黑色、尺码M、适合跑步"
    assert criteria_text(Needs(budget_max=D(800), budget_min=D(500))) == "预算500到800元"
    assert criteria_text(Needs(recipient="自己")) == "店里的热销款"


def test_the_first_list_and_a_refined_one():
    first = present(Recommendation((AIR,)), Needs(category="蓝牙耳机"))
    assert first.reply["template"] == "recommend_list" and first.picks == (AIR,)
    refined = present(Recommendation((AIR,)), Needs(category="蓝牙耳机"), read_refinement("不要黑色"), SHOWN)
    assert refined.reply["template"] == "recommend_list_refined"
    assert renders(first.reply).startswith("亲，按「蓝牙耳机」给您挑了这几款👇\n【1】声悦 Air")


def test_too_expensive_says_how_much_cheaper():
    shown = present(Recommendation((AIR,)), Needs(category="蓝牙耳机", budget_max=D(198)), read_refinement("太贵了"), SHOWN)
    assert shown.reply["template"] == "recommend_list_cheaper"
    assert (shown.reply["budget"], shown.reply["cheapest"], shown.reply["saving"]) == ("198", "199", "70")
    assert "最便宜的比刚才的199元还省70元" in renders(shown.reply)


def test_another_batch_is_announced_as_such():
    shown = present(Recommendation((AIR,)), Needs(), read_refinement("换一批"), SHOWN)
    assert shown.reply["template"] == "recommend_list_other"


def test_nothing_cheaper_says_the_cheapest_was_shown_and_lists_nothing():
    result = Recommendation((), Relaxation(ranking.RELAX_BUDGET_MAX, Needs(), (AIR,)))
    shown = present(result, Needs(category="蓝牙耳机", budget_max=D(128)), read_refinement("太贵了"), (ShownProduct("P3001", D(129)),))
    assert shown.reply == {"template": "recommend_none_cheaper", "category": "蓝牙耳机", "price": "129"}
    assert shown.picks == ()


def test_nothing_in_budget_shows_what_a_bigger_budget_buys_and_goes_on_with_it():
    relaxed = Needs(category="蓝牙耳机")
    result = Recommendation((), Relaxation(ranking.RELAX_BUDGET_MAX, relaxed, (AIR,)))
    shown = present(result, Needs(category="蓝牙耳机", budget_max=D(100)))
    assert shown.reply["template"] == "recommend_relaxed_budget_max"
    assert (shown.reply["budget"], shown.reply["price"]) == ("100", "129")
    assert shown.picks == (AIR,) and shown.needs == relaxed
    assert "预算提高到129元就有" in renders(shown.reply)


def test_nothing_in_the_colour_says_which_colour():
    result = Recommendation((), Relaxation(ranking.RELAX_COLORS_WANTED, Needs(category="耳机"), (AIR,)))
    shown = present(result, Needs(category="耳机", colors_wanted=("粉色",)))
    assert renders(shown.reply).startswith("亲，粉色的暂时没有合适的现货")


def test_everything_turned_down_or_nothing_at_all():
    seen = present(Recommendation((), Relaxation(ranking.RELAX_REJECTED, Needs(), (AIR,))), Needs(category="耳机"))
    assert seen.reply == {"template": "recommend_none_seen", "category": "耳机"} and seen.picks == ()
    none = present(Recommendation((), Relaxation(ranking.NOTHING_IN_CATEGORY)), Needs())
    assert none.reply == {"template": "recommend_none", "category": "这一类"}


def test_the_questions_ask_only_what_is_missing():
    assert category_question(Needs(recipient="女朋友")) == {"template": "recommend_ask_category_for", "recipient": "女朋友"}
    assert category_question(Needs(recipient="自己")) == {"template": "recommend_ask_category"}
    assert budget_question(Needs(category="耳机")) == {"template": "recommend_ask_budget_and_use"}
    assert budget_question(Needs(category="耳机", uses=("跑步",))) == {"template": "recommend_ask_budget"}


def test_ordering_names_the_variant_shown():
    assert renders(order_reply("声悦 Air", ShownProduct("P3001", D(129), "白色"))).startswith("好嘞亲～声悦 Air（白色）129元")
    assert order_reply("砧板", ShownProduct("P4005", D(69)))["template"] == "recommend_order_plain"


def test_a_whole_reply_is_never_taken_for_one_of_its_lines():
    relaxed = present(Recommendation((), Relaxation(ranking.RELAX_BUDGET_MAX, Needs(), (AIR,))), Needs(budget_max=D(100)))
    assert identify(renders(relaxed.reply)) == "recommend_relaxed_budget_max"
    listed = present(Recommendation((AIR,)), Needs(category="蓝牙耳机"), read_refinement("不要黑色"), SHOWN)
    assert identify(renders(listed.reply)) == "recommend_list_refined"
