"""Turns delivery estimates and postage quotes into reply templates and values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Dict, Optional

from kefu.backends.orders import DeliveryEstimate, ShippingQuote
from kefu.storage.phrases import Phrase

# Days from today -> the phrase that names the day.
_NEAR_DAYS = {0: "day_today", 1: "day_tomorrow", 2: "day_after_tomorrow"}


def _day(value: date, today: date) -> str:
    near = _NEAR_DAYS.get((value - today).days)
    return Phrase(near) if near else Phrase("month_day", month=value.month, day=value.day)


def _money(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def delivery_reply(estimate: DeliveryEstimate) -> Dict[str, str]:
    today = estimate.quoted_at.date()
    if estimate.ships_today:
        ships = Phrase("delivery_ships_today", hour=estimate.cutoff_hour)
    else:
        ships = Phrase("delivery_ships_on", day=_day(estimate.ships_on, today))
    if estimate.arrives_earliest == estimate.arrives_latest:
        arrives = _day(estimate.arrives_earliest, today)
    else:
        arrives = Phrase(
            "delivery_arrives_between",
            earliest=_day(estimate.arrives_earliest, today),
            latest=_day(estimate.arrives_latest, today),
        )
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
    short_text = Phrase("shipping_fee_short", amount=_money(short)) if short and quote.goods_amount > 0 else ""
    return {
        "template": "shipping_fee_below_threshold",
        "province": quote.province,
        "fee": _money(quote.fee),
        "threshold": _money(quote.free_shipping_threshold),
        "short_text": short_text,
    }
