"""Logging set-up: one format, and no secret ever written to a log."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Or bot.plain_settings.PlainSettings (a cold `cdsbot ask`): the same attribute names.
    from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in the finished line, tracebacks included.

    httpx and python-telegram-bot log request URLs, which carry the bot token,
    and some Telegram errors quote it; redacting the formatted text catches
    every place it can appear.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(FORMAT)
        self._secrets = {s for s in secrets if s}

    def add_secret(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def configure_logging(settings: Settings, *, verbose: bool, serving: bool) -> None:
    """The bot logs at CDSBOT_LOG_LEVEL; one-shot commands show only warnings."""
    level = logging.DEBUG if verbose else (settings.log_level.upper() if serving else logging.WARNING)
    # force: an imported library may already have configured the root logger.
    logging.basicConfig(level=level, force=True)
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret) if s]
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter(secrets))
    if not verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # Alembic narrates every step at INFO; knowledge.db logs the one line that matters.
        logging.getLogger("alembic").setLevel(logging.WARNING)


def redact_also(secret: str) -> None:
    """Hide a secret made after logging was set up (a generated webhook secret)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.add_secret(secret)


# Libraries that warn about the files they read (a damaged PDF's xref table):
# useful in a log, noise on the terminal of someone adding a document.
NOISY_LIBRARIES = ("pypdf", "PyPDF2", "pdfminer", "docx", "lxml", "charset_normalizer")


def libraries_log_to_file(path: Path) -> None:
    """Send the noisy libraries' records to ``path`` instead of the terminal (one-shot commands)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # an unwritable data dir: drop them rather than print them
    handler.setFormatter(RedactingFormatter())
    for name in NOISY_LIBRARIES:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, "_cdsbot_library_log", False)]:
            logger.removeHandler(old)
            old.close()
        handler._cdsbot_library_log = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
