"""Helpers of the import tests: run an import as the CLI does, write files, read back what was written."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

from sqlalchemy import select

from kefu.knowledge.importer import import_file
from kefu.storage import models
from kefu.storage.db import make_session_factory


def run_import(engine, path, **options):
    """Imports ``path`` in one transaction, committed unless the file was refused."""
    with make_session_factory(engine)() as session:
        outcome = import_file(session, path, **options)
        if outcome.refused:
            session.rollback()
        else:
            session.commit()
    return outcome


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def reasons(outcome) -> list:
    return [(problem.line, problem.reason) for problem in outcome.problems]


def products(engine) -> dict:
    with make_session_factory(engine)() as session:
        return {p.id: p for p in session.execute(select(models.Product)).scalars()}


def skus(engine) -> dict:
    with make_session_factory(engine)() as session:
        return {s.id: s for s in session.execute(select(models.Sku)).scalars()}


def stock(engine) -> dict:
    with make_session_factory(engine)() as session:
        return {(s.sku_id, s.warehouse_id): (s.quantity, s.restock_date)
                for s in session.execute(select(models.Stock)).scalars()}


def counts(outcome) -> dict:
    return {noun: (c.created, c.updated, c.unchanged, c.deleted) for noun, c in outcome.counts.items()}
