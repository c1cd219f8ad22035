"""Price protection (价格保护): the difference back when the price drops soon after payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Optional

from kefu.knowledge.promotions.rules import PriceProtection
from kefu.storage.clock import in_shop_time
from kefu.storage.money import ZERO, MoneyLike, as_decimal, is_in_fen, to_fen, yuan
from kefu.storage.phrases import Phrase


@dataclass(frozen=True)
class PriceProtectionAnswer:
    eligible: bool
    refund: Decimal  # for all units; 0 when not eligible
    text: str  # phrases (kefu.storage.phrases), for the reply layer to word
    deadline: Optional[datetime] = None  # the last moment a claim is accepted
    policy: Optional[PriceProtection] = None


def _price(value: MoneyLike, what: str) -> Decimal:
    price = as_decimal(value)
    if price < 0 or not is_in_fen(price):
        raise ValueError(f"{what} is a non-negative amount in fen, not {value!r}")
    return price


def price_protection(
    policy: Optional[PriceProtection],
    order_paid_at: datetime,
    paid_unit_price: MoneyLike,
    current_price: MoneyLike,
    now: datetime,
    quantity: int = 1,
) -> PriceProtectionAnswer:
    """Whether a price drop is refunded under ``policy`` (None: the product is not protected).

    The window is ``days`` × 24 hours from the moment of payment, its end
    included; the refund is the drop per unit times the units, to the fen.
    ``current_price`` is what the product sells for now (after its own
    discounts), which is what a shop compares.
    """
    paid_at, now = in_shop_time(order_paid_at), in_shop_time(now)
    if now < paid_at:
        raise ValueError("'now' is before the payment")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError(f"a quantity is a whole number from 1, not {quantity!r}")
    paid, current = _price(paid_unit_price, "the paid unit price"), _price(current_price, "the current price")
    if policy is None:
        return PriceProtectionAnswer(False, ZERO, Phrase("protection_not_covered"))
    deadline = paid_at + timedelta(days=policy.days)
    values = {
        "days": policy.days,
        "deadline": deadline.strftime("%Y-%m-%d %H:%M"),
        "paid": yuan(paid),
        "current": yuan(current),
    }
    if now > deadline:
        return PriceProtectionAnswer(False, ZERO, Phrase("protection_expired", **values), deadline, policy)
    if current >= paid:
        return PriceProtectionAnswer(False, ZERO, Phrase("protection_no_drop", **values), deadline, policy)
    refund = to_fen((paid - current) * quantity)
    text = Phrase("protection_refund", difference=yuan(paid - current), quantity=quantity, refund=yuan(refund), **values)
    return PriceProtectionAnswer(True, refund, text, deadline, policy)
