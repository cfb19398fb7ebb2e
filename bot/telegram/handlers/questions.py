"""Handlers for questions: asking in private and in groups, the browsing commands, buttons, inline mode.

Each handler only reads the update, runs the matching ``bot.conversation``
function off the event loop and sends the :class:`Reply`; what to say lives
in the conversation module, shared with ``cdsbot chat``.
"""

from __future__ import annotations

import html
import logging
import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import conversation
from bot.conversation import Asker, Keyboard, Reply
from bot.telegram.context import CdsApplication, CdsContext, run_blocking
from bot.telegram.sending import (
    NO_PREVIEW,
    answer_callback,
    command_argument,
    edit_html,
    reply_html,
    send_html,
)

log = logging.getLogger(__name__)


_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_ID = "[0-9]{1,18}"
# The buttons conversation.press understands (see its module docstring);
# anything else falls through to on_unknown_button.
BUTTONS = rf"^(?:(?:src|more|fb|doc):{_ID}:{_ID}|docs:{_ID})$"


# ------------------------------------------------------------------ sending
def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


async def send(message: Message, reply: Reply, *, quote: bool = False) -> None:
    """Send a reply in ``message``'s chat, quoting it when asked; long replies are split."""
    await reply_html(message, reply.html, keyboard(reply.buttons), quote=quote)


def asker_of(update: Update, context: CdsContext, channel: str = "telegram") -> Asker:
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user else None
    return Asker(
        channel=channel,
        chat_id=chat.id if chat else None,
        user_id=user_id,
        is_admin=context.services.is_admin(user_id),
    )


def _in_group(message: Message) -> bool:
    return message.chat.type in _GROUPS


async def _answer(update: Update, context: CdsContext, question: str) -> None:
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.ask, context.services, question, asker_of(update, context))
    await send(message, reply, quote=_in_group(message))


def addressed_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in a group message meant for the bot, or None when it is not for the bot.

    A message is for the bot when it mentions @bot (the mention is removed from
    the question) or replies to one of the bot's answers; a reply to anything
    else the bot posted (a reminder, a list) is people talking to each other.
    """
    text = message.text or ""
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
        elif bot_username and value.lower() == f"@{bot_username.lower()}":
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
    return conversation.is_answer(replied.text, callback_data)


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


async def on_ask_command(update: Update, context: CdsContext) -> None:
    """/hoi câu hỏi — the way to ask in a group."""
    message = update.effective_message
    assert message is not None
    await _answer(update, context, command_argument(message))


async def on_start(update: Update, context: CdsContext) -> None:
    """/start: what the bot knows and how to ask."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.start, context.services, bot_username=context.bot.username)
    await send(message, reply)


async def on_help(update: Update, context: CdsContext) -> None:
    """/help and /trogiup: the commands."""
    message = update.effective_message
    assert message is not None
    await send(message, conversation.help_reply(bot_username=context.bot.username))


async def on_documents(update: Update, context: CdsContext) -> None:
    """/tailieu [trang]: the documents, newest first."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.documents_command, context.services, command_argument(message))
    await send(message, reply)


async def on_source(update: Update, context: CdsContext) -> None:
    """/nguon ID: one document and its passages."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.source_command, context.services, command_argument(message))
    await send(message, reply)


async def on_statistics(update: Update, context: CdsContext) -> None:
    """/thongke: usage statistics, for admins."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.statistics, context.services, asker_of(update, context))
    await send(message, reply)


async def on_unknown_command(update: Update, context: CdsContext) -> None:
    """A command nobody handles; in groups only when it names this bot (others may be meant)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split(maxsplit=1)[0]
    if _in_group(message):
        username = (context.bot.username or "").lower()
        if not username or not command.lower().endswith(f"@{username}"):
            return
    await send(message, conversation.unknown_command(command), quote=_in_group(message))


async def on_non_text(update: Update, context: CdsContext) -> None:
    """Stickers, photos, voice… in a private chat: say that the bot reads text."""
    message = update.effective_message
    assert message is not None
    await send(message, await run_blocking(conversation.non_text, context.services))


async def on_button(update: Update, context: CdsContext) -> None:
    """Nguồn, Kết quả khác, 👍/👎 and the ◀ ▶ of the lists."""
    query = update.callback_query
    assert query is not None and query.data is not None
    # A vote's only answer is its notice, and recording it is one quick row;
    # every other button is acknowledged at once, before any searching.
    toast_only = query.data.startswith("fb:")
    if not toast_only:
        await answer_callback(query)
    result = await run_blocking(conversation.press, context.services, query.data, asker_of(update, context))
    if toast_only:
        await answer_callback(query, result.toast)
    message = query.message
    if message is None:
        return  # a button under an inline-mode message; ours have none
    if result.reply is None:
        if result.toast and not toast_only:
            # Too late for a notice on the button: say it in the chat.
            await send_html(context.bot, message.chat.id, html.escape(result.toast))
        return
    if result.edit:
        markup = keyboard(result.reply.buttons)
        await edit_html(context.bot, message, result.reply.html, markup)
        return
    # A button under an old message carries an InaccessibleMessage: address the chat by id.
    in_group = message.chat.type in _GROUPS
    await send_html(
        context.bot,
        message.chat.id,
        result.reply.html,
        keyboard(result.reply.buttons),
        reply_to=message.message_id if in_group else None,
        thread_id=message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None,
    )


async def on_unknown_button(update: Update, context: CdsContext) -> None:
    """A button no handler knows (an old version's, or forged data): stop its spinner and say so."""
    query = update.callback_query
    assert query is not None
    log.info("unknown button data %r", query.data)
    await answer_callback(query, conversation.UNUSABLE_BUTTON)


async def on_inline(update: Update, context: CdsContext) -> None:
    """@bot câu hỏi in any chat: the top citations as articles to send."""
    query = update.inline_query
    assert query is not None
    articles = await run_blocking(conversation.inline_articles, context.services, query.query)
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


def register(application: CdsApplication) -> None:
    """Add this module's handlers to the application (group 0, after documents and deadlines).

    Commands first, then text (private: always a question; groups: only when
    addressed), then the catch-alls for unknown commands, non-text messages
    and unknown buttons, which must stay last so other modules' commands,
    uploads and buttons win (app.register_handlers registers this module
    after documents and deadlines, all in group 0).
    """
    new_messages = filters.UpdateType.MESSAGE
    text = filters.TEXT & ~filters.COMMAND & new_messages
    application.add_handlers(
        [
            CommandHandler("start", on_start, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler(("help", "trogiup"), on_help, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("hoi", on_ask_command, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("tailieu", on_documents, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("nguon", on_source, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("thongke", on_statistics, filters=new_messages),  # type: ignore[arg-type]
            MessageHandler(filters.ChatType.PRIVATE & text, on_private_text),  # type: ignore[arg-type]
            MessageHandler(filters.ChatType.GROUPS & text, on_group_text),  # type: ignore[arg-type]
            MessageHandler(filters.COMMAND & new_messages, on_unknown_command),  # type: ignore[arg-type]
            MessageHandler(
                filters.ChatType.PRIVATE & new_messages & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                on_non_text,  # type: ignore[arg-type]
            ),
            CallbackQueryHandler(on_button, pattern=BUTTONS),  # type: ignore[arg-type]
            InlineQueryHandler(on_inline),  # type: ignore[arg-type]
            CallbackQueryHandler(on_unknown_button),  # type: ignore[arg-type]
        ]
    )
