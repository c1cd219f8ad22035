"""Size charts (尺码表) read and checked from the merchant's YAML file: for a
group of products, each size with the body it fits (file format:
docs/knowledge.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Collection, Dict, List, Optional, Tuple

from kefu.knowledge import SAMPLES_DIR
from kefu.knowledge.body_measurements import JIN_PER_KG, normalise_size
from kefu.knowledge.sources import Fields, LineMap, Problems, entry_fields, first_use, read_entries

HEIGHT, WEIGHT, CHEST, WAIST, FOOT_LENGTH = "height", "weight", "chest", "waist", "foot_length"
MEASURES = (HEIGHT, WEIGHT, CHEST, WAIST, FOOT_LENGTH)
CLOTHING, SHOES = "clothing", "shoes"
CHART_KINDS = (CLOTHING, SHOES)

Range = Tuple[float, float]

SAMPLE_SIZE_CHARTS = SAMPLES_DIR / "size_charts.yml"


@dataclass(frozen=True)
class SizeRow:
    size: str
    ranges: Tuple[Tuple[str, Range], ...]  # (measure, (low, high)), both ends included

    def range_of(self, measure: str) -> Optional[Range]:
        return dict(self.ranges).get(measure)


@dataclass(frozen=True)
class SizeChart:
    id: str
    kind: str
    products: Tuple[str, ...]
    rows: Tuple[SizeRow, ...]  # small to large
    size_offset: float = 0.0
    fit_note: str = ""  # the merchant's words: 偏修身, 偏大半码 …
    line: int = 0

    @property
    def sizes(self) -> Tuple[str, ...]:
        return tuple(row.size for row in self.rows)

    @property
    def measures(self) -> Tuple[str, ...]:
        return tuple(m for m in MEASURES if self.rows and self.rows[0].range_of(m) is not None)

    def position_of_size(self, size: Optional[str]) -> Optional[float]:
        """Where a size the shopper wears stands in this chart: its index, x.5
        between two numbered sizes (37.5 in a chart of whole sizes), None if
        the chart does not have it."""
        wanted = normalise_size(size)
        if wanted is None:
            return None
        for i, row in enumerate(self.rows):
            if row.size.upper() == wanted or wanted in _numbers_of_label(row.size):
                return float(i)
        number = _as_number(wanted)
        labels = [_as_number(row.size) for row in self.rows]
        if number is None or None in labels:
            return None
        for i in range(len(labels) - 1):
            if labels[i] < number < labels[i + 1]:
                return i + 0.5
        return None


def _as_number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _numbers_of_label(label: str) -> Tuple[str, ...]:
    # A slipper's "38-39" fits both a 38 and a 39.
    match = re.fullmatch(r"(\d{2,3})-(\d{2,3})", label)
    return tuple(str(n) for n in range(int(match.group(1)), int(match.group(2)) + 1)) if match else ()


@dataclass(frozen=True)
class SizeChartBook:
    charts: Tuple[SizeChart, ...]
    source: str = ""

    def chart_for(self, product_id: str) -> Optional[SizeChart]:
        return next((chart for chart in self.charts if product_id in chart.products), None)


def read_size_charts(
    text: str,
    file_name: str = "<size charts>",
    product_ids: Optional[Collection[str]] = None,
    problems: Optional[Problems] = None,
) -> SizeChartBook:
    problems = problems or Problems(file_name)
    _, entries = read_entries(text, problems, "charts", ("charts",), "chart")
    charts: List[SizeChart] = []
    owner: Dict[str, str] = {}
    seen_ids: Dict[str, int] = {}
    for entry in entries:
        chart = _chart(entry, problems, product_ids)
        if chart is None or not first_use(seen_ids, chart.id, entry, problems, "chart"):
            continue
        for product in chart.products:
            if product in owner:
                reason = f"chart {chart.id!r}: product {product} already has chart {owner[product]!r}"
                problems.add(entry.line_of("products"), reason)
            owner.setdefault(product, chart.id)
        charts.append(chart)
    problems.raise_if_any()
    return SizeChartBook(tuple(charts), file_name)


def _chart(item: LineMap, problems: Problems, product_ids: Optional[Collection[str]]) -> Optional[SizeChart]:
    fields, chart_id, kind = entry_fields(item, problems, "chart", CHART_KINDS)
    products = fields.texts("products")
    if not products:
        fields.problem("products", "'products' must name the products the chart is for")
    fields.known("products", products, product_ids, "product")
    offset = fields.number("size_offset", minimum=Decimal(-2), below=Decimal(3))
    if offset is not None and offset * 2 != int(offset * 2):
        fields.problem("size_offset", f"'size_offset' counts whole or half sizes (1, -0.5), not {offset}")
    fit_note = fields.text("fit_note", default="")
    entries = fields.list_of_mappings("sizes", required=True)
    rows = [_row(Fields(entry, problems, f"{fields.what} size")) for entry in entries]
    fields.finish()
    if fields.failed or None in rows or not rows:
        return None
    if not _rows_consistent(fields, rows):
        return None
    return SizeChart(chart_id, kind, products, tuple(rows), float(offset or 0), fit_note, item.line)


def _row(fields: Fields) -> Optional[SizeRow]:
    size = fields.text("size", required=True)
    ranges = []
    for measure, key, scale in (
        (HEIGHT, "height", 1), (WEIGHT, "weight_kg", 1), (WEIGHT, "weight_jin", 1 / JIN_PER_KG),
        (CHEST, "chest", 1), (WAIST, "waist", 1), (FOOT_LENGTH, "foot_length", 1),
    ):
        measured = fields.range(key)
        if measured is None:
            continue
        if any(m == measure for m, _ in ranges):
            fields.problem(key, "give the weight either in kg ('weight_kg') or in 斤 ('weight_jin'), not both")
            continue
        ranges.append((measure, (float(measured[0]) * scale, float(measured[1]) * scale)))
    fields.finish()
    if not ranges and not fields.failed:
        fields.problem(None, f"size {size!r} gives no measurement ({', '.join(MEASURES)})")
    if fields.failed or size is None:
        return None
    return SizeRow(size, tuple(ranges))


def _rows_consistent(fields: Fields, rows: List[SizeRow]) -> bool:
    sizes = [row.size for row in rows]
    duplicates = sorted({size for size in sizes if sizes.count(size) > 1})
    if duplicates:
        fields.problem("sizes", f"size(s) {', '.join(duplicates)} listed twice")
        return False
    for measure in MEASURES:
        lacking = [row.size for row in rows if row.range_of(measure) is None]
        if len(lacking) == len(rows):
            continue
        if lacking:
            fields.problem("sizes", f"{measure} is given for some sizes but not for {', '.join(lacking)}")
            return False
        for smaller, larger in zip(rows, rows[1:]):
            (low_a, high_a), (low_b, high_b) = smaller.range_of(measure), larger.range_of(measure)
            if not (low_b > low_a and high_b > high_a):
                fields.problem("sizes", f"sizes must go from small to large: {measure} of {larger.size} "
                                        f"does not come after {smaller.size}")
                return False
    return True
