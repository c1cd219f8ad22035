"""Which cases an agent may see: the waiting ones and their own; a supervisor every one. The API's
answers (404 for the rest) are tested against a real workspace in tests/security/test_workspace.py."""

from dataclasses import replace

import pytest

from kefu.handoff.agents import AgentAccount
from kefu.handoff.case_store import Case
from kefu.workspace.access import may_see
from tests.handoff.conftest import WEDNESDAY_10AM

MEI = AgentAccount("mei", "小美", WEDNESDAY_10AM, None)
BOSS = replace(MEI, username="boss", role="supervisor")


def case(status, claimed_by=None):
    return Case(id=1, sender_id="s-1", channel="web", status=status, reason="requested", priority=3,
                reason_label="顾客要求人工", emotion_score=None, intent=None, slots={}, customer=None,
                recent_orders=[], transcript=(), created_at=WEDNESDAY_10AM, claimed_by=claimed_by,
                claimed_at=None, agent_heartbeat_at=None, closed_by=None, closed_at=None, ticket_contact=None,
                callback_at=None)


@pytest.mark.parametrize("status, claimed_by, agent_sees", [
    ("queued", None, True),
    ("ticket", None, True),
    ("claimed", "mei", True),
    ("claimed", "wang", False),
    ("closed", "mei", False),
    ("closed", None, False),
])
def test_an_agent_sees_the_waiting_cases_and_their_own(status, claimed_by, agent_sees):
    assert may_see(MEI, case(status, claimed_by)) is agent_sees
    assert may_see(BOSS, case(status, claimed_by)), "a supervisor sees every case"
