"""kefu/channels/action_outage.py: Rasa's RemoteAction, guarded, against real HTTP servers that are down,
slow, failing or talking nonsense; the live end-to-end version is tests/security/test_never_silent.py."""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, List

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from kefu.channels import action_outage
from kefu.handoff.service import handoff_service
from kefu.names import HANDOFF_STATUS_SLOT, HANDOFF_TO_HUMAN_ACTION
from kefu.replies import identify
from kefu.services.clarification import HUMAN_PAYLOAD
from kefu.settings import PROJECT_ROOT

TIMEOUT = 0.5  # the guard's limit in these tests (ACTION_TIMEOUT)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def guarded(monkeypatch):
    """RemoteAction.run guarded with a short timeout for this test only."""
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)  # restored afterwards
    unguarded = getattr(RemoteAction.run, "__wrapped__", RemoteAction.run)
    monkeypatch.setattr(RemoteAction, "run", unguarded)
    action_outage.install(timeout_seconds=TIMEOUT)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def action_server(handler: Callable) -> AsyncIterator[str]:
    """A real HTTP server on localhost answering the action webhook with ``handler``; its URL."""
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()


def _tracker(text: str = "我的快递到哪了", intent: str = "track_order", sender: str = "shopper-1") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(text, intent={"name": intent, "confidence": 1.0},
                                                          metadata={"channel": "web"})],
    )


async def _run(action_name: str, url: str, tracker: DialogueStateTracker, domain: Domain) -> List[Any]:
    action = RemoteAction(action_name, EndpointConfig(url))
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                            tracker, domain)


def _apology_of(events: List[Any]) -> str:
    [said] = [event for event in events if isinstance(event, BotUttered)]
    assert said.metadata.get(action_outage.OUTAGE_METADATA_KEY) is True
    return identify(said.text)


def _closed_url() -> str:
    return f"http://127.0.0.1:{_free_port()}/webhook"  # nothing listens there


def test_action_server_down_gives_the_apology_with_a_human_offer(domain):
    events = asyncio.run(_run("action_track_order", _closed_url(), _tracker(), domain))

    assert _apology_of(events) == "outage_apology"
    [said] = events
    assert HUMAN_PAYLOAD in [button["payload"] for button in said.data["buttons"]]


@pytest.mark.parametrize("answer", [
    lambda request: web.Response(status=500, text="boom"),
    lambda request: web.Response(status=200, text="<html>not json</html>", content_type="text/html"),
    lambda request: web.json_response({"events": "not a list"}),
], ids=["500", "html", "wrong-shape"])
def test_an_action_server_error_or_nonsense_gives_the_apology(domain, answer):
    async def scenario():
        async def handler(request):
            return answer(request)

        async with action_server(handler) as url:
            return await _run("action_track_order", url, _tracker(), domain)

    assert _apology_of(asyncio.run(scenario())) == "outage_apology"


def test_a_slow_action_server_gives_the_apology_at_the_timeout(domain):
    async def scenario():
        async def handler(request):
            await asyncio.sleep(TIMEOUT * 6)
            return web.json_response({"events": [], "responses": []})

        async with action_server(handler) as url:
            started = asyncio.get_running_loop().time()
            events = await _run("action_track_order", url, _tracker(), domain)
            return events, asyncio.get_running_loop().time() - started

    events, waited = asyncio.run(scenario())
    assert _apology_of(events) == "outage_apology"
    assert waited < TIMEOUT * 3  # not Rasa's five minutes


def test_a_working_action_server_is_untouched(domain):
    async def scenario():
        async def handler(request):
            return web.json_response({"events": [{"event": "slot", "name": "order_id", "value": "2024111100002"}],
                                      "responses": [{"text": "ok"}]})

        async with action_server(handler) as url:
            return await _run("action_track_order", url, _tracker(), domain)

    events = asyncio.run(scenario())
    assert [type(event) for event in events] == [BotUttered, SlotSet]
    assert events[0].text == "ok" and not events[0].metadata.get(action_outage.OUTAGE_METADATA_KEY)


def test_a_rejection_by_the_action_server_stays_a_rejection(domain):
    async def scenario():
        async def handler(request):
            return web.json_response({"action_name": "validate_after_sales_form", "error": "no"}, status=400)

        async with action_server(handler) as url:
            return await _run("validate_after_sales_form", url, _tracker(), domain)

    with pytest.raises(ActionExecutionRejection):
        asyncio.run(scenario())


def test_one_apology_per_turn(domain):
    tracker = _tracker()
    first = asyncio.run(_run("action_track_order", _closed_url(), tracker, domain))
    tracker.update_with_events([ActionExecuted("action_track_order"), *first], domain)

    assert asyncio.run(_run("action_order_status", _closed_url(), tracker, domain)) == []

    tracker.update_with_events([ActionExecuted(ACTION_LISTEN_NAME), UserUttered("在吗", intent={"name": "greet"})], domain)
    assert _apology_of(asyncio.run(_run("action_track_order", _closed_url(), tracker, domain))) == "outage_apology"


def test_a_session_start_without_the_action_server_starts_the_session_quietly(domain):
    tracker = DialogueStateTracker.from_events("newcomer", [])

    events = asyncio.run(_run(ACTION_SESSION_START_NAME, _closed_url(), tracker, domain))

    assert [type(event) for event in events] == [SessionStarted, ActionExecuted]
    assert events[1].action_name == ACTION_LISTEN_NAME


@pytest.fixture
def handoff_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'handoff.db'}")
    monkeypatch.setenv("HANDOFF_HOURS", "00:00-24:00")
    return handoff_service()


def test_request_human_without_the_action_server_still_opens_a_case_and_pauses(domain, handoff_database):
    tracker = _tracker("转人工", "request_human", sender="wants-a-person")

    events = asyncio.run(_run(HANDOFF_TO_HUMAN_ACTION, _closed_url(), tracker, domain))

    assert identify(events[0].text) in ("outage_handoff_queued", "outage_handoff_later")
    assert SlotSet(HANDOFF_STATUS_SLOT, "queued") in events
    assert isinstance(events[-1], ConversationPaused)
    case = handoff_database.open_case_of("wants-a-person")
    assert case is not None and case.channel == "web"
    assert [line.text for line in case.transcript] == ["转人工"]


def test_request_human_with_the_handoff_database_out_too_still_apologises(domain, monkeypatch):
    def broken(tracker):
        raise RuntimeError("database gone")

    monkeypatch.setattr(action_outage, "open_case_without_action_server", broken)

    events = asyncio.run(_run(HANDOFF_TO_HUMAN_ACTION, _closed_url(), _tracker("转人工", "request_human"), domain))

    assert _apology_of(events) == "outage_no_human"
    assert not any(isinstance(event, ConversationPaused) for event in events)


def test_installing_twice_wraps_once():
    guarded = RemoteAction.run
    action_outage.install(timeout_seconds=TIMEOUT)
    assert RemoteAction.run is guarded
