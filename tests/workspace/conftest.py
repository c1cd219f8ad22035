"""The handoff tests' real databases, clock and agents, for the workspace's views."""

from tests.handoff.conftest import agents, clock, engine, postgresql_engine, service, sqlite_engine  # noqa: F401
