"""The web chat channel (kefu/channels/webchat.py) against a real Rasa server and action server with
handoff, driven as the widget drives it: python-socketio's client on /webchat/socket.io (long polling,
see tests/channels/test_socketio.py) and HTTP for history, photos and ratings. The widget itself in a
browser: tests/browser/test_webchat.py."""

import asyncio
import io
import uuid

import pytest
import requests
import socketio
from PIL import Image

from kefu.channels.sessions import TOKEN_HEADER
from kefu.channels.webchat import PHOTOS_PER_MINUTE
from kefu.channels.webchat_photos import MAX_PHOTO_BYTES
from kefu.channels.webchat_store import WebchatStore
from tests.channels.support import AgentClient
from tests.logged_in import logged_in

POLL_SECONDS = 1.0
QUIET_SECONDS = 2.0


def png(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class WebShopper:
    """The widget's side of the socket: a session with its token, and every event it hears, by kind."""

    EVENTS = ("bot_uttered", "message_ack", "typing", "handoff_state", "session_confirm", "session_token",
              "rating_request")

    def __init__(self, site, session_id=None, token=None, identity=None):
        self.site = site
        self.session_id = session_id
        self.token = token
        self.identity = identity or {}
        self.heard = {event: asyncio.Queue() for event in self.EVENTS}
        self.client = socketio.AsyncClient(reconnection=False)
        for event in self.EVENTS:
            self.client.on(event, self.heard[event].put)

    async def connect(self):
        await self.client.connect(self.site.rasa_url, transports=["polling"], socketio_path="/webchat/socket.io",
                                  wait_timeout=20)
        request = {"session_id": self.session_id}
        if self.token:
            request["session_token"] = self.token
        await self.client.emit("session_request", request)
        self.session_id = await self.next("session_confirm")
        if self.token is None:
            self.token = (await self.next("session_token"))["session_token"]
        return self

    async def next(self, event, timeout=30.0):
        return await asyncio.wait_for(self.heard[event].get(), timeout)

    async def says(self, text, client_message_id=None, **metadata):
        client_message_id = client_message_id or uuid.uuid4().hex
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                                "client_message_id": client_message_id,
                                                "metadata": {**self.identity, **metadata}})
        return client_message_id

    async def bot_turn(self):
        messages = [await self.next("bot_uttered")]
        while True:
            try:
                messages.append(await asyncio.wait_for(self.heard["bot_uttered"].get(), 1.0))
            except asyncio.TimeoutError:
                return messages

    async def nothing_within(self, event="bot_uttered", seconds=QUIET_SECONDS):
        try:
            unexpected = await asyncio.wait_for(self.heard[event].get(), seconds)
        except asyncio.TimeoutError:
            return
        raise AssertionError(f"unexpected {event} {unexpected!r}")

    async def state_until(self, wanted, timeout=20.0):
        """handoff_state events until one in the ``wanted`` state."""
        while True:
            state = await self.next("handoff_state", timeout)
            if state["state"] == wanted:
                return state

    async def disconnect(self):
        eio = self.client.eio  # as a closed tab: at once (see tests/channels/test_socketio.py)
        await eio.disconnect(abort=True)
        if eio.read_loop_task is not None:
            eio.read_loop_task.cancel()
        if eio.http is not None:
            await eio.http.close()

    # HTTP, as the widget's fetch calls do (blocking: call through ``blocking``).
    def url(self, path):
        return f"{self.site.rasa_url}/webhooks/webchat/{path}"

    def history(self, token="mine"):
        headers = {TOKEN_HEADER: self.token if token == "mine" else token} if token else {}
        return requests.get(self.url("history"), params={"session_id": self.session_id}, headers=headers, timeout=30)

    def upload(self, data, token="mine"):
        headers = {"X-Session-Id": self.session_id, "Content-Type": "application/octet-stream"}
        if token:
            headers[TOKEN_HEADER] = self.token if token == "mine" else token
        return requests.post(self.url("photos"), data=data, headers=headers, timeout=30)

    def rate(self, body, token="mine"):
        headers = {TOKEN_HEADER: self.token if token == "mine" else token} if token else {}
        return requests.post(self.url("ratings"), json={"session_id": self.session_id, **body}, headers=headers,
                             timeout=30)


def blocking(call, *args):
    return asyncio.get_running_loop().run_in_executor(None, call, *args)


def run(scenario):
    return asyncio.run(scenario())


def test_a_message_is_stamped_web_carries_the_pages_identity_and_comes_back_in_the_history(site):
    async def scenario():
        shopper = await WebShopper(site, identity=logged_in("C0001")).connect()
        sent = await shopper.says("你好")
        ack = await shopper.next("message_ack")
        typing_on = await shopper.next("typing")
        replies = await shopper.bot_turn()
        typing_off = await shopper.next("typing")
        state = await shopper.next("handoff_state")
        await shopper.disconnect()
        return shopper, sent, ack, typing_on, replies, typing_off, state

    shopper, sent, ack, typing_on, replies, typing_off, state = run(scenario)
    assert ack == {"client_message_id": sent}
    assert (typing_on, typing_off) == ({"on": True, "from": "bot"}, {"on": False, "from": "bot"})
    assert replies[0]["text"]
    assert state == {"state": "bot"}

    user_events = [event for event in site.tracker_events(shopper.session_id) if event["event"] == "user"]
    metadata = user_events[-1]["metadata"]
    assert metadata["channel"] == "web"
    assert metadata["customer_id"] == "C0001" and metadata["identity_token"].startswith("C0001.")
    assert metadata["client_message_id"] == sent
    assert metadata["kefu_client"]["channel"] == "webchat"

    history = shopper.history()
    assert history.status_code == 200
    messages = history.json()["messages"]
    assert messages[0] == {"from": "shopper", "text": "你好", "at": messages[0]["at"], "client_message_id": sent}
    assert [m["text"] for m in messages[1:]] == [reply["text"] for reply in replies if reply.get("text")]
    assert history.json()["handoff"] == {"state": "bot"}


def test_a_goodbye_to_the_bot_asks_for_a_rating_of_the_conversation(site):
    async def scenario():
        shopper = await WebShopper(site).connect()
        await shopper.says("包邮吗")
        await shopper.bot_turn()
        await shopper.nothing_within("rating_request", seconds=1.0)
        await shopper.says("拜拜")
        await shopper.bot_turn()
        asked = await shopper.next("rating_request")
        await shopper.disconnect()
        return asked

    assert run(scenario) == {"subject": "conversation"}


def test_an_order_comes_with_its_order_card_live_and_in_the_history(site):
    async def scenario():
        shopper = await WebShopper(site, identity=logged_in("C0001")).connect()
        await shopper.says("订单2024111100002到哪了")
        replies = await shopper.bot_turn()
        await shopper.disconnect()
        return shopper, replies

    shopper, replies = run(scenario)
    cards = [reply["custom"] for reply in replies if "custom" in reply]
    assert [card["type"] for card in cards] == ["order_card"], replies
    order = cards[0]["order"]
    assert order["order_id"] == "2024111100002" and order["status"] and order["items"]
    assert order["tracking_number"], "shipped yesterday: it has a parcel"
    assert any(reply.get("text") for reply in replies), "the summary's text comes too"
    history = shopper.history().json()["messages"]
    assert [m["custom"]["order"]["order_id"] for m in history if "custom" in m] == ["2024111100002"]


def test_the_history_needs_the_sessions_own_token(site):
    async def scenario():
        one = await WebShopper(site).connect()
        other = await WebShopper(site).connect()
        await one.disconnect()
        await other.disconnect()
        return one, other

    one, other = run(scenario)
    assert one.history(token=None).status_code == 401
    assert one.history(token="forged-" + "x" * 36).status_code == 403
    assert one.history(token=other.token).status_code == 403, "another session's token"
    answer = requests.get(one.url("history"), headers={TOKEN_HEADER: one.token}, timeout=30)
    assert answer.status_code == 400 and answer.json()["message"], "no session named"


def test_a_message_sent_again_after_a_reconnect_is_answered_once(site):
    async def scenario():
        first = await WebShopper(site).connect()
        sent = await first.says("包邮吗", client_message_id="retry-1")
        await first.next("message_ack")
        answered = await first.bot_turn()
        await first.disconnect()
        # The widget never saw the ack (the network went): it reconnects and sends the same message again.
        again = await WebShopper(site, session_id=first.session_id, token=first.token).connect()
        await again.says("包邮吗", client_message_id=sent)
        duplicate = await again.next("message_ack")
        await again.nothing_within()
        await again.disconnect()
        return first, answered, duplicate

    first, answered, duplicate = run(scenario)
    assert answered
    assert duplicate == {"client_message_id": "retry-1", "duplicate": True}
    texts = [event["text"] for event in site.tracker_events(first.session_id) if event["event"] == "user"]
    assert texts == ["包邮吗"]


def test_bad_messages_get_a_clear_answer(site):
    async def scenario():
        shopper = await WebShopper(site).connect()
        await shopper.says("")
        empty = await shopper.next("message_ack")
        await shopper.says("长" * 501)
        await shopper.next("message_ack")
        too_long = await shopper.next("bot_uttered")
        await shopper.says("长" * 10_000)
        await shopper.next("message_ack")
        much_too_long = await shopper.next("bot_uttered")
        await shopper.says("😀😀😀")
        await shopper.next("message_ack")
        emoji = await shopper.bot_turn()
        # A socket that names a session it was not confirmed in.
        await shopper.client.emit("user_uttered", {"message": "你好", "session_id": "someone-else",
                                                   "client_message_id": "x1"})
        foreign = await shopper.next("message_ack")
        await shopper.disconnect()
        return empty, too_long, much_too_long, emoji, foreign

    empty, too_long, much_too_long, emoji, foreign = run(scenario)
    assert empty["error"] == "empty" and empty["text"]
    assert "500" in too_long["text"] and "500" in much_too_long["text"]
    assert emoji and emoji[0].get("text"), "emoji only: the bot answers"
    assert foreign["error"] == "no_session" and foreign["text"]


def test_a_photo_is_stored_readable_with_the_token_and_shown_to_the_agent_in_the_case(site):
    async def scenario():
        shopper = await WebShopper(site).connect()
        await shopper.disconnect()
        return shopper

    shopper = run(scenario)
    assert shopper.upload(b"").status_code == 400
    assert shopper.upload(b"GIF89a" + b"\0" * 100).status_code == 415
    assert shopper.upload(b"<svg onload=alert(1)>").status_code == 415
    assert shopper.upload(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_PHOTO_BYTES).status_code == 413
    assert shopper.upload(png(), token=None).status_code == 401
    assert shopper.upload(png(), token="forged").status_code == 403

    before_case = shopper.upload(png())
    assert before_case.status_code == 200, before_case.text
    assert before_case.json()["text"].startswith("亲，图片收到啦")

    case = site.open_case(shopper.session_id)
    photo = png((16, 16))
    answer = shopper.upload(photo)
    assert answer.status_code == 200 and answer.json()["text"] == "亲，图片已经发给客服啦～"
    url = shopper.url(answer.json()["url"])

    read = requests.get(url, params={"session_token": shopper.token}, timeout=30)
    assert read.status_code == 200 and read.content == photo
    assert read.headers["Content-Type"] == "image/png" and read.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, params={"session_token": "forged"}, timeout=30).status_code == 403
    assert requests.get(url, params={"sig": "9999999999.forged"}, timeout=30).status_code == 401

    lines = [m.text for m in site.service.messages(case.id) if m.direction == "shopper"]
    link = lines[-1].split(" ", 1)[1]
    assert lines[-1].startswith("[图片] ") and "sig=" in link
    assert requests.get(link, timeout=30).content == photo, "the agent opens it from the case"
    stored = WebchatStore(site.service.engine).photo(answer.json()["photo_id"])
    assert stored.case_id == case.id

    history = shopper.history().json()["messages"]
    assert [m["photo"] for m in history if "photo" in m] == [before_case.json()["url"], answer.json()["url"]]

    # A flood of photos from one session is held back (the refused uploads above did not count).
    statuses = [shopper.upload(png()).status_code for _ in range(PHOTOS_PER_MINUTE - 1)]
    assert statuses == [200] * (PHOTOS_PER_MINUTE - 2) + [429]


def test_the_handoff_as_the_shopper_sees_it_and_the_rating_of_the_case(site):
    agent = AgentClient(site)

    async def scenario():
        shopper = await WebShopper(site).connect()
        await shopper.next("handoff_state")  # {"state": "bot"} on connecting
        # The bot first (a conversation that starts with an agent's message leaves the bot's policies
        # nothing to go on; the real handoff comes from the bot's own turn, tests/browser/test_webchat.py).
        await shopper.says("你好")
        await shopper.bot_turn()
        case = site.open_case(shopper.session_id)
        queued = await shopper.state_until("queued")
        await blocking(agent.claim, case.id)
        serving = await shopper.state_until("serving")
        await blocking(agent.reply, case.id, "亲，我是人工客服，请问有什么可以帮您？")
        from_agent = await shopper.next("bot_uttered")
        await blocking(agent.close, case.id)
        back = await shopper.state_until("bot")
        await shopper.says("你好")
        after = await shopper.bot_turn()
        await shopper.disconnect()
        return shopper, case, queued, serving, from_agent, back, after

    shopper, case, queued, serving, from_agent, back, after = run(scenario)
    assert queued["case_id"] == case.id and queued["text"].startswith("排队中")
    assert serving["text"] == "客服 演示客服 为您服务"
    assert from_agent["metadata"]["handoff"]["agent"] == "演示客服"
    assert back["closed_case_id"] == case.id and back["text"]
    assert after and not any("handoff" in (reply.get("metadata") or {}) for reply in after), "the bot is back"

    not_json = requests.post(shopper.url("ratings"), data="score=5", headers={TOKEN_HEADER: shopper.token}, timeout=30)
    assert not_json.status_code == 400 and not_json.json()["message"]
    assert shopper.rate({"score": 6}).status_code == 400
    assert shopper.rate({"score": True}).status_code == 400
    assert shopper.rate({"score": 5, "comment": "长" * 501}).status_code == 400
    assert shopper.rate({"score": 5}, token="forged").status_code == 403
    assert shopper.rate({"score": 5, "case_id": case.id + 10_000}).status_code == 404
    rated = shopper.rate({"score": 4, "comment": "回复很快😀", "case_id": case.id})
    assert rated.status_code == 200 and rated.json()["text"]
    assert shopper.rate({"score": 5, "comment": "机器人也不错"}).status_code == 200
    ratings = WebchatStore(site.service.engine).ratings_of(shopper.session_id)
    assert [(r["subject"], r["score"], r["comment"], r["agent"]) for r in ratings] == [
        (f"case:{case.id}", 4, "回复很快😀", "agent"),
        (ratings[1]["subject"], 5, "机器人也不错", None),
    ]
    assert ratings[1]["subject"].startswith("conversation:")

    history = shopper.history().json()["messages"]
    assert {"from": "agent", "agent": "演示客服", "text": "亲，我是人工客服，请问有什么可以帮您？"}.items() <= \
        [m for m in history if m["from"] == "agent"][0].items()


def test_the_widget_is_served_and_the_demo_shop_only_in_demo_mode(site):
    widget = requests.get(f"{site.rasa_url}/webhooks/webchat/widget.js", timeout=30)
    assert widget.status_code == 200 and widget.headers["Content-Type"].startswith("application/javascript")
    client = requests.get(f"{site.rasa_url}/webhooks/webchat/socket.io.min.js", timeout=30)
    assert client.status_code == 200 and "socket.io" in client.text[:300].lower()
    assert "MIT" in requests.get(f"{site.rasa_url}/webhooks/webchat/socket.io.LICENSE", timeout=30).text
    assert requests.get(f"{site.rasa_url}/webhooks/webchat/..%2Fwebchat.py", timeout=30).status_code == 404
    assert requests.get(f"{site.rasa_url}/webhooks/webchat/demo/", timeout=30).status_code == 404
    assert requests.post(f"{site.rasa_url}/webhooks/webchat/demo/login", timeout=30).status_code == 404
