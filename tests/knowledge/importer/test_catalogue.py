"""Importing a catalogue spreadsheet: good files, every kind of bad row, all or
nothing, skipping bad rows, idempotency and updates."""

from __future__ import annotations

from datetime import date

import pytest

from kefu.knowledge.importer.catalogue import read_catalogue
from kefu.knowledge.sources import KnowledgeFileError
from tests.knowledge.importer.support import counts, products, reasons, run_import, skus, stock, write_csv

HEADER = ["product_id", "name", "category", "brand", "sku_id", "colour", "size", "price", "attr:material",
          "description", "search_terms"]
TEE = [
    ["P9001", "测试纯棉T恤", "服装", "棉语", "P9001-01", "白色", "M", "79", "100%棉", "透气", "T恤 短袖"],
    ["P9001", "", "", "", "P9001-02", "白色", "L", "79", "", "", ""],
    ["P9001", "", "", "", "P9001-03", "黑色", "XXL", "89.90", "", "", ""],
]
KETTLE = [["P9002", "测试电水壶", "厨具", "厨小二", "P9002-01", "", "", "¥99", "", "5分钟烧开", "水壶"]]


def catalogue(tmp_path, *rows, header=HEADER, name="catalogue.csv"):
    return write_csv(tmp_path / name, [header, *rows])


def test_a_good_csv_creates_products_and_skus(empty_shop, tmp_path):
    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, *KETTLE))

    assert outcome.problems == () and not outcome.refused
    assert counts(outcome) == {"products": (2, 0, 0, 0), "SKUs": (4, 0, 0, 0)}
    tee, kettle = products(empty_shop)["P9001"], products(empty_shop)["P9002"]
    assert (tee.name, tee.category, tee.brand, tee.price_cents) == ("测试纯棉T恤", "服装", "棉语", 7900)
    assert tee.attributes == {"material": "100%棉"} and tee.description == "透气" and tee.search_terms == "T恤 短袖"
    assert (kettle.price_cents, kettle.attributes) == (9900, {})
    written = skus(empty_shop)
    assert (written["P9001-03"].color, written["P9001-03"].size, written["P9001-03"].price_cents) == ("黑色", "XXL", 8990)
    assert [written[f"P9001-0{n}"].position for n in (1, 2, 3)] == [1, 2, 3]
    assert (written["P9002-01"].color, written["P9002-01"].size) == (None, None)


def test_chinese_headers_and_attribute_labels_are_understood(empty_shop, tmp_path):
    header = ["商品编号", "商品名称", "类目", "品牌", "SKU编号", "颜色", "尺码", "价格", "属性：材质", "属性:保修", "库存:杭州仓"]
    row = ["P9003", "测试耳机", "数码", "声悦", "P9003-01", "白色", "", "129", "塑料", "1年", "12"]

    outcome = run_import(empty_shop, catalogue(tmp_path, row, header=header))

    assert outcome.problems == ()
    assert products(empty_shop)["P9003"].attributes == {"material": "塑料", "warranty": "1年"}
    assert stock(empty_shop) == {("P9003-01", "WH-HZ"): (12, None)}


def test_a_good_xlsx_is_read_like_a_csv(empty_shop, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "商品"
    sheet.append(HEADER + ["stock:WH-HZ", "restock:WH-HZ"])
    sheet.append(["P9001", "测试纯棉T恤", "服装", "棉语", "P9001-01", "白色", "M", 79, "100%棉", None, None, 0,
                  date(2026, 12, 20)])
    sheet.append([9002, "测试电水壶", "厨具", "厨小二", "9002-01", None, 42, 99.5, None, None, None, 30, None])
    workbook.save(tmp_path / "catalogue.xlsx")

    outcome = run_import(empty_shop, tmp_path / "catalogue.xlsx")

    assert outcome.problems == ()
    assert products(empty_shop)["9002"].price_cents == 9950
    assert skus(empty_shop)["9002-01"].size == "42"  # a number typed into Excel is still a size
    assert stock(empty_shop) == {("P9001-01", "WH-HZ"): (0, date(2026, 12, 20)), ("9002-01", "WH-HZ"): (30, None)}


def test_xlsx_problems_name_the_sheet_and_row(empty_shop, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.title = "商品"
    workbook.active.append(HEADER)
    workbook.active.append(["P9001", "测试", "服装", "棉语", "P9001-01", None, None, "七十九"])
    workbook.save(tmp_path / "catalogue.xlsx")

    outcome = run_import(empty_shop, tmp_path / "catalogue.xlsx")

    (problem,) = outcome.problems
    assert str(problem).startswith(f"{tmp_path / 'catalogue.xlsx'}[商品]:2: SKU 'P9001-01': 'price' must be a number")


def test_a_file_that_is_not_a_workbook_is_refused(empty_shop, tmp_path):
    (tmp_path / "catalogue.xlsx").write_text("product_id,name\n", encoding="utf-8")

    outcome = run_import(empty_shop, tmp_path / "catalogue.xlsx")

    assert outcome.refused and "not an Excel workbook" in outcome.problems[0].reason


@pytest.mark.parametrize(
    "row, line_reason",
    [
        (["P9009", "", "服装", "棉语", "P9009-01", "", "", "10"], (2, "product 'P9009' is new and needs a value in 'name'")),
        (["P9009", "某物", "服装", "棉语", "", "", "", "10"], (2, "row: 'sku_id' is missing")),
        (["", "某物", "服装", "棉语", "P9009-01", "", "", "10"], (2, "row: 'product_id' is missing")),
        (["P9009", "某物", "服装", "棉语", "P9009-01", "", "", ""], (2, "SKU 'P9009-01': 'price' is missing")),
        (["P9009", "某物", "服装", "棉语", "P9009-01", "", "", "七十九"],
         (2, "SKU 'P9009-01': 'price' must be a number, not '七十九'")),
        (["P9009", "某物", "服装", "棉语", "P9009-01", "", "", "0"], (2, "SKU 'P9009-01': 'price' must be more than 0, not 0")),
        (["P9009", "某物", "服装", "棉语", "P9009-01", "", "", "9.999"],
         (2, "SKU 'P9009-01': 'price' has more than 2 decimal places: 9.999")),
        (["P9009", "某物", "男装", "棉语", "P9009-01", "", "", "10"],
         (2, "product 'P9009': unknown category '男装' (categories: 服装、鞋靴、数码、厨具、美妆)")),
        (["P9009", "某" * 101, "服装", "棉语", "P9009-01", "", "", "10"],
         (2, "product 'P9009': 'name' is longer than 100 characters")),
    ],
    ids=["no-name", "no-sku", "no-product", "no-price", "price-text", "price-zero", "price-fen", "category", "long-name"],
)
def test_each_bad_row_is_reported_with_its_line(empty_shop, tmp_path, row, line_reason):
    header = HEADER[:8]
    outcome = run_import(empty_shop, catalogue(tmp_path, row, header=header))

    assert outcome.refused and reasons(outcome) == [line_reason]
    assert products(empty_shop) == {}


def test_a_duplicate_sku_or_variant_is_reported_on_the_later_row(empty_shop, tmp_path):
    again = ["P9001", "", "", "", "P9001-01", "黑色", "M", "79", "", "", ""]
    same_variant = ["P9001", "", "", "", "P9001-09", "白色", "L", "79", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, again, same_variant))

    assert reasons(outcome) == [
        (5, "SKU 'P9001-01' is already on row 2"),
        (6, "product 'P9001' has 白色 / L already on row 3"),
    ]


def test_rows_of_one_product_that_disagree_are_reported(empty_shop, tmp_path):
    other_name = ["P9001", "另一个名字", "", "", "P9001-04", "灰色", "M", "79", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, other_name))

    assert reasons(outcome) == [(5, "product 'P9001': 'name' is '另一个名字' here but '测试纯棉T恤' on row 2")]


def test_bad_numbers_and_dates_in_stock_columns(empty_shop, tmp_path):
    header = HEADER[:8] + ["stock:WH-HZ", "restock:WH-HZ", "库存:广州仓"]
    rows = [
        ["P9001", "测试T恤", "服装", "棉语", "P9001-01", "白色", "M", "79", "-1", "", "5"],
        ["P9001", "", "", "", "P9001-02", "白色", "L", "79", "3.5", "", ""],
        ["P9001", "", "", "", "P9001-03", "黑色", "L", "79", "0", "下周", ""],
        ["P9001", "", "", "", "P9001-04", "灰色", "L", "79", "", "2026/12/20", ""],
    ]

    outcome = run_import(empty_shop, catalogue(tmp_path, *rows, header=header))

    assert [line for line, _ in reasons(outcome)] == [2, 3, 4, 5]
    assert "'stock:WH-HZ' must be at least 0, not -1" in outcome.problems[0].reason
    assert "'stock:WH-HZ' must be a whole number, not '3.5'" in outcome.problems[1].reason
    assert "'restock:WH-HZ' must be a date" in outcome.problems[2].reason
    assert "'restock:WH-HZ' is given but 'stock:WH-HZ' is not" in outcome.problems[3].reason


def test_an_unknown_column_refuses_the_whole_file_even_when_skipping(empty_shop, tmp_path):
    path = catalogue(tmp_path, *TEE, header=HEADER[:10] + ["colr"])

    outcome = run_import(empty_shop, path, skip_bad_rows=True)

    assert outcome.refused and outcome.whole_file
    assert reasons(outcome) == [(1, "column K ('colr'): unknown column (columns: product_id, name, category, brand, "
                                    "description, search_terms, sales_count, sku_id, color, size, price, attr:…, "
                                    "stock:…, restock:…)")]


@pytest.mark.parametrize(
    "header, reason",
    [
        (["product_id", "name", "category", "brand", "sku_id", "price", "attr:fabric"], "unknown attribute 'fabric'"),
        (["product_id", "name", "category", "brand", "sku_id", "price", "stock:WH-XX"], "unknown warehouse 'WH-XX'"),
        (["product_id", "name", "category", "brand", "sku_id"], "the file has no 'price' (价格) column"),
        (["product_id", "name", "颜色", "colour", "sku_id", "price"], "are the same column"),
        (["product_id", "name", "", "sku_id", "price"], "column C has no name in the header"),
        (["product_id", "sku_id", "price", "restock:WH-HZ"], "needs a stock column for the same warehouse"),
    ],
    ids=["attribute", "warehouse", "required", "twice", "blank", "restock-alone"],
)
def test_header_problems_are_reported_on_line_1(empty_shop, tmp_path, header, reason):
    row = ["P9001", "x", "服装", "棉语", "P9001-01", "9", "x"][: len(header)]

    outcome = run_import(empty_shop, catalogue(tmp_path, row, header=header))

    assert outcome.refused and outcome.problems[0].line == 1 and reason in outcome.problems[0].reason


def test_a_gbk_file_gets_a_clear_message(empty_shop, tmp_path):
    path = write_csv(tmp_path / "catalogue.csv", [HEADER, TEE[0]], encoding="gbk")

    outcome = run_import(empty_shop, path)

    assert outcome.refused and len(outcome.problems) == 1
    assert "not UTF-8" in outcome.problems[0].reason and "GBK" in outcome.problems[0].reason
    assert "CSV UTF-8" in outcome.problems[0].reason


def test_excel_utf8_csv_with_a_byte_order_mark_is_fine(empty_shop, tmp_path):
    path = write_csv(tmp_path / "catalogue.csv", [HEADER, *TEE], encoding="utf-8-sig")

    assert run_import(empty_shop, path).problems == ()


@pytest.mark.parametrize("content, reason", [("", "the file is empty"), ("\n\n", "the file is empty"),
                                              (",".join(HEADER) + "\n", "the file has a header but no rows")])
def test_an_empty_file_is_refused(empty_shop, tmp_path, content, reason):
    (tmp_path / "catalogue.csv").write_text(content, encoding="utf-8")

    outcome = run_import(empty_shop, tmp_path / "catalogue.csv")

    assert outcome.refused and [p.reason for p in outcome.problems] == [reason]


def test_line_numbers_are_spreadsheet_rows_even_with_cells_on_several_lines(empty_shop, tmp_path):
    multi_line = ["P9001", "测试T恤", "服装", "棉语", "P9001-01", "白色", "M", "79", "", "第一行\n第二行", ""]
    bad = ["P9001", "", "", "", "P9001-02", "白色", "L", "x", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, multi_line, bad))

    assert [line for line, _ in reasons(outcome)] == [3]


def test_cells_beyond_the_header_are_a_bad_row(empty_shop, tmp_path):
    outcome = run_import(empty_shop, catalogue(tmp_path, TEE[0] + ["多余"]))

    assert reasons(outcome) == [(2, "cell L2 lies beyond the last column of the header")]


def test_a_file_with_a_bad_row_imports_nothing(empty_shop, tmp_path):
    bad = ["P9002", "测试电水壶", "厨具", "厨小二", "P9002-01", "", "", "abc", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, bad))

    assert outcome.refused and not outcome.whole_file and outcome.counts == {}
    assert products(empty_shop) == {} and skus(empty_shop) == {}


def test_skipping_bad_rows_imports_the_good_ones(empty_shop, tmp_path):
    bad_sku = ["P9001", "", "", "", "P9001-04", "灰色", "M", "abc", "", "", ""]
    bad_product = ["P9003", "测试", "家电", "某牌", "P9003-01", "", "", "10", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, bad_sku, *KETTLE, bad_product), skip_bad_rows=True)

    assert not outcome.refused and [line for line, _ in reasons(outcome)] == [5, 7]
    assert outcome.skipped == 2 and outcome.entries == 6
    assert set(products(empty_shop)) == {"P9001", "P9002"}
    assert set(skus(empty_shop)) == {"P9001-01", "P9001-02", "P9001-03", "P9002-01"}


def test_a_product_whose_every_row_is_bad_is_left_out(empty_shop, tmp_path):
    bad = ["P9002", "测试电水壶", "厨具", "厨小二", "P9002-01", "", "", "abc", "", "", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, *TEE, bad), skip_bad_rows=True)

    assert set(products(empty_shop)) == {"P9001"} and outcome.ids == ("P9001",)


def test_importing_the_same_file_again_changes_nothing(empty_shop, tmp_path):
    path = catalogue(tmp_path, *TEE, *KETTLE)
    run_import(empty_shop, path)
    before = (products(empty_shop), skus(empty_shop))

    outcome = run_import(empty_shop, path)

    assert counts(outcome) == {"products": (0, 0, 2, 0), "SKUs": (0, 0, 4, 0)}
    after = (products(empty_shop), skus(empty_shop))
    assert {k: vars_of(v) for k, v in after[0].items()} == {k: vars_of(v) for k, v in before[0].items()}
    assert {k: vars_of(v) for k, v in after[1].items()} == {k: vars_of(v) for k, v in before[1].items()}


def vars_of(row) -> dict:
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}


def test_a_changed_price_updates_the_sku_and_the_products_starting_price(empty_shop, tmp_path):
    run_import(empty_shop, catalogue(tmp_path, *TEE))
    cheaper = [row[:] for row in TEE]
    cheaper[0][7] = "69"

    outcome = run_import(empty_shop, catalogue(tmp_path, *cheaper))

    assert counts(outcome) == {"products": (0, 1, 0, 0), "SKUs": (0, 1, 2, 0)}
    assert skus(empty_shop)["P9001-01"].price_cents == 6900 and products(empty_shop)["P9001"].price_cents == 6900


def test_a_price_list_of_three_columns_updates_prices_and_keeps_the_rest(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    before = products(engine)["P1001"]
    path = write_csv(tmp_path / "prices.csv", [["商品编号", "SKU编号", "价格"], ["P1001", "P1001-01", "59"]])

    outcome = run_import(engine, path)

    assert counts(outcome) == {"products": (0, 1, 0, 0), "SKUs": (0, 1, 0, 0)}
    after = products(engine)["P1001"]
    assert after.price_cents == 5900 and skus(engine)["P1001-01"].price_cents == 5900
    assert (after.name, after.attributes, after.description, after.sales_count) == (
        before.name, before.attributes, before.description, before.sales_count)
    assert (skus(engine)["P1001-01"].color, skus(engine)["P1001-01"].size) == ("白色", "S")


def test_a_new_sku_of_an_existing_product_goes_after_its_others(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    path = write_csv(tmp_path / "new.csv", [["product_id", "sku_id", "colour", "size", "price"],
                                            ["P1001", "P1001-99", "红色", "M", "79"]])

    outcome = run_import(engine, path)

    assert counts(outcome)["SKUs"] == (1, 0, 0, 0)
    tee_skus = [sku for sku in skus(engine).values() if sku.product_id == "P1001"]
    assert max(tee_skus, key=lambda sku: sku.position).id == "P1001-99"


def test_shop_data_conflicts_are_bad_rows(fresh_sqlite_shop, tmp_path):
    engine = fresh_sqlite_shop.engine
    path = write_csv(tmp_path / "c.csv", [
        ["product_id", "sku_id", "colour", "size", "price"],
        ["P1001", "P1002-01", "红色", "M", "79"],  # an SKU of another product
        ["P1001", "P1001-77", "白色", "M", "79"],  # the T-shirt has 白色/M as P1001-02
    ])

    outcome = run_import(engine, path)

    assert reasons(outcome) == [
        (2, "SKU 'P1002-01' belongs to product 'P1002' in the shop"),
        (3, "product 'P1001' already has 白色 / M as SKU 'P1001-02'"),
    ]


def test_stock_is_upserted_per_warehouse(empty_shop, tmp_path):
    header = HEADER[:8] + ["stock:WH-HZ", "restock:WH-HZ"]
    row = ["P9001", "测试T恤", "服装", "棉语", "P9001-01", "白色", "M", "79", "0", "2026-12-20"]
    run_import(empty_shop, catalogue(tmp_path, row, header=header))
    row[8:] = ["25", ""]

    outcome = run_import(empty_shop, catalogue(tmp_path, row, header=header))

    assert counts(outcome)["stock levels"] == (0, 1, 0, 0)
    assert stock(empty_shop) == {("P9001-01", "WH-HZ"): (25, None)}


def test_a_blank_attribute_cell_clears_the_attribute_and_column_order_is_display_order(empty_shop, tmp_path):
    header = HEADER[:8] + ["attr:warranty", "attr:material"]
    row = ["P9001", "测试T恤", "服装", "棉语", "P9001-01", "白色", "M", "79", "1年", "棉"]
    run_import(empty_shop, catalogue(tmp_path, row, header=header))
    assert list(products(empty_shop)["P9001"].attributes) == ["warranty", "material"]
    row[8] = ""

    run_import(empty_shop, catalogue(tmp_path, row, header=header))

    assert products(empty_shop)["P9001"].attributes == {"material": "棉"}


def test_progress_is_reported_on_a_large_file(empty_shop, tmp_path):
    rows = [[f"P{n:05d}", f"测试商品{n}", "数码", "声悦", f"P{n:05d}-01", "", "", "10", "", "", ""] for n in range(2500)]
    lines = []

    outcome = run_import(empty_shop, catalogue(tmp_path, *rows), progress=lines.append)

    assert outcome.problems == () and counts(outcome)["products"] == (2500, 0, 0, 0)
    assert [line.split(": ", 1)[1] for line in lines] == [
        "rows checked: 1000/2500 (40%)", "rows checked: 2000/2500 (80%)", "rows checked: 2500/2500 (100%)",
        "SKUs written: 1000/2500 (40%)", "SKUs written: 2000/2500 (80%)", "SKUs written: 2500/2500 (100%)",
    ]


def test_read_catalogue_raises_with_every_problem(tmp_path):
    path = catalogue(tmp_path, ["P9001", "", "服装", "x", "P9001-01", "", "", "x", "", "", ""])

    with pytest.raises(KnowledgeFileError) as raised:
        read_catalogue(path)

    assert [p.line for p in raised.value.problems] == [2]
