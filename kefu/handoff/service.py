"""The handoff service the actions, the channels and the workspace call: one object over the queue, the
messages and the tickets, the one instance of this process, and the errors its database can raise."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.exc import SQLAlchemyError

from kefu.backends.errors import BackendFailure
from kefu.handoff.messages import CaseMessages
from kefu.storage.handoff_schema import create_handoff_schema
from kefu.handoff.queue import CaseQueue
from kefu.handoff.tickets import Tickets
from kefu.storage.db import database_url, make_engine

# What the handoff database can throw at its callers: the service's own
# errors, and the raw SQLAlchemy errors of kefu.handoff.agents.
DATABASE_ERRORS = (BackendFailure, SQLAlchemyError)


class HandoffService(CaseQueue, CaseMessages, Tickets):
    """Cases, their messages and tickets in the handoff tables of one database (plain Python, blocking:
    async callers run it in a worker thread)."""


def handoff_service() -> HandoffService:
    """The handoff service of this process, in the assistant's own database (DATABASE_URL), beside the
    shop's tables by default."""
    return _service_on(database_url())


@lru_cache(maxsize=4)
def _service_on(url: str) -> HandoffService:
    engine = make_engine(url)
    create_handoff_schema(engine)
    return HandoffService(engine)
