"""Handlers for progress: /tiendo <tỉnh> (card and chart), its indicator buttons, /xephang [chỉ số].

What to say and draw lives in ``bot.progress_view``, shared with ``cdsbot
chat``; these handlers only run it off the event loop and send the card, then
the chart as a photo.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import progress_view
from bot.progress_view import ProgressReply
from bot.telegram.context import CdsApplication, CdsContext, run_blocking
from bot.telegram.handlers.questions import keyboard, send
from bot.telegram.sending import answer_callback, command_argument, send_html

log = logging.getLogger(__name__)

async def _send_chart(context: CdsContext, chat_id: int, result: ProgressReply) -> None:
    if result.chart is None:
        return
    png = await run_blocking(progress_view.draw_chart, result.chart)
    try:
        await context.bot.send_photo(
            chat_id=chat_id,
            photo=png,
            filename="tiendo.png",
            caption=progress_view.chart_caption(result.chart),
            parse_mode=ParseMode.HTML,
        )
    except Forbidden:
        log.info("chat %s blocked the bot; chart not sent", chat_id)


async def on_tiendo(update: Update, context: CdsContext) -> None:
    """/tiendo <tỉnh>: the card, then the chart."""
    message = update.effective_message
    assert message is not None
    result = await run_blocking(progress_view.tiendo, context.services, command_argument(message))
    await send(message, result.reply)
    await _send_chart(context, message.chat.id, result)


async def on_indicator_button(update: Update, context: CdsContext) -> None:
    """A card's indicator button: the chart of that indicator."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await answer_callback(query)
    result = await run_blocking(progress_view.press_indicator, context.services, query.data)
    if query.message is None:
        return
    if result.chart is None:
        await send_html(context.bot, query.message.chat.id, result.reply.html, keyboard(result.reply.buttons))
        return
    await _send_chart(context, query.message.chat.id, result)


async def on_xephang(update: Update, context: CdsContext) -> None:
    """/xephang [chỉ số]: provinces ranked by their latest value."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(progress_view.xephang, context.services, command_argument(message))
    await send(message, reply)


def register(application: CdsApplication) -> None:
    """Add this module's handlers (group 0, before the questions module's catch-alls)."""
    new_messages = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("tiendo", on_tiendo, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("xephang", on_xephang, filters=new_messages),  # type: ignore[arg-type]
            CallbackQueryHandler(on_indicator_button, pattern=r"^td:[0-9]{1,2}:.{1,60}$"),  # type: ignore[arg-type]
        ]
    )
