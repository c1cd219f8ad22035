"""The merchant's catalogue, a spreadsheet (CSV or XLSX) with one row per SKU,
checked and upserted into the products and SKUs (columns and rules:
docs/importer.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.backends.catalogue import ATTRIBUTE_LABELS
from kefu.knowledge.importer.base import (
    CATALOGUE,
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportOutcome,
    Progress,
    every,
    refused,
)
from kefu.knowledge.importer.tables import Table, column_letter, read_table
from kefu.knowledge.sources import Fields, LineMap, Problem, Problems
from kefu.storage import models

PROGRESS_EVERY = 1000
# Queries name at most this many ids at once (SQLite's old limit is 999).
CHUNK = 500

# canonical key -> other headers a merchant may write (compared ignoring case)
PRODUCT_FIELDS = {
    "product_id": ("商品编号", "商品ID", "货号"),
    "name": ("商品名称", "名称", "标题", "商品标题"),
    "category": ("类目", "分类", "品类"),
    "brand": ("品牌",),
    "description": ("描述", "商品描述", "卖点"),
    "search_terms": ("搜索词", "别名", "关键词"),
    "sales_count": ("销量",),
}
SKU_FIELDS = {
    "sku_id": ("SKU编号", "SKU", "SKU ID", "规格编号"),
    "color": ("colour", "颜色"),
    "size": ("尺码", "规格"),
    "price": ("价格", "售价", "单价"),
}
PREFIXES = {
    "attr": ("属性",),
    "stock": ("库存",),
    "restock": ("补货日期", "到货日期"),
}
REQUIRED_COLUMNS = ("product_id", "sku_id", "price")
# A new product cannot be created without these.
NEW_PRODUCT_FIELDS = ("name", "category", "brand")
# The widths of the database columns (PostgreSQL refuses anything longer).
MAX_LENGTHS = {"product_id": 20, "sku_id": 30, "name": 100, "brand": 50, "color": 30, "size": 30}
ATTRIBUTE_KEYS = {**{key: key for key in ATTRIBUTE_LABELS}, **{label: key for key, label in ATTRIBUTE_LABELS.items()}}

_ALIASES = {
    alias.lower(): key
    for table in (PRODUCT_FIELDS, SKU_FIELDS)
    for key, aliases in table.items()
    for alias in (key, *aliases)
}
_PREFIX_ALIASES = {alias.lower(): key for key, aliases in PREFIXES.items() for alias in (key, *aliases)}
_PRICE_DECORATION = re.compile(r"^[¥￥]|元$|,")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")


# --- what a file says ------------------------------------------------------------------


@dataclass(frozen=True)
class StockRecord:
    warehouse_id: str
    quantity: int
    restock_date: Optional[date]


@dataclass(frozen=True)
class SkuRecord:
    id: str
    line: int
    price_cents: int
    color: Optional[str] = None
    size: Optional[str] = None
    stock: Tuple[StockRecord, ...] = ()
    given: FrozenSet[str] = frozenset()  # of color, size: the columns the file has


@dataclass(frozen=True)
class ProductRecord:
    """A product as the file gives it; a field not in ``given`` is kept as the shop has it."""

    id: str
    line: int  # its first row
    name: Optional[str] = None
    category: Optional[str] = None
    brand: Optional[str] = None
    description: str = ""
    search_terms: str = ""
    sales_count: Optional[int] = None
    # (key, value) per attribute column, in column order; None: a blank cell.
    attribute_cells: Tuple[Tuple[str, Optional[str]], ...] = ()
    skus: Tuple[SkuRecord, ...] = ()
    given: FrozenSet[str] = frozenset()
    lines: Tuple[int, ...] = ()  # every row of the product

    @property
    def attributes(self) -> Dict[str, str]:
        return {key: value for key, value in self.attribute_cells if value is not None}

    @property
    def colors(self) -> Tuple[str, ...]:
        return _distinct(sku.color for sku in self.skus)

    @property
    def sizes(self) -> Tuple[str, ...]:
        return _distinct(sku.size for sku in self.skus)

    @property
    def price_cents(self) -> int:
        return min(sku.price_cents for sku in self.skus)


def _distinct(values: Iterable[Optional[str]]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value is not None))


@dataclass
class CatalogueFile:
    products: List[ProductRecord]
    problems: Problems
    rows: int
    bad_lines: Set[int] = field(default_factory=set)
    file_problem: bool = False  # a problem of the whole file: nothing can be imported
    columns: Dict[str, str] = field(default_factory=dict)  # key -> header as written


def read_catalogue(path: Union[str, Path]) -> Tuple[ProductRecord, ...]:
    """The products of a catalogue file checked on its own (without a shop
    database: stock columns name warehouses by id); ``KnowledgeFileError`` on any problem."""
    table, problems = read_table(path)
    if table is None:
        problems.raise_if_any()
    parsed = parse_catalogue(table, problems, warehouses=None)
    problems.raise_if_any()
    return tuple(parsed.products)


# --- the header ----------------------------------------------------------------------------


def _normalise_header(name: str) -> str:
    return re.sub(r"\s*[:：]\s*", ":", name.strip()).lower()


def _columns(table: Table, problems: Problems, warehouses: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """canonical key (name, attr:material, stock:WH-HZ) -> header as written; problems noted at the header's line."""
    columns: Dict[str, str] = {}
    letters: Dict[str, str] = {}
    for index, header in enumerate(table.header):
        key = _column_key(header, index, table.header_line, problems, warehouses)
        if key is None:
            continue
        if key in columns:
            problems.add(
                table.header_line,
                f"columns {letters[key]} ({columns[key]!r}) and {column_letter(index)} ({header!r}) are the same column",
            )
            continue
        columns[key] = header
        letters[key] = column_letter(index)
    for key, header in columns.items():
        if key.startswith("restock:") and f"stock:{key.split(':', 1)[1]}" not in columns:
            problems.add(table.header_line, f"{header!r} needs a stock column for the same warehouse")
    for key in REQUIRED_COLUMNS:
        if key not in columns:
            problems.add(table.header_line, f"the file has no {_describe_column(key)} column")
    return columns


def _column_key(header: str, index: int, line: int, problems: Problems,
                warehouses: Optional[Mapping[str, str]]) -> Optional[str]:
    normalised = _normalise_header(header)
    where = f"column {column_letter(index)} ({header!r})"
    if normalised in _ALIASES:
        return _ALIASES[normalised]
    prefix, _, rest = normalised.partition(":")
    if prefix in _PREFIX_ALIASES and rest:
        kind = _PREFIX_ALIASES[prefix]
        original = re.split(r"[:：]", header, maxsplit=1)[1].strip()
        if kind == "attr":
            attribute = ATTRIBUTE_KEYS.get(original) or ATTRIBUTE_KEYS.get(rest)
            if attribute is None:
                known = ", ".join(f"{key} ({label})" for key, label in ATTRIBUTE_LABELS.items())
                problems.add(line, f"{where}: unknown attribute {original!r} (attributes: {known})")
                return None
            return f"attr:{attribute}"
        if warehouses is None:
            return f"{kind}:{original}"
        warehouse = warehouses.get(original) or warehouses.get(original.upper())
        if warehouse is None:
            known = ", ".join(sorted(set(warehouses.values()))) or "none yet"
            problems.add(line, f"{where}: unknown warehouse {original!r} (warehouses: {known})")
            return None
        return f"{kind}:{warehouse}"
    known = ", ".join([*PRODUCT_FIELDS, *SKU_FIELDS, "attr:…", "stock:…", "restock:…"])
    problems.add(line, f"{where}: unknown column (columns: {known})")
    return None


def _describe_column(key: str) -> str:
    aliases = {**PRODUCT_FIELDS, **SKU_FIELDS}[key]
    return f"'{key}' ({aliases[0]})"


# --- the rows ------------------------------------------------------------------------------


@dataclass
class _Product:
    """A product being gathered from its rows."""

    id: str
    line: int
    values: Dict[str, Tuple[Any, int]] = field(default_factory=dict)  # key -> (value, row) of its first non-blank cell
    skus: List[SkuRecord] = field(default_factory=list)
    lines: List[int] = field(default_factory=list)
    bad: bool = False


def parse_catalogue(table: Table, problems: Problems, warehouses: Optional[Mapping[str, str]],
                    progress: Optional[Progress] = None) -> CatalogueFile:
    """Every row checked on its own and against the file's other rows."""
    data_lines = {record.line for record in table.rows}
    columns = _columns(table, problems, warehouses)
    parsed = CatalogueFile([], problems, rows=len(table.rows), columns=columns)
    if any(problem.line not in data_lines for problem in problems.items):
        parsed.file_problem = True
        return parsed
    products: Dict[str, _Product] = {}
    sku_lines: Dict[str, int] = {}
    variant_lines: Dict[Tuple[str, Optional[str], Optional[str]], int] = {}
    for count, record in enumerate(table.rows, start=1):
        _parse_row(record, columns, problems, products, sku_lines, variant_lines)
        every(count, len(table.rows), progress, f"{table.label}: rows checked", PROGRESS_EVERY)
    parsed.bad_lines = {problem.line for problem in problems.items}
    for gathered in products.values():
        product = _product_record(gathered, columns)
        if product is None:
            parsed.bad_lines.update(gathered.lines)
        else:
            parsed.products.append(product)
    return parsed


def _parse_row(record: LineMap, columns: Dict[str, str], problems: Problems, products: Dict[str, _Product],
               sku_lines: Dict[str, int], variant_lines: Dict) -> None:
    _clean_cells(record, columns)
    row = Fields(record, problems, "row")
    product_id = _text(row, columns, "product_id", required=True)
    sku_id = _text(row, columns, "sku_id", required=True)
    if product_id is None:
        return
    product = products.setdefault(product_id, _Product(product_id, record.line))
    product.lines.append(record.line)
    product_fields = Fields(record, problems, f"product {product_id!r}")
    for key in columns:
        if key in PRODUCT_FIELDS and key != "product_id" or key.startswith("attr:"):
            _gather(product, product_fields, columns, key, record.line)
    if product_fields.failed:
        product.bad = True
    if sku_id is None:
        return
    sku = _sku_record(Fields(record, problems, f"SKU {sku_id!r}"), columns, sku_id, record.line)
    if sku_id in sku_lines:
        problems.add(record.line, f"SKU {sku_id!r} is already on row {sku_lines[sku_id]}")
        return
    sku_lines[sku_id] = record.line
    if sku is None:
        return
    variant = (product_id, sku.color, sku.size)
    if variant in variant_lines and {"color", "size"} & sku.given:
        problems.add(record.line, f"product {product_id!r} has {_variant_text(variant[1:])} already on row "
                                  f"{variant_lines[variant]}")
        return
    variant_lines.setdefault(variant, record.line)
    product.skus.append(sku)


def _clean_cells(record: LineMap, columns: Dict[str, str]) -> None:
    """What a spreadsheet makes of numbers and dates, as the field readers take them."""
    for key, header in columns.items():
        value = record.get(header)
        if not isinstance(value, str):
            continue
        if key == "price":
            record[header] = _PRICE_DECORATION.sub("", value).strip() or value
        elif key == "sales_count" or key.startswith("stock:"):
            if _WHOLE_NUMBER.match(value):
                record[header] = int(value)
        elif key.startswith("restock:"):
            record[header] = value.replace("/", "-")


def _text(fields: Fields, columns: Dict[str, str], key: str, required: bool = False) -> Optional[str]:
    header = columns.get(key)
    if header is None:
        return None
    value = fields.text(header, required=required)
    if value is not None and key in MAX_LENGTHS and len(value) > MAX_LENGTHS[key]:
        fields.problem(header, f"'{header}' is longer than {MAX_LENGTHS[key]} characters")
        return None
    return value


def _gather(product: _Product, fields: Fields, columns: Dict[str, str], key: str, line: int) -> None:
    header = columns[key]
    if key == "sales_count":
        value: Any = fields.integer(header)
    elif key == "category":
        value = fields.text(header)
        if value is not None and value not in models.CATEGORIES:
            fields.problem(header, f"unknown category {value!r} (categories: {'、'.join(models.CATEGORIES)})")
            value = None
    else:
        value = _text(fields, columns, key)
    if value is None:
        return
    if key not in product.values:
        product.values[key] = (value, line)
    elif product.values[key][0] != value:
        first, first_line = product.values[key]
        fields.problem(header, f"'{header}' is {value!r} here but {first!r} on row {first_line}")


def _sku_record(fields: Fields, columns: Dict[str, str], sku_id: str, line: int) -> Optional[SkuRecord]:
    price = fields.number(columns["price"], required=True, above=Decimal(0), places=2)
    color = _text(fields, columns, "color")
    size = _text(fields, columns, "size")
    stock = []
    for key, header in columns.items():
        if not key.startswith("stock:"):
            continue
        warehouse = key.split(":", 1)[1]
        quantity = fields.integer(header)
        restock_header = columns.get(f"restock:{warehouse}")
        restock = fields.moment(restock_header) if restock_header else None
        if quantity is not None:
            stock.append(StockRecord(warehouse, quantity, restock.date() if restock else None))
        elif restock is not None:
            fields.problem(restock_header, f"'{restock_header}' is given but '{header}' is not")
    if fields.failed or price is None:
        return None
    given = frozenset(key for key in ("color", "size") if key in columns)
    return SkuRecord(sku_id, line, int(price * 100), color, size, tuple(stock), given)


def _product_record(gathered: _Product, columns: Dict[str, str]) -> Optional[ProductRecord]:
    if gathered.bad or not gathered.skus:
        return None
    values = {key: value for key, (value, _) in gathered.values.items()}
    given = frozenset(key for key in columns if key in PRODUCT_FIELDS and key != "product_id")
    attributes = tuple((key.split(":", 1)[1], values.get(key)) for key in columns if key.startswith("attr:"))
    return ProductRecord(
        id=gathered.id,
        line=gathered.line,
        name=values.get("name"),
        category=values.get("category"),
        brand=values.get("brand"),
        description=values.get("description") or "",
        search_terms=values.get("search_terms") or "",
        sales_count=values.get("sales_count"),
        attribute_cells=attributes,
        skus=tuple(gathered.skus),
        given=given,
        lines=tuple(gathered.lines),
    )


# --- against the shop ------------------------------------------------------------------------


@dataclass
class _Shop:
    """What the shop already has of the file's products and SKUs."""

    products: Dict[str, models.Product]
    skus: Dict[str, models.Sku]


def _load_shop(session: Session, products: Sequence[ProductRecord]) -> _Shop:
    product_ids = [product.id for product in products]
    sku_ids = [sku.id for product in products for sku in product.skus]
    found_products: Dict[str, models.Product] = {}
    for chunk in _chunks(product_ids):
        query = (
            select(models.Product)
            .where(models.Product.id.in_(chunk))
            .options(selectinload(models.Product.skus).selectinload(models.Sku.stock))
        )
        found_products.update((product.id, product) for product in session.execute(query).scalars())
    found_skus: Dict[str, models.Sku] = {}
    for chunk in _chunks(sku_ids):
        query = select(models.Sku).where(models.Sku.id.in_(chunk))
        found_skus.update((sku.id, sku) for sku in session.execute(query).scalars())
    return _Shop(found_products, found_skus)


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def check_against_shop(parsed: CatalogueFile, shop: _Shop) -> None:
    """Problems only the shop's data shows: a new product lacking its name, an
    SKU id of another product, a variant the product already has under another id.
    Leaves in ``parsed.products`` only what can be written."""
    problems, bad = parsed.problems, parsed.bad_lines
    good: List[ProductRecord] = []
    for product in parsed.products:
        existing = shop.products.get(product.id)
        if existing is None:
            for key in NEW_PRODUCT_FIELDS:
                if getattr(product, key) is None:
                    header = parsed.columns.get(key)
                    needed = f"a value in '{header}'" if header else f"a {_describe_column(key)} column"
                    problems.add(product.line, f"product {product.id!r} is new and needs {needed}")
                    bad.update(product.lines)
        skus = [sku for sku in product.skus if sku.line not in bad and _owned(sku, product, shop, problems, bad)]
        # Where every SKU of the product will stand once the file is written.
        final = {sku.id: (sku.color, sku.size) for sku in (existing.skus if existing is not None else ())}
        final.update((sku.id, _final_variant(sku, shop.skus.get(sku.id))) for sku in skus)
        in_file = {sku.id: index for index, sku in enumerate(skus)}
        for index, sku in enumerate(skus):
            # Two SKUs of the file are reported once, on the later row.
            clash = next((other for other, variant in final.items() if variant == final[sku.id]
                          and other != sku.id and in_file.get(other, -1) < index), None)
            if clash is not None:
                problems.add(sku.line, f"product {product.id!r} already has "
                                       f"{_variant_text(final[sku.id])} as SKU {clash!r}")
                bad.add(sku.line)
        skus = [sku for sku in skus if sku.line not in bad]
        if not skus:
            bad.update(product.lines)
            continue
        good.append(replace(product, skus=tuple(skus)))
    parsed.products = good


def _owned(sku: SkuRecord, product: ProductRecord, shop: _Shop, problems: Problems, bad: Set[int]) -> bool:
    owner = shop.skus.get(sku.id)
    if owner is not None and owner.product_id != product.id:
        problems.add(sku.line, f"SKU {sku.id!r} belongs to product {owner.product_id!r} in the shop")
        bad.add(sku.line)
        return False
    return True


def _final_variant(sku: SkuRecord, old: Optional[models.Sku]) -> Tuple[Optional[str], Optional[str]]:
    return (
        sku.color if "color" in sku.given or old is None else old.color,
        sku.size if "size" in sku.given or old is None else old.size,
    )


def _variant_text(variant: Tuple[Optional[str], Optional[str]]) -> str:
    return " / ".join(value for value in variant if value) or "the variant without colour and size"


# --- writing ---------------------------------------------------------------------------------


def import_catalogue(session: Session, path: Union[str, Path], source: str, *, skip_bad_rows: bool = False,
                     progress: Optional[Progress] = None, sheet: Optional[str] = None) -> ImportOutcome:
    table, problems = read_table(path, source, sheet)
    if table is None:
        return refused(source, CATALOGUE, problems.items)
    warehouses = _warehouses(session)
    parsed = parse_catalogue(table, problems, warehouses, progress)
    if parsed.file_problem:
        return refused(source, CATALOGUE, _sorted(problems.items), parsed.rows)
    shop = _load_shop(session, parsed.products)
    check_against_shop(parsed, shop)
    found = _sorted(problems.items)
    if found and not skip_bad_rows:
        return refused(source, CATALOGUE, found, parsed.rows, whole_file=False)
    outcome = ImportOutcome(source, CATALOGUE, problems=found, entries=parsed.rows, skipped=len(parsed.bad_lines))
    _write(session, parsed.products, shop, outcome, progress, table.label)
    outcome.ids = tuple(product.id for product in parsed.products)
    return outcome


def _sorted(problems: Iterable[Problem]) -> Tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda problem: problem.line))


def _warehouses(session: Session) -> Dict[str, str]:
    """Warehouse id or name -> id."""
    names: Dict[str, str] = {}
    for warehouse in session.execute(select(models.Warehouse)).scalars():
        names[warehouse.id] = warehouse.id
        names[warehouse.name] = warehouse.id
    return names


def _write(session: Session, products: Sequence[ProductRecord], shop: _Shop, outcome: ImportOutcome,
           progress: Optional[Progress], label: str) -> None:
    total = sum(len(product.skus) for product in products)
    written = 0
    outcome.counts_of("products")  # reported first
    for record in products:
        product = shop.products.get(record.id)
        if product is None:
            product = models.Product(id=record.id, sales_count=0, attributes={}, description="", search_terms="")
            session.add(product)
            change = CREATED
        else:
            change = UNCHANGED
        for sku_record in record.skus:
            _write_sku(session, product, sku_record, shop, outcome)
            written += 1
            every(written, total, progress, f"{label}: SKUs written", PROGRESS_EVERY)
        if _apply_product(product, record) and change == UNCHANGED:
            change = UPDATED
        outcome.counts_of("products").count(change)
    session.flush()


def _apply_product(product: models.Product, record: ProductRecord) -> bool:
    """Sets the fields the file gives; whether anything changed."""
    wanted: Dict[str, Any] = {}
    for key in ("name", "category", "brand"):
        if getattr(record, key) is not None:
            wanted[key] = getattr(record, key)
    for key in ("description", "search_terms"):
        if key in record.given:
            wanted[key] = getattr(record, key)
    if "sales_count" in record.given and record.sales_count is not None:
        wanted["sales_count"] = record.sales_count
    if record.attribute_cells:
        columns = {key for key, _ in record.attribute_cells}
        kept = {key: value for key, value in (product.attributes or {}).items() if key not in columns}
        wanted["attributes"] = {**record.attributes, **kept}
    wanted["price_cents"] = min(sku.price_cents for sku in product.skus)
    changed = False
    for key, value in wanted.items():
        if getattr(product, key) != value:
            setattr(product, key, value)
            changed = True
    return changed


def _write_sku(session: Session, product: models.Product, record: SkuRecord, shop: _Shop,
               outcome: ImportOutcome) -> None:
    sku = shop.skus.get(record.id)
    if sku is None:
        position = max((existing.position for existing in product.skus), default=0) + 1
        sku = models.Sku(id=record.id, color=record.color, size=record.size, price_cents=record.price_cents,
                         position=position)
        product.skus.append(sku)
        change = CREATED
    else:
        wanted = {"price_cents": record.price_cents}
        wanted.update({key: getattr(record, key) for key in record.given})
        change = UNCHANGED
        for key, value in wanted.items():
            if getattr(sku, key) != value:
                setattr(sku, key, value)
                change = UPDATED
    outcome.counts_of("SKUs").count(change)
    levels = {level.warehouse_id: level for level in sku.stock} if change != CREATED else {}
    for stock in record.stock:
        level = levels.get(stock.warehouse_id)
        if level is None:
            sku.stock.append(models.Stock(warehouse_id=stock.warehouse_id, quantity=stock.quantity,
                                          restock_date=stock.restock_date))
            outcome.counts_of("stock levels").count(CREATED)
        elif (level.quantity, level.restock_date) != (stock.quantity, stock.restock_date):
            level.quantity, level.restock_date = stock.quantity, stock.restock_date
            outcome.counts_of("stock levels").count(UPDATED)
        else:
            outcome.counts_of("stock levels").count(UNCHANGED)


__all__ = [
    "CatalogueFile", "ProductRecord", "SkuRecord", "StockRecord",
    "import_catalogue", "parse_catalogue", "read_catalogue",
]
