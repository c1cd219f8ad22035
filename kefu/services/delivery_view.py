"""Turns delivery estimates and postage quotes into reply templates and values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Dict, Optional

from kefu.backends.orders import DeliveryEstimate, ShippingQuote


def _day(value: date, today: date) -> str:
    offset = (value - today).days
    names = {0: "今天", 1: "明天", 2: "后天"}
    return names.get(offset, f"{value.month}月{value.day}日")


def _money(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def delivery_reply(estimate: DeliveryEstimate) -> Dict[str, str]:
    today = estimate.quoted_at.date()
    if estimate.ships_today:
        ships = f"今天{estimate.cutoff_hour}点前付款当天发货"
    else:
        ships = f"现在付款{_day(estimate.ships_on, today)}发货"
    if estimate.arrives_earliest == estimate.arrives_latest:
        arrives = _day(estimate.arrives_earliest, today)
    else:
        arrives = f"{_day(estimate.arrives_earliest, today)}到{_day(estimate.arrives_latest, today)}"
    days = (
        str(estimate.days_min)
        if estimate.days_min == estimate.days_max
        else f"{estimate.days_min}-{estimate.days_max}"
    )
    return {
        "template": "delivery_estimate",
        "destination": estimate.destination,
        "warehouse": estimate.warehouse_name,
        "carrier": estimate.carrier,
        "ships": ships,
        "arrives": arrives,
        "days": days,
    }


def shipping_reply(quote: ShippingQuote) -> Dict[str, str]:
    if quote.is_free:
        return {"template": "shipping_fee_free", "province": quote.province}
    if quote.free_shipping_threshold is None:
        return {"template": "shipping_fee_never_free", "province": quote.province, "fee": _money(quote.fee)}
    short: Optional[Decimal] = quote.amount_short_of_free_shipping
    short_text = f"您现在还差{_money(short)}元～" if short and quote.goods_amount > 0 else ""
    return {
        "template": "shipping_fee_below_threshold",
        "province": quote.province,
        "fee": _money(quote.fee),
        "threshold": _money(quote.free_shipping_threshold),
        "short_text": short_text,
    }
