"""The web chat widget in a real browser (Debian's chromium driven by playwright, as the workspace's test)
on the demo shop page, against a real Rasa server and action server on a demo shop of their own, in demo
mode (the fake login as 张三 signs an identity token server-side).

A shopper logs in, chats (an input method composing never sends; emoji; the counter), gets product cards,
an order card and buttons, sends a photo, reloads and finds the conversation again, opens a second tab on it (its
unread badge counts what arrives while it is closed). Another shopper asks for a human: queued, then
served by the agent in the workspace (who sees the photo's link), back to the bot when the case closes,
and rates the case. Screenshots: var/results/webchat.png (desktop, after the return's order buttons and a
photo), var/results/webchat-card.png (the product cards), var/results/webchat-mobile.png
(a phone: the chat takes the whole screen, with an order card), var/results/webchat-handoff.png (the agent's messages and
the rating)."""

import io

import pytest
from PIL import Image

from kefu.channels.webchat_store import WebchatStore
from kefu.settings import PROJECT_ROOT
from tests.browser.test_workspace import case_item
from tests.browser.test_workspace import logged_in as agent_logged_in
from tests.channels.support import wait_for

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=30_000)  # a bot turn on a busy 2-core machine

RESULTS = PROJECT_ROOT / "var" / "results"
DESKTOP = {"width": 1280, "height": 820}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "broken.png"
    Image.new("RGB", (64, 48), (220, 40, 40)).save(path, "PNG")
    return path


def demo_page(context, site, login=True):
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{site.rasa_url}/webhooks/webchat/demo/")
    if login:
        page.click("#login")
        expect(page.locator("#who")).to_have_text("张三 已登录")
    return page


def open_chat(page):
    page.click(".kefu-launcher")
    expect(page.locator(".kefu-panel")).to_be_visible()
    expect(page.locator("#kefu-chat")).to_have_attribute("data-session", "ready")


def send(page, text):
    page.fill(".kefu-input", text)
    page.keyboard.press("Enter")


def bot_bubbles(page):
    return page.locator(".kefu-from-bot .kefu-bubble")


def shopper_bubbles(page):
    return page.locator(".kefu-from-shopper .kefu-bubble:not(.kefu-photo)")


def session_of(page):
    return page.evaluate("JSON.parse(localStorage.getItem('kefu_webchat_session'))")


def test_a_shopper_chats_and_finds_the_conversation_again(site, browser, photo):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = demo_page(context, site)
    open_chat(page)
    expect(page.locator(".kefu-input")).to_be_focused()

    # An input method composing: Enter picks a candidate, it never sends the half-typed pinyin.
    page.dispatch_event(".kefu-input", "compositionstart")
    page.fill(".kefu-input", "wo de kuai")
    page.keyboard.press("Enter")
    expect(shopper_bubbles(page)).to_have_count(0)
    page.dispatch_event(".kefu-input", "compositionend")
    send(page, "你好")
    expect(shopper_bubbles(page)).to_have_text(["你好"])
    expect(bot_bubbles(page).nth(1)).to_be_visible()  # the page's greeting, then the bot's answer
    expect(page.locator(".kefu-input")).to_have_value("")

    # The 500-character counter.
    page.fill(".kefu-input", "长" * 500)
    expect(page.locator(".kefu-counter")).to_have_text("500/500")
    expect(page.locator(".kefu-counter")).to_have_class("kefu-counter kefu-counter-full")
    page.fill(".kefu-input", "")
    expect(page.locator(".kefu-send")).to_be_disabled()

    # Emoji from the palette.
    page.click(".kefu-emoji-open")
    page.click(".kefu-emoji-item:text('👍')")
    expect(page.locator(".kefu-input")).to_have_value("👍")
    page.keyboard.press("Enter")
    expect(shopper_bubbles(page).last).to_have_text("👍")

    # Product cards from the recommendation, whose 详情 asks about that product.
    answered = bot_bubbles(page).count()
    send(page, "推荐个300以内的蓝牙耳机")
    card = page.locator(".kefu-product-card").first
    expect(card).to_be_visible(timeout=60_000)
    name = card.locator(".kefu-card-title").inner_text()
    assert "耳机" in name
    expect(card.locator(".kefu-card-price")).to_contain_text("¥")
    RESULTS.mkdir(parents=True, exist_ok=True)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(RESULTS / "webchat-card.png"))
    card.locator(".kefu-card-details").click()
    expect(shopper_bubbles(page).last).to_have_text(f"详情：{name}")
    expect(bot_bubbles(page).nth(answered + 1)).to_be_visible()

    # Buttons: the return asks which order, with the shopper's orders as buttons.
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")
    send(page, "我要退货")
    quick = page.locator(".kefu-quick", has_text="2024111100001")  # CONTRACT §5: 张三's T-shirt, returnable
    expect(quick).to_be_visible(timeout=60_000)
    title = quick.inner_text()
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")
    answered = bot_bubbles(page).count()
    quick.click()
    expect(shopper_bubbles(page).last).to_have_text(title)
    expect(bot_bubbles(page).nth(answered)).to_be_visible(timeout=60_000)
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")

    # A photo.
    page.set_input_files(".kefu-file", str(photo))
    sent_photo = page.locator(".kefu-from-shopper .kefu-photo img").last
    expect(sent_photo).to_be_visible()
    wait_for(lambda: page.evaluate("img => img.naturalWidth", sent_photo.element_handle()) == 64,
             message="the photo shown from the server")
    expect(page.locator(".kefu-from-system .kefu-bubble").last).to_contain_text("图片收到啦")

    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / "webchat.png"))
    said = shopper_bubbles(page).all_inner_texts()
    session = session_of(page)
    assert session["session_id"] and session["session_token"]

    # A reload: the same conversation, from the history endpoint.
    page.reload()
    open_chat(page)
    expect(shopper_bubbles(page)).to_have_text(said)
    expect(page.locator(".kefu-from-shopper .kefu-photo img")).to_have_count(1)
    expect(page.locator(".kefu-product-card").first).to_be_visible()
    assert session_of(page) == session

    # A second tab: the same session; closed, it counts what arrives.
    second = demo_page(context, site, login=False)
    expect(second.locator("#kefu-chat")).to_have_attribute("data-connection", "online")
    send_from_first = "包邮吗"
    send(page, send_from_first)
    expect(second.locator(".kefu-badge")).to_be_visible(timeout=60_000)
    assert int(second.locator(".kefu-badge").inner_text()) >= 1
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")  # the turn stored
    open_chat(second)
    expect(second.locator(".kefu-badge")).to_be_hidden()
    expect(shopper_bubbles(second)).to_contain_text(["你好", "👍", send_from_first])
    assert session_of(second) == session
    context.close()

    # A phone: the chat takes the whole screen; an order comes with its card (status, items, parcel).
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    small = demo_page(phone, site)
    open_chat(small)
    box = small.locator(".kefu-panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"])
    send(small, "订单2024111100002到哪了")
    order_card = small.locator(".kefu-order-card")
    expect(order_card).to_contain_text("订单 2024111100002", timeout=60_000)
    expect(order_card.locator(".kefu-order-parcel")).to_contain_text("运单号")
    expect(small.locator(".kefu-pending")).to_have_count(0)
    expect(small.locator("#kefu-chat")).to_have_attribute("data-typing", "off")
    small.screenshot(path=str(RESULTS / "webchat-mobile.png"))
    phone.close()


def test_a_dropped_connection_shows_and_loses_or_doubles_nothing_and_a_goodbye_asks_for_a_rating(site, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = demo_page(context, site, login=False)
    open_chat(page)
    send(page, "你好")
    expect(bot_bubbles(page).nth(1)).to_be_visible()
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")

    # The network drops: the widget says so, keeps what is typed meanwhile and reconnects by itself.
    page.evaluate("KefuChatWidget.connection().io.engine.close()")
    send(page, "运费多少")
    expect(page.locator(".kefu-status")).to_have_text("网络不稳定，正在重新连接…")
    expect(page.locator("#kefu-chat")).to_have_attribute("data-connection", "online")
    expect(page.locator(".kefu-status")).to_be_hidden()
    expect(page.locator(".kefu-pending")).to_have_count(0)
    expect(page.locator("#kefu-chat")).to_have_attribute("data-typing", "off")
    expect(shopper_bubbles(page)).to_have_text(["你好", "运费多少"])

    session_id = session_of(page)["session_id"]
    said = [event["text"] for event in site.tracker_events(session_id) if event["event"] == "user"]
    assert said == ["你好", "运费多少"], "sent once after the reconnect, answered once"

    # Saying goodbye to the bot asks how the conversation went.
    send(page, "拜拜")
    rating = page.locator(".kefu-rating")
    expect(rating).to_be_visible()
    expect(rating.locator(".kefu-rating-prompt")).to_have_text("请为本次对话打分")
    rating.locator(".kefu-star[data-score='5']").click()
    rating.locator(".kefu-rating-submit").click()
    expect(page.locator(".kefu-from-system .kefu-bubble").last).to_have_text("感谢亲的评价，我们会继续努力的～")
    ratings = WebchatStore(site.service.engine).ratings_of(session_id)
    assert [(r["subject"].split(":")[0], r["score"], r["case_id"]) for r in ratings] == [("conversation", 5, None)]
    context.close()


def test_a_shopper_is_served_by_an_agent_and_rates_the_case(site, browser, photo):
    agent = agent_logged_in(browser, site)  # an agent online, so the bot can hand off
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = demo_page(context, site)
    open_chat(page)
    send(page, "你好")
    expect(bot_bubbles(page).nth(1)).to_be_visible()
    send(page, "转人工")
    handoff = page.locator(".kefu-handoff")
    expect(handoff).to_contain_text("排队中")
    session_id = session_of(page)["session_id"]
    case = wait_for(lambda: site.service.open_case_of(session_id), message="the case opened")

    case_item(agent, "queue-list", case.id).get_by_test_id("claim").click()
    expect(handoff).to_have_text("客服 演示客服 为您服务")

    agent.locator("#reply-text").fill("亲，我是客服小美，请问耳机哪里坏了？")
    expect(page.locator(".kefu-typing")).to_be_visible()
    expect(page.locator(".kefu-typing")).to_contain_text("客服正在输入")
    agent.click("#send-button")
    from_agent = page.locator(".kefu-from-agent")
    expect(from_agent.locator(".kefu-bubble")).to_have_text(["亲，我是客服小美，请问耳机哪里坏了？"])
    expect(from_agent.locator(".kefu-author")).to_have_text(["客服 演示客服"])
    expect(page.locator(".kefu-typing")).to_be_hidden()  # the message came: nobody is typing

    page.set_input_files(".kefu-file", str(photo))
    expect(page.locator(".kefu-from-system .kefu-bubble").last).to_have_text("亲，图片已经发给客服啦～")
    send(page, "左耳没有声音")
    shopper_lines = agent.locator("#transcript .msg.shopper .bubble")
    expect(shopper_lines.last).to_have_text("左耳没有声音")
    expect(shopper_lines.nth(-2)).to_contain_text("[图片] http")
    expect(shopper_lines.nth(-2)).to_contain_text("/webhooks/webchat/photos/")
    thumbnail = shopper_lines.nth(-2).locator("img.photo")
    expect(thumbnail).to_be_visible()
    wait_for(lambda: agent.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 64,
             message="the agent's browser showing the photo")

    agent.click("#close-button")
    agent.click("#close-button")
    expect(handoff).to_be_hidden()
    expect(page.locator(".kefu-from-system .kefu-bubble").last).to_contain_text("人工客服已结束本次服务")
    rating = page.locator(".kefu-rating")
    expect(rating).to_be_visible()
    rating.locator(".kefu-star[data-score='4']").click()
    expect(rating.locator(".kefu-star.on")).to_have_count(4)
    rating.locator(".kefu-rating-comment").fill("客服很耐心👍")
    page.screenshot(path=str(RESULTS / "webchat-handoff.png"))
    rating.locator(".kefu-rating-submit").click()
    expect(rating).to_be_hidden()
    expect(page.locator(".kefu-from-system .kefu-bubble").last).to_have_text("感谢亲的评价，我们会继续努力的～")
    ratings = WebchatStore(site.service.engine).ratings_of(session_id)
    assert [(r["subject"], r["score"], r["comment"], r["agent"]) for r in ratings] == [
        (f"case:{case.id}", 4, "客服很耐心👍", "agent")]

    agent_lines = from_agent.count()
    send(page, "你好")
    expect(bot_bubbles(page).last).to_be_visible()
    expect(from_agent).to_have_count(agent_lines)  # the bot answers again, not the agent
    assert not site.is_paused(session_id)
    context.close()
    agent.context.close()
