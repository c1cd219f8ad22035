from kefu.settings import Settings


def test_defaults_are_the_embedded_setup(monkeypatch):
    for name in ("RASA_PORT", "ACTION_PORT", "TRACKER_DB_DIALECT", "TRUST_METADATA_CUSTOMER_ID", "SHOP_BACKEND_DEADLINE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.rasa_port, settings.action_port) == (5005, 5055)
    assert settings.action_endpoint_url == "http://localhost:5055/webhook"
    assert settings.tracker_db_dialect == "sqlite"
    assert settings.tracker_db_name.endswith("var/tracker.db")
    assert settings.trust_metadata_customer_id is True
    assert settings.backend_deadline_seconds == 2.5


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "6055")
    monkeypatch.setenv("TRUST_METADATA_CUSTOMER_ID", "false")
    monkeypatch.setenv("SHOP_BACKEND_DEADLINE", "1.5")
    settings = Settings.from_env()
    assert settings.action_endpoint_url == "http://localhost:6055/webhook"
    assert settings.trust_metadata_customer_id is False
    assert settings.backend_deadline_seconds == 1.5


def test_rasa_gets_what_endpoints_yml_refers_to():
    assert set(Settings.from_env().rasa_environment()) == {
        "ACTION_ENDPOINT_URL", "TRACKER_DB_DIALECT", "TRACKER_DB_HOST", "TRACKER_DB_NAME",
    }
