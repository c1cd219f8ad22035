"""The relay's rules where a real server cannot be made to fail on cue: the handoff database down, a
channel that cannot send, a socket.io server's delivery rounds. Rasa's own lock and tracker stores, a
real SQLite handoff database; the processor stands in for the model (it records which messages the bot
was asked to answer)."""

import asyncio
from datetime import timedelta

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from kefu.channels import relay
from kefu.handoff.messages import PUSH_WINDOW
from kefu.handoff.triggers import decide_handoff
from kefu.storage.clock import shop_now
from tests.handoff.support import Inbox, agent_replied, service_with_demo_agent

DOMAIN = Domain.empty()


class Processor:
    """Rasa's MessageProcessor, as far as the relay uses it, with the bot's answer reduced to a note."""

    def __init__(self):
        self.tracker_store = InMemoryTrackerStore(DOMAIN)
        self.answered = []

    async def get_tracker(self, sender_id):
        return await self.tracker_store.get_or_create_tracker(sender_id, append_action_listen=False)

    async def save_tracker(self, tracker):
        await self.tracker_store.save(tracker)

    async def log_message(self, message, should_save_tracker=True):
        tracker = await self.get_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, {"name": "greet", "confidence": 1.0}, []))
        if should_save_tracker:
            await self.save_tracker(tracker)
        return tracker

    async def handle_message(self, message):
        self.answered.append(message.text)
        tracker = await self.log_message(message)
        if not tracker.is_paused():
            await message.output_channel.send_text_message(message.sender_id, "bot: " + message.text)


class Agent:
    def __init__(self):
        self.processor = Processor()
        self.lock_store = InMemoryLockStore()
        self.domain = DOMAIN

    def is_ready(self):
        return True


@pytest.fixture
def service(tmp_path, monkeypatch):
    with service_with_demo_agent(tmp_path / "handoff.db") as service:
        monkeypatch.setattr(relay, "handoff_service", lambda: service)
        yield service


def say(agent, sender, text):
    output = CollectingOutputChannel()
    asyncio.run(relay.handle_message(agent, UserMessage(text, output, sender)))
    return output.messages


def test_with_the_handoff_database_down_the_bot_answers(service, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "open_case_of", down)
    agent = Agent()
    assert [m["text"] for m in say(agent, "s-1", "你好")] == ["bot: 你好"]


def test_with_an_open_case_the_bot_is_never_asked(service):
    agent = Agent()
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    assert say(agent, "s-1", "人呢") == []
    assert agent.processor.answered == []
    assert [m.text for m in service.messages(case.id)] == ["人呢"]
    tracker = asyncio.run(agent.processor.get_tracker("s-1"))
    assert tracker.is_paused() and tracker.latest_message.text == "人呢"


def test_a_case_closed_while_the_message_was_on_its_way_goes_to_the_bot(service, monkeypatch):
    agent = Agent()
    service.open_case("s-1", decide_handoff("request_human", "转人工"))
    monkeypatch.setattr(service, "add_shopper_message", lambda sender_id, text: None)
    assert [m["text"] for m in say(agent, "s-1", "你好")] == ["bot: 你好"]


def flaky_store(service, monkeypatch, failures):
    """add_shopper_message failing ``failures`` times with a real SQLAlchemy error, then storing."""
    store, calls = service.add_shopper_message, []

    def add(sender_id, text):
        calls.append(text)
        if len(calls) <= failures:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return store(sender_id, text)

    monkeypatch.setattr(service, "add_shopper_message", add)
    monkeypatch.setattr(relay, "STORE_RETRY_PAUSE_SECONDS", 0)
    return calls


def test_a_message_the_database_refused_once_is_stored_on_the_second_try(service, monkeypatch):
    agent = Agent()
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    calls = flaky_store(service, monkeypatch, failures=1)
    assert say(agent, "s-1", "人呢") == []
    assert calls == ["人呢", "人呢"] and [m.text for m in service.messages(case.id)] == ["人呢"]


def test_a_message_that_could_not_be_stored_is_never_dropped_without_a_word(service, monkeypatch):
    agent = Agent()
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    flaky_store(service, monkeypatch, failures=2)
    output = CollectingOutputChannel()
    taken = asyncio.run(relay.handle_message(agent, UserMessage("人呢", output, "s-1")))
    assert taken is False
    [notice] = output.messages
    assert notice["recipient_id"] == "s-1" and "再发" in notice["text"]
    assert service.messages(case.id) == [] and agent.processor.answered == []


def test_a_paused_shopper_is_asked_to_resend_when_the_database_is_down(service, monkeypatch):
    agent = Agent()
    service.open_case("s-1", decide_handoff("request_human", "转人工"))
    say(agent, "s-1", "在吗")  # pauses the tracker

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "open_case_of", down)
    [notice] = say(agent, "s-1", "人呢")
    assert "再发" in notice["text"] and agent.processor.answered == []


def test_a_turn_that_may_not_deliver_leaves_the_agents_replies_waiting(service):
    agent_replied(service, "s-1", "在的亲")
    agent = Agent()
    output = CollectingOutputChannel()
    asyncio.run(relay.handle_message(agent, UserMessage("你好", output, "s-1"), deliver_waiting=False))
    assert output.messages == []
    assert [m.text for m in service.undelivered_agent_messages("s-1")] == ["在的亲"]
    assert [m["text"] for m in say(agent, "s-1", "在吗")] == ["在的亲"], "the next turn that may, delivers"


def test_a_stale_pause_is_lifted_before_the_bot_answers(service):
    agent = Agent()
    tracker = asyncio.run(agent.processor.get_tracker("s-1"))
    tracker.update(ConversationPaused())
    asyncio.run(agent.processor.save_tracker(tracker))
    assert [m["text"] for m in say(agent, "s-1", "你好")] == ["bot: 你好"]
    events = [event.as_dict()["event"] for event in asyncio.run(agent.processor.get_tracker("s-1")).events]
    assert events[:3] == ["pause", "resume", "action"]


def test_a_delivery_round_asks_the_database_once_and_sends_to_the_connected_shoppers_only(service):
    for sender in ("s-1", "s-2", "s-3"):
        agent_replied(service, sender, f"{sender} 在的亲")
    statements = []
    event.listen(service.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert asyncio.run(relay.deliver_to_connected(Agent(), lambda sender: None)) == 0
    assert len(statements) == 1, statements
    assert service.senders_awaiting_delivery() == ["s-1", "s-2", "s-3"]

    inbox = Inbox()
    assert asyncio.run(relay.deliver_to_connected(Agent(), {"s-2": inbox.send}.get)) == 1
    assert inbox.texts == ["s-2 在的亲"]
    assert service.senders_awaiting_delivery() == ["s-1", "s-3"]
    # A day later those two never came back: pushing stops looking for them (their next turn still gets them).
    assert service.senders_awaiting_delivery(now=shop_now() + PUSH_WINDOW + timedelta(minutes=1)) == []
    assert [m.text for m in service.undelivered_agent_messages("s-1")] == ["s-1 在的亲"]


def test_a_shopper_whose_delivery_fails_does_not_hold_up_the_others(service):
    agent_replied(service, "s-1", "给 s-1 的")
    agent_replied(service, "s-2", "给 s-2 的")

    async def broken(payloads):
        raise ConnectionError("socket gone")

    inbox = Inbox()
    senders = {"s-1": broken, "s-2": inbox.send}
    assert asyncio.run(relay.deliver_to_connected(Agent(), senders.get)) == 1
    assert inbox.texts == ["给 s-2 的"]
    assert [m.text for m in service.undelivered_agent_messages("s-1")] == ["给 s-1 的"]


def test_delivery_rounds_go_on_through_database_trouble_and_send_each_message_once(service, monkeypatch):
    agent_replied(service, "s-1", "在的亲")
    rounds = []
    ask_database = service.senders_awaiting_delivery

    def flaky():
        rounds.append(len(rounds) + 1)
        if len(rounds) <= 2:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return ask_database()

    monkeypatch.setattr(service, "senders_awaiting_delivery", flaky)
    inbox = Inbox()
    agent = Agent()

    async def run_rounds():
        task = asyncio.ensure_future(relay.deliver_periodically(lambda: agent, {"s-1": inbox.send}.get, 0.01))
        while len(rounds) < 6 and not task.done():
            await asyncio.sleep(0.01)
        task.cancel()
        return task

    task = asyncio.run(run_rounds())
    assert task.cancelled(), "only cancelling ends the rounds"
    assert inbox.texts == ["在的亲"]
    assert service.undelivered_agent_messages("s-1") == []


def test_no_delivery_round_before_the_server_has_an_agent(service):
    agent_replied(service, "s-1", "在的亲")
    inbox = Inbox()

    async def run_rounds():
        task = asyncio.ensure_future(relay.deliver_periodically(lambda: None, {"s-1": inbox.send}.get, 0.01))
        await asyncio.sleep(0.1)
        task.cancel()

    asyncio.run(run_rounds())
    assert inbox.texts == [] and len(service.undelivered_agent_messages("s-1")) == 1
