from decimal import Decimal

import pytest

from kefu.storage.money import as_decimal, plain, to_fen, yuan, zhe


@pytest.mark.parametrize("amount, fen", [("0.005", "0.01"), ("0.004", "0.00"), ("32.775", "32.78"), ("-0.005", "-0.01"), (2, "2.00")])
def test_rounding_is_half_up_to_the_fen(amount, fen):
    assert to_fen(amount) == Decimal(fen)


def test_floats_keep_their_written_value():
    assert as_decimal(0.1) == Decimal("0.1")
    with pytest.raises(ValueError):
        as_decimal("三十")
    with pytest.raises(TypeError):
        as_decimal(True)


def test_how_amounts_are_written():
    assert yuan(Decimal("598")) == "598.00"
    assert [plain(x) for x in (Decimal("300"), Decimal("29.90"), Decimal("0.50"), Decimal("0"))] == ["300", "29.9", "0.5", "0"]
    assert [zhe(x) for x in (Decimal("0.8"), Decimal("0.85"), Decimal("0.75"), Decimal("0.6667"))] == ["8", "8.5", "7.5", "6.7"]
