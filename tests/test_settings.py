from pathlib import Path

from kefu.settings import Settings


def test_defaults_are_the_embedded_setup(monkeypatch):
    for name in ("RASA_PORT", "ACTION_PORT", "TRACKER_DB_DIALECT", "DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID", "SHOP_BACKEND_DEADLINE", "RASA_API_TOKEN", "CORS_ORIGINS", "ACTION_SERVER_HOST", "KEFU_DEMO_MODE", "TRUST_FORWARDED_HEADERS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.rasa_port, settings.action_port) == (5005, 5055)
    assert settings.action_endpoint_url == "http://localhost:5055/webhook"
    assert settings.tracker_db_dialect == "sqlite"
    assert settings.tracker_db_name.endswith("var/tracker.db")
    assert settings.trust_metadata_customer_id is False
    assert settings.backend_deadline_seconds == 2.5
    # Closed by default: no API token means loopback only; no origin is allowed.
    assert settings.rasa_api_token == "" and settings.cors_origins == ()
    assert settings.action_server_host == "127.0.0.1"
    assert settings.demo_mode is False and settings.trust_forwarded_headers is False


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "6055")
    monkeypatch.setenv("DANGEROUSLY_TRUST_METADATA_CUSTOMER_ID", "true")
    monkeypatch.setenv("CORS_ORIGINS", "https://shop.example.com, https://m.shop.example.com")
    monkeypatch.setenv("SHOP_BACKEND_DEADLINE", "1.5")
    settings = Settings.from_env()
    assert settings.action_endpoint_url == "http://localhost:6055/webhook"
    assert settings.trust_metadata_customer_id is True
    assert settings.cors_origins == ("https://shop.example.com", "https://m.shop.example.com")
    assert settings.backend_deadline_seconds == 1.5


def test_rasa_gets_what_endpoints_yml_refers_to():
    import re

    from kefu.settings import PROJECT_ROOT

    lines = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8").splitlines()
    referred = {name for line in lines if not line.lstrip().startswith("#") for name in re.findall(r"\$\{(\w+)\}", line)}
    assert set(Settings.from_env().rasa_environment()) == referred == {
        "ACTION_ENDPOINT_URL", "TRACKER_DB_DIALECT", "TRACKER_DB_HOST", "TRACKER_DB_NAME", "ACTION_SERVER_TOKEN",
    }


def test_the_shop_defaults_are_the_embedded_database_and_the_reference_api():
    settings = Settings.from_env({})
    assert settings.shop_backend == "sql"
    assert settings.shop_api_url == "http://localhost:5060"
    assert (settings.shop_api_timeout_seconds, settings.shop_api_retries, settings.shop_api_backoff_seconds) == (2.0, 2, 0.2)
    assert settings.shop_api_token == ""
    assert (settings.shop_api_host, settings.shop_api_port) == ("127.0.0.1", 5060)


def test_the_shop_settings_are_read_from_the_environment():
    settings = Settings.from_env(
        {
            "SHOP_BACKEND": " HTTP ",
            "SHOP_API_URL": "http://shop.internal:8080/api",
            "SHOP_API_TIMEOUT": "1.5",
            "SHOP_API_RETRIES": "4",
            "SHOP_API_BACKOFF": "0.1",
            "SHOP_API_TOKEN": " t0ken ",
            "SHOP_API_HOST": "0.0.0.0",
            "SHOP_API_PORT": "6060",
        }
    )
    assert settings.shop_backend == "http"
    assert settings.shop_api_url == "http://shop.internal:8080/api"
    assert (settings.shop_api_timeout_seconds, settings.shop_api_retries, settings.shop_api_backoff_seconds) == (1.5, 4, 0.1)
    assert settings.shop_api_token == "t0ken"
    assert (settings.shop_api_host, settings.shop_api_port) == ("0.0.0.0", 6060)


def test_blank_shop_settings_keep_their_defaults():
    settings = Settings.from_env({"SHOP_BACKEND": " ", "SHOP_API_URL": "", "SHOP_API_RETRIES": "  "})
    assert (settings.shop_backend, settings.shop_api_url, settings.shop_api_retries) == ("sql", "http://localhost:5060", 2)


def test_secrets_stay_out_of_repr():
    settings = Settings.from_env(
        {"SHOP_API_TOKEN": "t0ken-secret", "DATABASE_URL": "postgresql://u:pw-secret@db/shop", "WORKSPACE_SECRET": "ws-secret"}
    )
    assert "secret" not in repr(settings)


def test_a_given_environment_is_read_instead_of_the_process_one(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "6005")
    assert Settings.from_env({}).rasa_port == 5005
    assert Settings.from_env().rasa_port == 6005


def test_rasas_training_cache_is_outside_the_project(tmp_path):
    from kefu.settings import PROJECT_ROOT

    default = Settings.from_env({}).rasa_cache_dir
    assert default == Path.home() / ".cache" / "kefu" / "rasa-cache"
    assert PROJECT_ROOT not in default.parents
    assert Settings.from_env({"XDG_CACHE_HOME": str(tmp_path)}).rasa_cache_dir == tmp_path / "kefu" / "rasa-cache"
    chosen = {"RASA_CACHE_DIRECTORY": str(tmp_path / "mine"), "XDG_CACHE_HOME": str(tmp_path)}
    assert Settings.from_env(chosen).rasa_cache_dir == tmp_path / "mine"


def test_rasa_gets_every_variable_credentials_yml_refers_to_even_when_unset():
    import re

    from kefu.settings import PROJECT_ROOT

    lines = (PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8").splitlines()
    referred = {name for line in lines if not line.lstrip().startswith("#") for name in re.findall(r"\$\{(\w+)\}", line)}
    given = Settings.from_env({}).credentials_environment()
    assert referred <= set(given)
    assert set(given.values()) == {""}  # unset: empty, so Rasa can read the file and the channel stays shut
    assert Settings.from_env({"WECHAT_TOKEN": "t0ken"}).credentials_environment()["WECHAT_TOKEN"] == "t0ken"
