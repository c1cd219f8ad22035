"""The merchant's service policies: the answer to a topic, with the figures the
assistant may compute with (format: docs/importer.md; sample
``kefu/knowledge/samples/policies.yml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Union

from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import POLICIES, ImportOutcome
from kefu.knowledge.importer.entries import EntryKind, answer_fields, import_entries, limited_text, plain_json
from kefu.knowledge.sources import LineMap, Problems
from kefu.storage import models


def _policy(entry: LineMap, problems: Problems, position: int) -> Optional[Dict[str, Any]]:
    fields, policy_id, topic = answer_fields(entry, problems, "policy", max_id=40)
    title = limited_text(fields, "title", 100, required=True)
    answer = fields.text("answer", required=True)
    facts_node = fields.mapping_of("facts")
    facts = plain_json(facts_node, fields, "facts") if facts_node is not None else {}
    fields.finish()
    if fields.failed or None in (policy_id, topic, title, answer):
        return None
    return {"id": policy_id, "topic": topic, "title": title, "answer": answer, "facts": facts, "position": position}


POLICY_KIND = EntryKind(POLICIES, "policies", "policy", "policies", models.Policy, _policy)


def import_policies(session: Session, path: Union[str, Path], source: str, skip_bad_rows: bool = False) -> ImportOutcome:
    return import_entries(session, path, source, POLICY_KIND, skip_bad_rows)
