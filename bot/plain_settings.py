"""The settings, read without pydantic for a cold ``cdsbot ask``, or None when in any doubt.

Importing pydantic with pydantic-settings costs about a quarter of a cold
``cdsbot ask`` budget, more than answering. This reader looks at the same
variables as :class:`bot.config.Settings` (the ``CDSBOT_`` prefix in any case,
``TELEGRAM_BOT_TOKEN``, the environment over ``.env`` in the working folder)
and checks every one of them, but accepts only values whose meaning is plain:
a whole number, ``0``/``1``/``true``/``false``, a time zone that exists,
``HH:MM``. For anything else, a wrong value included, it returns None and
the caller builds ``Settings``, which reports a wrong value in Vietnamese
exactly as before. So there is one authority on what a setting means, and
this module can only say "plainly valid, and these are the values".
``tests/bot/test_plain_settings.py`` holds it to ``Settings`` field by field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from knowledge.db import default_sqlite_url

ENV_FILE = ".env"
PREFIX = "cdsbot_"
# telegram_bot_token is read under these names, in this order (Settings' validation_alias).
TOKEN_NAMES = ("telegram_bot_token", "cdsbot_telegram_bot_token")


class _Unsure(Exception):
    """A value this reader does not take on itself; Settings will read it."""


class Secret:
    """A secret's text, shown as stars (the part of pydantic's SecretStr that logging uses)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class PlainSettings:
    """The settings a cold ``cdsbot ask`` uses, with the attribute names of ``bot.config.Settings``."""

    data_dir: Path
    database_url: str | None
    demo: bool | None
    log_level: str
    rate_limit_per_minute: int
    telegram_bot_token: Secret | None
    webhook_secret: Secret | None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or default_sqlite_url(self.data_dir)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file the database URL names; None for any other database (or an in-memory one)."""
        url = self.resolved_database_url
        if not url.startswith("sqlite:///") or ":memory:" in url or "?" in url:
            return None
        return Path(url.removeprefix("sqlite:///"))


# ------------------------------------------------------------ one parser per kind of value
def _blank_is_none(parse: Callable[[str], object]) -> Callable[[str], object]:
    """``KEY=`` means "not set" (Settings._blank_is_unset)."""
    return lambda value: None if not value.strip() else parse(value)


def _text(value: str) -> str:
    return value


def _path(value: str) -> Path:
    if not value.strip():
        raise _Unsure
    return Path(value)


def _bool(value: str) -> bool:
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    raise _Unsure


def _int(minimum: int | None = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"-?[0-9]+", value) or (minimum is not None and int(value) < minimum):
            raise _Unsure
        return int(value)

    return parse


def _float(above: float | None = None) -> Callable[[str], float]:
    def parse(value: str) -> float:
        if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value) or (above is not None and float(value) <= above):
            raise _Unsure
        return float(value)

    return parse


def _zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _Unsure from exc
    return value


def _ids(value: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
    except ValueError as exc:
        raise _Unsure from exc


def _ports(value: str) -> frozenset[int] | None:
    if value.strip() == "*":
        return None
    try:
        ports = frozenset(int(part) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise _Unsure from exc
    if not ports or any(not 0 < p < 65536 for p in ports):
        raise _Unsure
    return ports


def _days(value: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True))
    except ValueError as exc:
        raise _Unsure from exc
    if any(d < 0 for d in days):
        raise _Unsure
    return days


def _time(value: str) -> time:
    if not re.fullmatch(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2})?", value):
        raise _Unsure
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise _Unsure from exc


# Every field of bot.config.Settings, with how a plain value of it reads (a test keeps the two in step).
FIELDS: dict[str, Callable[[str], object]] = {
    "data_dir": _path,
    "database_url": _blank_is_none(_text),
    "demo": _blank_is_none(_bool),
    "telegram_bot_token": _blank_is_none(_text),
    "admin_ids": _ids,
    "timezone": _zone,
    "telegram_api_url": _blank_is_none(_text),
    "telegram_file_url": _blank_is_none(_text),
    "webhook_secret": _blank_is_none(_text),
    "rate_limit_per_minute": _int(),
    "max_upload_mb": _int(),
    "link_timeout_seconds": _float(),
    "link_ports": _ports,
    "allow_loopback_links": _bool,
    "parse_memory_mb": _int(minimum=16),
    "parse_timeout_seconds": _float(above=0),
    "parse_max_chars": _int(minimum=1000),
    "reminder_lead_days": _days,
    "reminder_time": _time,
    "log_level": _text,
    "ocr_max_pages": _int(minimum=1),
}


def _sources(environ: Mapping[str, str], folder: Path) -> dict[str, str] | None:
    """Variable names (lower case) to values: ``.env`` first, the environment over it; None if unsure."""
    values: dict[str, str] = {}
    env_file = folder / ENV_FILE
    if env_file.is_file():
        try:
            from dotenv import dotenv_values  # what pydantic-settings reads .env with

            from_file = dotenv_values(env_file, encoding="utf-8")
        except (OSError, UnicodeError, ValueError):
            return None
        for key, value in from_file.items():
            if value is None:  # a bare KEY line: let Settings decide what it means
                if key.lower().startswith(PREFIX) or key.lower() in TOKEN_NAMES:
                    return None
                continue
            values[key.lower()] = value
    for key, value in environ.items():
        values[key.lower()] = value
    return values


def read_plain_settings(environ: Mapping[str, str] | None = None, folder: Path | None = None) -> PlainSettings | None:
    """The settings when every value is plainly valid; None sends the caller to ``bot.config.Settings``."""
    values = _sources(os.environ if environ is None else environ, Path.cwd() if folder is None else folder)
    if values is None:
        return None
    parsed: dict[str, object] = {}
    try:
        for field, parse in FIELDS.items():
            if field == "telegram_bot_token":
                raw = next((values[name] for name in TOKEN_NAMES if name in values), None)
            else:
                raw = values.get(PREFIX + field)
            if raw is not None:
                parsed[field] = parse(raw)
    except _Unsure:
        return None
    token, secret = parsed.get("telegram_bot_token"), parsed.get("webhook_secret")
    return PlainSettings(
        data_dir=parsed.get("data_dir", Path("./data")),  # type: ignore[arg-type]
        database_url=parsed.get("database_url"),  # type: ignore[arg-type]
        demo=parsed.get("demo"),  # type: ignore[arg-type]
        log_level=parsed.get("log_level", "INFO"),  # type: ignore[arg-type]
        rate_limit_per_minute=parsed.get("rate_limit_per_minute", 20),  # type: ignore[arg-type]
        telegram_bot_token=Secret(token) if isinstance(token, str) else None,
        webhook_secret=Secret(secret) if isinstance(secret, str) else None,
    )
