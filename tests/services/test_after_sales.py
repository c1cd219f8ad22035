from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from kefu.backends.orders import Order, OrderItem, Recipient, ReturnRequest
from kefu.replies import render, using_persona
from kefu.replies.persona import Persona
from kefu.services import after_sales as tasks
from kefu.services.return_policy import ReturnRoute, return_route
from kefu.storage.clock import SHOP_TZ

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=SHOP_TZ)


def item(sku_id, name, color=None, size=None, product_id="P1001"):
    return OrderItem(sku_id, product_id, name, color, size, Decimal("59"), 1)


def order(status="delivered", items=None, delivered_days_ago=2, returns=()):
    delivered = NOW - timedelta(days=delivered_days_ago) if status in ("delivered", "return_requested") else None
    return Order(
        order_id="2024111100001", customer_id="C0001", status=status, channel="taobao",
        recipient=Recipient("张三", "13800000001", "浙江", "杭州", "西湖区文三路1号"),
        items=list(items or [item("P1001-01", "男士纯棉圆领短袖T恤", "白色", "L")]),
        goods_amount=Decimal("59"), shipping_fee=Decimal("0"), discount=Decimal("0"), paid_amount=Decimal("59"),
        payment_method="支付宝", created_at=NOW - timedelta(days=6), paid_at=NOW - timedelta(days=6),
        shipped_at=NOW - timedelta(days=5), delivered_at=delivered, cancelled_at=None, returns=list(returns),
    )


@pytest.mark.parametrize(
    "text, slots",
    [
        ("不对，是另一个订单", ("order_id", *tasks.ORDER_DEPENDENT_SLOTS)),
        ("不是这个单号", ("order_id", *tasks.ORDER_DEPENDENT_SLOTS)),
        ("不对，是另一件", ("return_items", "after_sales_confirmed")),
        ("不对，地址写错了", ("new_address", "after_sales_confirmed")),
        ("说错了 颜色要黑色", ("exchange_variant", "exchange_sku_id", "after_sales_confirmed")),
        ("尺码说错了", ("exchange_variant", "exchange_sku_id", "after_sales_confirmed")),
        ("好的", ()),
        ("算了不退了", ()),
    ],
)
def test_a_correction_takes_back_what_it_names(text, slots):
    assert tasks.corrected_slots(text) == slots


@pytest.mark.parametrize(
    "text, intent, requested, abandoning",
    [
        ("算了不退了", "deny", "return_reason", True),
        ("算了不换了", "ask_exchange", "exchange_variant", True),
        ("不用了", "deny", "order_id", True),
        ("先这样吧 不弄了", "inform", "problem_description", True),
        ("不喜欢", "deny", "return_reason", False),  # a reason, not giving up
        ("没拆封", "deny", "item_condition", False),
        ("不对，是另一个订单", "deny", "return_reason", False),  # a correction
        ("尺码不合适", "ask_size_advice", "return_reason", False),
        ("不要", "deny", "after_sales_confirmed", True),
    ],
)
def test_giving_up_is_told_apart_from_answers_and_corrections(text, intent, requested, abandoning):
    assert tasks.is_abandoning(text, intent, requested) is abandoning


@pytest.mark.parametrize(
    "text, kind",
    [("收到商品破损了", "damaged"), ("屏幕碎了", "damaged"), ("发错货了 我要的白色", "wrong_item"),
     ("少发了一件", "missing_item"), ("有质量问题 开线了", "quality"), ("耳机左边没反应", "quality"),
     ("damaged", "damaged"), ("你好", None)],
)
def test_problem_kinds_from_the_shoppers_words(text, kind):
    assert tasks.problem_kind_in(text) == kind


@pytest.mark.parametrize(
    "text, resolution",
    [("给我补发一个", "reship"), ("换个新的吧", "reship"), ("我要退款", "refund"), ("直接退钱", "refund"),
     ("人工处理", "agent"), ("refund", "refund"), ("随便", None)],
)
def test_resolutions_from_the_shoppers_words(text, resolution):
    assert tasks.resolution_in(text) == resolution


@pytest.mark.parametrize(
    "text, condition",
    [("全新没拆封", "unopened"), ("吊牌还在", "unopened"), ("拆封了没用过", "opened"), ("已经穿过一次", "used"), ("嗯", None)],
)
def test_item_condition(text, condition):
    assert tasks.item_condition_in(text) == condition


def test_every_task_kind_and_condition_has_its_words():
    assert {task: tasks.task_label(task) for task in tasks.TASK_SLOTS} == {
        "return": "退货申请", "exchange": "换货申请", "cancel": "取消订单", "change_address": "修改地址",
        "problem": "问题反馈", "refund_status": "退款查询",
    }
    assert tasks.task_label(None) == tasks.task_label("unknown") == "这次的申请"
    assert {kind: tasks.problem_kind_label(kind) for kind in tasks.PROBLEM_KIND_CODES} == {
        "damaged": "商品破损", "wrong_item": "发错货", "missing_item": "少发漏发", "quality": "质量问题",
    }
    assert {condition: tasks.item_condition_label(condition) for condition in tasks.ITEM_CONDITION_CODES} == {
        "unopened": "全新未拆封", "opened": "已拆封未使用", "used": "已使用",
    }
    assert tasks.problem_kind_label("other") is None and tasks.item_condition_label(None) is None


def test_the_words_follow_the_persona():
    with using_persona(Persona(style="formal", overrides={"task_return": ("退货",)})):
        assert render("after_sales_abandoned", chooser=lambda variations: variations[0],
                      task=tasks.task_label(tasks.RETURN))["text"] == "好的，退货先不办了，有需要随时叫小蜜蜂。"


def test_return_reason_is_a_usual_one_or_the_shoppers_own_words():
    assert tasks.return_reason_in("尺码太小了") == "尺码不合适"
    assert tasks.return_reason_in("不喜欢") == "不喜欢/不想要了"
    assert tasks.return_reason_in("老婆说颜色太艳") == "老婆说颜色太艳"
    assert tasks.return_reason_in("   ") is None


TWO_ITEMS = [item("P4001-02", "麦饭石色不粘炒锅", "灰色", "28cm", "P4001"), item("P4010-01", "食品级硅胶厨具五件套", "灰色", None, "P4010")]


@pytest.mark.parametrize(
    "text, multiple, chosen",
    [("第二个", False, ["P4010-01"]), ("最后一个", False, ["P4010-01"]), ("锅", False, []),
     ("炒锅那个", False, ["P4001-02"]), ("都退", True, ["P4001-02", "P4010-01"]), ("P4001-02", False, ["P4001-02"]),
     ("随便", False, [])],
)
def test_which_item_of_the_order(text, multiple, chosen):
    assert [i.sku_id for i in tasks.items_meant(text, TWO_ITEMS, multiple)] == chosen


def test_an_order_with_one_item_needs_no_item_question():
    assert "return_items" not in tasks.required_task_slots(tasks.RETURN, order())
    assert tasks.required_task_slots(tasks.RETURN, order(items=TWO_ITEMS))[0] == "return_items"
    assert tasks.required_task_slots(tasks.REFUND_STATUS, order()) == []


def no_exclusions(product_id):
    return None


@pytest.mark.parametrize(
    "status, days, route",
    [("delivered", 2, "no_reason_return"), ("delivered", 20, "window_closed"), ("in_transit", 0, "intercept"),
     ("shipped", 0, "intercept"), ("paid", 0, "cancel_instead"), ("unpaid", 0, "cancel_instead"),
     ("cancelled", 0, "not_returnable"), ("return_requested", 2, "already_requested")],
)
def test_the_return_route_follows_the_order_state(status, days, route):
    assert return_route(order(status, delivered_days_ago=days), NOW, no_exclusions).route == route


def test_an_open_request_means_already_requested():
    open_request = ReturnRequest("R1", "return", "尺码不合适", "requested", NOW, NOW)
    assert return_route(order(returns=[open_request]), NOW, no_exclusions).route == "already_requested"


def test_excluded_products_are_named_and_kept_out_of_the_return():
    route = return_route(order(items=TWO_ITEMS), NOW, lambda pid: "拆封后不支持七天无理由退货" if pid == "P4010" else None)
    assert [i.sku_id for i in route.returnable_items] == ["P4001-02"]
    assert route.excluded_items[0][1] == "拆封后不支持七天无理由退货"
    assert route.can_request_return


@pytest.mark.parametrize(
    "task, status, blocker",
    [(tasks.CANCEL, "paid", None), (tasks.CANCEL, "in_transit", "cancel_after_shipping"),
     (tasks.CANCEL, "delivered", "cancel_not_possible"), (tasks.CHANGE_ADDRESS, "unpaid", None),
     (tasks.CHANGE_ADDRESS, "shipped", "address_after_shipping"), (tasks.RETURN, "delivered", None),
     (tasks.RETURN, "in_transit", "return_route_intercept"), (tasks.EXCHANGE, "paid", "return_route_cancel_instead"),
     (tasks.PROBLEM, "paid", "problem_not_shipped"), (tasks.PROBLEM, "in_transit", None),
     (tasks.REFUND_STATUS, "paid", None)],
)
def test_what_each_task_needs_from_the_order_state(task, status, blocker):
    the_order = order(status)
    route = return_route(the_order, NOW, no_exclusions)
    assert tasks.order_blocker(task, the_order, NOW, route) == blocker


def test_a_return_of_only_excluded_items_is_blocked():
    the_order = order()
    route = return_route(the_order, NOW, lambda pid: "贴身衣物不支持七天无理由退货")
    assert tasks.order_blocker(tasks.RETURN, the_order, NOW, route) == "return_all_items_excluded"
