"""What every kind of import shares: the outcome it reports, the topics an
answer may be filed under, and how a file is named in the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple, Union

from kefu.knowledge import SAMPLES_DIR
from kefu.knowledge.promotions import SAMPLE_PROMOTIONS
from kefu.knowledge.size_charts import SAMPLE_SIZE_CHARTS
from kefu.knowledge.sources import Problem
from kefu.names import REQUEST_INTENTS
from kefu.settings import PROJECT_ROOT

Progress = Callable[[str], None]

CATALOGUE, PROMOTIONS, SIZE_CHARTS, POLICIES, FAQ = "catalogue", "promotions", "size_charts", "policies", "faq"
PRODUCT_QA = "product_qa"
# Also the order in which files given together are imported: promotions, size
# charts and product Q&A name products, so the catalogue goes first.
KINDS = (CATALOGUE, SIZE_CHARTS, PROMOTIONS, POLICIES, FAQ, PRODUCT_QA)

SAMPLE_CATALOGUE = SAMPLES_DIR / "catalogue.csv"
SAMPLE_POLICIES = SAMPLES_DIR / "policies.yml"
SAMPLE_FAQ = SAMPLES_DIR / "faq.yml"
SAMPLE_PRODUCT_QA = SAMPLES_DIR / "product_qa.yml"
# What the demo shop is built from, and what `make import` imports by default.
SAMPLE_FILES = (SAMPLE_CATALOGUE, SAMPLE_SIZE_CHARTS, SAMPLE_PROMOTIONS, SAMPLE_POLICIES, SAMPLE_FAQ, SAMPLE_PRODUCT_QA)

# The shopper questions (intents of domain.yml) a policy or an FAQ entry may
# answer. Greetings, yes/no and supplying a value are not questions a merchant
# writes an answer to.
TOPICS = REQUEST_INTENTS


@dataclass
class Counts:
    """What an import did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted

    def describe(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.deleted:
            parts.append(f"{self.deleted} deleted")
        return ", ".join(parts)


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportOutcome:
    """One file's import: what it changed, and every problem found in it.

    ``refused``: the file had problems and nothing of it was written (without
    ``skip_bad_rows``, or because the problem concerns the whole file).
    """

    source: str
    kind: str
    counts: Dict[str, Counts] = field(default_factory=dict)
    problems: Tuple[Problem, ...] = ()
    refused: bool = False
    # The problem is the file's (unreadable, unknown column …): no row of it can be imported.
    whole_file: bool = False
    entries: int = 0  # rows or entries read (good and bad)
    skipped: int = 0  # bad ones left out with skip_bad_rows
    # The ids written, in the file's order (products for a catalogue).
    ids: Tuple[str, ...] = ()

    def counts_of(self, noun: str) -> Counts:
        return self.counts.setdefault(noun, Counts())

    @property
    def changed(self) -> bool:
        return any(counts.written for counts in self.counts.values())


def refused(source: str, kind: str, problems, entries: int = 0, whole_file: bool = True) -> ImportOutcome:
    return ImportOutcome(source, kind, problems=tuple(problems), refused=True, entries=entries, whole_file=whole_file)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_name(path: Union[str, Path]) -> str:
    """How a file is named in reports and in the database: relative to the
    project when it lies inside it, so that the same sample is named the same
    on every machine."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def every(count: int, total: int, progress: Optional[Progress], what: str, step: int) -> None:
    """Reports ``count`` of ``total`` every ``step`` (and at the end) on large files."""
    if progress is None or total < step:
        return
    if count % step == 0 or count == total:
        progress(f"{what}: {count}/{total} ({count * 100 // total}%)")
