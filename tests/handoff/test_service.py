"""The handoff service of the process: one per database (DATABASE_URL), its tables created."""

from kefu.handoff.service import handoff_service


def test_one_service_per_database_with_its_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'first.db'}")
    first = handoff_service()
    assert handoff_service() is first
    assert first.queue() == [] and first.tickets() == []
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    assert handoff_service() is not first
    assert str(handoff_service().engine.url).endswith("second.db")
