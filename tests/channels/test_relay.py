"""The relay's rules where a real server cannot be made to fail on cue: the handoff database down, a
channel that cannot send. Rasa's own lock and tracker stores, a real SQLite handoff database; the
processor stands in for the model (it records which messages the bot was asked to answer)."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from sqlalchemy.exc import OperationalError

from kefu.channels import relay
from kefu.handoff.agents import create_agent
from kefu.handoff.cases import HandoffService
from kefu.handoff.models import create_handoff_schema
from kefu.handoff.triggers import decide_handoff
from kefu.shop.db import make_engine

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
    engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    create_handoff_schema(engine)
    create_agent(engine, "agent", "演示客服", "agent-password")
    service = HandoffService(engine)
    monkeypatch.setattr(relay, "handoff_service", lambda: service)
    yield service
    engine.dispose()


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


def test_a_stale_pause_is_lifted_before_the_bot_answers(service):
    agent = Agent()
    tracker = asyncio.run(agent.processor.get_tracker("s-1"))
    tracker.update(ConversationPaused())
    asyncio.run(agent.processor.save_tracker(tracker))
    assert [m["text"] for m in say(agent, "s-1", "你好")] == ["bot: 你好"]
    events = [event.as_dict()["event"] for event in asyncio.run(agent.processor.get_tracker("s-1")).events]
    assert events[:3] == ["pause", "resume", "action"]


def test_a_message_the_channel_could_not_send_stays_for_the_next_time(service):
    case = service.open_case("s-1", decide_handoff("request_human", "转人工")).case
    service.claim(case.id, "agent")
    service.agent_reply(case.id, "agent", "在的亲")

    async def broken(payloads):
        raise ConnectionError("socket gone")

    with pytest.raises(ConnectionError):
        asyncio.run(relay.deliver_pending("s-1", broken))
    assert [m.text for m in service.undelivered_agent_messages("s-1")] == ["在的亲"]
    sent = []

    async def collect(payloads):
        sent.extend(payloads)

    assert asyncio.run(relay.deliver_pending("s-1", collect)) == 1
    assert [p["text"] for p in sent] == ["在的亲"] and sent[0]["metadata"]["handoff"]["agent"] == "演示客服"
    assert service.undelivered_agent_messages("s-1") == []
