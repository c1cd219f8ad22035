"""Reading what a shopper says about the product they want, and applying it to the needs."""

from decimal import Decimal

import pytest

from kefu.knowledge.recommendation import RECIPIENTS, USES, Needs
from kefu.services import recommendation as parsing
from kefu.services.recommendation import (
    RecommendationState,
    ShownProduct,
    read_budget,
    read_colors,
    read_refinement,
    refined_needs,
    same_kind,
)

D = Decimal


@pytest.mark.parametrize(
    "text, budget",
    [
        ("推荐个300以内的蓝牙耳机", (D(300), None)),
        ("预算500", (D(500), None)),
        ("不超过两百块", (D(200), None)),
        ("500到800之间的电饭煲", (D(800), D(500))),
        ("两三百的", (D(300), D(200))),
        ("300左右", (D(360), D(180))),
        ("帮我挑个200块的保温杯", (D(240), D(120))),
        ("一千五左右", (D(1800), D(900))),
        ("1k以内", (D(1000), None)),
        ("预算200以上", (None, D(200))),
        ("拖鞋42-43码", None),  # sizes, not money
        ("要M码", None),
        ("500ml的", None),
        ("订单2024111100001", None),
    ],
)
def test_budgets_as_shoppers_write_them(text, budget):
    assert read_budget(text) == budget


def test_a_bare_number_is_a_budget_only_in_answer_to_the_budget_question():
    assert read_budget("300吧") is None
    assert read_budget("300吧", bare_number=True) == (D(300), None)
    assert read_budget("", entity_value="五百") == (D(500), None)


@pytest.mark.parametrize(
    "text, wanted, excluded",
    [
        ("不要黑色", (), ("黑色",)),
        ("黑的不要 白的可以", ("白色",), ("黑色",)),
        ("不要黑色和白色", (), ("黑色", "白色")),
        ("除了红色都行", (), ("红色",)),
        ("有没有白色的", ("白色",), ()),
        ("米白色的有吗", ("米白色",), ()),
        ("不喜欢黑色，要蓝的", ("蓝色",), ("黑色",)),
        ("白天上班用的蓝牙耳机", (), ()),  # 白天 and 蓝牙 are no colours
    ],
)
def test_colours_wanted_and_not(text, wanted, excluded):
    assert read_colors(text) == (wanted, excluded)


def test_a_colour_only_the_nlu_found_follows_the_messages_negation():
    assert read_colors("这个颜色不要", ["黑色"]) == ((), ("黑色",))
    assert read_colors("来个这种", ["酒红色"]) == (("酒红色",), ())


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("太贵了", {}, {"cheaper": True}),
        ("有便宜点的吗", {}, {"cheaper": True}),
        ("别太便宜 送领导的", {}, {"dearer": True, "recipient": "领导"}),
        ("换一批", {}, {"reject_shown": True}),
        ("都不喜欢", {}, {"reject_shown": True}),
        ("还有别的吗", {}, {"reject_shown": True}),
        ("不喜欢黑色", {}, {"colors_excluded": ("黑色",)}),  # about a colour, not the whole list
        ("换个颜色", {}, {"other_color": True}),
        ("算了不买了", {}, {"abandon": True}),
        ("我自己看看", {}, {"abandon": True}),
        ("送女朋友", {}, {"recipient": "女朋友"}),
        ("给我爸买 他冬天怕冷", {}, {"recipient": "爸爸", "uses": ("保暖",)}),
        ("要M码", {"size": ["M"]}, {"size": "M"}),
        ("42码的跑鞋", {}, {"size": "42", "category": "跑鞋"}),
        ("衣服", {}, {"category": "服装"}),
        ("看看家电", {}, {"category": "厨具"}),
        ("推荐个300以内的蓝牙耳机", {"budget": ["300"], "product": ["蓝牙耳机"]},
         {"category": "蓝牙耳机", "budget_max": D(300), "budget_given": True}),
        ('/inform{"product":"P3001"}', {"product": ["P3001"]}, {}),  # a button picks a product, it names no kind
        ("我买的衣服想换个码", {}, {"category": "服装"}),  # an exchange of an order, not "show me others"
    ],
)
def test_what_a_message_changes(text, entities, expected):
    refinement = read_refinement(text, entities)
    said = {name: value for name, value in vars(refinement).items() if value}
    assert said == expected


def test_every_recipient_and_use_the_parser_finds_is_one_the_ranking_knows():
    assert set(parsing._RECIPIENT_WORDS) <= set(RECIPIENTS)
    assert set(parsing._USE_WORDS) <= set(USES)


def test_kinds_of_product():
    assert same_kind("耳机", "蓝牙耳机") and same_kind("蓝牙耳机", "耳机")
    assert not same_kind("口红", "蓝牙耳机")


# --- applying ---------------------------------------------------------------------------------
SHOWN = (ShownProduct("P3002", D(499), "白色"), ShownProduct("P3003", D(199), "黑色"))
EARPHONES = Needs(category="蓝牙耳机", recipient="女朋友")


def refine(text, needs=EARPHONES, shown=SHOWN, **entities):
    return refined_needs(needs, read_refinement(text, entities), shown)


def test_too_expensive_lowers_the_budget_below_the_cheapest_shown():
    assert refine("太贵了").budget_max == D(198)
    assert refine("太贵了", shown=()).budget_max is None  # nothing shown: nothing to be cheaper than


def test_a_budget_said_outright_wins_over_too_expensive():
    assert (refine("太贵了 150以内").budget_max, refine("太贵了 150以内").budget_min) == (D(150), None)


def test_too_cheap_raises_the_lower_bound_above_the_dearest_shown():
    needs = refine("太便宜了 要好一点的")
    assert (needs.budget_min, needs.budget_max) == (D(500), None)


def test_colours_accumulate_and_a_wanted_one_is_no_longer_excluded():
    needs = refine("不要黑色")
    assert needs.colors_excluded == ("黑色",)
    needs = refine("不要白色", needs)
    assert needs.colors_excluded == ("黑色", "白色")
    needs = refine("还是要白色的", needs)
    assert (needs.colors_wanted, needs.colors_excluded) == (("白色",), ("黑色",))


def test_another_colour_excludes_the_colours_shown():
    assert refine("换个颜色").colors_excluded == ("白色", "黑色")


def test_turning_the_list_down_remembers_what_was_shown():
    needs = refine("换一批")
    assert needs.rejected == ("P3002", "P3003")
    assert refine("都不喜欢", needs).rejected == ("P3002", "P3003")  # not twice


def test_another_kind_of_product_starts_afresh_but_keeps_budget_and_recipient():
    needs = Needs(category="蓝牙耳机", budget_max=D(300), recipient="女朋友", colors_excluded=("黑色",), rejected=("P3003",))
    changed = refine("那口红呢", needs)
    assert changed == Needs(category="口红", budget_max=D(300), recipient="女朋友")
    assert refine("耳机不要白色", needs).rejected == ("P3003",)  # the same kind: nothing forgotten


def test_a_kind_named_in_answer_to_the_question_keeps_what_was_said_before():
    assert refine("耳机吧", Needs(recipient="女朋友", colors_wanted=("粉色",)), ()) == Needs(
        category="耳机", recipient="女朋友", colors_wanted=("粉色",)
    )


def test_the_state_survives_a_round_trip_through_a_slot():
    state = RecommendationState(Needs(category="耳机", budget_max=D(300)), SHOWN + (ShownProduct("P1", D(79), None, "L"),))
    assert RecommendationState.from_slot(state.to_slot()) == state
    assert state.shown_ids == ["P3002", "P3003", "P1"]
    assert RecommendationState.from_slot(None) == RecommendationState()


def test_asking_again_while_a_list_is_shown_wants_others_unless_it_says_what():
    assert read_refinement("还有别的推荐吗").more_of_the_same().reject_shown
    said = read_refinement("还有白色的吗").more_of_the_same()
    assert said.colors_wanted == ("白色",) and not said.reject_shown
