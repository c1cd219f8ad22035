"""Money as the shop counts it: Decimal yuan, rounded half up (四舍五入) to the
fen after each step of a calculation, through ``to_fen``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Union

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

MoneyLike = Union[Decimal, int, str, float]


def to_fen(amount: MoneyLike) -> Decimal:
    return as_decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def as_decimal(value: MoneyLike) -> Decimal:
    """A Decimal from an int, a numeric string, a Decimal or a float.

    A float goes through its shortest repr, so 0.1 becomes Decimal("0.1") and
    not the binary approximation.
    """
    if isinstance(value, bool):
        raise TypeError("a truth value is not an amount")
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"not a number: {value!r}") from error
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def is_in_fen(amount: Decimal) -> bool:
    return amount == amount.quantize(FEN)


def yuan(amount: MoneyLike) -> str:
    """598.00 — how an amount of money is shown."""
    return f"{to_fen(amount):.2f}"


def plain(number: MoneyLike) -> str:
    """300, 29.9, 0.5 — a number without trailing zeros (满300减50, 身高170)."""
    text = format(as_decimal(number).normalize(), "f")
    return "0" if text in ("-0", "") else text


def zhe(rate: MoneyLike) -> str:
    """The 折 figure of a price rate: 0.8 -> "8", 0.85 -> "8.5" (打8.5折)."""
    return plain((as_decimal(rate) * 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
