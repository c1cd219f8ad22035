"""A handoff service with the demo agent on an SQLite file, and the two ends of an agent's reply: the
agent writing it and the shopper's socket receiving it (for the delivery and relay tests)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kefu.handoff.agents import create_agent
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.handoff.service import HandoffService
from kefu.handoff.triggers import decide_handoff
from kefu.storage.db import make_engine


@contextmanager
def service_with_demo_agent(path: Path) -> Iterator[HandoffService]:
    """A handoff service on a new SQLite file, with the agent ``agent`` (演示客服)."""
    engine = make_engine(f"sqlite:///{path}")
    create_handoff_schema(engine)
    create_agent(engine, "agent", "演示客服", "agent-password")
    try:
        yield HandoffService(engine)
    finally:
        engine.dispose()


def agent_replied(service, sender, text):
    case = service.open_case(sender, decide_handoff("request_human", "转人工")).case
    if case.status == "queued":
        service.claim(case.id, "agent")
    return service.agent_reply(case.id, "agent", text).message


class Inbox:
    """A shopper's socket: what was sent to it."""

    def __init__(self):
        self.payloads = []

    async def send(self, payloads):
        self.payloads.extend(payloads)

    @property
    def texts(self):
        return [payload["text"] for payload in self.payloads]
