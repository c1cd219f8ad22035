"""What the web chat itself tells the shopper (not the bot's answers, which come from the actions): the
handoff as they see it, the photo and rating answers, the errors of its HTTP routes. Kept here rather
than in data/responses/ (part of the model's fingerprint) so that a wording change never means a
retrain; the widget's own labels (buttons, placeholders) are in its script."""

from __future__ import annotations

from typing import Any

WEBCHAT_TEXTS = {
    "queued": "排队中，前面还有 {ahead} 位，客服马上就来，请您稍等哦～",
    "queued_next": "排队中，下一位就是您啦，请稍等哦～",
    "serving": "客服 {agent} 为您服务",
    "back_to_bot": "人工客服已结束本次服务，小蜜蜂继续为您服务哦～",
    "photo_received": "亲，图片收到啦～ 如果是商品有问题，请告诉小蜜蜂订单号和遇到的问题，或者输入“转人工”让客服帮您看图哦～",
    "photo_to_agent": "亲，图片已经发给客服啦～",
    "photo_too_big": "亲，这张图片太大啦，最大只能发 5MB 的图片哦，麻烦压缩一下再发～",
    "photo_wrong_type": "亲，目前只能发 JPG、PNG 或 WebP 格式的图片哦～",
    "photo_slow_down": "亲，图片发得有点快啦，请稍等一分钟再发哦～",
    "photo_empty": "亲，没有收到图片内容，麻烦再选一次哦～",
    "rating_thanks": "感谢亲的评价，我们会继续努力的～",
    "rating_bad_score": "亲，请给 1 到 5 颗星哦～",
    "rating_comment_too_long": "亲，评价最多写 {max_chars} 个字哦～",
    "session_token_required": "亲，请重新打开聊天窗口再试一次哦～",
    "session_token_wrong": "亲，这个会话不属于您哦，请重新打开聊天窗口～",
    "not_found": "亲，没有找到这个内容哦～",
    "unavailable": "亲，系统有点忙，请稍后再试一次哦～",
    "bad_request": "亲，请求的格式不对哦，请刷新页面再试一次～",
    "demo_off": "演示模式未开启（KEFU_DEMO_MODE）",
    # For the agent, in the case: the photo's signed link.
    "photo_for_agent": "[图片] {link}",
    # The demo shop's fake login (CONTRACT §5: C0001).
    "demo_customer_name": "张三",
}


def webchat_text(name: str, /, **values: Any) -> str:
    """The web chat's text ``name`` filled in (KeyError for an unknown name or a missing value)."""
    return WEBCHAT_TEXTS[name].format(**values)
