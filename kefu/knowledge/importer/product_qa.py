"""The merchant's per-product Q&A (a product page's “问大家”): questions about
one product of the catalogue, each with the shop's answer (format:
docs/knowledge.md; sample ``kefu/knowledge/samples/product_qa.yml``)."""

from __future__ import annotations

from pathlib import Path
from typing import AbstractSet, Any, Dict, Optional, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import PRODUCT_QA, ImportOutcome
from kefu.knowledge.importer.entries import EntryKind, import_entries, limited_text, question_and_answer
from kefu.knowledge.sources import Fields, LineMap, Problems
from kefu.storage import models


def _entry(entry: LineMap, problems: Problems, position: int, product_ids: AbstractSet[str]) -> Optional[Dict[str, Any]]:
    label = entry.get("id")
    fields = Fields(entry, problems, f"product Q&A entry {label!r}" if label is not None else "product Q&A entry")
    entry_id = limited_text(fields, "id", 40, required=True)
    product_id = fields.text("product_id", required=True)
    if product_id is not None and product_id not in product_ids:
        # An answer about a product the shop does not sell would never be asked for: a typo, most likely.
        fields.problem("product_id", f"unknown product {product_id!r} (import the catalogue first)")
        product_id = None
    question, answer, keywords = question_and_answer(fields)
    fields.finish()
    if fields.failed or None in (entry_id, product_id, question, answer):
        return None
    return {"id": entry_id, "product_id": product_id, "question": question, "answer": answer,
            "keywords": keywords, "position": position}


def import_product_qa(session: Session, path: Union[str, Path], source: str, skip_bad_rows: bool = False) -> ImportOutcome:
    product_ids = frozenset(session.execute(select(models.Product.id)).scalars())
    kind = EntryKind(
        PRODUCT_QA, "product_qa", "product Q&A entry", "product Q&A entries", models.ProductQaEntry,
        lambda entry, problems, position: _entry(entry, problems, position, product_ids),
    )
    return import_entries(session, path, source, kind, skip_bad_rows)
