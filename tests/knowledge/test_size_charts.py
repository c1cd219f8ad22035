"""Size charts: the sample covers the demo shop's sized products, and bad charts are reported."""

import textwrap

import pytest

from kefu.knowledge.size_charts import (
    FOOT_LENGTH,
    HEIGHT,
    SAMPLE_SIZE_CHARTS,
    WEIGHT,
    read_size_charts,
)
from kefu.knowledge.sources import KnowledgeFileError
from kefu.demo_shop.catalogue import CATALOGUE
from tests.knowledge.support import load_size_charts

PRODUCT_IDS = {product.id for product in CATALOGUE}


def sample():
    return load_size_charts(SAMPLE_SIZE_CHARTS, product_ids=PRODUCT_IDS)


@pytest.mark.parametrize("product", [p for p in CATALOGUE if p.category in ("服装", "鞋靴")], ids=lambda p: p.id)
def test_every_clothing_and_shoe_product_has_a_chart_of_its_own_sizes(product):
    chart = sample().chart_for(product.id)
    assert chart is not None and chart.sizes == product.sizes


def test_sample_charts_read_weights_in_jin_as_kg():
    chart = sample().chart_for("P1001")
    assert chart.measures == (HEIGHT, WEIGHT, "chest")
    assert chart.rows[1].range_of(WEIGHT) == (58.0, 65.0)  # M: 116-130 斤
    assert sample().chart_for("P2001").measures == (FOOT_LENGTH,)
    assert sample().chart_for("P3001") is None


def test_a_usual_size_is_placed_on_the_chart():
    shoes, slippers, tops = sample().chart_for("P2002"), sample().chart_for("P2010"), sample().chart_for("P1001")
    assert shoes.position_of_size("37") == 2 and shoes.position_of_size("37.5") == 2.5
    assert slippers.position_of_size("39") == 1
    assert tops.position_of_size("xl") == 3 and tops.position_of_size("2XL") == 4
    assert tops.position_of_size("42") is None and shoes.position_of_size("46") is None


def chart_file(sizes: str, header: str = "- id: c\n  kind: clothing\n  products: [P1001]\n") -> str:
    return "charts:\n" + textwrap.indent(header + "  sizes:\n" + textwrap.indent(textwrap.dedent(sizes).strip("\n"), "    "), "  ") + "\n"


GOOD_SIZES = """
- {size: S, height: [155, 164]}
- {size: M, height: [165, 171]}
"""

BAD_CHARTS = {
    "misspelt measurement": (chart_file("- {size: S, hieght: [155, 164]}"), 6, "unknown field 'hieght'"),
    "no size name": (chart_file("- {height: [155, 164]}"), 6, "'size' is missing"),
    "size listed twice": (chart_file("- {size: S, height: [155, 164]}\n- {size: S, height: [165, 171]}"), 5, "listed twice"),
    "range from high to low": (chart_file("- {size: S, height: [164, 155]}"), 6, "must go from low to high"),
    "range of one number": (chart_file("- {size: S, height: 160}"), 6, "must be a range [low, high]"),
    "sizes from large to small": (chart_file("- {size: L, height: [172, 177]}\n- {size: M, height: [165, 171]}"), 5, "from small to large"),
    "measurement in some sizes only": (chart_file("- {size: S, height: [155, 164], chest: [84, 88]}\n- {size: M, height: [165, 171]}"), 5, "chest is given for some sizes but not for M"),
    "weight in kg and in jin": (chart_file("- {size: S, weight_kg: [50, 57], weight_jin: [100, 114]}"), 6, "either in kg"),
    "no measurement": (chart_file("- {size: S}"), 6, "gives no measurement"),
    "unknown kind": (chart_file(GOOD_SIZES, "- id: c\n  kind: hats\n  products: [P1001]\n"), 3, "unknown kind 'hats'"),
    "no products": (chart_file(GOOD_SIZES, "- id: c\n  kind: clothing\n"), 2, "must name the products"),
    "unknown product": (chart_file(GOOD_SIZES, "- id: c\n  kind: clothing\n  products: [P9999]\n"), 4, "unknown product 'P9999'"),
    "offset of a third": (chart_file(GOOD_SIZES, "- id: c\n  kind: clothing\n  products: [P1001]\n  size_offset: 0.3\n"), 5, "whole or half sizes"),
    "no sizes": ("charts:\n  - {id: c, kind: clothing, products: [P1001], sizes: []}\n", 2, "must be a non-empty list"),
    "not a list of charts": ("charts: {id: c}\n", 1, "'charts' must be a list"),
}


@pytest.mark.parametrize("text, line, reason", BAD_CHARTS.values(), ids=BAD_CHARTS.keys())
def test_a_bad_chart_is_reported_with_its_line_and_reason(text, line, reason):
    with pytest.raises(KnowledgeFileError) as caught:
        read_size_charts(text, "size_charts.yml", product_ids=PRODUCT_IDS)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("size_charts.yml", line)
    assert reason in problem.reason


def test_a_product_in_two_charts_is_reported():
    text = textwrap.dedent("""\
        charts:
          - {id: c, kind: clothing, products: [P1001], sizes: [{size: S, height: [155, 164]}]}
          - {id: d, kind: clothing, products: [P1001], sizes: [{size: S, height: [155, 164]}]}
    """)
    with pytest.raises(KnowledgeFileError) as caught:
        read_size_charts(text, "size_charts.yml")
    (problem,) = caught.value.problems
    assert problem.line == 3 and "product P1001 already has chart 'c'" in problem.reason
