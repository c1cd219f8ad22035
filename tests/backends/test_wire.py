"""The JSON form of the backend dataclasses."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import List, Optional

import pytest

from kefu.backends.catalogue import StockLevel, WarehouseStock
from kefu.backends.orders import LogisticsEvent, ReturnRequest, ShippingQuote
from kefu.backends.wire import WireFormatError, from_wire, to_wire

CST = timezone(timedelta(hours=8))

QUOTE = ShippingQuote(
    region="成都", province="四川", zone="普通地区", is_remote=False, goods_amount=Decimal("79"),
    fee=Decimal("8"), free_shipping_threshold=None, note="满99元包邮",
)
STOCK = StockLevel(
    sku_id="P1-01", color="白色", size=None, quantity=0, restock_date=date(2024, 11, 20),
    warehouses=[WarehouseStock("WH-HZ", "杭州仓", 0, date(2024, 11, 20))],
)


def test_money_travels_as_a_two_place_decimal_string():
    wire = to_wire(QUOTE)

    assert wire["goods_amount"] == "79.00" and wire["fee"] == "8.00"
    assert wire["free_shipping_threshold"] is None


def test_moments_keep_their_offset_and_dates_are_iso():
    event = LogisticsEvent(datetime(2024, 11, 11, 20, 5, tzinfo=CST), "杭州市", "已揽收", "picked_up")

    assert to_wire(event)["occurred_at"] == "2024-11-11T20:05:00+08:00"
    assert to_wire(STOCK)["restock_date"] == "2024-11-20"


EXCHANGE = ReturnRequest(
    return_id="R1-01", kind="exchange", reason="换大一码", status="requested",
    requested_at=datetime(2024, 11, 11, 20, 5, tzinfo=CST), updated_at=datetime(2024, 11, 11, 20, 5, tzinfo=CST),
    sku_ids=("P1-01",), new_sku_id="P1-02",
)


@pytest.mark.parametrize(
    "value, kind",
    [(QUOTE, ShippingQuote), (STOCK, StockLevel), ([STOCK], List[StockLevel]), (EXCHANGE, ReturnRequest)],
)
def test_round_trip(value, kind):
    assert from_wire(kind, to_wire(value)) == value


@pytest.mark.parametrize(
    "data, complaint",
    [
        ({"occurred_at": "2024-11-11T20:05:00", "location": "x", "description": "y", "status": "z"}, "with offset"),
        ({"occurred_at": "yesterday", "location": "x", "description": "y", "status": "z"}, "ISO date-time"),
        ({"occurred_at": "2024-11-11T20:05:00+08:00", "location": 3, "description": "y", "status": "z"}, "a string"),
        ({"occurred_at": "2024-11-11T20:05:00+08:00", "location": "x"}, "missing field 'description'"),
    ],
)
def test_misshapen_data_is_refused_with_where(data, complaint):
    with pytest.raises(WireFormatError, match=complaint):
        from_wire(LogisticsEvent, data)


def test_optional_and_nested_values():
    assert from_wire(Optional[int], None) is None
    with pytest.raises(WireFormatError, match=r"\$\.warehouses\[0\]\.quantity"):
        from_wire(StockLevel, dict(to_wire(STOCK), warehouses=[dict(to_wire(STOCK.warehouses[0]), quantity="0")]))


def test_a_tuple_travels_as_a_list_and_old_answers_without_new_fields_still_decode():
    wire = to_wire(EXCHANGE)
    assert wire["sku_ids"] == ["P1-01"]

    older = {name: value for name, value in wire.items() if name not in ("sku_ids", "condition", "new_sku_id")}
    assert from_wire(ReturnRequest, older).sku_ids == ()
