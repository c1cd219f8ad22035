import pytest

from kefu.backends.factory import sql_backends
from kefu.services.order_access import OrderAccess, last_four_digits, order_number_in
from tests.demo_shop.fixtures import seeded_sqlite_shop  # noqa: F401


@pytest.mark.parametrize(
    "typed, digits",
    [("尾号0001", "0001"), ("0001", "0001"), ("13800000001", "0001"), ("手机后四位是 5678 哈", "5678"), ("不知道", None), (None, None),
     # An order number is not a phone tail, even when it ends like the phone (2024111100001 / 138…0001).
     ("2024111100001", None), ("订单2024111100003 尾号0001", "0001"), ("C0001", None), ("12345", None)],
)
def test_last_four_digits_of_whatever_was_typed(typed, digits):
    assert last_four_digits(typed) == digits


@pytest.fixture
def access(seeded_sqlite_shop):
    shop = sql_backends(engine=seeded_sqlite_shop.engine)
    return OrderAccess(shop.orders, shop.customers)


def test_right_phone_tail_proves_the_order(access):
    assert access.verify("2024111100001", "0001") == "C0001"


@pytest.mark.parametrize("order_id, digits", [("2024111100001", "0002"), ("2024111100005", "0001"), ("2099123112345", "0001")])
def test_anything_else_proves_nothing(access, order_id, digits):
    assert access.verify(order_id, digits) is None


def test_an_order_is_only_returned_to_its_customer(access):
    assert access.order_of("C0001", "2024111100001").order_id == "2024111100001"
    assert access.order_of("C0001", "2024111100005") is None
    assert access.order_of("C0002", "2024111100005").customer_id == "C0002"


@pytest.mark.parametrize(
    "typed, order_id",
    [("2024111100001", "2024111100001"), ("订单号 2024 1111 00001", "2024111100001"), ("20241111000012", "20241111000012"),
     ("文三路100号", None), ("202411110000", None), (None, None)],
)
def test_an_order_number_is_13_or_14_digits_whatever_is_around_them(typed, order_id):
    assert order_number_in(typed) == order_id


def test_an_order_number_has_the_shape_the_nlu_extracts_13_to_19_digits():
    from kefu.services.order_access import order_number_in

    assert order_number_in("2024120105432198765") == "2024120105432198765"
    assert order_number_in("2024 1111 00001") == "2024111100001"
    assert order_number_in("202411110000") is None
    assert order_number_in("20241111000012345678") is None
