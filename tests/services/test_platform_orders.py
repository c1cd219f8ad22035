"""kefu/services/platform_orders.py: which marketplace order number a buyer's message gives, from what the
platform bridge read (metadata ``platform.order_ids``) and what the NLU found."""

import pytest

from kefu.services.platform_orders import (
    PlatformOrderNumber,
    order_number_pattern,
    platform_order_number,
    platform_order_number_in,
)

PDD = "241111-123456789012345"


def bridged(platform, *numbers):
    return {"channel": platform, "platform": {"name": platform, "buyer_id": "b", "order_ids": list(numbers)}}


def test_the_nlu_found_none_the_first_platform_number_is_meant():
    assert platform_order_number(bridged("jd", "290811234567", "290811234568"), None) == PlatformOrderNumber(
        "jd", "290811234567")


def test_the_nlus_part_of_a_platform_number_means_the_whole_of_it():
    assert platform_order_number(bridged("pdd", PDD), "123456789012345") == PlatformOrderNumber("pdd", PDD)


def test_the_nlus_number_when_it_is_the_platforms():
    number = "3712345678901234567"
    assert platform_order_number(bridged("taobao", number), number) == PlatformOrderNumber("taobao", number)


def test_the_nlus_number_that_no_platform_number_holds_is_the_shops_own():
    assert platform_order_number(bridged("pdd", PDD), "2024111100001") is None


@pytest.mark.parametrize("metadata", [
    {},
    {"channel": "web"},
    bridged("pdd"),
    {"platform": "pdd"},
    {"platform": {"name": "", "order_ids": [PDD]}},
    {"platform": {"name": "pdd", "order_ids": PDD}},
    {"platform": {"name": "pdd", "order_ids": [12345678901234, None, "9" * 65]}},
], ids=["nothing", "web", "no-numbers", "not-a-dict", "no-name", "not-a-list", "no-sane-number"])
def test_a_message_without_a_usable_platform_number_gives_none(metadata):
    assert platform_order_number(metadata, None) is None


@pytest.mark.parametrize("value", [PDD, " 290811234567 ", "3712345678901234567", "2024111100001"])
def test_whole_platform_numbers_are_order_numbers(value):
    assert platform_order_number_in(value) == value.strip()


@pytest.mark.parametrize("value", ["241311-123456789012345", "241111-12345", "29081123456", "订单290811234567",
                                   "13800000001", "", None])
def test_other_values_are_not(value):
    assert platform_order_number_in(value) is None


def test_each_platform_has_its_shape_and_a_new_one_the_generic_digits():
    assert order_number_pattern("pdd").fullmatch(PDD) and not order_number_pattern("jd").fullmatch(PDD)
    assert order_number_pattern("jd").fullmatch("290811234567")
    assert not order_number_pattern("douyin").fullmatch("290811234567")
    assert order_number_pattern("kuaishou").fullmatch("290811234567")
