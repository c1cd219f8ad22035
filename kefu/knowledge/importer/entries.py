"""What the policy and FAQ imports share: a YAML list of entries, each with an
id and the topic (intent) it answers, stored one row per entry; the file is
the merchant's whole set, so entries it no longer has are deleted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Type, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import CREATED, TOPICS, UNCHANGED, UPDATED, ImportOutcome, refused
from kefu.knowledge.sources import Fields, LineList, LineMap, Problems, first_use, read_entries, read_file_text

# entry, problems, position in the file -> the row's column values, or None when the entry is bad
EntryReader = Callable[[LineMap, Problems, int], Optional[Dict[str, Any]]]
# the good entries' values -> the ids of those that conflict with another (noted)
SetCheck = Callable[[List["Entry"], Problems], Set[str]]


@dataclass(frozen=True)
class Entry:
    values: Dict[str, Any]
    line: int

    @property
    def id(self) -> str:
        return self.values["id"]


@dataclass(frozen=True)
class EntryKind:
    kind: str
    key: str  # the top-level list: policies, faq
    noun: str  # policy, FAQ entry
    plural: str  # what the counts are of
    model: Type
    read_entry: EntryReader
    check_set: Optional[SetCheck] = None


def answer_fields(entry: LineMap, problems: Problems, noun: str, max_id: int) -> Tuple[Fields, Optional[str], Optional[str]]:
    """(fields, id, topic) of an entry; a missing id or unknown topic is noted."""
    label = entry.get("id")
    fields = Fields(entry, problems, f"{noun} {label!r}" if label is not None else noun)
    entry_id = limited_text(fields, "id", max_id, required=True)
    topic = fields.text("topic", required=True)
    if topic is not None and topic not in TOPICS:
        fields.problem("topic", f"unknown topic {topic!r} (topics: {', '.join(TOPICS)})")
        topic = None
    return fields, entry_id, topic


def question_and_answer(fields: Fields) -> Tuple[Optional[str], Optional[str], List[str]]:
    """(question, answer, keywords) of a FAQ or product Q&A entry; the keywords without repeats."""
    question = fields.text("question", required=True)
    answer = fields.text("answer", required=True)
    keywords = list(dict.fromkeys(fields.texts("keywords")))
    return question, answer, keywords


def limited_text(fields: Fields, key: str, longest: int, required: bool = False) -> Optional[str]:
    value = fields.text(key, required=required)
    if value is not None and len(value) > longest:
        fields.problem(key, f"'{key}' is longer than {longest} characters")
        return None
    return value


def plain_json(value: Any, fields: Fields, key: str) -> Any:
    """A YAML value as JSON can store it; anything else (a date, say) is noted."""
    if isinstance(value, LineMap) or isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            fields.problem(key, f"'{key}': the names in a mapping must be texts")
            return None
        return {k: plain_json(v, fields, key) for k, v in value.items()}
    if isinstance(value, (LineList, list)):
        return [plain_json(item, fields, key) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    fields.problem(key, f"'{key}' may hold texts, numbers, true/false and lists or mappings of them, "
                        f"not {value!r} (quote it: \"{value}\")")
    return None


def import_entries(session: Session, path: Union[str, Path], source: str, kind: EntryKind,
                   skip_bad_rows: bool = False) -> ImportOutcome:
    problems = Problems(source)
    text = read_file_text(path, problems)
    if text is not None and not text.strip():
        problems.add(1, "the file is empty")
    if problems.items:
        return refused(source, kind.kind, problems.items)
    _, items = read_entries(text, problems, kind.key, (kind.key,), kind.noun)
    if problems.items:  # the file as a whole cannot be read
        return refused(source, kind.kind, problems.items)
    entries: List[Entry] = []
    seen: Dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        values = kind.read_entry(item, problems, position)
        if values is not None and first_use(seen, values["id"], item, problems, kind.noun):
            entries.append(Entry(values, item.line))
    conflicting = kind.check_set(entries, problems) if kind.check_set else set()
    entries = [entry for entry in entries if entry.id not in conflicting]
    found = tuple(sorted(problems.items, key=lambda problem: problem.line))
    if found and not skip_bad_rows:
        return refused(source, kind.kind, found, len(items), whole_file=False)
    outcome = ImportOutcome(source, kind.kind, problems=found, entries=len(items),
                            skipped=len(items) - len(entries), ids=tuple(entry.id for entry in entries))
    _store(session, kind, entries, outcome, delete_missing=not found)
    return outcome


def _store(session: Session, kind: EntryKind, entries: List[Entry], outcome: ImportOutcome,
           delete_missing: bool) -> None:
    counts = outcome.counts_of(kind.plural)
    existing = {row.id: row for row in session.execute(select(kind.model)).scalars()}
    for entry in entries:
        row = existing.get(entry.id)
        if row is None:
            session.add(kind.model(**entry.values))
            counts.count(CREATED)
            continue
        changed = {key: value for key, value in entry.values.items() if getattr(row, key) != value}
        for key, value in changed.items():
            setattr(row, key, value)
        counts.count(UPDATED if changed else UNCHANGED)
    if delete_missing:
        wanted = {entry.id for entry in entries}
        for row_id, row in existing.items():
            if row_id not in wanted:
                session.delete(row)
                counts.count("deleted")
    session.flush()
