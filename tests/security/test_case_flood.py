"""A flood of made-up shoppers from one machine cannot fill the agents' queue: a real Rasa server and
action server, every message through the public REST webhook, so the client the channel stamps on the
message (not whatever the client sends) is what the limit counts (kefu/handoff/limits.py)."""

from __future__ import annotations

import uuid
from typing import Iterator, List

import pytest

from kefu.chat import send
from kefu.handoff.agents import create_agent, mark_seen
from kefu.handoff.service import HandoffService
from kefu.replies import identify
from kefu.security.client import CLIENT_METADATA_KEY
from kefu.storage.db import make_engine
from kefu.storage.handoff_schema import create_handoff_schema
from tests.conftest import assistant_on
from tests.demo_shop.support import seeded_sqlite

RASA_PORT, ACTION_PORT = 5320, 5321
OPEN_CASES_PER_IP = 3
STARTUP_SECONDS = 600
FAKE_SENDERS = 5
FLOODER_IP = "203.0.113.66"
FROM_PROXY = {"X-Forwarded-For": FLOODER_IP}
# What a flooder types: a plain request and angry words (an angry message makes a most urgent case).
FLOOD_TEXTS = ["转人工", "气死了！！！三次都发错货，你们这什么破服务，马上给我转人工！"]


@pytest.fixture(scope="module")
def handoff_database(tmp_path_factory) -> Iterator[HandoffService]:
    """The demo shop, with an agent on duty all day, so every request would open a case."""
    shop = seeded_sqlite(tmp_path_factory.mktemp("case-flood-shop") / "shop.db")
    engine = make_engine(str(shop.engine.url))
    create_handoff_schema(engine)
    create_agent(engine, "xiaomei", "小美", "secret-123")
    mark_seen(engine, "xiaomei")
    yield HandoffService(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def assistant(trained_model, handoff_database, tmp_path_factory):
    environment = {
        "SHOP_BACKEND": "sql",
        "DATABASE_URL": str(handoff_database.engine.url),
        "HANDOFF_HOURS": "00:00-24:00",
        "HANDOFF_AGENT_ONLINE_SECONDS": "86400",
        "OPEN_CASES_PER_IP": str(OPEN_CASES_PER_IP),
        # As deployed: behind the shop's reverse proxy, which appends the address it saw (a flood
        # from loopback would be counted per sender: kefu.security.client.client_key).
        "TRUST_FORWARDED_HEADERS": "1",
    }
    running = assistant_on(tmp_path_factory.mktemp("case-flood"), trained_model, RASA_PORT, ACTION_PORT, environment)
    # A generous start: loading the model takes minutes when other suites start servers at the same time.
    running.start(timeout=STARTUP_SECONDS)
    try:
        yield running
    finally:
        running.stop()


def templates(replies: List[dict]) -> List[str]:
    return [identify(reply.get("text") or "") for reply in replies]


def test_fake_senders_from_one_machine_open_at_most_the_limit_of_cases(assistant, handoff_database):
    senders = [f"flood-{uuid.uuid4().hex[:8]}" for _ in range(FAKE_SENDERS)]
    heard = {}
    for n, sender in enumerate(senders):
        # Each claims another address, in metadata and at the left of X-Forwarded-For: only the
        # address the proxy appended (rightmost) counts.
        forged = {CLIENT_METADATA_KEY: {"ip": f"10.66.0.{n}", "channel": "rest"}}
        heard[sender] = templates(send(assistant.rasa_url, sender, FLOOD_TEXTS[n % 2], metadata=forged,
                                       headers=FROM_PROXY | {"X-Forwarded-For": f"10.66.0.{n}, {FLOODER_IP}"}))

    with_a_case = [sender for sender in senders if handoff_database.open_case_of(sender) is not None]
    assert len(handoff_database.queue()) == OPEN_CASES_PER_IP, heard
    assert with_a_case == senders[:OPEN_CASES_PER_IP], heard
    for sender in with_a_case:
        assert "handoff_queued" in heard[sender], heard
    for sender in senders[OPEN_CASES_PER_IP:]:
        # Told clearly that the earlier requests are already with the agents, never silence.
        assert "handoff_client_busy" in heard[sender], heard
        assert "handoff_queued" not in heard[sender], heard

    # The refused shoppers were not paused: the bot still answers them.
    refused = senders[-1]
    assert send(assistant.rasa_url, refused, "运费怎么算", headers=FROM_PROXY)
    # A shopper who got a case is with the agents: the bot says nothing, the message waits for the agent.
    waiting = with_a_case[0]
    assert send(assistant.rasa_url, waiting, "还要等多久", headers=FROM_PROXY) == []
    assert [m.text for m in handoff_database.messages(handoff_database.open_case_of(waiting).id)][-1] == "还要等多久"
