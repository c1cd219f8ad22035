"""The handoff-aware socket.io channel with python-socketio's own client, as a shopper's chat widget
with a persistent session (credentials.yml). Long-polling transport: the client's websocket transport
needs aiohttp >= 3.10 (Rasa 3.6 pins 3.9) or websocket-client (not in the venv), and what is tested
here does not depend on the transport."""

import asyncio
import uuid

import socketio

from kefu.handoff.agents import DEMO_AGENT_USERNAME
from tests.channels.support import SOCKET_POLL_SECONDS, AgentClient, Shopper

QUIET_SECONDS = 2.0


class SocketShopper:
    """A chat widget on socket.io: it keeps the session token the server gives a new session
    (the session_token event) and names it when it comes back to the session."""

    def __init__(self, site, session_id=None, token=None):
        self.site = site
        self.session_id = session_id or f"socket-{uuid.uuid4().hex[:10]}"
        self.token = token
        self.received: "asyncio.Queue[dict]" = asyncio.Queue()
        self.confirmed: "asyncio.Queue[str]" = asyncio.Queue()
        self.tokens: "asyncio.Queue[dict]" = asyncio.Queue()
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("session_token", self.tokens.put)

    async def connect(self, expect_session=True):
        await self.client.connect(self.site.rasa_url, transports=["polling"], socketio_path="/socket.io",
                                  wait_timeout=20)
        request = {"session_id": self.session_id}
        if self.token:
            request["session_token"] = self.token
        await self.client.emit("session_request", request)
        confirmed = await asyncio.wait_for(self.confirmed.get(), 20)
        if expect_session:
            assert confirmed == self.session_id
        self.session_id = confirmed
        if self.token is None:
            given = await asyncio.wait_for(self.tokens.get(), 20)
            assert given["session_id"] == confirmed
            self.token = given["session_token"]
        return self

    def rest_view(self):
        """The same session polled over REST (GET /webhooks/rest/messages with the session's token)."""
        view = Shopper(self.site)
        view.sender, view.token = self.session_id, self.token
        return view

    async def says(self, text):
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                                "metadata": {"channel": "web"}})

    async def next_message(self, timeout=30.0):
        return await asyncio.wait_for(self.received.get(), timeout)

    async def bot_turn(self):
        """Every message of one bot turn (a reply may come in several parts)."""
        messages = [await self.next_message()]
        while True:
            try:
                messages.append(await asyncio.wait_for(self.received.get(), 1.0))
            except asyncio.TimeoutError:
                return messages

    async def nothing_within(self, seconds=QUIET_SECONDS):
        try:
            unexpected = await asyncio.wait_for(self.received.get(), seconds)
        except asyncio.TimeoutError:
            return
        raise AssertionError(f"unexpected message {unexpected!r}")

    async def disconnect(self):
        # As a closed browser tab does: the server hears the engine.io close at once. A clean
        # disconnect() would wait out the long poll in flight (the server's 25 s ping interval).
        eio = self.client.eio
        await eio.disconnect(abort=True)
        if eio.read_loop_task is not None:
            eio.read_loop_task.cancel()
        if eio.http is not None:
            await eio.http.close()


def blocking(call, *args):
    """The agent's side (requests) without stopping the shopper's socket from being read."""
    return asyncio.get_running_loop().run_in_executor(None, call, *args)


def test_the_bot_answers_over_socketio(site):
    async def scenario():
        shopper = await SocketShopper(site).connect()
        await shopper.says("你好")
        replies = await shopper.bot_turn()
        await shopper.disconnect()
        return replies

    replies = asyncio.run(scenario())
    assert replies[0]["text"] and not any("handoff" in (reply.get("metadata") or {}) for reply in replies)


def test_an_agents_reply_reaches_a_connected_shopper_at_once(site):
    agent = AgentClient(site)

    async def scenario():
        shopper = await SocketShopper(site).connect()
        await shopper.says("你好")
        await shopper.bot_turn()
        case = site.open_case(shopper.session_id)
        await shopper.says("在吗，我要找人工")
        await shopper.nothing_within()
        stored = [m.text for m in site.service.messages(case.id) if m.direction == "shopper"]

        await blocking(agent.claim, case.id)
        answer = await blocking(agent.reply, case.id, "在的亲，我是人工客服")
        pushed = await shopper.next_message(timeout=10)
        polled = await blocking(shopper.rest_view().polls)

        await blocking(agent.close, case.id)
        await shopper.says("你好")
        after = await shopper.bot_turn()
        await shopper.disconnect()
        return stored, answer, pushed, polled, after

    stored, answer, pushed, polled, after = asyncio.run(scenario())
    assert stored == ["在吗，我要找人工"], "the bot stayed quiet and the agent got it"
    assert answer["pushed"] is True
    assert pushed["text"] == "在的亲，我是人工客服"
    assert pushed["metadata"]["handoff"]["agent"] == "演示客服"
    assert polled == [], "delivered, so no other path hands it out again"
    assert not any("handoff" in (reply.get("metadata") or {}) for reply in after), "the bot is back"


def test_a_reply_sent_while_the_shopper_was_away_arrives_when_they_come_back(site):
    agent = AgentClient(site)

    async def scenario():
        away = await SocketShopper(site).connect()
        await away.says("你好")
        await away.bot_turn()
        case = site.open_case(away.session_id)
        await away.says("我先下线了，回头看")
        await away.nothing_within()
        await away.disconnect()

        await blocking(agent.claim, case.id)
        answer = await blocking(agent.reply, case.id, "亲，已经帮您登记好了")

        back = await SocketShopper(site, session_id=away.session_id, token=away.token).connect()
        arrived = await back.next_message(timeout=10)
        await back.nothing_within()
        await back.disconnect()
        return answer, arrived

    answer, arrived = asyncio.run(scenario())
    assert answer["pushed"] is False
    assert arrived["text"] == "亲，已经帮您登记好了"


def test_a_reply_written_on_another_server_reaches_the_connected_shopper_once(site):
    # Another Rasa replica's workspace: the same database, another process. Nothing here knows the
    # reply was written, and the shopper sends nothing: the server's own round must find it.
    other_replica = site.service

    async def scenario():
        shopper = await SocketShopper(site).connect()
        case = site.open_case(shopper.session_id)
        await blocking(other_replica.claim, case.id, DEMO_AGENT_USERNAME)
        await blocking(other_replica.agent_reply, case.id, DEMO_AGENT_USERNAME, "亲，这边是另一台服务器上的客服")
        arrived = await shopper.next_message(timeout=10 * SOCKET_POLL_SECONDS)
        await shopper.nothing_within(4 * SOCKET_POLL_SECONDS)
        polled = await blocking(shopper.rest_view().polls)
        await shopper.disconnect()
        return case, arrived, polled

    case, arrived, polled = asyncio.run(scenario())
    assert arrived["text"] == "亲，这边是另一台服务器上的客服"
    assert arrived["recipient_id"] == case.sender_id
    assert arrived["metadata"]["handoff"]["agent"] == "演示客服"
    assert polled == []
    assert all(m.delivered_at is not None for m in site.service.messages(case.id) if m.direction == "agent")
