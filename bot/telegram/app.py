"""Building the python-telegram-bot Application: services, handlers, polling or webhook.

The composition root of the Telegram side: settings are read once in
``cli.main``, the services built there, and everything a handler needs
travels on the Application (``CdsApplication.services``) rather than in
module globals or ``bot_data``. Handlers and jobs are registered in one
block below (:func:`register_handlers`), in the order they are tried.
"""

from __future__ import annotations

import logging

from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.conversation.router import COMMANDS, KNOWN_BUTTONS
from bot.services import Services
from bot.telegram.context import CdsApplication, CdsContext
from bot.telegram.delivery import command, on_button
from bot.telegram.handlers import documents, errors, questions
from bot.telegram.reminder_jobs import schedule_reminders

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
    """Every handler and job, in one place, in the order PTB tries them (all in group 0: the first match wins).

    1. Commands: /start and /help (they name the bot), then every command of
       the conversation's table, each answered by ``router.COMMANDS``.
    2. Admins' uploads, corrections and links, before any text is read as a question.
    3. Text: in private every message is a question; in groups only when addressed.
    4. Catch-alls: unknown commands, non-text messages.
    5. Buttons: every known one through the conversation, then unknown ones.
    6. Inline queries; the error handler; the reminder job.
    """
    services = application.services
    new_messages = filters.UpdateType.MESSAGE
    text = filters.TEXT & ~filters.COMMAND & new_messages
    private = filters.ChatType.PRIVATE & new_messages
    application.add_handlers(
        [
            # 1. commands
            CommandHandler("start", questions.on_start, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler(("help", "trogiup"), questions.on_help, filters=new_messages),  # type: ignore[arg-type]
            *(command(name) for name in COMMANDS),
            # 2. admins' documents
            MessageHandler(private & filters.Document.ALL, documents.on_document),  # type: ignore[arg-type]
            MessageHandler(documents.correction_filter(services), documents.on_correction),  # type: ignore[arg-type]
            MessageHandler(documents.link_filter(services), documents.on_link),  # type: ignore[arg-type]
            # 3. questions
            MessageHandler(filters.ChatType.PRIVATE & text, questions.on_private_text),  # type: ignore[arg-type]
            MessageHandler(filters.ChatType.GROUPS & text, questions.on_group_text),  # type: ignore[arg-type]
            # 4. catch-alls
            MessageHandler(filters.COMMAND & new_messages, questions.on_unknown_command),  # type: ignore[arg-type]
            MessageHandler(
                private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                questions.on_non_text,  # type: ignore[arg-type]
            ),
            # 5. buttons
            CallbackQueryHandler(on_button, pattern=KNOWN_BUTTONS),  # type: ignore[arg-type]
            CallbackQueryHandler(questions.on_unknown_button),  # type: ignore[arg-type]
            # 6. inline mode
            InlineQueryHandler(questions.on_inline),  # type: ignore[arg-type]
        ]
    )
    application.add_error_handler(errors.on_error)  # type: ignore[arg-type]
    schedule_reminders(application)
