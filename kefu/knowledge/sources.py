"""The knowledge files' lists of entries (promotion rules, size charts …), read with their
lines; the line-aware YAML reading itself is ``kefu.storage.yaml_source`` (the persona and
response files use it too), whose names the knowledge loaders import from here."""

from __future__ import annotations

from typing import Any, Collection, Dict, List, Optional, Tuple

from kefu.storage.yaml_source import (  # noqa: F401 - the knowledge loaders' imports
    Fields,
    KnowledgeFileError,
    LineList,
    LineMap,
    Problem,
    Problems,
    read_file_text,
    read_yaml,
)


def _document_items(
    document: Any, problems: Problems, key: str, allowed_keys: Collection[str]
) -> Tuple[Optional[LineMap], List[Tuple[int, Any]]]:
    """The top-level mapping and the (line, item) pairs of its ``key`` list."""
    if document is None:
        return None, []
    if not isinstance(document, LineMap):
        problems.add(1, f"the file must be a mapping with a '{key}' list")
        return None, []
    for unknown in [k for k in document if k not in allowed_keys]:
        problems.add(document.line_of(unknown), f"unknown top-level field {unknown!r}")
    items = document.get(key)
    if not isinstance(items, LineList):
        problems.add(document.line_of(key), f"'{key}' must be a list")
        return document, []
    return document, list(zip(items.item_lines, items))


def document_entries(
    document: Any, problems: Problems, key: str, allowed_keys: Collection[str], noun: str
) -> Tuple[Optional[LineMap], List[LineMap]]:
    """The top-level mapping and the entries (rules, charts) of its ``key`` list
    that are mappings; any other entry is noted."""
    top, items = _document_items(document, problems, key, allowed_keys)
    entries = []
    for line, item in items:
        if isinstance(item, LineMap):
            entries.append(item)
        else:
            problems.add(line, f"a {noun} must be a mapping of fields, not {item!r}")
    return top, entries


def read_entries(
    text: str, problems: Problems, key: str, allowed_keys: Collection[str], noun: str
) -> Tuple[Optional[LineMap], List[LineMap]]:
    """``document_entries`` of a file's text; nothing when the file could not
    even be read (a problem is noted already)."""
    document = read_yaml(text, problems) if not problems.items else None
    return document_entries(document, problems, key, allowed_keys, noun)


def entry_fields(
    entry: LineMap, problems: Problems, noun: str, kinds: Collection[str]
) -> Tuple["Fields", Optional[str], Optional[str]]:
    """(fields, id, kind) of an entry that has an id and one of ``kinds``; the
    kind is None when missing or unknown (noted)."""
    label = entry.get("id")
    fields = Fields(entry, problems, f"{noun} {label!r}" if label is not None else noun)
    entry_id = fields.text("id", required=True)
    kind = fields.text("kind", required=True)
    if kind is not None and kind not in kinds:
        fields.problem("kind", f"unknown kind {kind!r} (kinds: {', '.join(kinds)})")
        kind = None
    return fields, entry_id, kind


def first_use(seen: Dict[str, int], entry_id: str, entry: LineMap, problems: Problems, noun: str) -> bool:
    """Whether ``entry_id`` is new; an id used again is noted with the line of its first use."""
    if entry_id in seen:
        problems.add(entry.line_of("id"), f"{noun} id {entry_id!r} is used twice (first on line {seen[entry_id]})")
        return False
    seen[entry_id] = entry.line
    return True
