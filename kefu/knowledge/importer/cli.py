"""Import the merchant's knowledge files into the shop database, each file in
one transaction, and regenerate the NLU resources a changed catalogue gives
(see docs/importer.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence, TextIO

from sqlalchemy.exc import SQLAlchemyError

from kefu.knowledge.importer import KINDS, detect_kind, import_file
from kefu.knowledge.importer.base import CATALOGUE, ImportOutcome, refused, source_name
from kefu.knowledge.sources import Problem
from kefu.knowledge import lookups
from kefu.storage.db import create_schema, database_url, make_engine, make_session_factory

NOUNS = {"promotions": "promotion rules", "size_charts": "size charts", "policies": "policies", "faq": "FAQ entries",
         "product_qa": "product Q&A entries"}
RETRAIN = (
    "Retrain the model (make train) so that the assistant recognises the new product names and brands; "
    "prices, stock, promotions, size charts, policies, FAQ and product Q&A answers are used at once, without retraining."
)


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kefu.knowledge.importer",
        description=__doc__.split("\n\n")[0],
        epilog=f"kinds: {', '.join(KINDS)} (from the file name: .csv/.xlsx is a catalogue; "
               "promotions.yml, size_charts.yml, policies.yml, faq.yml, product_qa.yml — or the file's top-level list). "
               "Catalogue columns and file formats: see docs/importer.md.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="CSV/XLSX catalogue or YAML knowledge files")
    parser.add_argument("--kind", choices=KINDS, help="the kind of every file given (default: from the name)")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="import the good rows of a file with bad ones (default: a bad row stops the file)")
    parser.add_argument("--check", action="store_true", help="check the files and say what would change; write nothing")
    parser.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
    parser.add_argument("--database-url", help="default: $DATABASE_URL or the SQLite file under var/")
    parser.add_argument("--data-dir", type=Path, default=lookups.DATA_DIR,
                        help="where the NLU lookups and jieba words from the catalogue go (default: data/)")
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url or database_url())
    print(f"shop database: {engine.url.render_as_string(hide_password=True)}", file=out)
    try:
        create_schema(engine)  # a new database, or one from before the knowledge tables
        outcomes = [_import_one(engine, path, args, out, err) for path in _in_kind_order(args.files, args.kind)]
        if not args.check and any(o.kind == CATALOGUE and o.changed for o in outcomes):
            _regenerate_nlu(engine, args.data_dir, out)
    finally:
        engine.dispose()
    return 1 if any(outcome.problems for outcome in outcomes) else 0


def _in_kind_order(files: Sequence[Path], kind: Optional[str]) -> List[Path]:
    # Promotions and size charts may name products of a catalogue given with them.
    rank = {name: index for index, name in enumerate(KINDS)}
    return sorted(files, key=lambda path: rank.get(kind or detect_kind(path) or "", len(KINDS)))


def _import_one(engine, path: Path, args, out: TextIO, err: TextIO) -> ImportOutcome:
    def progress(line: str) -> None:
        print(line, file=err, flush=True)

    session = make_session_factory(engine)()
    try:
        outcome = import_file(session, path, args.kind, skip_bad_rows=args.skip_bad_rows,
                              progress=progress, sheet=args.sheet)
        if args.check or outcome.refused:
            session.rollback()
        else:
            session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        source = source_name(path)
        reason = f"the database refused the import, nothing imported: {str(error).strip().splitlines()[0]}"
        outcome = refused(source, args.kind or detect_kind(path) or "unknown", [Problem(source, 0, reason)])
    finally:
        session.close()
    _report(outcome, args, out)
    return outcome


def _report(outcome: ImportOutcome, args, out: TextIO) -> None:
    name = f"{outcome.source} ({outcome.kind})"
    if outcome.refused:
        hint = "" if outcome.whole_file else "; --skip-bad-rows imports the good rows"
        print(f"{name}: {len(outcome.problems)} problem(s), nothing imported{hint}:", file=out)
    else:
        would = "would be " if args.check else ""
        what = NOUNS.get(outcome.kind)
        read = f"{outcome.entries} {what}; " if what and outcome.kind in ("promotions", "size_charts") else ""
        changes = "; ".join(f"{noun}: {would}{counts.describe()}" for noun, counts in outcome.counts.items())
        skipped = f"; {outcome.skipped} bad row(s) skipped" if outcome.skipped else ""
        print(f"{name}: {read}{changes}{skipped}", file=out)
    for problem in outcome.problems:
        print(f"  {problem}", file=out)


def _regenerate_nlu(engine, data_dir: Path, out: TextIO) -> None:
    changed = lookups.write_catalogue_resources(lookups.database_catalogue(engine), data_dir)
    if changed:
        print(f"product names or brands changed: rewrote {', '.join(map(str, changed))}.", file=out)
        print(RETRAIN, file=out)
    else:
        print("product names and brands are unchanged: no retraining needed "
              "(new prices and stock are used at once).", file=out)
