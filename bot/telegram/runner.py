"""``cdsbot run``: serve Telegram by long polling, or by webhook with ``--webhook-url``.

Startup problems an operator can fix (no token, a malformed or revoked token,
no network) end with one Vietnamese line on stderr and a non-zero exit code,
never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.commands import all_commands
from bot.config import Settings
from bot.logs import redact_also
from bot.services import Services
from bot.telegram.app import build_application
from bot.telegram.context import CdsApplication, run_blocking
from knowledge.documents.demo import (
    DEMO_REMOVED,
    HOW_TO_ADD,
    holds_only_demo,
    remove_demo,
)
from knowledge.library import Library

log = logging.getLogger(__name__)

# What @BotFather hands out: the bot's numeric id, a colon, then the secret.
TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,128}")
# Telegram accepts 1-256 of these characters in X-Telegram-Bot-Api-Secret-Token.
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

INDEX_SYNC_SECONDS = 60
EXIT_CONFIG = 2
EXIT_TELEGRAM = 1


class _QuietStartup(logging.Filter):
    """Hide PTB's tracebacks for a failed start; run_bot reports the cause in one line itself.

    Only until the application is running: later errors keep their full logs.
    """

    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.application = application

    def filter(self, record: logging.LogRecord) -> bool:
        failed = record.exc_info is not None and isinstance(record.exc_info[1], TelegramError)
        return not (failed and not self.application.running)


def token_problem(settings: Settings) -> str | None:
    """Why the configured token cannot work, in one Vietnamese line; None when it looks right."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        return (
            "Thiếu TELEGRAM_BOT_TOKEN: hãy lấy token từ @BotFather rồi đặt vào biến môi trường "
            "hoặc tệp .env (TELEGRAM_BOT_TOKEN=123456789:ABC...)."
        )
    if not TOKEN_RE.fullmatch(settings.telegram_bot_token.get_secret_value()):
        return (
            "TELEGRAM_BOT_TOKEN không đúng định dạng: token có dạng <số>:<chuỗi ký tự>, "
            "ví dụ 123456789:AAH... (sao chép nguyên văn từ @BotFather)."
        )
    return None


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every webhook update; generated when not configured.

    Replicas behind one URL must share CDSBOT_WEBHOOK_SECRET: each start
    calls setWebhook, and a generated secret would lock the others out.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


def prepare_application(services: Services) -> CdsApplication:
    """The application with its start and shutdown hooks: commands registered, index saved."""
    application = build_application(services)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        log.info("@%s is starting", app.bot.username)
        try:
            await app.bot.set_my_commands(all_commands())
        except TelegramError as exc:
            # The menu is a convenience; the bot still answers without it.
            log.warning("could not register the command menu: %s", exc)

        _stop_on_signals(app, services)
        if app.job_queue is not None:
            # Replicas share one database but each holds its own index: pick up
            # what another process added or removed (ids only, no re-tokenizing).
            app.job_queue.run_repeating(_sync_index, interval=INDEX_SYNC_SECONDS, first=INDEX_SYNC_SECONDS)

    async def _sync_index(context: object) -> None:
        added, removed = await run_blocking(services.library.sync)
        if added or removed:
            log.info("index caught up with the database: %d passages added, %d removed", added, removed)

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        if services.library.parse_worker is not None:
            services.library.parse_worker.stop()
        await run_blocking(services.library.save_index)
        # Questions still queued for the log are written before the process ends.
        await run_blocking(services.library.close)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
    return application


def _stop_on_signals(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Ctrl-C / SIGTERM: kill the uploads being parsed first, then stop.

    PTB's own handler stops the application, which waits for running handlers; an upload
    handler waits for its parse worker, which could take minutes. Killing the workers
    first ends those uploads at once (their admins get a reason), so stopping takes seconds.
    """
    if sys.platform == "win32":  # pragma: no cover - no add_signal_handler there; PTB's default applies
        return
    loop = asyncio.get_running_loop()

    def stop() -> None:
        if services.library.parse_worker is not None:
            services.library.parse_worker.stop()
        app.stop_running()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
def announce_base(settings: Settings, library: Library) -> None:
    """Officials are served real documents only: the demo goes unless CDSBOT_DEMO=1 asks for it.

    An empty base is no error (admins add documents through the bot), but the
    operator is told how, on the terminal that started it.
    """
    if settings.demo is not True and holds_only_demo(library):
        print(DEMO_REMOVED.format(n=remove_demo(library)), file=sys.stderr)
    if library.document_count() == 0:
        print(HOW_TO_ADD, file=sys.stderr)


def run_bot(
    settings: Settings,
    library: Library,
    *,
    webhook_url: str | None = None,
    port: int = 8443,
    listen: str = "0.0.0.0",
) -> int:
    """Serve until interrupted (Ctrl-C, SIGTERM); return the process exit code."""
    problem = token_problem(settings)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    secret = webhook_secret(settings) if webhook_url else None
    if secret is not None:
        redact_also(secret)
    if secret is not None and not SECRET_RE.fullmatch(secret):
        print(
            "CDSBOT_WEBHOOK_SECRET không hợp lệ: chỉ dùng chữ, số, '_' và '-' (tối đa 256 ký tự).",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    for name in ("bot", "knowledge"):
        logging.getLogger(name).setLevel(settings.log_level.upper())
    announce_base(settings, library)
    application = prepare_application(Services(settings=settings, library=library))
    quiet = _QuietStartup(application)
    ptb_log = logging.getLogger("telegram.ext")
    ptb_log.addFilter(quiet)
    try:
        if webhook_url:
            application.run_webhook(
                listen=listen,
                port=port,
                url_path=urlsplit(webhook_url).path.lstrip("/"),
                webhook_url=webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("Telegram từ chối TELEGRAM_BOT_TOKEN: token sai hoặc đã bị thu hồi, hãy lấy lại từ @BotFather.", file=sys.stderr)
        return EXIT_CONFIG
    except TelegramError as exc:
        # BadRequest is a NetworkError in PTB; only a real network failure says "cannot connect".
        if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
            print(f"Không kết nối được tới máy chủ Telegram: {exc.message}", file=sys.stderr)
        else:
            print(f"Telegram báo lỗi khi khởi động bot: {exc.message}", file=sys.stderr)
        return EXIT_TELEGRAM
    finally:
        ptb_log.removeFilter(quiet)
    return 0
