"""The one write each after-sales task makes, recorded by a fake shop."""

from dataclasses import replace

import pytest

from kefu.backends.after_sales import AfterSalesRejected
from kefu.services import after_sales as tasks
from kefu.services.after_sales_changes import AfterSalesChanges, new_recipient
from kefu.services.return_policy import catalogue_exclusions
from tests.services.test_after_sales import NOW, TWO_ITEMS, order


class RecordingShop:
    """An after-sales backend that records the one write it is asked for."""

    def __init__(self, answer=None):
        self.calls = []
        self.answer = answer

    def __getattr__(self, method):
        def write(*arguments):
            self.calls.append((method, arguments))
            return self.answer

        return write


class Catalogue:
    """Products excluded from no-reason returns: {product_id: why}."""

    def __init__(self, excluded=None):
        self.excluded = excluded or {}

    def get_product(self, product_id):
        why = self.excluded.get(product_id)
        return type("Product", (), {"attribute": lambda self, key: why})()


def carried_out(task, answers, the_order=None, excluded=None, answer=None, photo_ids=()):
    shop = RecordingShop(answer)
    change = AfterSalesChanges(shop, Catalogue(excluded)).carry_out(task, the_order or order(), answers, NOW,
                                                                    photo_ids)
    return shop.calls, change


def test_a_return_asks_for_the_chosen_returnable_items_with_reason_and_condition():
    calls, _ = carried_out(tasks.RETURN, {"return_items": "P4001-02,P4010-01", "return_reason": "尺码不合适",
                                          "item_condition": "opened"},
                           order(items=TWO_ITEMS), excluded={"P4010": "拆封后不支持七天无理由退货"})
    assert calls == [("request_return", ("2024111100001", ["P4001-02"], "尺码不合适", "opened"))]


def test_a_return_without_reason_or_condition_records_the_usual_ones():
    calls, _ = carried_out(tasks.RETURN, {})
    assert calls == [("request_return", ("2024111100001", ["P1001-01"], "七天无理由", "unopened"))]


def test_a_return_of_nothing_returnable_is_refused_before_asking_the_shop():
    with pytest.raises(AfterSalesRejected) as refused:
        carried_out(tasks.RETURN, {}, excluded={"P1001": "贴身衣物不支持七天无理由退货"})
    assert refused.value.code == "item_not_in_order"


def test_an_exchange_asks_for_the_new_sku():
    calls, _ = carried_out(tasks.EXCHANGE, {"exchange_sku_id": "P1001-02", "exchange_variant": "黑色/L"})
    assert calls == [("request_exchange", ("2024111100001", "P1001-01", "P1001-02", "换成黑色/L"))]


def test_a_cancellation_keeps_the_status_the_shop_gives_the_order():
    calls, change = carried_out(tasks.CANCEL, {}, order("paid"), answer=order("cancelled"))
    assert calls == [("cancel_order", ("2024111100001", "顾客在客服对话中取消"))]
    assert change.order_status == "cancelled"


def test_a_new_address_keeps_the_recipient_unless_the_shopper_names_another():
    calls, _ = carried_out(tasks.CHANGE_ADDRESS, {"new_address": "上海市浦东新区世纪大道100号"}, order("paid"))
    method, (order_id, recipient) = calls[0]
    assert (method, order_id) == ("change_address", "2024111100001")
    assert (recipient.name, recipient.phone, recipient.city) == ("张三", "13800000001", "上海")
    named = new_recipient(order("paid"), "浙江省杭州市西湖区文三路100号 王五 13700001111")
    assert (named.name, named.phone, named.address) == ("王五", "13700001111", "西湖区文三路100号")


def test_a_problem_report_names_the_one_item_or_the_whole_order():
    calls, change = carried_out(tasks.PROBLEM, {"problem_kind": "damaged", "problem_resolution": "reship"})
    assert calls == [("report_problem", ("2024111100001", "P1001-01", "damaged", "商品破损", "reship", ()))]
    assert change.order_status == "delivered"  # a report leaves the order's status as it was
    calls, _ = carried_out(tasks.PROBLEM, {"problem_kind": "quality", "problem_description": "开线了"},
                           order(items=TWO_ITEMS))
    assert calls == [("report_problem", ("2024111100001", None, "quality", "开线了", "agent", ()))]


def test_the_shoppers_photos_go_with_a_problem_report_and_nothing_else():
    calls, _ = carried_out(tasks.PROBLEM, {"problem_kind": "damaged"}, photo_ids=("a1", "b2"))
    assert calls[0][1][-1] == ("a1", "b2")
    calls, _ = carried_out(tasks.RETURN, {}, photo_ids=("a1",))
    assert calls == [("request_return", ("2024111100001", ["P1001-01"], "七天无理由", "unopened"))]


def test_an_unknown_task_is_refused():
    with pytest.raises(AfterSalesRejected) as refused:
        carried_out("repaint", {})
    assert refused.value.code == "invalid_request"


def test_a_change_that_returns_an_order_without_status_keeps_the_old_one():
    _, change = carried_out(tasks.CANCEL, {}, order("paid"), answer=replace(order("paid"), status=""))
    assert change.order_status == "paid"


def test_the_catalogue_says_which_products_are_excluded_from_no_reason_returns():
    exclusion_of = catalogue_exclusions(Catalogue({"P4010": "拆封后不支持七天无理由退货"}))
    assert exclusion_of("P4010") == "拆封后不支持七天无理由退货"
    assert exclusion_of("P4001") is None
