from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app.core.config import PLACEHOLDER_SECRET, ConfigError, Settings, load_settings
from app.core.logging import JsonFormatter

SETTINGS_VARS = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "CORS_ORIGINS", "LOG_LEVEL", "LOG_FORMAT")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no settings and no .env file to fall back on."""
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///./app.db")
    return monkeypatch


def test_every_problem_is_reported_at_once(env: pytest.MonkeyPatch) -> None:
    env.setenv("LOG_LEVEL", "LOUD")
    env.setenv("DATABASE_URL", "mysql://db/app")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    for name in ("SECRET_KEY", "LOG_LEVEL", "DATABASE_URL"):
        assert name in message


def test_placeholder_secret_is_rejected_outside_development(env: pytest.MonkeyPatch) -> None:
    env.setenv("SECRET_KEY", PLACEHOLDER_SECRET)
    env.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()


def test_placeholder_secret_is_accepted_in_development(env: pytest.MonkeyPatch) -> None:
    env.setenv("SECRET_KEY", PLACEHOLDER_SECRET)
    env.setenv("APP_ENV", "development")
    assert load_settings().app_env == "development"


def test_environment_wins_over_dotenv(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv-0123456789\nLOG_LEVEL=DEBUG\n")
    env.setenv("LOG_LEVEL", "WARNING")
    settings = load_settings()
    assert settings.secret_key.get_secret_value() == "from-dotenv-0123456789"
    assert settings.log_level == "WARNING"


def test_defaults_are_safe(env: pytest.MonkeyPatch) -> None:
    env.setenv("SECRET_KEY", "a-real-secret-0123456789")
    settings = load_settings()
    assert settings.app_env == "production"
    assert "*" not in settings.cors_origins
    assert settings.json_logs


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@db:5432/app", "postgresql://u:p@db:5432/app"],
)
def test_postgres_urls_use_psycopg(env: pytest.MonkeyPatch, url: str) -> None:
    env.setenv("SECRET_KEY", "a-real-secret-0123456789")
    env.setenv("DATABASE_URL", url)
    assert load_settings().database_url == "postgresql+psycopg://u:p@db:5432/app"


def test_cors_origins_are_comma_separated(env: pytest.MonkeyPatch) -> None:
    env.setenv("SECRET_KEY", "a-real-secret-0123456789")
    env.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert load_settings().cors_origins == ["https://a.example", "https://b.example"]
    env.setenv("CORS_ORIGINS", "")
    assert load_settings().cors_origins == []


def test_secret_is_not_printed(env: pytest.MonkeyPatch) -> None:
    env.setenv("SECRET_KEY", "a-real-secret-0123456789")
    settings = load_settings()
    assert "a-real-secret" not in repr(settings)
    assert isinstance(settings, Settings)


def test_json_log_lines() -> None:
    record = logging.LogRecord("app.access", logging.INFO, __file__, 1, "GET /health 200", (), None)
    record.status = 200
    record.request_id = "abc"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /health 200"
    assert line["level"] == "info"
    assert line["status"] == 200
    assert line["request_id"] == "abc"
