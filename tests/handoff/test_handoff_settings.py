from __future__ import annotations

from kefu.settings import Settings

NAMES = ("HANDOFF_HOURS", "HANDOFF_CLAIM_TIMEOUT_SECONDS", "HANDOFF_AVERAGE_MINUTES_PER_CASE",
         "HANDOFF_AGENT_ONLINE_SECONDS")


def test_handoff_defaults(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.handoff_hours == "09:00-22:00"
    assert settings.handoff_claim_timeout_seconds == 60
    assert settings.handoff_average_minutes_per_case == 5
    assert settings.handoff_agent_online_seconds == 120


def test_handoff_settings_from_the_environment(monkeypatch):
    for name, value in zip(NAMES, ("mon-fri 08:00-20:00", "90", "7.5", "30")):
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    assert (settings.handoff_hours, settings.handoff_claim_timeout_seconds,
            settings.handoff_average_minutes_per_case, settings.handoff_agent_online_seconds) == (
        "mon-fri 08:00-20:00", 90, 7.5, 30,
    )


def test_the_service_reads_its_settings(monkeypatch, sqlite_engine):
    from kefu.handoff.service import HandoffService

    monkeypatch.setenv("HANDOFF_CLAIM_TIMEOUT_SECONDS", "15")
    monkeypatch.setenv("HANDOFF_AVERAGE_MINUTES_PER_CASE", "3")
    service = HandoffService(sqlite_engine)
    assert (service.claim_timeout_seconds, service.average_minutes_per_case) == (15, 3)
