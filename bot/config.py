"""Settings, read once from the environment / ``.env`` and passed down."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.db import default_sqlite_url


class Settings(BaseSettings):
    """Every knob of cdsbot; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_prefix="CDSBOT_")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    demo: bool = True
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
    reminder_lead_days: Annotated[tuple[int, ...], NoDecode] = (7, 1, 0)
    reminder_time: time = time(8, 0)
    log_level: str = "INFO"
    # issue 8: scans longer than this are refused rather than OCR'd for minutes.
    ocr_max_pages: int = Field(default=50, ge=1)

    @field_validator(
        "database_url", "telegram_bot_token", "telegram_api_url", "telegram_file_url", "webhook_secret", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``KEY=`` in .env (as .env.example ships) means "not set", not an empty string."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
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
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
