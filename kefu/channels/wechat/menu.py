"""The Official Account's custom menu (自定义菜单): buttons at the bottom of the chat that send an intent to
the bot, WeChat's own form of the bot's buttons. A menu belongs to the account, not to a message, so it
is set once by the merchant:

    python -m kefu.channels.wechat.menu          # prints the menu
    python -m kefu.channels.wechat.menu --create # sets it (menu/create) with WECHAT_APP_ID/SECRET

A ``click`` button's key reaches the channel as the event's EventKey and goes to the bot as that text
(kefu/channels/wechat/official.py), so the keys are Rasa intent payloads."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional

from kefu.channels.wechat.api import WeChatApi
from kefu.channels.wechat.binding import BIND_PAYLOAD
from kefu.channels.wechat.store import wechat_store
from kefu.handoff.service import handoff_service
from kefu.replies.wechat import wechat_text
from kefu.settings import Settings


def _click(title: str, key: str) -> Dict[str, str]:
    return {"type": "click", "name": wechat_text(title), "key": key}


def default_menu() -> Dict[str, Any]:
    """Three top buttons (WeChat allows 3, with at most 5 sub-buttons each)."""
    return {"button": [
        {"name": wechat_text("menu_orders"), "sub_button": [
            _click("menu_track_order", "/track_order"),
            _click("menu_return", "/ask_return"),
            _click("menu_bind", BIND_PAYLOAD),  # answered by the channel: how to bind
        ]},
        _click("menu_promotions", "/ask_promotion"),
        _click("menu_human", "/request_human"),
    ]}


def create_menu(api: WeChatApi, menu: Optional[Dict[str, Any]] = None) -> None:
    """Sets the account's menu (blocking)."""
    api.post("/cgi-bin/menu/create", menu or default_menu())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The WeChat Official Account's menu.")
    parser.add_argument("--create", action="store_true", help="set it with WECHAT_APP_ID / WECHAT_APP_SECRET")
    args = parser.parse_args(argv)
    menu = default_menu()
    print(json.dumps(menu, ensure_ascii=False, indent=2))
    if not args.create:
        return 0
    settings = Settings.from_env()
    credentials = settings.credentials_environment()
    if not credentials.get("WECHAT_APP_ID") or not credentials.get("WECHAT_APP_SECRET"):
        print("WECHAT_APP_ID and WECHAT_APP_SECRET are needed", file=sys.stderr)
        return 2
    api = WeChatApi("mp", settings.wechat_api_base, credentials["WECHAT_APP_ID"], credentials["WECHAT_APP_SECRET"],
                    wechat_store(handoff_service().engine))
    create_menu(api, menu)
    print("menu created", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
