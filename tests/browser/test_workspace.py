"""The agent workspace in a real browser: Debian's chromium driven by playwright (scripts/setup_browser.sh
installs it; playwright never downloads a browser of its own), against a real Rasa server and action
server on a demo shop of their own.

A shopper talks to the bot over the REST webhook and asks for a human; the bot hands off. The agent logs
in, sees the case in the queue, claims it, reads the transcript, sends a suggested reply, which the
shopper receives; the shopper writes again and the agent sees it while the bot stays quiet; the agent
closes the case and the bot answers the shopper again. A screenshot of the workspace as the agent sees
it is written to var/results/workspace.png. An agent calls back a shopper who left a message: not
answered, then reached. A case's order shows its problem reports with the shopper's photos.
"""

import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from kefu.backends.factory import sql_backends
from kefu.channels.webchat_store import WebchatStore
from kefu.replies import identify
from kefu.settings import PROJECT_ROOT
from kefu.storage.clock import shop_now
from tests.browser.conftest import CLAIM_TIMEOUT_SECONDS
from tests.channels.support import OTHER_AGENT, Shopper, from_agent, from_bot, wait_for

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
# The page polls every 1.5-2.5 s; on a busy 2-core machine a step can take a few of those.
expect.set_options(timeout=15_000)

SCREENSHOT = PROJECT_ROOT / "var" / "results" / "workspace.png"
VIEWPORT = {"width": 1400, "height": 860}


def logged_in(browser, site, username="agent", password="agent123", timezone_id=None):
    page = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id=timezone_id).new_page()
    page.set_default_timeout(20_000)
    page.goto(site.workspace_url)
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("#workspace-view")).to_be_visible()
    return page


def case_item(page, list_id, case_id):
    return page.locator(f"#{list_id} .case-item[data-case-id='{case_id}']")


def test_an_agent_takes_over_a_real_conversation_and_hands_it_back(site, browser):
    page = logged_in(browser, site)  # an agent online, so the bot can hand off
    expect(page.locator("#agent-name")).to_have_text("演示客服")

    shopper = Shopper(site, customer_id="C0001")
    assert from_bot(shopper.says("你好"))
    handed_off = shopper.says("转人工")
    assert "handoff_queued" in [identify(reply["text"]) for reply in handed_off]
    case = site.service.open_case_of(shopper.sender)
    assert case is not None, "the bot opened a case"
    events = site.tracker_events(shopper.sender)
    assert "action_handoff_to_human" in [e.get("name") for e in events if e["event"] == "action"]
    assert site.is_paused(shopper.sender)
    assert shopper.says("请问运费险怎么用？") == [], "while waiting the bot is quiet"

    # The queue: 张三 (gold) with the reason, claimed from there.
    item = case_item(page, "queue-list", case.id)
    expect(item).to_contain_text("张三")
    expect(item).to_contain_text("金卡会员")
    expect(item).to_contain_text("顾客要求人工")
    item.get_by_test_id("claim").click()
    expect(case_item(page, "mine-list", case.id)).to_be_visible()

    # The transcript: what the shopper said to the bot and while waiting.
    shopper_lines = page.locator("#transcript .msg.shopper .bubble")
    expect(shopper_lines).to_contain_text(["你好", "转人工", "请问运费险怎么用？"])
    expect(page.locator("#customer-profile")).to_contain_text("13800000001")
    expect(page.locator("#recent-orders")).to_contain_text("2024111100002")

    # A suggested reply for the shopper's last message, sent with one click.
    suggestion = page.get_by_test_id("suggestion").first
    expect(suggestion).to_be_visible()
    suggested = suggestion.locator("button.use").inner_text().strip()
    assert suggested
    suggestion.get_by_test_id("send-suggestion").click()
    expect(page.locator("#transcript .msg.agent .bubble").last).to_have_text(suggested)
    assert wait_for(lambda: from_agent(shopper.polls()), message="the shopper receiving the reply") == [suggested]

    # The shopper answers; the agent sees it, the bot says nothing.
    assert shopper.says("好的，那我的耳机什么时候到？") == []
    expect(shopper_lines.last).to_have_text("好的，那我的耳机什么时候到？")
    page.locator("#reply-text").fill("亲，您的耳机已在路上，预计明天送达～")
    page.click("#send-button")
    expect(page.locator("#transcript .msg.agent .bubble").last).to_have_text("亲，您的耳机已在路上，预计明天送达～")
    expect(page.locator("#reply-text")).to_have_value("")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    print(f"\nscreenshot of the agent workspace: {SCREENSHOT}")

    # Closing hands the shopper back to the bot.
    page.click("#close-button")
    expect(page.locator("#close-button")).to_have_text("确认结束？")
    page.click("#close-button")
    expect(page.locator("#case-banner")).to_contain_text("机器人已恢复接待")
    expect(page.locator("#composer")).to_be_hidden()
    assert site.service.get(case.id).status == "closed"
    assert not site.is_paused(shopper.sender)

    back = shopper.says("你好")
    assert from_agent(back) == ["亲，您的耳机已在路上，预计明天送达～"], "the agent's last words first"
    assert from_bot(back), "then the bot answers again"

    events = site.tracker_events(shopper.sender)
    kinds = [e["event"] for e in events]
    assert kinds.index("pause") < kinds.index("resume")
    agent_lines = [e["text"] for e in events if e["event"] == "bot" and "handoff" in (e.get("metadata") or {})]
    assert agent_lines == [suggested, "亲，您的耳机已在路上，预计明天送达～"]
    page.context.close()


def test_a_case_goes_back_to_the_queue_when_the_agents_browser_goes_away(site, browser):
    shopper = Shopper(site)
    shopper.says("你好")
    case = site.open_case(shopper.sender)

    page = logged_in(browser, site)
    case_item(page, "queue-list", case.id).get_by_test_id("claim").click()
    expect(page.locator("#composer")).to_be_visible()
    page.wait_for_timeout((CLAIM_TIMEOUT_SECONDS + 2) * 1000)
    assert site.service.get(case.id).claimed_by == "agent", "an open page keeps its case"

    page.context.close()  # the agent closes the browser
    wait_for(lambda: site.service.get(case.id).status == "queued", timeout=CLAIM_TIMEOUT_SECONDS * 4,
             message="the case back in the queue")

    colleague = logged_in(browser, site, OTHER_AGENT[0], OTHER_AGENT[2])
    expect(case_item(colleague, "queue-list", case.id)).to_be_visible()
    case_item(colleague, "queue-list", case.id).get_by_test_id("claim").click()
    expect(colleague.locator("#composer")).to_be_visible()
    expect(colleague.locator("#transcript")).to_contain_text("超时未响应，已退回排队")
    assert site.service.get(case.id).claimed_by == OTHER_AGENT[0]
    colleague.context.close()


def test_an_agent_calls_back_a_shopper_who_left_a_message(site, browser):
    shopper = Shopper(site)
    case = site.open_case(shopper.sender)
    ticket = site.service.to_ticket(case.id, "13900000002", shop_now() - timedelta(minutes=10), "耳机坏了，请回电")

    page = logged_in(browser, site, timezone_id="Europe/London")  # an agent abroad still reads shop time
    page.click(".tab[data-tab='tickets']")
    item = case_item(page, "tickets-list", ticket.id)
    expect(item).to_contain_text("13900000002")
    expect(item.get_by_test_id("overdue")).to_have_text("已超时")
    item.click()
    expect(page.locator("#case-banner")).to_contain_text("（已超时）")
    expect(page.locator("#transcript .msg.shopper .bubble").last).to_have_text("耳机坏了，请回电")

    page.fill("#callback-note", "响铃无人接")
    page.get_by_test_id("callback-no-answer").click()
    expect(page.locator("#transcript .msg.system .bubble").last).to_contain_text("回电未接通（第 1 次）：响铃无人接")
    expect(page.locator("#case-banner")).to_contain_text("已回电 1 次未接通")
    expect(page.locator("#case-banner")).not_to_contain_text("已超时")
    expect(item).to_contain_text("已回电 1 次未接通")
    expect(item.get_by_test_id("overdue")).to_have_count(0)
    moved = site.service.get(ticket.id).callback_at
    assert moved > shop_now()
    promised = f"{moved.month}月{moved.day}日 {moved:%H:%M}"
    expect(page.locator("#case-banner")).to_contain_text(f"回电 {promised}")
    expect(page.locator("#transcript .msg.system .bubble").last).to_contain_text(f"下次回电 {promised}")

    page.get_by_test_id("callback-reached").click()
    expect(page.locator("#callback-error")).to_have_text("已联系上顾客，请写下沟通结果")
    page.fill("#callback-note", "已联系，明天补发新耳机")
    page.get_by_test_id("callback-reached").click()
    expect(page.locator("#case-banner")).to_have_text("留言工单已结束")
    expect(page.locator("#callback-box")).to_be_hidden()
    expect(page.locator("#transcript .msg.system .bubble").last).to_have_text("演示客服 回电，已联系上顾客：已联系，明天补发新耳机")
    expect(item).to_have_count(0)
    assert site.service.get(ticket.id).status == "closed"
    page.context.close()


def test_the_agent_sees_the_problem_reports_of_the_cases_order_with_the_shoppers_photos(site, browser):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 220)).save(buffer, "PNG")
    sender = f"web-{uuid.uuid4().hex[:10]}"
    photo_id = WebchatStore(site.service.engine).add_photo(sender, "image/png", buffer.getvalue(), None)
    report = sql_backends(engine=site.service.engine).after_sales.report_problem(
        "2024111100002", None, "damaged", "杯子碎了", "reship", [photo_id])
    case = site.open_case(sender, slots={"order_id": "2024111100002"})

    page = logged_in(browser, site)
    case_item(page, "queue-list", case.id).click()  # opened to read, not claimed

    shown = page.get_by_test_id("problem-report").filter(has_text=report.report_id)
    expect(shown).to_contain_text("商品破损：杯子碎了")
    expect(shown).to_contain_text("待补发/换新")
    expect(shown).to_contain_text("照片 1 张")
    thumbnail = shown.locator("img.photo")
    expect(thumbnail).to_be_visible()
    wait_for(lambda: page.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 64,
             message="the agent's browser showing the report's photo")
    assert site.service.withdraw(case.id)
    page.context.close()
