"""Which cases an agent may see and act on: an ``agent`` the cases waiting for anyone (the queue, the
tickets to call back) and the ones they hold themselves; a ``supervisor`` every case, closed ones
included (docs/workspace.md: roles). Anything else is answered as if it did not exist."""

from __future__ import annotations

from kefu.handoff.agents import AgentAccount
from kefu.handoff.case_store import Case
from kefu.storage.handoff_models import CLAIMED, QUEUED, TICKET

# Waiting for any agent to take them up.
WAITING_STATUSES = (QUEUED, TICKET)


def may_see(account: AgentAccount, case: Case) -> bool:
    if account.is_supervisor or case.status in WAITING_STATUSES:
        return True
    return case.status == CLAIMED and case.claimed_by == account.username
