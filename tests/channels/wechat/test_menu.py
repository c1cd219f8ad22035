"""The Official Account's menu: created through menu/create, and its buttons reach the bot as intents."""

import subprocess
import sys

from kefu.channels.wechat.api import WeChatApi
from kefu.channels.wechat.binding import BIND_PAYLOAD
from kefu.channels.wechat.menu import create_menu, default_menu
from kefu.settings import PROJECT_ROOT
from tests.channels.wechat.fake_wechat import MP_APP_ID, MP_SECRET


def click(openid, key):
    import time
    return {"ToUserName": "gh_shop", "FromUserName": openid, "CreateTime": str(int(time.time())),
            "MsgType": "event", "Event": "CLICK", "EventKey": key}


def keys(menu):
    for button in menu["button"]:
        yield from ([sub["key"] for sub in button["sub_button"]] if "sub_button" in button else [button["key"]])


def test_the_menu_is_created_and_its_buttons_send_intents_to_the_bot(fake, store, official):
    server, channel = official
    create_menu(WeChatApi("mp", fake.base_url, MP_APP_ID, MP_SECRET, store))
    menu = fake.state.menus[-1]
    assert menu == default_menu()
    assert "/request_human" in keys(menu) and "/track_order" in keys(menu)
    fake.mp_callback(server.url(channel), click("openid-menu", "/track_order"))
    fake.mp_callback(server.url(channel), click("openid-menu", BIND_PAYLOAD))
    server.settle()
    assert server.bot.texts() == ["/track_order"]  # the bind button is answered by the channel itself
    hint = [s["text"]["content"] for s in fake.state.custom_sent if s["touser"] == "openid-menu"]
    assert any("绑定 2024111100001 0001" in text for text in hint)


def test_the_command_prints_the_menu_and_needs_credentials_to_create_it(wechat_env):
    shown = subprocess.run([sys.executable, "-m", "kefu.channels.wechat.menu"], cwd=PROJECT_ROOT,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "/request_human" in shown.stdout
    refused = subprocess.run([sys.executable, "-m", "kefu.channels.wechat.menu", "--create"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=120,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)})
    assert refused.returncode == 2 and "WECHAT_APP_ID" in refused.stderr
