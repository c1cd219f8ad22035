"""Imports run against real SQLite files: an empty shop with two warehouses,
or a copy of the demo shop (built from the sample files)."""

from __future__ import annotations

import pytest

from kefu.storage import models
from kefu.storage.db import create_schema, make_engine, make_session_factory
from tests.demo_shop.fixtures import fresh_sqlite_shop, seeded_sqlite_shop  # noqa: F401


@pytest.fixture
def empty_shop(tmp_path):
    """A shop database with its tables, a province and two warehouses, and nothing else."""
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    create_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        session.add(models.ShippingZone(code="standard", name="普通地区", base_fee_cents=800, free_threshold_cents=9900))
        session.add(models.Province(name="浙江", full_name="浙江省", area="华东", zone_code="standard"))
        session.flush()
        session.add(models.Warehouse(id="WH-HZ", name="杭州仓", province_name="浙江", city="杭州", cutoff_hour=16,
                                     carrier="中通快递"))
        session.add(models.Warehouse(id="WH-GZ", name="广州仓", province_name="浙江", city="杭州", cutoff_hour=17,
                                     carrier="顺丰速运"))
    yield engine
    engine.dispose()
