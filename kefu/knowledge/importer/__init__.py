"""Importing the merchant's knowledge files into the shop database: the kind
of a file, and ``import_file``, which checks it and writes it through the
caller's session without committing (specification: docs/importer.md)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Optional, Union

from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import (
    CATALOGUE,
    FAQ,
    KINDS,
    POLICIES,
    PRODUCT_QA,
    PROMOTIONS,
    SAMPLE_CATALOGUE,
    SAMPLE_FAQ,
    SAMPLE_FILES,
    SAMPLE_POLICIES,
    SAMPLE_PRODUCT_QA,
    SIZE_CHARTS,
    TOPICS,
    Counts,
    ImportOutcome,
    Progress,
    refused,
    source_name,
)
from kefu.knowledge.importer.catalogue import import_catalogue
from kefu.knowledge.importer.documents import import_document
from kefu.knowledge.importer.faq import import_faq
from kefu.knowledge.importer.policies import import_policies
from kefu.knowledge.importer.product_qa import import_product_qa
from kefu.knowledge.importer.tables import TABLE_SUFFIXES
from kefu.knowledge.sources import Problem
from kefu.storage.clock import shop_now

YAML_SUFFIXES = (".yml", ".yaml")
# Words in a YAML file's name that say what it holds (product Q&A before the
# FAQ: "商品问答" also holds the FAQ's "问答").
NAME_HINTS = (
    (PRODUCT_QA, ("product_qa", "product-qa", "productqa", "问大家", "商品问答")),
    (SIZE_CHARTS, ("size_chart", "size-chart", "sizechart", "尺码")),
    (PROMOTIONS, ("promotion", "促销", "活动", "优惠")),
    (POLICIES, ("polic", "政策")),
    (FAQ, ("faq", "问答", "常见问题")),
)
# Failing that, the file's top-level list says it.
TOP_LEVEL_KEYS = {"charts": SIZE_CHARTS, "rules": PROMOTIONS, "policies": POLICIES, "faq": FAQ,
                  "product_qa": PRODUCT_QA}
_TOP_LEVEL_KEY = re.compile(r"^(charts|rules|policies|faq|product_qa)\s*:", re.MULTILINE)


def detect_kind(path: Union[str, Path]) -> Optional[str]:
    """The kind of a file from its name (or, for YAML, its top-level list); None if it cannot be told."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES or suffix == ".xls":
        return CATALOGUE
    if suffix not in YAML_SUFFIXES:
        return None
    name = path.stem.lower()
    for kind, hints in NAME_HINTS:
        if any(hint in name for hint in hints):
            return kind
    try:
        match = _TOP_LEVEL_KEY.search(path.read_text(encoding="utf-8-sig", errors="replace"))
    except OSError:
        return None
    return TOP_LEVEL_KEYS[match.group(1)] if match else None


def import_file(
    session: Session,
    path: Union[str, Path],
    kind: Optional[str] = None,
    *,
    skip_bad_rows: bool = False,
    progress: Optional[Progress] = None,
    now: Optional[datetime] = None,
    sheet: Optional[str] = None,
) -> ImportOutcome:
    """Imports one file through ``session`` (flushed, not committed)."""
    source = source_name(path)
    kind = kind or detect_kind(path)
    if kind not in KINDS:
        reason = f"cannot tell what kind of file this is: give the kind ({', '.join(KINDS)})"
        return refused(source, kind or "unknown", [Problem(source, 0, reason)])
    if not Path(path).is_file():
        return refused(source, kind, [Problem(source, 0, "no such file")])
    if kind == CATALOGUE:
        return import_catalogue(session, path, source, skip_bad_rows=skip_bad_rows, progress=progress, sheet=sheet)
    if kind in (PROMOTIONS, SIZE_CHARTS):
        return import_document(session, path, source, kind, (now or shop_now()).replace(microsecond=0))
    if kind == POLICIES:
        return import_policies(session, path, source, skip_bad_rows)
    if kind == PRODUCT_QA:
        return import_product_qa(session, path, source, skip_bad_rows)
    return import_faq(session, path, source, skip_bad_rows)


__all__ = [
    "CATALOGUE", "FAQ", "KINDS", "POLICIES", "PRODUCT_QA", "PROMOTIONS", "SAMPLE_CATALOGUE", "SAMPLE_FAQ", "SAMPLE_FILES",
    "SAMPLE_POLICIES", "SAMPLE_PRODUCT_QA", "SIZE_CHARTS", "TOPICS", "Counts", "ImportOutcome", "detect_kind", "import_file",
]
