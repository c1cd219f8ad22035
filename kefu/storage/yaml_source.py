"""Reading YAML files people edit by hand so that every problem names its file and line:
``Problems`` collects *all* of a file's problems and ``KnowledgeFileError`` carries them;
``Fields`` reads one mapping's fields with their checks and reports the fields nobody read
(a misspelt ``threshhold`` would otherwise be ignored and silently change a rule)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Collection, Dict, Iterable, List, Optional, Tuple, Union

import yaml

from kefu.storage.money import as_decimal
from kefu.storage.clock import in_shop_time


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the whole file is meant
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class KnowledgeFileError(ValueError):
    """A hand-edited file (knowledge, persona, responses) has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: Tuple[Problem, ...] = tuple(problems)
        files = sorted({p.file for p in self.problems})
        heading = f"{len(self.problems)} problem(s) in {', '.join(files)}:"
        super().__init__("\n  ".join([heading, *map(str, self.problems)]))


class Problems:
    def __init__(self, file: str):
        self.file = file
        self.items: List[Problem] = []

    def add(self, line: int, reason: str) -> None:
        self.items.append(Problem(self.file, line, reason))

    def raise_if_any(self) -> None:
        if self.items:
            raise KnowledgeFileError(sorted(self.items, key=lambda p: p.line))


class LineMap(dict):
    """A YAML mapping that remembers where it and each of its keys stand."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: Dict[Any, int] = {}
        self.duplicate_keys: List[Tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers where it and each of its items stand."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.item_lines: List[int] = []


class _LineLoader(yaml.SafeLoader):
    pass


# YAML 1.1 reads on/off/yes/no as true/false, which would turn a coupon's
# `off: 20` into `False: 20`. Only true and false are truth values here (as
# in YAML 1.2); `exclusive: yes` is then reported instead of guessed.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)  # merge keys (<<: *defaults)
    mapping = LineMap()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicate_keys.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(text: str, problems: Problems) -> Any:
    """The document in ``text`` with line numbers, or None after noting why it cannot be read."""
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problems.add(mark.line + 1 if mark else 0, f"not valid YAML: {error.problem or error}")
        return None
    except yaml.YAMLError as error:
        problems.add(0, f"not valid YAML: {error}")
        return None
    _note_duplicate_keys(document, problems)
    return document


def _note_duplicate_keys(node: Any, problems: Problems) -> None:
    # YAML keeps the last of two equal keys; a merchant who wrote a rule's
    # field twice meant one of them, and we cannot tell which.
    if isinstance(node, LineMap):
        for key, line in node.duplicate_keys:
            problems.add(line, f"field {key!r} is given twice")
        children: Iterable[Any] = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in children:
        _note_duplicate_keys(child, problems)


def read_file_text(path: Union[str, Path], problems: Problems) -> Optional[str]:
    """The file's text, or None after noting that it is not UTF-8 (files saved as GBK are common)."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(line, "the file is not UTF-8 text (save it as UTF-8)")
        return None


# Keys only ever read to report them, e.g. a rule's free-text note.
IGNORED_FIELDS = frozenset({"note", "comment"})


class Fields:
    """The fields of one YAML mapping, read with their checks.

    Every reader notes a problem (with the field's line) and returns None
    instead of raising, so that one loading pass finds every problem.
    ``finish()`` reports the fields nobody read.
    """

    def __init__(self, mapping: LineMap, problems: Problems, what: str):
        self.mapping = mapping
        self.problems = problems
        self.what = what  # "rule 'shop_200_20'", for the reasons
        self._read = set(IGNORED_FIELDS)
        self.failed = False

    @property
    def line(self) -> int:
        return self.mapping.line

    def has(self, key: str) -> bool:
        return key in self.mapping

    def problem(self, key: Optional[str], reason: str) -> None:
        self.failed = True
        line = self.mapping.line_of(key) if key is not None else self.mapping.line
        self.problems.add(line, f"{self.what}: {reason}")

    def _value(self, key: str, required: bool) -> Any:
        self._read.add(key)
        value = self.mapping.get(key)
        if value is None and required:
            self.problem(None, f"'{key}' is missing")
        return value

    def text(self, key: str, required: bool = False, default: Optional[str] = None) -> Optional[str]:
        value = self._value(key, required)
        if value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # an id such as 1001 written without quotes
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"'{key}' must be a text, not {value!r}")
            return default
        return value.strip()

    def texts(self, key: str) -> Tuple[str, ...]:
        """A list of texts; a single text counts as a list of one."""
        value = self._value(key, False)
        if value is None:
            return ()
        values = value if isinstance(value, list) else [value]
        cleaned = []
        for item in values:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.problem(key, f"'{key}' must be a list of texts, not {value!r}")
                return ()
            cleaned.append(item.strip())
        return tuple(cleaned)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._value(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' must be true or false, not {value!r}")
            return default
        return value

    def number(
        self,
        key: str,
        required: bool = False,
        minimum: Optional[Decimal] = None,
        above: Optional[Decimal] = None,
        below: Optional[Decimal] = None,
        places: Optional[int] = None,
        value: Any = None,
    ) -> Optional[Decimal]:
        """A number checked against its bounds: ``minimum`` ≤ n, ``above`` < n, n < ``below``."""
        if value is None:
            value = self._value(key, required)
        if value is None:
            return None
        try:
            number = as_decimal(value)
        except (TypeError, ValueError):
            self.problem(key, f"'{key}' must be a number, not {value!r}")
            return None
        if minimum is not None and number < minimum:
            self.problem(key, f"'{key}' must be at least {minimum}, not {value}")
        elif above is not None and number <= above:
            self.problem(key, f"'{key}' must be more than {above}, not {value}")
        elif below is not None and number >= below:
            self.problem(key, f"'{key}' must be less than {below}, not {value}")
        elif places is not None and number != round(number, places):
            self.problem(key, f"'{key}' has more than {places} decimal places: {value}")
        else:
            return number
        return None

    def integer(self, key: str, required: bool = False, minimum: int = 0) -> Optional[int]:
        value = self._value(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"'{key}' must be a whole number, not {value!r}")
            return None
        if value < minimum:
            self.problem(key, f"'{key}' must be at least {minimum}, not {value}")
            return None
        return value

    def moment(self, key: str, end_of_day: bool = False) -> Optional[datetime]:
        """A date-time in shop time. A bare date means the start of that day, or
        with ``end_of_day`` the start of the next one (so "until 2026-12-12"
        includes the whole of the 12th)."""
        value = self._value(key, False)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip()) if ":" in value else date.fromisoformat(value.strip())
            except ValueError:
                pass
        if isinstance(value, datetime):
            return in_shop_time(value)
        if isinstance(value, date):
            day = value + timedelta(days=1) if end_of_day else value
            return in_shop_time(datetime.combine(day, time()))
        self.problem(key, f"'{key}' must be a date (2026-12-01) or date and time (2026-12-01 10:00), not {value!r}")
        return None

    def range(self, key: str, minimum: Decimal = Decimal(0)) -> Optional[Tuple[Decimal, Decimal]]:
        """``[low, high]`` with minimum ≤ low < high."""
        value = self._value(key, False)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            self.problem(key, f"'{key}' must be a range [low, high], not {value!r}")
            return None
        low = self.number(key, value=value[0], minimum=minimum)
        high = self.number(key, value=value[1], minimum=minimum)
        if low is None or high is None:
            return None
        if low >= high:
            self.problem(key, f"'{key}' must go from low to high, not {low}-{high}")
            return None
        return low, high

    def mapping_of(self, key: str, required: bool = False) -> Optional[LineMap]:
        value = self._value(key, required)
        if value is not None and not isinstance(value, LineMap):
            self.problem(key, f"'{key}' must be a mapping (key: value lines), not {value!r}")
            return None
        return value

    def list_of_mappings(self, key: str, required: bool = False) -> List[LineMap]:
        value = self._value(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(item, LineMap) for item in value):
            self.problem(key, f"'{key}' must be a non-empty list of mappings")
            return []
        return list(value)

    def known(self, key: str, values: Tuple[str, ...], allowed: Optional[Collection[str]], what: str) -> None:
        """Note each of ``values`` that is not in ``allowed`` (when the loader knows the allowed ones)."""
        if allowed is None:
            return
        for value in values:
            if value not in allowed:
                self.problem(key, f"unknown {what} {value!r}")

    def finish(self) -> None:
        for key in self.mapping:
            if key not in self._read:
                self.problem(key, f"unknown field {key!r}")
