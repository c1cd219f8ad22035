"""What the WeChat connectors say themselves (kefu/channels/wechat/), in the shop's warm 亲 style: the
numbered choices that stand in for buttons, the binding of a WeChat user to a shop customer, and the
notices a channel gives instead of the bot's answer. Kept here rather than in data/responses, which
is part of the model's fingerprint (docs/channels/wechat.md)."""

from __future__ import annotations

from typing import Any

TEXTS = {
    # Buttons become numbered lines under the message.
    "choices_intro": "亲，回复数字就可以选哦：",
    "choice_line": "回复 {number} {title}",
    # Binding: "绑定 订单号 手机尾号".
    "bind_hint": "亲，发送「绑定 订单号 手机后四位」（例如：绑定 2024111100001 0001），绑定后查订单就不用每次验证啦～",
    "bind_done": "绑定成功啦亲～以后在微信里查订单、售后都能直接帮您办理 🌷",
    "bind_no_match": "亲，订单号和手机后四位没对上呢，麻烦核对一下再发一次哦～",
    "bind_locked": "亲，验证次数太多啦，为了您的账户安全先暂停一会儿，稍后再试，或者回复「转人工」让客服帮您～",
    "bind_unavailable": "亲，系统有点忙，暂时没法绑定，请稍后再试一下哦～",
    "unbind_done": "已经帮您解除绑定啦亲，需要的时候再发「绑定 订单号 手机后四位」就好～",
    # Messages the connector cannot read.
    "unsupported_message": "亲，暂时只能看懂文字消息哦，麻烦用文字描述一下您的问题～",
    "message_too_long": "亲，消息太长啦，麻烦精简到 {max_chars} 字以内再发一次哦～",
    "slow_down": "亲，消息发得太快啦，稍等一下再发哦～",
    # The Official Account's menu (python -m kefu.channels.wechat.menu): a button's title, and its
    # sub-buttons' titles; each sends an intent to the bot.
    "menu_orders": "订单服务",
    "menu_track_order": "查物流",
    "menu_return": "退换货",
    "menu_bind": "绑定订单",
    "menu_promotions": "优惠活动",
    "menu_human": "联系人工",
    # For the agent (a note in the case): WeChat Customer Service's reply window.
    "window_note_exhausted": "【微信客服】客户上次发消息后已回复满 5 条，微信不允许再发：您的回复会暂存，客户下次发消息后自动发出。",
    "window_note_closed": "【微信客服】距客户上次发消息已超过 48 小时，微信不允许再发：您的回复会暂存，客户下次发消息后自动发出。",
    "window_note_mp": "【微信】客户超过 48 小时没有发消息，微信不允许再发：您的回复会暂存，客户下次发消息后自动发出。",
    # For the agent: the session handed to WeChat's own agents (WECOM_KF_HANDOFF=wechat).
    "transfer_note": "【微信客服】已转给微信客服的人工接待，请在企业微信中回复；会话结束后机器人自动接回。",
}


def wechat_text(name: str, /, **values: Any) -> str:
    """The connector's text ``name`` filled in (KeyError for an unknown name or a missing value)."""
    return TEXTS[name].format(**values)
