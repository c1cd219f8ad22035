"""Build the demo shop: ``python -m kefu.demo_shop.seed [--reset] [--refresh-stale]``
seeds an empty database and leaves a current demo shop alone, and never
drops a database holding other data (see docs/demo_shop.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from kefu.storage.clock import shop_now
from kefu.storage.db import create_schema, database_url, drop_schema, has_schema, make_engine, make_session_factory
from kefu.demo_shop.builder import RANDOM_SEED, DemoShopBuilder, SeedSummary
from kefu.storage.models import Customer, Product, ShopMeta

DEMO_MARKER = "kefu demo shop"
# Raised whenever the schema or the demo data changes, so that
# ``--refresh-stale`` rebuilds demo shops built before.
SEED_VERSION = "5"

Report = Callable[[str], None]


class RefusedToReset(RuntimeError):
    """The database holds data that is not the demo shop."""


def seeded_at(engine: Engine) -> Optional[datetime]:
    """When the demo shop in this database was built, or None if it holds no demo shop.

    A demo shop of an older seed version counts, even if it lacks tables
    added since: it is still the demo shop, and may be rebuilt.
    """
    meta = _demo_meta(engine)
    return datetime.fromisoformat(meta["seeded_at"]) if "seeded_at" in meta else None


def is_current(engine: Engine) -> bool:
    """Whether the demo shop here was built by this version of the seed, with every table."""
    return _demo_meta(engine).get("seed_version") == SEED_VERSION and has_schema(engine)


def _demo_meta(engine: Engine) -> dict:
    if not inspect(engine).has_table(ShopMeta.__tablename__):
        return {}
    with make_session_factory(engine)() as session:
        meta = {row.key: row.value for row in session.execute(select(ShopMeta)).scalars()}
    return meta if meta.get("dataset") == DEMO_MARKER else {}


def is_empty(engine: Engine) -> bool:
    existing = set(inspect(engine).get_table_names())
    with make_session_factory(engine)() as session:
        for model in (Customer, Product):
            if model.__tablename__ in existing:
                if session.execute(select(func.count()).select_from(model)).scalar_one():
                    return False
    return True


def build_demo_shop(engine: Engine, now: Optional[datetime] = None, report: Report = print) -> SeedSummary:
    """Create the schema and add the demo shop in one transaction (all or nothing)."""
    now = (now or shop_now()).replace(microsecond=0)
    create_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        summary = DemoShopBuilder(session, now, report).build()
        session.add_all(
            [
                ShopMeta(key="dataset", value=DEMO_MARKER),
                ShopMeta(key="seed_version", value=SEED_VERSION),
                ShopMeta(key="random_seed", value=str(RANDOM_SEED)),
                ShopMeta(key="seeded_at", value=now.isoformat()),
            ]
        )
    return summary


def reset_demo_shop(engine: Engine, now: Optional[datetime] = None, report: Report = print,
                    force: bool = False) -> SeedSummary:
    """Drop the shop tables and build the demo shop again."""
    if not force and not is_empty(engine) and seeded_at(engine) is None:
        raise RefusedToReset(
            "this database holds shop data that is not the demo shop; refusing to drop it (use --force)"
        )
    report("dropping the shop tables")
    drop_schema(engine)
    return build_demo_shop(engine, now, report)


def seed_if_empty(engine: Optional[Engine] = None, refresh_stale: bool = False, report: Report = print) -> bool:
    """Seed an empty database; with ``refresh_stale``, also rebuild a demo shop from an earlier day.

    Returns whether it built anything.
    """
    engine = engine or make_engine()
    if is_empty(engine):
        report("seeding the demo shop")
        _report_summary(build_demo_shop(engine, report=report), report)
        return True
    built = seeded_at(engine)
    if refresh_stale and built is not None and built.date() < shop_now().date():
        report(f"the demo shop was seeded on {built.date()}; rebuilding it so that its dates hold today")
        _report_summary(reset_demo_shop(engine, report=report), report)
        return True
    if refresh_stale and built is not None and not is_current(engine):
        report("the demo shop was built by an older version of the seed; rebuilding it")
        _report_summary(reset_demo_shop(engine, report=report), report)
        return True
    report(f"shop database already seeded{f' at {built:%Y-%m-%d %H:%M}' if built else ''}; leaving it as it is")
    return False


def _report_summary(summary: SeedSummary, report: Report) -> None:
    report(f"done: {summary.describe()}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop the shop tables and rebuild the demo shop")
    parser.add_argument(
        "--refresh-stale", action="store_true", help="rebuild a demo shop that was seeded on an earlier day"
    )
    parser.add_argument("--force", action="store_true", help="with --reset: drop tables even if they hold other data")
    parser.add_argument("--database-url", help="default: $DATABASE_URL or the SQLite file under var/")
    args = parser.parse_args(argv)

    url = args.database_url or database_url()
    engine = make_engine(url)
    print(f"shop database: {engine.url.render_as_string(hide_password=True)}")
    try:
        if args.reset:
            _report_summary(reset_demo_shop(engine, force=args.force), print)
        else:
            seed_if_empty(engine, refresh_stale=args.refresh_stale)
    except RefusedToReset as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
