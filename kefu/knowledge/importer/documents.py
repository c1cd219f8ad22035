"""Promotion rules and size charts: checked by the engines' own loaders and
stored whole, all or nothing, so that what the bot reads back is exactly the
file the loader accepted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Collection, Dict, Optional, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.knowledge.importer.base import (
    CREATED,
    PROMOTIONS,
    SIZE_CHARTS,
    UNCHANGED,
    UPDATED,
    ImportOutcome,
    checksum,
    refused,
)
from kefu.knowledge.promotions.loader import read_promotions
from kefu.knowledge.size_charts import read_size_charts
from kefu.knowledge.sources import KnowledgeFileError, Problems, read_file_text
from kefu.storage import models

# kind -> (text, file name, the shop's product ids or None) -> the parsed book
Parser = Callable[[str, str, Optional[Collection[str]]], object]
PARSERS: Dict[str, Parser] = {
    PROMOTIONS: lambda text, name, product_ids: read_promotions(
        text, name, categories=models.CATEGORIES if product_ids is not None else None, product_ids=product_ids
    ),
    SIZE_CHARTS: lambda text, name, product_ids: read_size_charts(text, name, product_ids=product_ids),
}


def entries_of(book: object) -> int:
    """How many rules or charts a parsed book holds."""
    return len(getattr(book, "rules", None) or getattr(book, "charts", ()))


def import_document(session: Session, path: Union[str, Path], source: str, kind: str, now: datetime) -> ImportOutcome:
    problems = Problems(source)
    text = read_file_text(path, problems)
    if text is not None and not text.strip():
        problems.add(1, "the file is empty")
    if problems.items:
        return refused(source, kind, problems.items)
    # Rules and charts may only name products the shop has (import the catalogue first).
    product_ids = set(session.execute(select(models.Product.id)).scalars())
    try:
        book = PARSERS[kind](text, source, product_ids)
    except KnowledgeFileError as error:
        return refused(source, kind, error.problems)
    outcome = ImportOutcome(source, kind, entries=entries_of(book))
    digest = checksum(text)
    document = session.get(models.KnowledgeDocument, kind)
    if document is None:
        session.add(models.KnowledgeDocument(kind=kind, content=text, source=source[-300:], checksum=digest, imported_at=now))
        change = CREATED
    elif document.checksum == digest:
        change = UNCHANGED  # the same rules, wherever the file now lies
    else:
        document.content, document.source, document.checksum, document.imported_at = text, source[-300:], digest, now
        change = UPDATED
    outcome.counts_of("document").count(change)
    session.flush()
    return outcome
