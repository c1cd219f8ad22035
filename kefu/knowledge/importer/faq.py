"""The merchant's FAQ: entries of a topic, told apart by their keywords
(format: docs/importer.md; sample ``kefu/knowledge/samples/faq.yml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import FAQ, ImportOutcome
from kefu.knowledge.importer.entries import Entry, EntryKind, answer_fields, import_entries, question_and_answer
from kefu.knowledge.sources import LineMap, Problems
from kefu.storage import models


def _entry(entry: LineMap, problems: Problems, position: int) -> Optional[Dict[str, Any]]:
    fields, entry_id, topic = answer_fields(entry, problems, "FAQ entry", max_id=40)
    question, answer, keywords = question_and_answer(fields)
    fields.finish()
    if fields.failed or None in (entry_id, topic, question, answer):
        return None
    return {"id": entry_id, "topic": topic, "question": question, "answer": answer, "keywords": keywords,
            "position": position}


def _check_topics(entries: List[Entry], problems: Problems) -> Set[str]:
    """Entries of one topic that a keyword (or the lack of any) could not tell apart."""
    conflicting: Set[str] = set()
    owners: Dict[Tuple[str, str], Entry] = {}
    general: Dict[str, Entry] = {}
    for entry in entries:
        topic, keywords = entry.values["topic"], entry.values["keywords"]
        if not keywords:
            if topic in general:
                first = general[topic]
                problems.add(entry.line, f"FAQ entry {entry.id!r}: topic {topic} already has an entry without "
                                         f"keywords ({first.id!r}, line {first.line}); give this one keywords")
                conflicting.add(entry.id)
            general.setdefault(topic, entry)
        for keyword in keywords:
            first = owners.get((topic, keyword.lower()))
            if first is not None:
                problems.add(entry.line, f"FAQ entry {entry.id!r}: keyword {keyword!r} already picks "
                                         f"{first.id!r} (line {first.line}) in topic {topic}")
                conflicting.add(entry.id)
            owners.setdefault((topic, keyword.lower()), entry)
    return conflicting


FAQ_KIND = EntryKind(FAQ, "faq", "FAQ entry", "FAQ entries", models.FaqEntry, _entry, _check_topics)


def import_faq(session: Session, path: Union[str, Path], source: str, skip_bad_rows: bool = False) -> ImportOutcome:
    return import_entries(session, path, source, FAQ_KIND, skip_bad_rows)
