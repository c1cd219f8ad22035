"""Spreadsheets (CSV and XLSX) read into rows numbered as the merchant sees
them, each a ``LineMap`` so that cells are checked exactly as the fields of
a YAML entry."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from kefu.knowledge.sources import LineMap, Problems, read_file_text

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
TABLE_SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES

# Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK: the
# commonest reason a merchant's file is not UTF-8.
GBK_HINT = (
    "; it looks like GBK, which Excel uses for “CSV” on Chinese Windows: "
    "save it as “CSV UTF-8(逗号分隔)” instead"
)


@dataclass(frozen=True)
class Table:
    label: str  # how problems name the file: catalogue.csv, catalogue.xlsx[商品]
    header: Tuple[str, ...]  # as written, stripped
    header_line: int
    rows: Tuple[LineMap, ...]  # non-blank rows below the header


def column_letter(index: int) -> str:
    """The spreadsheet name of the 0-based column ``index``: A, B, …, Z, AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_table(path: Union[str, Path], label: Optional[str] = None,
               sheet: Optional[str] = None) -> Tuple[Optional[Table], Problems]:
    """The table in a CSV or XLSX file, or None with the problems that stop it being read."""
    label = label or str(path)
    suffix = Path(path).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, label, sheet)
    if suffix == ".xls":
        problems = Problems(label)
        problems.add(0, "old Excel .xls files cannot be read: save it as .xlsx or “CSV UTF-8”")
        return None, problems
    return _read_csv(path, label)


def _read_csv(path: Union[str, Path], label: str) -> Tuple[Optional[Table], Problems]:
    problems = Problems(label)
    text = _utf8_text(path, problems)
    if text is None:
        return None, problems
    try:
        cells = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    except csv.Error as error:
        problems.add(0, f"not a readable CSV file: {error}")
        return None, problems
    return _table(label, cells, problems), problems


def _utf8_text(path: Union[str, Path], problems: Problems) -> Optional[str]:
    # read_file_text says where the first non-UTF-8 byte is; the hint says why.
    found = Problems(problems.file)
    text = read_file_text(path, found)
    looks_like_gbk = text is None and _decodes_as_gbk(Path(path).read_bytes())
    for problem in found.items:
        problems.add(problem.line, problem.reason + (GBK_HINT if looks_like_gbk else ""))
    return text


def _decodes_as_gbk(data: bytes) -> bool:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _read_xlsx(path: Union[str, Path], label: str, sheet: Optional[str]) -> Tuple[Optional[Table], Problems]:
    import openpyxl  # only a merchant with an XLSX file needs it loaded
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        problems = Problems(label)
        problems.add(0, f"not an Excel workbook (.xlsx): {error}")
        return None, problems
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            problems = Problems(label)
            problems.add(0, f"the workbook has no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
            return None, problems
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        problems = Problems(f"{label}[{worksheet.title}]")
        cells = list(enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1))
        return _table(problems.file, cells, problems), problems
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    """A cell as the field readers take it: None when blank, text stripped,
    a whole number typed into Excel (79.0) as an int."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float, bool, date, datetime)):
        return value
    return str(value)


def _table(label: str, numbered_rows: Iterable[Tuple[int, Sequence[Any]]], problems: Problems) -> Optional[Table]:
    rows = ((number, [_cell(value) for value in row]) for number, row in numbered_rows)
    non_blank = [(number, row) for number, row in rows if any(value is not None for value in row)]
    if not non_blank:
        problems.add(1, "the file is empty")
        return None
    (header_line, header_cells), body = non_blank[0], non_blank[1:]
    header = _header(header_line, header_cells, problems)
    if header is None:
        return None
    if not body:
        problems.add(header_line, "the file has a header but no rows")
        return None
    return Table(label, header, header_line, tuple(_records(header, body, problems)))


def _header(line: int, cells: List[Any], problems: Problems) -> Optional[Tuple[str, ...]]:
    while cells and cells[-1] is None:
        cells = cells[:-1]
    names: List[str] = []
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell)
        if not name:
            problems.add(line, f"column {column_letter(index)} has no name in the header")
        elif name in names:
            first = column_letter(names.index(name))
            problems.add(line, f"column {column_letter(index)}: {name!r} is already column {first}")
        names.append(name)
    return None if problems.items else tuple(names)


def _records(header: Tuple[str, ...], body, problems: Problems) -> Iterator[LineMap]:
    for number, cells in body:
        extra = [index for index in range(len(header), len(cells)) if cells[index] is not None]
        if extra:
            problems.add(number, f"cell {column_letter(extra[0])}{number} lies beyond the last column of the header")
        record = LineMap()
        record.line = number
        for name, value in zip(header, cells):
            if value is not None:
                record[name] = value
                record.key_lines[name] = number
        yield record
