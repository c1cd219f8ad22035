"""The after-sales tasks (docs/after_sales.md): which task an intent asks for, what the form asks for
each, how shoppers' own words ("屏幕碎了", "给我补发一个", "吊牌还在没穿过") answer its questions, and
whether the task can go ahead for an order."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from kefu import names
from kefu.backends.orders import Order, OrderItem
from kefu.services import return_policy
from kefu.services.references import ordinal_in
from kefu.storage.phrases import Phrase

RETURN, EXCHANGE, CANCEL, CHANGE_ADDRESS, PROBLEM, REFUND_STATUS = (
    "return", "exchange", "cancel", "change_address", "problem", "refund_status",
)

TASK_OF_INTENT = {
    names.ASK_RETURN_INTENT: RETURN,
    names.ASK_EXCHANGE_INTENT: EXCHANGE,
    names.CANCEL_ORDER_INTENT: CANCEL,
    names.CHANGE_ADDRESS_INTENT: CHANGE_ADDRESS,
    names.REPORT_PROBLEM_INTENT: PROBLEM,
    names.ASK_REFUND_STATUS_INTENT: REFUND_STATUS,
}
# After explaining a return route, the task the assistant offers to carry out.
OFFER_AFTER_ROUTE = {
    return_policy.NO_REASON_RETURN: RETURN,
    return_policy.CANCEL_INSTEAD: CANCEL,
    return_policy.WINDOW_CLOSED: PROBLEM,
}

# What the form asks for each task, after the order (and proof of identity).
# "items" is asked only when the order holds more than one item.
TASK_SLOTS: Dict[str, Tuple[str, ...]] = {
    RETURN: (
        names.RETURN_ITEMS_SLOT, names.RETURN_REASON_SLOT, names.ITEM_CONDITION_SLOT, names.AFTER_SALES_CONFIRMED_SLOT,
    ),
    EXCHANGE: (names.RETURN_ITEMS_SLOT, names.EXCHANGE_VARIANT_SLOT, names.AFTER_SALES_CONFIRMED_SLOT),
    CANCEL: (names.AFTER_SALES_CONFIRMED_SLOT,),
    CHANGE_ADDRESS: (names.NEW_ADDRESS_SLOT, names.AFTER_SALES_CONFIRMED_SLOT),
    PROBLEM: (
        names.RETURN_ITEMS_SLOT, names.PROBLEM_KIND_SLOT, names.PROBLEM_DESCRIPTION_SLOT, names.PROBLEM_RESOLUTION_SLOT,
    ),
    REFUND_STATUS: (),
}
# Every slot that belongs to one run of the form: cleared when a task starts or ends.
RUN_SLOTS = tuple(sorted({slot for slots in TASK_SLOTS.values() for slot in slots})) + (
    names.EXCHANGE_SKU_ID_SLOT,
    names.AFTER_SALES_BLOCKED_SLOT,
    names.AFTER_SALES_CANCELLED_SLOT,
)
# Slots that depend on which order is meant: cleared when the shopper changes the order.
ORDER_DEPENDENT_SLOTS = tuple(s for s in RUN_SLOTS if s != names.AFTER_SALES_CANCELLED_SLOT)

# --- the shopper gives up or corrects themself --------------------------------------
_ABANDON = re.compile(r"算了|不退了|不换了|不改了|不取消了|不申请了|不办了|不弄了|不用了|先这样吧|不用麻烦")
# Questions a "no" can answer ("不喜欢", "没拆封"): there a deny is an answer, not giving up.
_ANSWERED_BY_A_NO = (
    names.RETURN_REASON_SLOT, names.PROBLEM_DESCRIPTION_SLOT, names.ITEM_CONDITION_SLOT,
    names.PROBLEM_RESOLUTION_SLOT, names.PROBLEM_KIND_SLOT,
)
_CORRECTION_TARGETS: Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...] = (
    (("订单", "单号", "另一单", "另一个单", "别的单", "那一单"), (names.ORDER_ID_SLOT, *ORDER_DEPENDENT_SLOTS)),
    (("地址",), (names.NEW_ADDRESS_SLOT, names.AFTER_SALES_CONFIRMED_SLOT)),
    (("颜色", "尺码", "码数", "大小", "规格", "码"),
     (names.EXCHANGE_VARIANT_SLOT, names.EXCHANGE_SKU_ID_SLOT, names.AFTER_SALES_CONFIRMED_SLOT)),
    (("原因",), (names.RETURN_REASON_SLOT, names.AFTER_SALES_CONFIRMED_SLOT)),
    (("那件", "那个商品", "另一件", "件"), (names.RETURN_ITEMS_SLOT, names.AFTER_SALES_CONFIRMED_SLOT)),
)
_CORRECTION_CUES = ("不对", "不是", "错了", "搞错", "弄错", "说错", "另一个", "换一个", "换个", "改一下", "重新")


def corrected_slots(text: Optional[str]) -> Tuple[str, ...]:
    """The slots a correction ("不对，是另一个订单") takes back; () when it is none."""
    text = text or ""
    if not any(cue in text for cue in _CORRECTION_CUES):
        return ()
    for words, slots in _CORRECTION_TARGETS:
        if any(word in text for word in words):
            return slots
    return ()


def is_abandoning(text: Optional[str], intent: Optional[str], requested_slot: Optional[str] = None) -> bool:
    """The shopper drops the task ("算了不退了", "不用了"), rather than answering or correcting."""
    if corrected_slots(text):
        return False
    if _ABANDON.search(text or ""):
        return True
    return intent == names.DENY_INTENT and requested_slot not in _ANSWERED_BY_A_NO


# --- reading answers ---------------------------------------------------------------
PROBLEM_KINDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("wrong_item", ("发错", "错发", "不是我买的", "颜色不对", "尺码不对", "型号不对", "货不对", "不一样")),
    ("missing_item", ("少发", "漏发", "少了", "缺了", "没收到", "只有一件", "少一件", "空包", "少件")),
    ("damaged", ("坏", "碎", "破", "裂", "压扁", "变形", "摔", "烂", "漏液", "划痕", "划花")),
    ("quality", ("质量", "开线", "起球", "掉色", "褪色", "异味", "不响", "失灵", "用不了", "没反应", "杂音", "脱胶", "瑕疵")),
)
PROBLEM_KIND_CODES = frozenset(code for code, _ in PROBLEM_KINDS)

RESOLUTIONS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("agent", ("人工", "客服", "真人", "投诉")),
    ("refund", ("退款", "退钱", "退货", "不要了", "退了")),
    ("reship", ("补发", "重发", "换新", "再发", "换一个", "换个新", "发一个")),
)
RESOLUTION_CODES = frozenset(code for code, _ in RESOLUTIONS)

# First match wins: "全新没拆封" is unopened although it says 拆封, "拆封了没用过"
# is opened although it says 用过, and "没穿过" is not "穿过".
ITEM_CONDITIONS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("unopened", ("没拆", "未拆", "没开封", "未开封", "全新", "包装完好")),
    ("opened", ("拆封", "拆开", "打开", "拆了", "试了", "试穿", "开封")),
    ("unopened", ("没用", "没穿", "未使用", "没洗", "没动", "吊牌在", "吊牌还在")),
    ("used", ("用过", "穿过", "洗过", "使用过", "已使用", "戴过", "用了")),
)
ITEM_CONDITION_CODES = frozenset(code for code, _ in ITEM_CONDITIONS)

RETURN_REASONS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("尺码不合适", ("尺码", "码", "大了", "小了", "偏大", "偏小", "不合身", "太紧", "太松")),
    ("质量问题", ("质量", "坏", "破", "开线", "起球", "瑕疵", "掉色")),
    ("发错货", ("发错", "不是我买的", "货不对")),
    ("与描述不符", ("不符", "色差", "不一样", "图片")),
    ("不喜欢/不想要了", ("不喜欢", "不想要", "不要了", "不合适", "买多了", "拍错", "后悔", "没用", "用不上", "不需要")),
)


def _classify(text: Optional[str], table) -> Optional[str]:
    text = text or ""
    for value, words in table:
        if any(word in text for word in words):
            return value
    return None


def _read(text: Optional[str], codes: FrozenSet[str], table) -> Optional[str]:
    """A code typed or sent by a button as it is, else what the shopper's words say."""
    code = text.strip() if text else ""
    return code if code in codes else _classify(text, table)


def problem_kind_in(text: Optional[str]) -> Optional[str]:
    return _read(text, PROBLEM_KIND_CODES, PROBLEM_KINDS)


def resolution_in(text: Optional[str]) -> Optional[str]:
    return _read(text, RESOLUTION_CODES, RESOLUTIONS)


def item_condition_in(text: Optional[str]) -> Optional[str]:
    return _read(text, ITEM_CONDITION_CODES, ITEM_CONDITIONS)


# --- what the shopper calls them (phrases of data/responses/after_sales.yml) ---------
def task_label(task: Optional[str]) -> Phrase:
    """"退货申请" for a return …; "这次的申请" when the task is not known."""
    return Phrase(f"task_{task}") if task in TASK_SLOTS else Phrase("task_unnamed")


def problem_kind_label(kind: Optional[str]) -> Optional[Phrase]:
    """"商品破损" for damaged …; None for a code that is not a problem kind."""
    return Phrase(f"problem_kind_{kind}") if kind in PROBLEM_KIND_CODES else None


def item_condition_label(condition: Optional[str]) -> Optional[Phrase]:
    """"全新未拆封" for unopened …; None for a code that is not a condition."""
    return Phrase(f"item_condition_{condition}") if condition in ITEM_CONDITION_CODES else None


def return_reason_in(text: Optional[str]) -> Optional[str]:
    """A reason for the record: one of the usual ones, else the shopper's own words."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    return _classify(cleaned, RETURN_REASONS) or cleaned[:50]


# --- which item of the order -------------------------------------------------------
_ALL_ITEMS = ("都", "全部", "所有", "一起", "两件", "整单")

def items_meant(text: Optional[str], items: Sequence[OrderItem], multiple: bool) -> List[OrderItem]:
    """The order's items a shopper picked: by position, by name, colour or size, or all of them."""
    text = (text or "").strip()
    if not items:
        return []
    if len(items) == 1:
        return list(items)
    skus = {item.sku_id for item in items}
    if text in skus:
        return [item for item in items if item.sku_id == text]
    if multiple and any(word in text for word in _ALL_ITEMS):
        return list(items)
    position = ordinal_in(text)
    if position is not None and -len(items) <= position < len(items):
        return [items[position]]
    named = [item for item in items if item_named(text, item)]
    return named if multiple else named[:1] if len(named) == 1 else []


def item_named(text: Optional[str], item: OrderItem) -> bool:
    """Whether the shopper's words name this item ("那个耳机", its colour or size)."""
    text = text or ""
    return item.product_name in text or any(part in text for part in _name_parts(item))


def chosen_items(order: Optional[Order], return_items: Optional[str]) -> List[OrderItem]:
    """The items the shopper picked (the return_items slot holds their SKUs), or all of the order's."""
    if order is None:
        return []
    chosen = {sku for sku in (return_items or "").split(",") if sku}
    return [item for item in order.items if not chosen or item.sku_id in chosen]


def _name_parts(item: OrderItem) -> List[str]:
    # "声悦 Pro 主动降噪蓝牙耳机" is "耳机" or "降噪耳机" to the shopper; colour and size tell SKUs apart.
    parts = [item.color, item.size] if item.color or item.size else []
    words = re.findall(r"[\u4e00-\u9fff]{2,}", item.product_name)
    parts += [word[-2:] for word in words] + words
    return [p for p in parts if p and len(p) >= 2]


# --- whether the task can be done for this order ------------------------------------
def order_blocker(task: str, order: Order, now: datetime, route: return_policy.ReturnRoute) -> Optional[str]:
    """The reply template that explains why this task cannot go ahead for this order; None if it can."""
    if task == CANCEL:
        if order.can_cancel:
            return None
        if order.status in ("shipped", "in_transit"):
            return "cancel_after_shipping"
        return "cancel_not_possible"
    if task == CHANGE_ADDRESS:
        if order.can_change_address:
            return None
        if order.status in ("shipped", "in_transit"):
            return "address_after_shipping"
        return "address_not_possible"
    if task in (RETURN, EXCHANGE):
        if route.can_request_return:
            return None
        if route.route == return_policy.NO_REASON_RETURN:
            return "return_all_items_excluded"
        return f"return_route_{route.route}"
    if task == PROBLEM:
        if order.status in ("shipped", "in_transit", "delivered", "return_requested"):
            return None
        return "problem_not_shipped"
    return None


def required_task_slots(task: Optional[str], order: Optional[Order]) -> List[str]:
    """The task's questions; which item is asked only when the order has several."""
    slots = list(TASK_SLOTS.get(task or "", ()))
    if order is not None and len(order.items) <= 1:
        slots = [s for s in slots if s != names.RETURN_ITEMS_SLOT]
    return slots
