"""Building the python-telegram-bot Application: services, handlers, polling or webhook.

The composition root: settings are read once in ``cli.main``, the library is
opened there, and everything a handler needs travels on the Application
(``CdsApplication.services``) rather than in module globals or ``bot_data``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    ContextTypes,
    ExtBot,
)

from bot.config import Settings
from knowledge.library import Library

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Services:
    """What handlers use: settings, the library, and per-process state such as rate limits."""

    settings: Settings
    library: Library
    state: dict[str, Any] = field(default_factory=dict)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids


class CdsApplication(Application):  # type: ignore[type-arg]
    """The PTB Application carrying our services."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services


class CdsContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Handler context with typed access to the services."""

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, CdsApplication)
        return application.services


async def run_blocking(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run synchronous work (underthesea, BM25, SQL) off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


def build_application(services: Services) -> CdsApplication:
    """The Application with every handler registered, not yet started."""
    settings = services.settings
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .application_class(CdsApplication, kwargs={"services": services})
        .token(settings.telegram_bot_token.get_secret_value())
        .context_types(ContextTypes(context=CdsContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(8)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    application = builder.build()
    assert isinstance(application, CdsApplication)
    register_handlers(application)
    return application


def register_handlers(application: CdsApplication) -> None:
    """Every handler, in one place; each module registers its own group of handlers.

    Order matters inside a group: commands before the catch-all text handler.
    Uploads (documents) and deadline commands come before questions so that a
    document or a /hanchot is never read as a question.
    """
    from bot.handlers import deadlines, documents, errors, progress, questions

    documents.register(application)
    deadlines.register(application)
    progress.register(application)  # progress (issue 9): /tiendo, /xephang, indicator buttons
    questions.register(application)
    errors.register(application)


def all_commands() -> list[tuple[str, str]]:
    """(command, Vietnamese description) for set_my_commands and /help."""
    from bot.handlers import deadlines, documents, progress, questions

    return [*questions.COMMANDS, *documents.COMMANDS, *deadlines.COMMANDS, *progress.COMMANDS]


__all__ = ["CdsApplication", "CdsContext", "Services", "Update", "build_application", "run_blocking"]
