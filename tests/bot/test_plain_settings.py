"""bot/plain_settings.py reads what bot.config.Settings reads, or declines and leaves it to Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.config import Settings
from bot.plain_settings import FIELDS, PlainSettings, read_plain_settings


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No setting in the environment, and a working folder without .env."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("CDSBOT_") or name.upper() == "TELEGRAM_BOT_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _plain_value(value: object) -> object:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _agrees_with_settings() -> PlainSettings | None:
    """Every field as plain_settings parses it equals Settings' value; or both refuse."""
    plain = read_plain_settings()
    try:
        settings = Settings()
    except ValidationError:
        assert plain is None
        return None
    if plain is None:
        return None
    for field in ("data_dir", "database_url", "demo", "log_level", "rate_limit_per_minute", "telegram_bot_token",
                  "webhook_secret"):
        mine = getattr(plain, field)
        mine = mine.get_secret_value() if hasattr(mine, "get_secret_value") else mine
        assert mine == _plain_value(getattr(settings, field)), field
    assert plain.resolved_database_url == settings.resolved_database_url
    assert plain.index_dir == settings.index_dir
    return plain


def test_every_setting_has_a_plain_reading() -> None:
    assert sorted(FIELDS) == sorted(Settings.model_fields)


def test_defaults_are_the_settings_defaults(clean_env: Path) -> None:
    plain = _agrees_with_settings()
    assert plain is not None and plain.sqlite_path == (Path("data") / "cdsbot.sqlite3").resolve()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CDSBOT_DATA_DIR", "/srv/cdsbot"),
        ("CDSBOT_DEMO", "0"),
        ("CDSBOT_DEMO", "1"),
        ("CDSBOT_DEMO", ""),
        ("CDSBOT_DATABASE_URL", ""),
        ("CDSBOT_DATABASE_URL", "sqlite:////tmp/other.sqlite3"),
        ("TELEGRAM_BOT_TOKEN", "123:abc"),
        ("CDSBOT_TELEGRAM_BOT_TOKEN", "123:abc"),
        ("CDSBOT_ADMIN_IDS", "1, 2;3"),
        ("CDSBOT_TIMEZONE", "Europe/Berlin"),
        ("CDSBOT_LINK_PORTS", "*"),
        ("CDSBOT_LINK_PORTS", "80,8080"),
        ("CDSBOT_REMINDER_LEAD_DAYS", "0,3,7"),
        ("CDSBOT_REMINDER_TIME", "07:30"),
        ("CDSBOT_PARSE_TIMEOUT_SECONDS", "2.5"),
        ("CDSBOT_PARSE_MEMORY_MB", "16"),
        ("CDSBOT_LOG_LEVEL", "debug"),
        ("CDSBOT_RATE_LIMIT_PER_MINUTE", "0"),
        ("cdsbot_data_dir", "/srv/lower-case"),  # pydantic-settings reads names in any case
    ],
)
def test_a_plain_value_reads_as_settings_read_it(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert _agrees_with_settings() is not None
    field = "telegram_bot_token" if variable.endswith("TELEGRAM_BOT_TOKEN") else variable.lower().removeprefix("cdsbot_")
    assert FIELDS[field](value) == _plain_value(getattr(Settings(), field))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CDSBOT_TIMEZONE", "Mars/Base"),
        ("CDSBOT_REMINDER_TIME", "25:99"),
        ("CDSBOT_REMINDER_LEAD_DAYS", "7,-1"),
        ("CDSBOT_ADMIN_IDS", "abc"),
        ("CDSBOT_DEMO", "perhaps"),
        ("CDSBOT_MAX_UPLOAD_MB", "lots"),
        ("CDSBOT_PARSE_MEMORY_MB", "8"),
        ("CDSBOT_PARSE_TIMEOUT_SECONDS", "0"),
        ("CDSBOT_LINK_PORTS", "70000"),
        ("CDSBOT_ALLOW_LOOPBACK_LINKS", ""),
    ],
)
def test_a_wrong_value_is_left_to_settings_to_report(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert read_plain_settings() is None
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(("variable", "value"), [("CDSBOT_DEMO", "yes"), ("CDSBOT_RATE_LIMIT_PER_MINUTE", " 20")])
def test_a_value_valid_in_an_unusual_spelling_is_left_to_settings(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert read_plain_settings() is None
    Settings()  # valid: the full path reads it


def test_dot_env_is_read_and_the_environment_wins(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "# as .env.example ships it\nCDSBOT_DATA_DIR=/srv/from-env-file\nCDSBOT_DEMO=\nexport CDSBOT_LOG_LEVEL='WARNING'\n"
        "TELEGRAM_BOT_TOKEN=\nCDSBOT_DATABASE_URL=sqlite:////srv/x.sqlite3\n",
        encoding="utf-8",
    )
    plain = _agrees_with_settings()
    assert plain is not None and plain.data_dir == Path("/srv/from-env-file") and plain.log_level == "WARNING"
    monkeypatch.setenv("CDSBOT_DATABASE_URL", "postgresql+psycopg://u:p@h/db")
    plain = _agrees_with_settings()
    assert plain is not None and plain.sqlite_path is None


def test_a_wrong_value_in_dot_env_is_left_to_settings(clean_env: Path) -> None:
    (clean_env / ".env").write_text("CDSBOT_REMINDER_TIME=8h\n", encoding="utf-8")
    assert read_plain_settings() is None
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_are_not_shown(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET")
    plain = read_plain_settings()
    assert plain is not None and "SECRET" not in repr(plain)
