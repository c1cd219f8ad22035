import pytest

from kefu.nlu.entity_shapes import has_order_id_shape


@pytest.mark.parametrize("value", ["2024111100001", "2024111100001234567", "2024-1111-00001", 2024111100001])
def test_13_to_19_digits_are_an_order_number(value):
    assert has_order_id_shape(value)


@pytest.mark.parametrize("value", [None, "", "3", "13800000001", "202411110000", "20241111000012345678", "P1001", "订单2024111100001"])
def test_anything_else_is_not(value):
    assert not has_order_id_shape(value)
