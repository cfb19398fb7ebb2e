"""Deadline commands and buttons: subscriptions, the deadline list, completion, admin edits.

- ``/dangky [tỉnh …] [chủ đề …] [nhắc 7,1,0]`` subscribes the chat; alone it shows
  the current subscription. In groups only the group's admins (or the bot's)
  may change it, since the whole team will receive the reminders.
- ``/huydangky`` stops them; ``/dsdangky`` shows admins every subscription and
  why stopped ones stopped.
- ``/hanchot [tỉnh]`` lists upcoming and recently overdue deadlines with the
  quote, the source and how many subscribed teams reported done.
- ``/hanchot_them`` and ``/hanchot_sua`` let the bot's admins fix what the
  extractor missed; a 🗑 button under each listed deadline deletes it.
- "Đã hoàn thành" / "Chưa xong" under a reminder records the team's answer.

The reminder job itself is scheduled here (see bot/reminders.py).
"""

from __future__ import annotations

import html

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.conversation import UNUSABLE_BUTTON
from bot.ids import parse_id
from bot.render.deadlines import (
    CALLBACK_DONE,
    CALLBACK_NOT_DONE,
    completion_keyboard,
    deadline_html,
)
from bot.telegram.context import CdsApplication, CdsContext, run_blocking
from bot.telegram.reminder_jobs import schedule_reminders
from bot.telegram.sending import (
    answer_callback,
    command_argument,
    edit_buttons,
    edit_html,
    reply_html,
    send_html,
)
from knowledge.deadlines.labels import reason_text
from knowledge.deadlines.queries import (
    DeadlineView,
    add_deadline,
    delete_deadline,
    edit_deadline,
    get_deadline,
    parse_manual_deadline,
    resolve_provinces,
    upcoming_and_overdue,
)
from knowledge.errors import NotFoundError, UserFacingError
from knowledge.models import Subscription
from knowledge.reminders.completion import progress_of, record_completion
from knowledge.reminders.subscriptions import (
    REASON_UNSUBSCRIBED,
    all_subscriptions,
    deactivate,
    get_subscription,
    parse_subscription_args,
    subscribe,
)

USAGE_DANGKY = (
    "Cú pháp: /dangky [tỉnh …] [chủ đề …] [nhắc 7,1,0]\n"
    "Ví dụ: /dangky Hải Dương dịch vụ công, chữ ký số\n"
    "/dangky tất cả — nhận nhắc mọi hạn chót."
)
USAGE_THEM = (
    "Cú pháp: /hanchot_them dd/mm/yyyy | nhiệm vụ | cơ quan | tỉnh\n"
    "Ví dụ: /hanchot_them 30/09/2026 | Hoàn thành cổng dịch vụ công | Sở KH&CN | Hải Phòng"
)
USAGE_SUA = "Cú pháp: /hanchot_sua SỐ dd/mm/yyyy | nhiệm vụ | cơ quan | tỉnh"
ADMINS_ONLY = "Chỉ quản trị viên của bot mới dùng được lệnh này."
GROUP_ADMINS_ONLY = "Trong nhóm, chỉ quản trị viên của nhóm mới đăng ký hoặc huỷ nhắc hạn chót cho cả nhóm."
MAX_LISTED = 10
_DELETE = "dl:del:"
_DELETE_OK = "dl:delok:"
_DELETE_CANCEL = "dl:cancel:"


def _argument_text(update: Update) -> str:
    message = update.effective_message
    return command_argument(message) if message else ""


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    assert message is not None
    await reply_html(message, text, markup)


async def _may_manage_chat(update: Update, context: CdsContext) -> bool:
    """Private chats manage themselves; in groups, the group's admins (or the bot's) decide."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous group admin writes as the group itself
    if user is None:
        return False
    if context.services.is_admin(user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _lead_text(days: list[int]) -> str:
    parts = [f"{d} ngày" for d in days if d > 0]
    if 0 in days:
        parts.append("đúng ngày hạn")
    if not parts:
        return "không"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def _subscription_html(subscription: Subscription, context: CdsContext) -> str:
    gazetteer = context.services.library.gazetteer
    settings = context.services.settings
    provinces = [gazetteer.merger_note(p) or p for p in subscription.province_list]
    lines = [
        f"📍 Tỉnh/thành: {html.escape(', '.join(provinces)) if provinces else 'tất cả'}",
        f"🏷 Chủ đề: {html.escape(', '.join(subscription.topic_list)) if subscription.topic_list else 'tất cả'}",
        f"⏰ Nhắc trước: {_lead_text(subscription.lead_day_list)}, lúc {settings.reminder_time.strftime('%H:%M')}"
        f" ({html.escape(settings.timezone)}); tổng hợp hằng tuần vào thứ Hai.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Subscriptions
# --------------------------------------------------------------------------


async def dangky(update: Update, context: CdsContext) -> None:
    """Subscribe the chat to deadline reminders, or show its subscription."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    services = context.services
    engine = services.library.engine
    arguments = _argument_text(update)
    if not arguments:
        current = await run_blocking(get_subscription, engine, chat.id)
        if current is None or not current.active:
            await _reply(update, "Cuộc trò chuyện này chưa đăng ký nhận nhắc hạn chót.\n\n" + html.escape(USAGE_DANGKY))
            return
        await _reply(
            update,
            "🔔 <b>Đang nhận nhắc hạn chót</b>\n" + _subscription_html(current, context) + "\n\nHuỷ: /huydangky",
        )
        return
    if not await _may_manage_chat(update, context):
        await _reply(update, GROUP_ADMINS_ONLY)
        return
    try:
        wanted = parse_subscription_args(arguments, services.library.gazetteer)
    except UserFacingError as exc:
        await _reply(update, html.escape(exc.user_message) + "\n\n" + html.escape(USAGE_DANGKY))
        return
    title = chat.title or chat.full_name or chat.username
    subscription = await run_blocking(
        subscribe,
        engine,
        chat_id=chat.id,
        chat_type=chat.type,
        chat_title=title,
        wanted=wanted,
        default_lead_days=services.settings.reminder_lead_days,
        user_id=user.id if user else None,
        now=services.clock.now(),
    )
    upcoming = await run_blocking(_listed, context, subscription.province_list, subscription.topic_list)
    who = "bạn" if chat.type == ChatType.PRIVATE else "nhóm này"
    await _reply(
        update,
        f"✅ <b>Đã đăng ký nhắc hạn chót cho {who}.</b>\n"
        + _subscription_html(subscription, context)
        + f"\n\nHiện có {len(upcoming[0])} hạn chót sắp tới phù hợp: xem /hanchot. Huỷ: /huydangky",
    )


async def huydangky(update: Update, context: CdsContext) -> None:
    """Stop deadline reminders for this chat."""
    chat = update.effective_chat
    assert chat is not None
    if not await _may_manage_chat(update, context):
        await _reply(update, GROUP_ADMINS_ONLY)
        return
    services = context.services
    stopped = await run_blocking(
        deactivate, services.library.engine, chat.id, REASON_UNSUBSCRIBED, services.clock.now()
    )
    if stopped:
        await _reply(update, "🔕 Đã huỷ nhận nhắc hạn chót. Đăng ký lại: /dangky")
    else:
        await _reply(update, "Cuộc trò chuyện này không đăng ký nhận nhắc hạn chót.")


async def dsdangky(update: Update, context: CdsContext) -> None:
    """Admins: every subscription, and why stopped ones stopped."""
    user = update.effective_user
    if user is None or not context.services.is_admin(user.id):
        await _reply(update, ADMINS_ONLY)
        return
    rows = await run_blocking(all_subscriptions, context.services.library.engine)
    if not rows:
        await _reply(update, "Chưa có cuộc trò chuyện nào đăng ký nhắc hạn chót.")
        return
    lines = [f"<b>Đăng ký nhắc hạn chót ({sum(r.active for r in rows)}/{len(rows)} đang hoạt động)</b>"]
    for row in rows:
        name = html.escape(row.chat_title or str(row.chat_id))
        scope = html.escape(", ".join(row.province_list) or "mọi tỉnh")
        if row.topic_list:
            scope += " · " + html.escape(", ".join(row.topic_list))
        state = "🔔" if row.active else f"🔕 {html.escape(reason_text(row.deactivated_reason))}"
        lines.append(f"• {name} (<code>{row.chat_id}</code>) — {scope} — {state}")
    await _reply(update, "\n".join(lines))


# --------------------------------------------------------------------------
# The deadline list
# --------------------------------------------------------------------------


def _listed(
    context: CdsContext, provinces: list[str], topics: list[str]
) -> tuple[list[DeadlineView], list[DeadlineView]]:
    """(upcoming, overdue within the window) matching the filter; runs in a worker thread."""
    services = context.services
    return upcoming_and_overdue(
        services.library.engine,
        services.library.gazetteer,
        today=services.today(),
        overdue_days=services.policy.overdue_window_days,
        provinces=provinces,
        topics=topics,
    )


def _delete_buttons(views: list[DeadlineView]) -> InlineKeyboardMarkup | None:
    buttons = [InlineKeyboardButton(f"🗑 #{v.id}", callback_data=f"{_DELETE}{v.id}") for v in views]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 4] for i in range(0, len(buttons), 4)])


async def hanchot(update: Update, context: CdsContext) -> None:
    """List upcoming and overdue deadlines, for a province if one is named."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    services = context.services
    gazetteer = services.library.gazetteer
    arguments = _argument_text(update)
    topics: list[str] = []
    if arguments:
        try:
            provinces = resolve_provinces(gazetteer, [arguments])
        except UserFacingError as exc:
            await _reply(update, html.escape(exc.user_message) + "\nCú pháp: /hanchot [tỉnh]")
            return
        scope = f" — {html.escape(gazetteer.merger_note(provinces[0]) or provinces[0])}"
    else:
        subscription = await run_blocking(get_subscription, services.library.engine, chat.id)
        if subscription is not None and subscription.active:
            provinces, topics = subscription.province_list, subscription.topic_list
            scope = " — theo đăng ký của cuộc trò chuyện này" if (provinces or topics) else ""
        else:
            provinces, scope = [], ""
    upcoming, overdue = await run_blocking(_listed, context, provinces, topics)
    if not upcoming and not overdue:
        await _reply(update, f"Không có hạn chót nào sắp tới hoặc mới quá hạn{scope}.")
        return
    shown = upcoming[:MAX_LISTED] + overdue[-MAX_LISTED:]
    progress = await run_blocking(progress_of, services.library.engine, gazetteer, shown)
    today = services.today()
    blocks = [f"📅 <b>Hạn chót{scope}</b>"]
    if upcoming:
        blocks.append(f"<b>Sắp đến hạn ({len(upcoming)}):</b>")
        blocks += [deadline_html(v, today, progress.get(v.id)) for v in upcoming[:MAX_LISTED]]
        if len(upcoming) > MAX_LISTED:
            blocks.append(f"… và {len(upcoming) - MAX_LISTED} hạn chót khác (xem <code>cdsbot deadlines</code>).")
    if overdue:
        blocks.append(f"<b>Đã quá hạn ({len(overdue)}):</b>")
        blocks += [deadline_html(v, today, progress.get(v.id)) for v in reversed(overdue[-MAX_LISTED:])]
    is_admin = user is not None and services.is_admin(user.id)
    await _reply(update, "\n\n".join(blocks), _delete_buttons(shown) if is_admin else None)


# --------------------------------------------------------------------------
# Admin edits
# --------------------------------------------------------------------------


async def hanchot_them(update: Update, context: CdsContext) -> None:
    """Admins: add a deadline by hand."""
    user = update.effective_user
    services = context.services
    if user is None or not services.is_admin(user.id):
        await _reply(update, ADMINS_ONLY)
        return
    arguments = _argument_text(update)
    if not arguments:
        await _reply(update, html.escape(USAGE_THEM))
        return
    try:
        manual = parse_manual_deadline(arguments, services.library.gazetteer)
    except UserFacingError as exc:
        await _reply(update, html.escape(exc.user_message) + "\n" + html.escape(USAGE_THEM))
        return
    view = await run_blocking(add_deadline, services.library.engine, manual, added_by=f"telegram:{user.id}")
    await _reply(
        update, "✅ Đã thêm hạn chót:\n\n" + deadline_html(view, services.today()), _delete_buttons([view])
    )


async def hanchot_sua(update: Update, context: CdsContext) -> None:
    """Admins: correct a deadline (date, task, agency, province)."""
    user = update.effective_user
    services = context.services
    if user is None or not services.is_admin(user.id):
        await _reply(update, ADMINS_ONLY)
        return
    number, _, rest = _argument_text(update).lstrip("#").partition(" ")
    deadline_id = parse_id(number)
    if deadline_id is None or not rest.strip():
        await _reply(update, html.escape(USAGE_SUA))
        return
    try:
        manual = parse_manual_deadline(rest, services.library.gazetteer)
        view = await run_blocking(
            edit_deadline, services.library.engine, deadline_id, manual, edited_by=f"telegram:{user.id}"
        )
    except UserFacingError as exc:
        await _reply(update, html.escape(exc.user_message) + "\n" + html.escape(USAGE_SUA))
        return
    await _reply(update, "✏️ Đã sửa hạn chót:\n\n" + deadline_html(view, services.today()))


def _button_deadline(query: CallbackQuery) -> int | None:
    """The deadline id at the end of a button's callback data."""
    return parse_id((query.data or "").rsplit(":", 1)[-1])


async def on_delete_button(update: Update, context: CdsContext) -> None:
    """Admins: 🗑 asks for confirmation; "Xoá" deletes the deadline with its reminders and reports."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    if not services.is_admin(query.from_user.id):
        await answer_callback(query, ADMINS_ONLY, show_alert=True)
        return
    deadline_id = _button_deadline(query)
    if deadline_id is None or query.message is None:
        await answer_callback(query, UNUSABLE_BUTTON)
        return
    await answer_callback(query)
    # query.message may be an InaccessibleMessage (an old message): address it by chat and id.
    message = query.message
    action = query.data.rsplit(":", 1)[0] + ":"
    try:
        if action == _DELETE:
            view = await run_blocking(get_deadline, services.library.engine, deadline_id)
            confirm = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("🗑 Xoá", callback_data=f"{_DELETE_OK}{deadline_id}"),
                        InlineKeyboardButton("Giữ lại", callback_data=f"{_DELETE_CANCEL}{deadline_id}"),
                    ]
                ]
            )
            await send_html(
                context.bot,
                message.chat.id,
                f"Xoá hạn chót #{view.id} «{html.escape(view.task)}»? Lịch nhắc và báo cáo hoàn thành"
                " của hạn này cũng bị xoá.",
                confirm,
            )
        elif action == _DELETE_OK:
            view = await run_blocking(delete_deadline, services.library.engine, deadline_id)
            await edit_html(context.bot, message, f"🗑 Đã xoá hạn chót #{view.id} «{html.escape(view.task)}».")
        else:
            await edit_html(context.bot, message, f"Đã giữ lại hạn chót #{deadline_id}.")
    except NotFoundError as exc:
        await send_html(context.bot, message.chat.id, html.escape(exc.user_message))


# --------------------------------------------------------------------------
# Completion
# --------------------------------------------------------------------------


async def on_completion_button(update: Update, context: CdsContext) -> None:
    """Record "Đã hoàn thành" / "Chưa xong" for the chat the reminder was sent to.

    The notice is shown at once, before the database is touched; in the rare
    case the deadline was deleted meanwhile, a message in the chat says so.
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    deadline_id = _button_deadline(query)
    message = query.message
    if deadline_id is None or message is None:
        await answer_callback(query, UNUSABLE_BUTTON)
        return
    done = query.data.startswith(CALLBACK_DONE)
    if done:
        await answer_callback(query, "Đã ghi nhận: đã hoàn thành. Bot sẽ không nhắc việc này nữa.")
    else:
        await answer_callback(query, "Đã ghi nhận: chưa xong. Bot sẽ tiếp tục nhắc.")
    services = context.services
    user = query.from_user
    try:
        changed = await run_blocking(
            record_completion,
            services.library.engine,
            deadline_id=deadline_id,
            chat_id=message.chat.id,
            user_id=user.id,
            user_name=user.full_name,
            done=done,
            now=services.clock.now(),
        )
    except NotFoundError as exc:
        await send_html(context.bot, message.chat.id, html.escape(exc.user_message))
        return
    if changed:
        # message may be an InaccessibleMessage (a reminder from long ago): edit it by chat and id.
        await edit_buttons(context.bot, message, completion_keyboard(deadline_id, done))


def register(application: CdsApplication) -> None:
    """Add this module's handlers and the reminder job to the application.

    Commands answer new messages only: an edited /hanchot_them must not add
    the deadline a second time.
    """
    new_messages = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("dangky", dangky, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("huydangky", huydangky, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("dsdangky", dsdangky, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("hanchot", hanchot, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("hanchot_them", hanchot_them, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("hanchot_sua", hanchot_sua, filters=new_messages),  # type: ignore[arg-type]
            CallbackQueryHandler(
                on_completion_button,  # type: ignore[arg-type]
                pattern=rf"^(?:{CALLBACK_DONE}|{CALLBACK_NOT_DONE})[0-9]{{1,18}}$",
            ),
            CallbackQueryHandler(
                on_delete_button,  # type: ignore[arg-type]
                pattern=rf"^(?:{_DELETE}|{_DELETE_OK}|{_DELETE_CANCEL})[0-9]{{1,18}}$",
            ),
        ]
    )
    schedule_reminders(application)
