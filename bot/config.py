"""Settings, read once from the environment / ``.env`` and passed down."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.db import default_sqlite_url

if TYPE_CHECKING:
    # The parse worker (multiprocessing, resource limits) is loaded by what parses, not by reading settings.
    from knowledge.documents.worker import ParseLimits


class Settings(BaseSettings):
    """Every knob of cdsbot; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_prefix="CDSBOT_")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    # Unset: the demo base loads on a first `ask`/`chat`, never under `run`;
    # True (CDSBOT_DEMO=1): `run` loads it too; False: never.
    demo: bool | None = None
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CDSBOT_TELEGRAM_BOT_TOKEN")
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Ho_Chi_Minh"
    telegram_api_url: str | None = None
    telegram_file_url: str | None = None
    webhook_secret: SecretStr | None = None
    rate_limit_per_minute: int = 20
    max_upload_mb: int = 20
    link_timeout_seconds: float = 20.0
    # Ports a linked page may be on; "*" = any. Addresses are always checked (knowledge/documents/links.py).
    link_ports: Annotated[frozenset[int] | None, NoDecode] = frozenset({80, 443})
    # Test-only: let links reach 127.0.0.1 / ::1 (the tests' page server). Never on in production.
    allow_loopback_links: bool = False
    # Each upload is parsed in a child process with these limits (knowledge/documents/worker.py).
    parse_memory_mb: int = Field(default=512, ge=16)
    parse_timeout_seconds: float = Field(default=120.0, gt=0)
    parse_max_chars: int = Field(default=5_000_000, ge=1000)
    reminder_lead_days: Annotated[tuple[int, ...], NoDecode] = (7, 1, 0)
    reminder_time: time = time(8, 0)
    log_level: str = "INFO"
    # issue 8: scans longer than this are refused rather than OCR'd for minutes.
    ocr_max_pages: int = Field(default=50, ge=1)

    @field_validator(
        "database_url", "telegram_bot_token", "telegram_api_url", "telegram_file_url", "webhook_secret", "demo",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``KEY=`` in .env (as .env.example ships) means "not set", not an empty string."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Checked here, so "Mars/Base" is a setting error at start, not a traceback at the first reminder."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("link_ports", mode="before")
    @classmethod
    def _parse_ports(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip() == "*":
                return None
            ports = frozenset(int(part) for part in value.split(",") if part.strip())
            if not ports or any(not 0 < p < 65536 for p in ports):
                raise ValueError("ports must be 1-65535, comma-separated, or *")
            return ports
        return value

    @field_validator("reminder_lead_days", mode="before")
    @classmethod
    def _parse_days(cls, value: object) -> object:
        if isinstance(value, str):
            days = tuple(sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True))
            if any(d < 0 for d in days):
                raise ValueError("lead days must be >= 0")
            return days
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return default_sqlite_url(self.data_dir)

    @property
    def tz(self) -> ZoneInfo:
        """CDSBOT_TIMEZONE as a zone: "today", deadlines and reminder times are read there."""
        return ZoneInfo(self.timezone)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def parse_limits(self) -> ParseLimits:
        from knowledge.documents.worker import ParseLimits

        return ParseLimits(
            memory_mb=self.parse_memory_mb, seconds=self.parse_timeout_seconds, max_chars=self.parse_max_chars
        )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


# What each setting must look like, said to the admin who typed it.
_SETTING_HINTS: dict[str, str] = {
    "timezone": "múi giờ IANA, ví dụ Asia/Ho_Chi_Minh",
    "reminder_time": "giờ dạng HH:MM, ví dụ 08:00",
    "reminder_lead_days": "các số ngày không âm, cách nhau bằng dấu phẩy, ví dụ 7,1,0",
    "admin_ids": "các mã người dùng Telegram (số), cách nhau bằng dấu phẩy",
    "demo": "1 hoặc 0",
    "rate_limit_per_minute": "một số nguyên",
    "max_upload_mb": "một số nguyên (MB)",
    "link_timeout_seconds": "một số giây",
}


def settings_error(exc: ValidationError) -> str:
    """One Vietnamese line naming the environment variable that is wrong and what it should be."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        variable = "TELEGRAM_BOT_TOKEN" if field == "telegram_bot_token" else f"CDSBOT_{field.upper()}"
        given = error.get("input")
        shown = f"={given}" if isinstance(given, str) else ""
        hint = _SETTING_HINTS.get(field, "giá trị hợp lệ (xem .env.example)")
        problems.append(f"{variable}{shown} không hợp lệ, cần {hint}")
    return "Cấu hình không hợp lệ: " + "; ".join(problems) + "."
