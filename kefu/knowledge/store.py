"""The merchant's imported knowledge as the assistant reads it back, each call
seeing the latest import; nothing imported means nothing known, never the
sample files (see docs/knowledge.md)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine

from kefu.backends.errors import BackendError
from kefu.backends.sql.session import SqlGateway
from kefu.knowledge.importer.base import PROMOTIONS, SIZE_CHARTS
from kefu.knowledge.importer.documents import PARSERS
from kefu.knowledge.promotions.rules import PromotionBook
from kefu.knowledge.size_charts import SizeChartBook
from kefu.knowledge.sources import KnowledgeFileError
from kefu.storage import models
from kefu.storage.db import database_url, make_engine


@dataclass(frozen=True)
class Policy:
    id: str
    topic: str  # the intent it answers (ask_invoice …)
    title: str
    answer: str  # what the shopper reads
    facts: Dict[str, Any]  # the policy's figures, as the merchant gave them
    position: int  # its place in the merchant's file


@dataclass(frozen=True)
class FaqEntry:
    id: str
    topic: str
    question: str
    answer: str
    keywords: Tuple[str, ...]  # words that pick it among its topic's entries
    position: int


@dataclass(frozen=True)
class ProductQaEntry:
    id: str
    product_id: str
    question: str
    answer: str
    keywords: Tuple[str, ...]  # other words for what the question asks about
    position: int


T = TypeVar("T")

_EMPTY = {PROMOTIONS: PromotionBook(()), SIZE_CHARTS: SizeChartBook(())}


class KnowledgeStore:
    """Reads the knowledge the merchant imported; database failures raise ``BackendFailure``."""

    def __init__(self, engine: Engine) -> None:
        self._gateway = SqlGateway(engine)
        self._lock = threading.Lock()
        self._parsed: Dict[str, Tuple[str, Any]] = {}  # kind -> (checksum, book)

    def promotions(self) -> PromotionBook:
        """The promotion rules last imported, as ``kefu.knowledge.promotions.read_promotions`` gives them."""
        return self._document(PROMOTIONS)

    def size_charts(self) -> SizeChartBook:
        """The size charts last imported, as ``kefu.knowledge.size_charts.read_size_charts`` gives them."""
        return self._document(SIZE_CHARTS)

    def policies(self, topic: Optional[str] = None) -> Tuple[Policy, ...]:
        """The policies answering ``topic`` (every one when None), in the file's order."""
        return self._of_topic(models.Policy, _policy, topic)

    def policy(self, policy_id: str) -> Optional[Policy]:
        with self._gateway.session() as session:
            row = session.get(models.Policy, policy_id)
            return _policy(row) if row is not None else None

    def faq(self, topic: Optional[str] = None) -> Tuple[FaqEntry, ...]:
        """The FAQ entries of ``topic`` (every one when None), in the file's order."""
        return self._of_topic(models.FaqEntry, _faq_entry, topic)

    def product_qa(self, product_id: Optional[str] = None) -> Tuple[ProductQaEntry, ...]:
        """The Q&A entries of one product (every product's when None), in the file's order."""
        table = models.ProductQaEntry
        query = select(table).order_by(table.position, table.id)
        if product_id is not None:
            query = query.where(table.product_id == product_id)
        with self._gateway.session() as session:
            return tuple(_product_qa_entry(row) for row in session.execute(query).scalars())

    def _of_topic(self, model: Any, convert: Callable[[Any], T], topic: Optional[str]) -> Tuple[T, ...]:
        query = select(model).order_by(model.position, model.id)
        if topic is not None:
            query = query.where(model.topic == topic)
        with self._gateway.session() as session:
            return tuple(convert(row) for row in session.execute(query).scalars())

    def _document(self, kind: str):
        table = models.KnowledgeDocument
        with self._gateway.session() as session:
            digest = session.execute(select(table.checksum).where(table.kind == kind)).scalar_one_or_none()
            if digest is None:
                return _EMPTY[kind]
            cached = self._parsed.get(kind)
            if cached is not None and cached[0] == digest:
                return cached[1]
            document = session.get(table, kind)
            content, source, digest = document.content, document.source, document.checksum
        try:
            # Checked against the catalogue when imported; read back as stored.
            book = PARSERS[kind](content, source, None)
        except KnowledgeFileError as error:
            raise BackendError(f"the stored {kind} no longer load: {error}") from error
        with self._lock:
            self._parsed[kind] = (digest, book)
        return book


def _policy(row: models.Policy) -> Policy:
    return Policy(row.id, row.topic, row.title, row.answer, dict(row.facts or {}), row.position)


def _faq_entry(row: models.FaqEntry) -> FaqEntry:
    return FaqEntry(row.id, row.topic, row.question, row.answer, tuple(row.keywords or ()), row.position)


def _product_qa_entry(row: models.ProductQaEntry) -> ProductQaEntry:
    return ProductQaEntry(row.id, row.product_id, row.question, row.answer, tuple(row.keywords or ()), row.position)


@lru_cache(maxsize=4)
def _store_for(url: str) -> KnowledgeStore:
    return KnowledgeStore(make_engine(url))


def shared_store(url: Optional[str] = None) -> KnowledgeStore:
    """One store per database (default: ``DATABASE_URL``), kept for the life of the process
    so that its parsed documents are reused."""
    return _store_for(url or database_url())
