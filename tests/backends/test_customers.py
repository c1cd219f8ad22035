"""CustomerBackend, one test body for every implementation (see conftest.py)."""

from __future__ import annotations

import pytest


def test_get_customer_has_level_and_tags(shop):
    zhang = shop.backends.customers.get_customer("C0001")

    assert (zhang.name, zhang.phone, zhang.member_level) == ("张三", "13800000001", "gold")
    assert zhang.is_high_value and zhang.member_level_label == "金卡会员"
    assert "高价值客户" in zhang.tags
    assert zhang.phone_last4 == "0001"
    assert zhang.registered_at < shop.seeded_at


def test_get_customer_of_the_regular_customer(shop):
    li = shop.backends.customers.get_customer("C0002")

    assert (li.name, li.phone, li.member_level) == ("李四", "13900000002", "regular")
    assert not li.is_high_value and li.member_level_label == "普通会员"


def test_get_customer_of_unknown_customer_is_none(shop):
    assert shop.backends.customers.get_customer("C9999") is None


@pytest.mark.parametrize("phone", ["13900000002", "139 0000 0002", "+86 139-0000-0002"])
def test_find_by_phone_ignores_formatting(shop, phone):
    assert shop.backends.customers.find_by_phone(phone).customer_id == "C0002"


def test_find_by_unknown_phone_is_none(shop):
    assert shop.backends.customers.find_by_phone("13000000000") is None


def test_contact_history_is_newest_first_and_limited(shop):
    history = shop.backends.customers.contact_history("C0001")
    latest = shop.backends.customers.contact_history("C0001", limit=1)

    assert len(history) >= 3
    moments = [contact.contacted_at for contact in history]
    assert moments == sorted(moments, reverse=True)
    assert latest == history[:1]
    assert {contact.topic for contact in history} >= {"退货退款", "发票", "物流查询"}
    assert all(contact.summary and contact.handled_by for contact in history)


def test_contact_history_of_unknown_customer_is_none(shop):
    assert shop.backends.customers.contact_history("C9999") is None
