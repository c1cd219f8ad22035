"""Where the shop database is and how it is connected to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from kefu.storage import models
from kefu.storage.clock import SHOP_TZ, shop_now
from kefu.storage.db import (
    DEFAULT_SQLITE_PATH,
    create_schema,
    database_url,
    drop_schema,
    has_schema,
    make_engine,
    make_session_factory,
)


def test_the_default_is_an_sqlite_file_under_var(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert database_url() == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH.parent.name == "var"


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop@db:5432/shop")

    assert database_url() == "postgresql://shop@db:5432/shop"


def test_an_empty_database_url_means_the_default(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "  ")

    assert database_url() == f"sqlite:///{DEFAULT_SQLITE_PATH}"


def test_the_sqlite_folder_is_created_and_the_schema_comes_and_goes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'var' / 'shop.db'}")

    assert not has_schema(engine)
    create_schema(engine)
    assert (tmp_path / "nested" / "var" / "shop.db").exists() and has_schema(engine)
    drop_schema(engine)
    assert not has_schema(engine)


def test_sqlite_checks_foreign_keys_like_postgresql(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_schema(engine)

    with pytest.raises(IntegrityError):
        with make_session_factory(engine)() as session, session.begin():
            session.add(models.Contact(customer_id="C9999", channel="web", topic="x", summary="x",
                                       handled_by="x", contacted_at=shop_now()))


def test_times_come_back_in_shop_time(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    create_schema(engine)
    utc_noon = datetime(2024, 11, 11, 4, 0, tzinfo=timezone.utc)
    with make_session_factory(engine)() as session, session.begin():
        session.add(models.ShippingZone(code="z", name="z", base_fee_cents=0, is_remote=False, note=""))
        session.add(models.Province(name="浙江", full_name="浙江省", area="华东", zone_code="z"))
        session.add(models.Customer(id="C1", name="王五", phone="13700000000", member_level="regular", tags=[],
                                    registered_at=utc_noon))
    with make_session_factory(engine)() as session:
        registered = session.get(models.Customer, "C1").registered_at

    assert registered == utc_noon and registered.utcoffset() == timedelta(hours=8)
    assert registered.tzinfo is SHOP_TZ and registered.hour == 12
