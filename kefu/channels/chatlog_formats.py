"""Reading the marketplaces' chat-log exports (docs/channels/platforms.md: chat-log exports): CSV and
JSON files of Taobao/Tmall (千牛) and JD (京麦/咚咚) chat records, turned into one ``ChatLine`` per
message, and a ``BadRow`` (with its line, or its item number in a JSON file) for every record that
cannot be read. Which column is which comes from chatlog_columns.yml; samples of each assumed layout
are in kefu/channels/samples/.

* CSV: one message per row, a header row naming the columns (UTF-8, with or without BOM, or GB18030 as
  Excel on a Chinese Windows saves it).
* XLSX (the first sheet): the same rows, read by the knowledge importer's table reader.
* JSON: a list of message objects, or an object holding such a list (``chatLogList``, ``data``,
  ``records``, ``msgs``, ``msg`` …, also nested as in Taobao's ``wangwang_eservice_chatlog_get_response``);
  keys outside the list (Taobao's ``from_id``/``to_id``: the agent and the buyer) apply to each message.

Who wrote a message: a ``from_buyer``-like flag, Taobao's ``direction`` (1: buyer to seller, 0: seller
to buyer), or the sender column, holding a role (顾客/客服) or the nick of the buyer or of the agent.
Times without a zone are shop time (UTC+8); Unix seconds or milliseconds are accepted too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import yaml

from kefu.knowledge.importer.tables import XLSX_SUFFIXES, read_table
from kefu.storage.clock import SHOP_TZ

COLUMNS_FILE = Path(__file__).with_name("chatlog_columns.yml")
MAX_TEXT_CHARS = 10_000  # a longer "message" is a broken export, not something a buyer wrote
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                 "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S")


@dataclass(frozen=True)
class ChatLine:
    """One message of an export."""

    platform: str
    buyer_id: str
    from_buyer: bool
    at: datetime  # aware
    text: str
    agent: str = ""
    source: str = ""  # "file:line", for the report

    @property
    def key(self) -> str:
        """What makes this message the same message in a later export of the same chats."""
        who = "buyer" if self.from_buyer else "agent"
        raw = "\x1f".join((self.platform, self.buyer_id, who, f"{self.at.timestamp():.3f}", self.text))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class BadRow:
    where: str  # "file:line" or "file:item N"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


Read = Union[ChatLine, BadRow]


@dataclass(frozen=True)
class Vocabulary:
    columns: Dict[str, Tuple[str, ...]]
    buyer_roles: Tuple[str, ...]
    agent_roles: Tuple[str, ...]
    account_prefixes: Tuple[str, ...]

    def field_of(self, column: str) -> Optional[str]:
        name = _plain(column)
        for field, names in self.columns.items():
            if name in names:
                return field
        return None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))
    return Vocabulary(
        columns={field: tuple(_plain(n) for n in names) for field, names in raw["columns"].items()},
        buyer_roles=tuple(_plain(n) for n in raw["buyer_roles"]),
        agent_roles=tuple(_plain(n) for n in raw["agent_roles"]),
        account_prefixes=tuple(raw.get("account_prefixes") or ()),
    )


# Blanks, brackets (ASCII, full-width and the lenticular 【】) and separators around a column name.
_DECORATION = re.compile(r"[\s()\[\]_\-\u3010\u3011\uff08\uff09]")


def _plain(name: Any) -> str:
    return _DECORATION.sub("", str(name)).lower()


def read_export(path: Path, platform: str) -> Iterator[Read]:
    """Every message of the file, in file order, or why a record could not be read."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        yield from _xlsx_records(path, platform)
        return
    text = _decoded(path.read_bytes())
    if path.suffix.lower() == ".json":
        yield from _json_records(text, path.name, platform)
    else:
        yield from _csv_records(text, path.name, platform)


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _csv_records(text: str, name: str, platform: str) -> Iterator[Read]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        yield BadRow(f"{name}:1", "empty file: no header row")
        return
    fields = [vocabulary().field_of(column) for column in header]
    missing = {"buyer", "time", "text"} - set(fields)
    if missing:
        yield BadRow(f"{name}:1", f"no column for {', '.join(sorted(missing))} (header: {', '.join(header)}); "
                                  "name it in kefu/channels/chatlog_columns.yml")
        return
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        record = {field: cell for field, cell in zip(fields, row) if field}
        yield _line(record, platform, where)


def _xlsx_records(path: Path, platform: str) -> Iterator[Read]:
    table, problems = read_table(path, label=path.name)
    if table is None:
        for problem in problems.items:
            yield BadRow(f"{path.name}:{problem.line}", problem.reason)
        return
    fields = {column: vocabulary().field_of(column) for column in table.header}
    missing = {"buyer", "time", "text"} - set(fields.values())
    if missing:
        yield BadRow(f"{path.name}:{table.header_line}", f"no column for {', '.join(sorted(missing))} "
                                                         f"(header: {', '.join(table.header)})")
        return
    for row in table.rows:
        record = {fields[column]: value for column, value in row.items() if fields.get(column)}
        yield _line(record, platform, f"{path.name}:{row.line}")


def _json_records(text: str, name: str, platform: str) -> Iterator[Read]:
    try:
        document = json.loads(text)
    except ValueError as error:
        yield BadRow(f"{name}:{getattr(error, 'lineno', 1)}", f"not JSON: {error}")
        return
    found = list(_message_lists(document, {}))
    if not found:
        yield BadRow(f"{name}:1", "no list of messages in it")
        return
    number = 0
    for shared, items in found:
        for item in items:
            number += 1
            where = f"{name}:item {number}"
            if not isinstance(item, Mapping):
                yield BadRow(where, "not an object")
                continue
            record: Dict[str, Any] = {}
            for key, value in {**shared, **item}.items():
                field = vocabulary().field_of(key)
                if field and field not in record:
                    record[field] = value
            yield _line(record, platform, where)


def _message_lists(node: Any, shared: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], List[Any]]]:
    """(keys shared by the messages, the messages) for each list of messages in the document: a list
    whose objects have a text field; the plain values of the objects around it apply to each."""
    if isinstance(node, list):
        if any(isinstance(item, Mapping) and _is_message(item) for item in node):
            yield shared, node
            return
        for item in node:
            yield from _message_lists(item, shared)
    elif isinstance(node, Mapping):
        here = {**shared, **{k: v for k, v in node.items() if not isinstance(v, (list, dict))}}
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _message_lists(value, here)


def _is_message(item: Mapping[str, Any]) -> bool:
    return any(vocabulary().field_of(key) == "text" for key in item)


def _line(record: Mapping[str, Any], platform: str, where: str) -> Read:
    words = vocabulary()
    buyer = _account(record.get("buyer"), words)
    if not buyer:
        return BadRow(where, "no buyer")
    text = record.get("text")
    if isinstance(text, (int, float)) and not isinstance(text, bool):  # "1" typed into a spreadsheet
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        return BadRow(where, "no message text")
    if len(text) > MAX_TEXT_CHARS:
        return BadRow(where, f"message longer than {MAX_TEXT_CHARS} characters")
    at = parse_time(record.get("time"))
    if at is None:
        return BadRow(where, f"time not understood: {record.get('time')!r}")
    agent = _account(record.get("agent"), words)
    from_buyer = _from_buyer(record, buyer, agent, words)
    if from_buyer is None:
        return BadRow(where, "cannot tell whether the buyer or the agent wrote it")
    return ChatLine(platform, buyer, from_buyer, at, text.strip(), agent, where)


def _account(value: Any, words: Vocabulary) -> str:
    account = str(value).strip() if value not in (None, "") else ""
    for prefix in words.account_prefixes:
        if account.startswith(prefix):
            return account[len(prefix):]
    return account


def _from_buyer(record: Mapping[str, Any], buyer: str, agent: str, words: Vocabulary) -> Optional[bool]:
    flag = record.get("from_buyer")
    if isinstance(flag, bool):
        return flag
    if isinstance(flag, str) and flag.strip().lower() in ("true", "false", "1", "0"):
        return flag.strip().lower() in ("true", "1")
    direction = record.get("direction")
    if direction is not None and str(direction).strip() in ("0", "1"):
        return str(direction).strip() == "1"
    sender = record.get("sender")
    if sender in (None, ""):
        return None
    role = _plain(sender)
    if role in words.buyer_roles:
        return True
    if role in words.agent_roles:
        return False
    sender = _account(sender, words)
    if sender == buyer:
        return True
    if agent and sender == agent:
        return False
    return None


def parse_time(value: Any) -> Optional[datetime]:
    """An aware moment from an export's time: text in shop time (or with its zone), Unix s or ms."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, datetime):  # an Excel cell
        return value if value.tzinfo else value.replace(tzinfo=SHOP_TZ)
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value.strip())):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, SHOP_TZ)
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, form)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHOP_TZ)
