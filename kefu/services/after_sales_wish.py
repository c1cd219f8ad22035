"""Whether a shopper says they want an after-sales task done ("我要退货", "帮我把这单退了") or asks how it
works ("怎么退货", "七天无理由吗", "我想问下能不能退"). Wanting it starts the task at once, as "我想换大一码"
and "取消订单" do (docs/after_sales.md); a question gets the policy for the order under discussion."""

from __future__ import annotations

import re
from typing import Optional

# What the shopper wants done: take back, exchange, cancel, change the address, send again, repair.
_TASK_VERB = r"(?:退|换|取消|撤销|改(?:地址|收货|一下地址|下地址)|补发|重发|返修|修)"
# The verb may come a few words after the want: "我想把这件衣服退了", "给我这单取消掉".
_OBJECT = r"(?:把[^，。,.!?！？\s]{0,10}?)?"
# A bare 要 wants only after who wants it or at the start of a clause: "我要退货", "要退货，尺码不对";
# "东西要退回去吗" asks how returns work.
_WANT = r"(?:想要|想|需要|打算|准备|决定|(?:我|俺|咱|就|必须|还是|^|[，,。！!？?\s])要)"
_WISH = re.compile(
    # 我想退货 / 我要换货 / 我需要取消 / 我打算退 / 想申请退款
    _WANT + r"(?:申请|办理?|办一下|直接)?" + _OBJECT + _TASK_VERB
    # 帮我退了 / 给我取消 / 麻烦帮我改地址 / 请帮我补发
    + r"|(?:帮我|给我|帮忙|麻烦你?|麻烦您)(?:申请|办理?|处理一下|直接)?" + _OBJECT + _TASK_VERB
    # 申请退货 / 办理退款, but not "怎么申请退货" (how it is done)
    + r"|(?<!怎么)(?<!如何)(?<!怎样)(?<!在哪)(?<!哪里)(?<!咋)(?:申请|办理)" + _TASK_VERB
    # 退了吧 / 退掉吧 / 不要了，退了
    + r"|退(?:了吧|掉吧|掉算了|了算了)|不要了[，,\s]*退"
)
# "如果我想退货怎么办", "万一不合适要退呢": a question about what would happen.
_HYPOTHETICAL = re.compile(r"如果|万一|假如|假设|要是|的话")
# "我不想退了", "不要退": no wish (giving up is read by the form, kefu/services/after_sales.py).
_NEGATED = re.compile(r"(?:不|没|别)(?:想要|想|要|需要|打算|用|帮我|给我)(?:申请|办理?)?" + _OBJECT + _TASK_VERB)


def wants_it_done(text: Optional[str]) -> bool:
    """The shopper asks for the task itself ("我要退货"), not how it works ("怎么退货")."""
    text = (text or "").strip()
    if not text or text.startswith("/"):  # a button's payload says what it does itself
        return False
    if _HYPOTHETICAL.search(text) or _NEGATED.search(text):
        return False
    # The want is right before the task ("我想问下怎么退货" wants to ask, not to return), so a wish after
    # a question ("我想问下，我要退货怎么弄") still counts.
    return _WISH.search(text) is not None
