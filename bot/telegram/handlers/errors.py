"""The one error handler: log first, then tell the user something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden

from bot.telegram.context import CdsContext

log = logging.getLogger(__name__)

SORRY = "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau ít phút."


async def on_error(update: object, context: CdsContext) -> None:
    """Log the exception with the update that caused it; answer the user if there is one."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(context.error, Forbidden):
        return  # the bot was blocked or removed: an apology could not arrive either
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, SORRY)
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)
