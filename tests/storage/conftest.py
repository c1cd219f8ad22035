# The handoff tables are tested on both databases, with the handoff tests' engines.
from tests.handoff.conftest import engine, postgresql_engine, sqlite_engine  # noqa: F401
