"""Handlers for questions: asking in private and in groups, the browsing commands, buttons, inline mode.

Each handler only reads the update, runs the matching ``bot.conversation``
function off the event loop and sends the :class:`Reply`; what to say lives
in the conversation module, shared with ``cdsbot chat``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import CallbackQueryHandler, CommandHandler, InlineQueryHandler, MessageHandler, filters

from bot import conversation
from bot.app import CdsApplication, CdsContext, run_blocking
from bot.conversation import Asker, Keyboard, Reply

log = logging.getLogger(__name__)

T = TypeVar("T")

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Giới thiệu bot và câu hỏi mẫu"),
    ("hoi", "Đặt câu hỏi (trong nhóm: /hoi câu hỏi)"),
    ("tailieu", "Danh sách tài liệu trong cơ sở dữ liệu"),
    ("nguon", "Xem một tài liệu và các đoạn của nó: /nguon ID"),
    ("thongke", "Thống kê câu hỏi (quản trị viên)"),
    ("help", "Danh sách lệnh"),
    ("trogiup", "Danh sách lệnh"),
)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# A timeout or dropped connection is retried after these pauses; 429 flood
# control is the rate limiter's job (AIORateLimiter), 400/403 are never retried.
RETRY_PAUSES = (0.5, 2.0)
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


# ------------------------------------------------------------------ sending
def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Retry a Bot API call on timeouts and network errors, with growing pauses."""
    for pause in RETRY_PAUSES:
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as exc:
            log.warning("Telegram call failed (%s); retrying in %.1fs", exc, pause)
            await asyncio.sleep(pause)
    return await call()


async def send(message: Message, reply: Reply, *, quote: bool = False) -> None:
    """Send a reply under ``message``, split under 4096 characters, buttons on the last part.

    A chat that blocked or removed the bot (Forbidden) is logged and dropped:
    retrying cannot help, and the error handler could not tell anyone either.
    """
    parts = reply.parts
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        reply_parameters = (
            ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
            if quote and number == 0
            else None
        )
        try:
            await with_retries(
                lambda part=part, last=last, rp=reply_parameters: message.get_bot().send_message(
                    message.chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(reply.buttons) if last else None,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=rp,
                    # In a forum group every part stays in the question's topic.
                    message_thread_id=message.message_thread_id if message.is_topic_message else None,
                )
            )
        except Forbidden as exc:
            log.info("chat %s cannot be written to: %s", message.chat_id, exc.message)
            return


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


def _command_argument(message: Message) -> str:
    """Everything after the command, newlines kept (context.args would split them away)."""
    text = message.text or ""
    entity = next((e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    return text[entity.length :].strip() if entity else text.partition(" ")[2].strip()


def addressed_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in a group message meant for the bot, or None when it is not for the bot.

    A message is for the bot when it mentions @bot (the mention is removed from
    the question) or replies to one of the bot's messages.
    """
    text = message.text or ""
    mentioned = False
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
        elif bot_username and value.lower() == f"@{bot_username.lower()}":
            mentioned = True
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip(" \t\n,:;-–")


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
    await _answer(update, context, _command_argument(message))


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
    argument = _command_argument(message)
    page = int(argument) - 1 if argument.isdigit() else 0
    await send(message, await run_blocking(conversation.documents_page, context.services, page))


async def on_source(update: Update, context: CdsContext) -> None:
    """/nguon ID: one document and its passages."""
    message = update.effective_message
    assert message is not None
    reply = await run_blocking(conversation.source_command, context.services, _command_argument(message))
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
    result = await run_blocking(conversation.press, context.services, query.data, asker_of(update, context))
    await query.answer(result.toast)
    message = query.message
    if result.reply is None or not isinstance(message, Message):
        return
    parts = result.reply.parts
    if result.edit and len(parts) == 1:
        try:
            await with_retries(
                lambda: query.edit_message_text(
                    parts[0],
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(result.reply.buttons) if result.reply else None,
                    link_preview_options=NO_PREVIEW,
                )
            )
        except BadRequest as exc:
            # Two quick presses of the same button: the second changes nothing.
            if "not modified" not in exc.message.lower():
                raise
        return
    await send(message, result.reply, quote=_in_group(message))


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
    addressed), then the catch-alls for unknown commands and non-text messages,
    which must stay last so other modules' commands and uploads win.
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
            CallbackQueryHandler(on_button, pattern=r"^(src|more|fb|docs|doc):"),  # type: ignore[arg-type]
            InlineQueryHandler(on_inline),  # type: ignore[arg-type]
        ]
    )
