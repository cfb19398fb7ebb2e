"""Building the python-telegram-bot Application: services, handlers, polling or webhook.

The composition root of the Telegram side: settings are read once in
``cli.main``, the services built there, and everything a handler needs
travels on the Application (``CdsApplication.services``) rather than in
module globals or ``bot_data``. Handlers are registered in one block below.
"""

from __future__ import annotations

import logging

from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes

from bot.services import Services
from bot.telegram.context import CdsApplication, CdsContext
from bot.telegram.handlers import deadlines, documents, errors, progress, questions

log = logging.getLogger(__name__)

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
    documents.register(application)
    deadlines.register(application)
    progress.register(application)  # /tiendo, /xephang and their indicator buttons
    questions.register(application)
    errors.register(application)



