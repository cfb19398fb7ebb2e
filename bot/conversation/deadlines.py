"""Deadline commands and buttons: subscriptions, the deadline list, completion reports, admin edits.

- ``/dangky [tỉnh …] [chủ đề …] [nhắc 7,1,0]`` subscribes the chat; alone it shows
  the current subscription. In groups only the group's admins (or the bot's)
  may change it, since the whole team will receive the reminders; the front
  end says whether the asker may (``Asker.may_manage_chat``).
- ``/huydangky`` stops them; ``/dsdangky`` shows admins every subscription and
  why stopped ones stopped.
- ``/hanchot [tỉnh]`` lists upcoming and recently overdue deadlines with the
  quote, the source and how many subscribed teams reported done.
- ``/hanchot_them`` and ``/hanchot_sua`` let the bot's admins fix what the
  extractor missed; a 🗑 button under each listed deadline deletes it.
- "Đã hoàn thành" / "Chưa xong" under a reminder records the team's answer.

The terminal chat subscribes as its own chat (``chat_type`` "terminal"):
its filters shape /hanchot there, and no reminder is ever sent to it.
"""

from __future__ import annotations

from bot.conversation.documents import added_by
from bot.conversation.replies import (
    ADMINS_ONLY,
    UNUSABLE_BUTTON,
    Asker,
    ButtonResult,
    Keyboard,
    Reply,
    say,
)
from bot.ids import parse_id
from bot.render.deadlines import (
    CALLBACK_DONE,
    CALLBACK_NOT_DONE,
    completion_buttons,
    deadline_block,
)
from bot.render.rich import Rich, bold, code, text
from bot.services import Services
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
    LOCAL_CHAT_TYPE,
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
GROUP_ADMINS_ONLY = "Trong nhóm, chỉ quản trị viên của nhóm mới đăng ký hoặc huỷ nhắc hạn chót cho cả nhóm."
MAX_LISTED = 10
DELETE = "dl:del:"
DELETE_OK = "dl:delok:"
DELETE_CANCEL = "dl:cancel:"
BUTTON_PREFIXES = (CALLBACK_DONE, CALLBACK_NOT_DONE, DELETE, DELETE_OK, DELETE_CANCEL)


def _lead_text(days: list[int]) -> str:
    parts = [f"{d} ngày" for d in days if d > 0]
    if 0 in days:
        parts.append("đúng ngày hạn")
    if not parts:
        return "không"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def _subscription_lines(services: Services, subscription: Subscription) -> list[Rich | str]:
    gazetteer = services.library.gazetteer
    settings = services.settings
    provinces = [gazetteer.merger_note(p) or p for p in subscription.province_list]
    return [
        f"📍 Tỉnh/thành: {', '.join(provinces) if provinces else 'tất cả'}",
        f"🏷 Chủ đề: {', '.join(subscription.topic_list) if subscription.topic_list else 'tất cả'}",
        f"⏰ Nhắc trước: {_lead_text(subscription.lead_day_list)}, lúc {settings.reminder_time.strftime('%H:%M')}"
        f" ({settings.timezone}); tổng hợp hằng tuần vào thứ Hai.",
    ]


# --------------------------------------------------------------------------
# Subscriptions
# --------------------------------------------------------------------------


def dangky(services: Services, args: str, asker: Asker) -> Reply:
    """Subscribe the chat to deadline reminders, or show its subscription."""
    assert asker.chat_id is not None
    engine = services.library.engine
    if not args:
        current = get_subscription(engine, asker.chat_id)
        if current is None or not current.active:
            return say("Cuộc trò chuyện này chưa đăng ký nhận nhắc hạn chót.\n\n" + USAGE_DANGKY)
        lines = ["🔔 " + bold("Đang nhận nhắc hạn chót"), *_subscription_lines(services, current), "", "Huỷ: /huydangky"]
        return Reply(Rich.lines(lines))
    if not asker.may_manage_chat:
        return say(GROUP_ADMINS_ONLY)
    try:
        wanted = parse_subscription_args(args, services.library.gazetteer)
    except UserFacingError as exc:
        return say(exc.user_message + "\n\n" + USAGE_DANGKY)
    subscription = subscribe(
        engine,
        chat_id=asker.chat_id,
        chat_type=asker.chat_type,
        chat_title=asker.chat_title,
        wanted=wanted,
        default_lead_days=services.settings.reminder_lead_days,
        user_id=asker.user_id,
        now=services.clock.now(),
    )
    upcoming, _ = _listed(services, subscription.province_list, subscription.topic_list)
    who = "nhóm này" if asker.in_group else "bạn"
    lines: list[Rich | str] = [bold(f"✅ Đã đăng ký nhắc hạn chót cho {who}."), *_subscription_lines(services, subscription)]
    lines += ["", f"Hiện có {len(upcoming)} hạn chót sắp tới phù hợp: xem /hanchot. Huỷ: /huydangky"]
    if asker.chat_type == LOCAL_CHAT_TYPE:
        lines.append("(Trong cdsbot chat, đăng ký chỉ lọc /hanchot: tin nhắc chỉ được gửi tới các cuộc trò chuyện Telegram.)")
    return Reply(Rich.lines(lines))


def huydangky(services: Services, args: str, asker: Asker) -> Reply:
    """Stop deadline reminders for this chat."""
    assert asker.chat_id is not None
    if not asker.may_manage_chat:
        return say(GROUP_ADMINS_ONLY)
    if deactivate(services.library.engine, asker.chat_id, REASON_UNSUBSCRIBED, services.clock.now()):
        return say("🔕 Đã huỷ nhận nhắc hạn chót. Đăng ký lại: /dangky")
    return say("Cuộc trò chuyện này không đăng ký nhận nhắc hạn chót.")


def dsdangky(services: Services, args: str, asker: Asker) -> Reply:
    """Admins: every subscription, and why stopped ones stopped."""
    if not asker.is_admin:
        return say(ADMINS_ONLY)
    rows = all_subscriptions(services.library.engine)
    if not rows:
        return say("Chưa có cuộc trò chuyện nào đăng ký nhắc hạn chót.")
    lines: list[Rich | str] = [bold(f"Đăng ký nhắc hạn chót ({sum(r.active for r in rows)}/{len(rows)} đang hoạt động)")]
    for row in rows:
        scope = ", ".join(row.province_list) or "mọi tỉnh"
        if row.topic_list:
            scope += " · " + ", ".join(row.topic_list)
        state = "🔔" if row.active else f"🔕 {reason_text(row.deactivated_reason)}"
        name = row.chat_title or str(row.chat_id)
        lines.append(f"• {name} (" + code(str(row.chat_id)) + f") — {scope} — {state}")
    return Reply(Rich.lines(lines))


# --------------------------------------------------------------------------
# The deadline list
# --------------------------------------------------------------------------


def _listed(services: Services, provinces: list[str], topics: list[str]) -> tuple[list[DeadlineView], list[DeadlineView]]:
    """(upcoming, overdue within the window) matching the filter."""
    return upcoming_and_overdue(
        services.library.engine,
        services.library.gazetteer,
        today=services.today(),
        overdue_days=services.policy.overdue_window_days,
        provinces=provinces,
        topics=topics,
    )


def _delete_buttons(views: list[DeadlineView]) -> Keyboard:
    buttons = [(f"🗑 #{v.id}", f"{DELETE}{v.id}") for v in views]
    return [buttons[i : i + 4] for i in range(0, len(buttons), 4)]


def hanchot(services: Services, args: str, asker: Asker) -> Reply:
    """List upcoming and overdue deadlines, for a province if one is named, else by the chat's subscription."""
    gazetteer = services.library.gazetteer
    topics: list[str] = []
    if args:
        try:
            provinces = resolve_provinces(gazetteer, [args])
        except UserFacingError as exc:
            return say(exc.user_message + "\nCú pháp: /hanchot [tỉnh]")
        scope = f" — {gazetteer.merger_note(provinces[0]) or provinces[0]}"
    else:
        subscription = get_subscription(services.library.engine, asker.chat_id) if asker.chat_id is not None else None
        if subscription is not None and subscription.active:
            provinces, topics = subscription.province_list, subscription.topic_list
            scope = " — theo đăng ký của cuộc trò chuyện này" if (provinces or topics) else ""
        else:
            provinces, scope = [], ""
    upcoming, overdue = _listed(services, provinces, topics)
    if not upcoming and not overdue:
        return say(f"Không có hạn chót nào sắp tới hoặc mới quá hạn{scope}.")
    shown = upcoming[:MAX_LISTED] + overdue[-MAX_LISTED:]
    progress = progress_of(services.library.engine, gazetteer, shown)
    today = services.today()
    blocks: list[Rich | str] = ["📅 " + bold(f"Hạn chót{scope}")]
    if upcoming:
        blocks.append(bold(f"Sắp đến hạn ({len(upcoming)}):"))
        blocks += [deadline_block(v, today, progress.get(v.id)) for v in upcoming[:MAX_LISTED]]
        if len(upcoming) > MAX_LISTED:
            blocks.append(f"… và {len(upcoming) - MAX_LISTED} hạn chót khác (xem " + code("cdsbot deadlines") + ").")
    if overdue:
        blocks.append(bold(f"Đã quá hạn ({len(overdue)}):"))
        blocks += [deadline_block(v, today, progress.get(v.id)) for v in reversed(overdue[-MAX_LISTED:])]
    return Reply(text("\n\n").join(blocks), _delete_buttons(shown) if asker.is_admin else [])


# --------------------------------------------------------------------------
# Admin edits
# --------------------------------------------------------------------------


def hanchot_them(services: Services, args: str, asker: Asker) -> Reply:
    """Admins: add a deadline by hand."""
    if not asker.is_admin:
        return say(ADMINS_ONLY)
    if not args:
        return say(USAGE_THEM)
    try:
        manual = parse_manual_deadline(args, services.library.gazetteer)
    except UserFacingError as exc:
        return say(exc.user_message + "\n" + USAGE_THEM)
    view = add_deadline(services.library.engine, manual, added_by=added_by(asker))
    return Reply("✅ Đã thêm hạn chót:\n\n" + deadline_block(view, services.today()), _delete_buttons([view]))


def hanchot_sua(services: Services, args: str, asker: Asker) -> Reply:
    """Admins: correct a deadline (date, task, agency, province)."""
    if not asker.is_admin:
        return say(ADMINS_ONLY)
    number, _, rest = args.lstrip("#").partition(" ")
    deadline_id = parse_id(number)
    if deadline_id is None or not rest.strip():
        return say(USAGE_SUA)
    try:
        manual = parse_manual_deadline(rest, services.library.gazetteer)
        view = edit_deadline(services.library.engine, deadline_id, manual, edited_by=added_by(asker))
    except UserFacingError as exc:
        return say(exc.user_message + "\n" + USAGE_SUA)
    return Reply("✏️ Đã sửa hạn chót:\n\n" + deadline_block(view, services.today()))


# --------------------------------------------------------------------------
# Buttons
# --------------------------------------------------------------------------


def press_button(services: Services, data: str, asker: Asker) -> ButtonResult:
    """🗑 / Xoá / Giữ lại under listed deadlines, and Đã hoàn thành / Chưa xong under reminders."""
    action, _, number = data.rpartition(":")
    deadline_id = parse_id(number)
    if deadline_id is None:
        return ButtonResult(toast=UNUSABLE_BUTTON)
    action += ":"
    if action in (CALLBACK_DONE, CALLBACK_NOT_DONE):
        return _completion(services, deadline_id, done=action == CALLBACK_DONE, asker=asker)
    if not asker.is_admin:
        return ButtonResult(toast=ADMINS_ONLY, alert=True)
    try:
        if action == DELETE:
            view = get_deadline(services.library.engine, deadline_id)
            confirm = [[("🗑 Xoá", f"{DELETE_OK}{deadline_id}"), ("Giữ lại", f"{DELETE_CANCEL}{deadline_id}")]]
            question = f"Xoá hạn chót #{view.id} «{view.task}»? Lịch nhắc và báo cáo hoàn thành của hạn này cũng bị xoá."
            return ButtonResult(reply=say(question, confirm))
        if action == DELETE_OK:
            view = delete_deadline(services.library.engine, deadline_id)
            return ButtonResult(reply=say(f"🗑 Đã xoá hạn chót #{view.id} «{view.task}»."), edit=True)
        if action == DELETE_CANCEL:
            return ButtonResult(reply=say(f"Đã giữ lại hạn chót #{deadline_id}."), edit=True)
    except NotFoundError as exc:
        return ButtonResult(reply=say(exc.user_message))
    return ButtonResult(toast=UNUSABLE_BUTTON)


def _completion(services: Services, deadline_id: int, *, done: bool, asker: Asker) -> ButtonResult:
    """Record "Đã hoàn thành" / "Chưa xong" for the chat the reminder was sent to."""
    assert asker.chat_id is not None
    toast = (
        "Đã ghi nhận: đã hoàn thành. Bot sẽ không nhắc việc này nữa."
        if done
        else "Đã ghi nhận: chưa xong. Bot sẽ tiếp tục nhắc."
    )
    try:
        changed = record_completion(
            services.library.engine,
            deadline_id=deadline_id,
            chat_id=asker.chat_id,
            user_id=asker.user_id or 0,
            user_name=asker.user_name,
            done=done,
            now=services.clock.now(),
        )
    except NotFoundError as exc:
        return ButtonResult(toast=toast, reply=say(exc.user_message))
    return ButtonResult(toast=toast, buttons=completion_buttons(deadline_id, done) if changed else None)
