"""Handlers for questions typed as text: in private and in groups, /start, /help, unknown input, inline mode.

Each handler only reads the update, runs the matching ``bot.conversation``
function off the event loop and hands the reply to ``bot.telegram.delivery``;
what to say lives in the conversation, shared with ``cdsbot chat``.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode

from bot.conversation import questions
from bot.telegram.context import CdsContext, run_blocking
from bot.telegram.delivery import asker_of, in_group, send
from bot.telegram.sending import NO_PREVIEW, answer_callback

log = logging.getLogger(__name__)


async def _answer(update: Update, context: CdsContext, question: str) -> None:
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(questions.ask, context.services, question, await asker_of(update, context))
    await send(context, message, reply, quote=in_group(message))


def addressed_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in a group message meant for the bot, or None when it is not for the bot.

    A message is for the bot when it mentions @bot (the mention is removed from
    the question) or replies to one of the bot's answers; a reply to anything
    else the bot posted (a reminder, a list) is people talking to each other.
    """
    text = message.text or ""
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id or bot_username and value.lower() == f"@{bot_username.lower()}":
            mentioned = True
    replied = _replies_to_an_answer(message, bot_id)
    if not (mentioned or replied):
        return None
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip(" \t\n,:;-–")


def _replies_to_an_answer(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return False
    markup = replied.reply_markup
    callback_data = [
        button.callback_data
        for row in (markup.inline_keyboard if markup else ())
        for button in row
        if isinstance(button.callback_data, str)
    ]
    return questions.is_answer(replied.text, callback_data)


# ----------------------------------------------------------------- handlers
async def on_private_text(update: Update, context: CdsContext) -> None:
    """In a private chat every text message is a question."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await _answer(update, context, message.text)


async def on_group_text(update: Update, context: CdsContext) -> None:
    """In a group, answer only when mentioned or replied to."""
    message = update.effective_message
    assert message is not None
    question = addressed_question(message, context.bot.id, context.bot.username)
    if question is None:
        return
    await _answer(update, context, question)


async def on_start(update: Update, context: CdsContext) -> None:
    """/start: what the bot knows and how to ask."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(questions.start, context.services, bot_username=context.bot.username)
    await send(context, message, reply)


async def on_help(update: Update, context: CdsContext) -> None:
    """/help and /trogiup: the commands."""
    message = update.effective_message
    assert message is not None
    await send(context, message, questions.help_reply(bot_username=context.bot.username))


async def on_unknown_command(update: Update, context: CdsContext) -> None:
    """A command nobody handles; in groups only when it names this bot (others may be meant)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split(maxsplit=1)[0]
    if in_group(message):
        username = (context.bot.username or "").lower()
        if not username or not command.lower().endswith(f"@{username}"):
            return
    await send(context, message, questions.unknown_command(command), quote=in_group(message))


async def on_non_text(update: Update, context: CdsContext) -> None:
    """Stickers, photos, voice… in a private chat: say that the bot reads text."""
    message = update.effective_message
    assert message is not None
    await send(context, message, await run_blocking(questions.non_text, context.services))


async def on_unknown_button(update: Update, context: CdsContext) -> None:
    """A button no handler knows (an old version's, or forged data): stop its spinner and say so."""
    query = update.callback_query
    assert query is not None
    log.info("unknown button data %r", query.data)
    await answer_callback(query, questions.UNUSABLE_BUTTON)


async def on_inline(update: Update, context: CdsContext) -> None:
    """@bot câu hỏi in any chat: the top citations as articles to send."""
    query = update.inline_query
    assert query is not None
    articles = await run_blocking(questions.inline_articles, context.services, query.query)
    results = [
        InlineQueryResultArticle(
            id=article.id,
            title=article.title,
            description=article.description,
            input_message_content=InputTextMessageContent(
                article.html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            ),
        )
        for article in articles
    ]
    await query.answer(results, cache_time=60)
