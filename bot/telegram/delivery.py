"""Delivering the conversation's replies through Telegram: who asks, commands, buttons, charts.

Handlers turn an update into an :class:`Asker`, call a conversation function
off the event loop and hand the reply to :func:`send`; every command of
``router.COMMANDS`` is one :func:`command` handler, and every known button
goes through :func:`on_button`. Nothing here decides what to say.
"""

from __future__ import annotations

import logging

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import Forbidden
from telegram.ext import CommandHandler, filters

from bot.conversation import router
from bot.conversation.replies import Asker, Keyboard, Reply, say
from bot.render.chart import Chart, chart_caption, draw_chart
from bot.render.html import to_html
from bot.telegram.context import CdsContext, run_blocking
from bot.telegram.sending import (
    ReplyMarkup,
    answer_callback,
    command_argument,
    edit_buttons,
    edit_html,
    reply_html,
    send_html,
)

log = logging.getLogger(__name__)

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
# Buttons whose only answer may be a notice: the press is answered after the
# work (one quick row), so the notice can say what happened. Every other
# button is acknowledged at once, before any searching or drawing.
_ANSWER_AFTER = ("fb:", "dl:", "tl:")


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    """The conversation's (label, callback data) rows as Telegram inline buttons."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


def markup_of(reply: Reply) -> ReplyMarkup:
    if reply.reply_prompt is not None:
        return ForceReply(input_field_placeholder=reply.reply_prompt)
    return keyboard(reply.buttons)


def in_group(message: Message) -> bool:
    return message.chat.type in _GROUPS


async def send(context: CdsContext, message: Message, reply: Reply, *, quote: bool | None = False) -> Message | None:
    """Send a reply in ``message``'s chat (quoting it when asked; None: in groups), then its chart as a photo."""
    sent = await reply_html(message, reply.html, markup_of(reply), quote=quote)
    if reply.chart is not None:
        await send_chart(context, message.chat.id, reply.chart)
    return sent


async def send_chart(context: CdsContext, chat_id: int, chart: Chart) -> None:
    """Draw the chart off the event loop and send it as a photo with its caption."""
    png = await run_blocking(draw_chart, chart)
    try:
        await context.bot.send_photo(
            chat_id=chat_id,
            photo=png,
            filename="tiendo.png",
            caption=to_html(chart_caption(chart)),
            parse_mode=ParseMode.HTML,
        )
    except Forbidden:
        log.info("chat %s blocked the bot; chart not sent", chat_id)


async def asker_of(update: Update, context: CdsContext, *, check_manage: bool = False) -> Asker:
    """Who is asking; ``check_manage`` asks Telegram whether they administer the group (one API call)."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    user_id = user.id if user else None
    is_admin = context.services.is_admin(user_id)
    may_manage = True
    if check_manage and chat is not None and chat.type != ChatType.PRIVATE and not is_admin:
        if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            may_manage = True  # an anonymous group admin writes as the group itself
        elif user is None:
            may_manage = False
        else:
            member = await context.bot.get_chat_member(chat.id, user.id)
            may_manage = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
    return Asker(
        channel="telegram",
        chat_id=chat.id if chat else None,
        user_id=user_id,
        is_admin=is_admin,
        user_name=user.full_name if user else None,
        chat_type=str(chat.type) if chat else ChatType.PRIVATE.value,
        chat_title=(chat.title or chat.full_name or chat.username) if chat else None,
        may_manage_chat=may_manage,
    )


def command(name: str) -> CommandHandler:  # type: ignore[type-arg]
    """A handler for ``/name args`` answered by ``router.COMMANDS[name]``; new messages only.

    An edited /hanchot_them must not add the deadline a second time, hence
    ``UpdateType.MESSAGE``. Replies quote the command in groups.
    """
    answer = router.COMMANDS[name]
    check_manage = name in router.MANAGING_COMMANDS

    async def handle(update: Update, context: CdsContext) -> None:
        message = update.effective_message
        assert message is not None
        asker = await asker_of(update, context, check_manage=check_manage)
        reply = await run_blocking(answer, context.services, command_argument(message), asker)
        await send(context, message, reply, quote=None)

    return CommandHandler(name, handle, filters=filters.UpdateType.MESSAGE)  # type: ignore[arg-type]


async def on_button(update: Update, context: CdsContext) -> None:
    """Every known button: the conversation decides; this delivers the notice, the message, the buttons, the chart."""
    query = update.callback_query
    assert query is not None and query.data is not None
    answer_after = query.data.startswith(_ANSWER_AFTER)
    if not answer_after:
        await answer_callback(query)
    result = await run_blocking(router.press, context.services, query.data, await asker_of(update, context))
    if answer_after:
        await answer_callback(query, result.toast, show_alert=result.alert)
    message = query.message
    if message is None:
        return  # a button under an inline-mode message; ours have none
    # message may be an InaccessibleMessage (a button under an old message): it is
    # addressed by chat and message id, never through its shortcuts.
    if result.buttons is not None:
        await edit_buttons(context.bot, message, keyboard(result.buttons))
    if result.chart is not None:
        await send_chart(context, message.chat.id, result.chart)
    if result.reply is None:
        if result.toast and not answer_after:
            # Too late for a notice on the button: say it in the chat.
            await send_html(context.bot, message.chat.id, say(result.toast).html)
        return
    if result.edit:
        await edit_html(context.bot, message, result.reply.html, keyboard(result.reply.buttons))
        return
    await send_html(
        context.bot,
        message.chat.id,
        result.reply.html,
        markup_of(result.reply),
        reply_to=message.message_id if message.chat.type in _GROUPS else None,
        thread_id=message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None,
    )
    if result.reply.chart is not None:
        await send_chart(context, message.chat.id, result.reply.chart)
