"""Talking to the Bot API from the handlers: sending, editing, answering buttons, reading what users typed.

Every handler module goes through these helpers, so the rules live in one place:

- HTML is split under Telegram's 4096 characters (``render.split_message``);
  the buttons go under the last part;
- a chat that blocked or removed the bot (``Forbidden``) is logged and
  dropped: retrying cannot help, and the error handler could not tell anyone;
- an edit that changes nothing ("message is not modified", a button pressed
  twice) is not an error;
- a button press is answered through :func:`answer_callback`, which shrugs
  off queries Telegram has already expired;
- ids typed by users or carried in callback data go through ``bot.ids.parse_id``.

Messages are addressed by chat id and message id rather than through PTB's
``Message`` shortcuts, because a button under an old message arrives with an
``InaccessibleMessage``, whose shortcuts raise ``TypeError``.

The reminder job does not use the senders: it must see ``Forbidden`` and the
other faults to record them in the reminder ledger (see ``bot.telegram.reminder_jobs``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    ReplyParameters,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.render.html import split_message
from bot.render.telegram_html import is_entity_error, plain_text

log = logging.getLogger(__name__)

T = TypeVar("T")
ReplyMarkup = InlineKeyboardMarkup | ForceReply | None

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# A dropped connection is retried after these pauses; 429 flood control is the
# rate limiter's job (AIORateLimiter), 400/403 are never retried.
RETRY_PAUSES = (0.5, 2.0)
_EXPIRED_QUERY = ("query is too old", "query id is invalid")


# ------------------------------------------------------------------ reading input
def command_argument(message: Message) -> str:
    """Everything after the command, newlines and "|" kept (``context.args`` would split them away)."""
    text = message.text or ""
    entity = next((e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    return text[entity.length :].strip() if entity else text.partition(" ")[2].strip()


# ------------------------------------------------------------------ retries
def may_have_arrived(exc: TimedOut) -> bool:
    """Whether a timed-out request may have reached Telegram (only connect and pool timeouts certainly did not)."""
    return not isinstance(exc.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))


async def _with_retries(call: Callable[[], Awaitable[T]], *, repeatable: bool) -> T:
    """Retry a Bot API call on network errors, with growing pauses.

    A send is not ``repeatable``: a sendMessage that timed out after leaving
    is usually delivered, and sending it again would post it twice. An edit
    is: editing twice to the same text changes nothing.
    """
    for pause in RETRY_PAUSES:
        try:
            return await call()
        except BadRequest:
            raise
        except TimedOut as exc:
            if not repeatable and may_have_arrived(exc):
                raise
            log.warning("Telegram call timed out (%s); retrying in %.1fs", exc, pause)
        except NetworkError as exc:
            log.warning("Telegram call failed (%s); retrying in %.1fs", exc, pause)
        await asyncio.sleep(pause)
    return await call()


# ------------------------------------------------------------------ sending
async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: ReplyMarkup = None,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Message | None:
    """Send HTML to a chat, split under 4096 characters; returns the last part, None when it was not sent.

    ``reply_to`` quotes that message with the first part (even if it was
    deleted meanwhile); ``thread_id`` keeps every part in a forum topic.
    """
    return await _send_parts(bot, chat_id, split_message(text), markup, reply_to=reply_to, thread_id=thread_id)


async def _send_parts(
    bot: Bot,
    chat_id: int,
    parts: list[str],
    markup: ReplyMarkup,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Message | None:
    sent: Message | None = None
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        reply_parameters = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None and number == 0
            else None
        )
        try:
            sent = await _with_retries(
                lambda part=part, last=last, rp=reply_parameters: bot.send_message(
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=rp,
                    message_thread_id=thread_id,
                ),
                repeatable=False,
            )
        except BadRequest as exc:
            if not is_entity_error(exc.message):
                raise
            log.warning("Telegram refused the HTML for chat %s (%s); sending it as plain text", chat_id, exc.message)
            sent = await _with_retries(
                lambda part=part, last=last, rp=reply_parameters: bot.send_message(
                    chat_id,
                    plain_text(part),
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=rp,
                    message_thread_id=thread_id,
                ),
                repeatable=False,
            )
        except Forbidden as exc:
            log.info("chat %s cannot be written to: %s", chat_id, exc.message)
            return None
        except TimedOut as exc:
            log.warning("sending to chat %s timed out (%s); probably delivered, not sent again", chat_id, exc)
            sent = None
    return sent


async def reply_html(
    message: Message, text: str, markup: ReplyMarkup = None, *, quote: bool | None = None
) -> Message | None:
    """Answer ``message`` in its chat (and forum topic); by default quoting it in groups, as PTB's reply_text does."""
    if quote is None:
        quote = message.chat.type != ChatType.PRIVATE
    return await send_html(
        message.get_bot(),
        message.chat.id,
        text,
        markup,
        reply_to=message.message_id if quote else None,
        thread_id=message.message_thread_id if message.is_topic_message else None,
    )


# ------------------------------------------------------------------ editing
def _not_modified(exc: BadRequest) -> bool:
    return "not modified" in exc.message.lower()


async def edit_html(
    bot: Bot, message: MaybeInaccessibleMessage, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace a message's text (and buttons); text over the limit continues in new messages under it.

    ``message`` may be an ``InaccessibleMessage`` (a button under an old
    message): it still names the chat and the message id.
    """
    first, *rest = split_message(text)
    try:
        await _with_retries(
            lambda: bot.edit_message_text(
                first,
                chat_id=message.chat.id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=None if rest else markup,
                link_preview_options=NO_PREVIEW,
            ),
            repeatable=True,
        )
    except BadRequest as exc:
        if not _not_modified(exc):
            raise
    if rest:
        await _send_parts(bot, message.chat.id, rest, markup)


async def edit_buttons(bot: Bot, message: MaybeInaccessibleMessage, markup: InlineKeyboardMarkup | None) -> None:
    """Replace only a message's buttons; the same buttons again (two clients, one press each) is not an error."""
    try:
        await _with_retries(
            lambda: bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            ),
            repeatable=True,
        )
    except BadRequest as exc:
        if not _not_modified(exc):
            raise


# ------------------------------------------------------------------ buttons
async def answer_callback(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Stop the button's spinner, with an optional notice.

    Call it before any slow work. A query Telegram no longer accepts (answered
    too late, or a duplicate delivery) is only logged: the press was still
    handled, and the user must not get an apology for it.
    """
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        if not any(reason in exc.message.lower() for reason in _EXPIRED_QUERY):
            raise
        log.info("callback query %s expired before it was answered: %s", query.id, exc.message)
