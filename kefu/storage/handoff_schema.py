"""The handoff database's schema as a whole: the handoff tables (handoff_models) and the tables that
share their Base and database (agent access, case clients, channel sessions, proof failures, the web
chat's and the WeChat channels' state). Every module that adds tables to that Base is imported here,
so creating the schema never depends on which module happened to be imported first."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from kefu.storage import agent_access_models, case_client_models, session_models, verification_models  # noqa: F401
from kefu.storage import webchat_models, wechat_models  # noqa: F401
from kefu.storage.handoff_models import Base


def create_handoff_schema(engine: Engine) -> None:
    """Create the handoff tables and indexes that do not exist yet.

    ``create_all`` builds an index only with its table; an index added to an
    existing table later is created here, on the databases made before it.
    """
    Base.metadata.create_all(engine)
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def drop_handoff_schema(engine: Engine) -> None:
    """Drop the handoff tables (and only those)."""
    Base.metadata.drop_all(engine)

