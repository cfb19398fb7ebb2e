"""The reminder scheduler tick: claim what is due, send it, record the outcome.

PTB's JobQueue (APScheduler 3) only wakes us once a minute; what is due comes
from the database (knowledge/reminders/), so a restart, a missed tick or a
second bot process changes nothing about what gets sent. Telegram faults map
onto the ledger:

- sent → the claim is marked sent (with the message id);
- ``RetryAfter`` is waited out by the ``AIORateLimiter``; if it still fails,
  like a network error, the claim is released and the next tick retries;
- ``Forbidden`` (bot blocked, removed from the group) or "chat not found" →
  the subscription is deactivated with the reason, which admins see in
  /dsdangky and the weekly admin digest;
- ``ChatMigrated`` (group upgraded to supergroup) → the subscription and its
  ledger move to the new id and the next tick sends there;
- any other ``BadRequest`` would fail forever, so the claim is marked failed.

Rendering of deadlines and reminders lives here too, next to the only
messages that use it outside /hanchot; every piece of document text goes
through ``html.escape``.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Job

from bot.app import CdsApplication, CdsContext, Services, run_blocking
from bot.config import Settings
from bot.render import shorten, source_html, split_message
from bot.telegram_html import is_entity_error, plain_text
from bot.telegram_io import may_have_arrived
from knowledge.deadlines.queries import DeadlineView
from knowledge.provinces import Gazetteer
from knowledge.reminders.clock import Clock, ReminderPolicy, SystemClock
from knowledge.reminders.completion import Progress
from knowledge.reminders.ledger import (
    Digest,
    ReminderClaim,
    claim_due_reminders,
    mark_sent,
    release_claim,
)
from knowledge.reminders.subscriptions import (
    REASON_CHAT_NOT_FOUND,
    REASON_FORBIDDEN,
    REASON_UNSUBSCRIBED,
    deactivate,
    move_chat,
)

log = logging.getLogger(__name__)

JOB_NAME = "cds-reminders"
TICK_SECONDS = 60
# Services.state key under which tests put a ManualClock.
CLOCK_KEY = "clock"
CALLBACK_DONE = "dl:done:"
CALLBACK_NOT_DONE = "dl:todo:"
MAX_QUOTE_CHARS = 400
MAX_AGENCY_CHARS = 200
MAX_DIGEST_ITEMS = 20

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def policy_from_settings(settings: Settings) -> ReminderPolicy:
    """The reminder rules the settings describe (CDSBOT_REMINDER_LEAD_DAYS, _TIME, CDSBOT_TIMEZONE)."""
    return ReminderPolicy(
        lead_days=tuple(settings.reminder_lead_days),
        send_time=settings.reminder_time,
        tz=ZoneInfo(settings.timezone),
        admin_ids=frozenset(settings.admin_ids),
    )


def clock_of(services: Services) -> Clock:
    """The clock the services run on: the system's unless a test put another in ``state``."""
    clock = services.state.get(CLOCK_KEY)
    return clock if clock is not None else SystemClock()


def local_today(services: Services) -> date:
    """Today in the configured time zone (deadlines are calendar dates there)."""
    return clock_of(services).now().astimezone(ZoneInfo(services.settings.timezone)).date()


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def due_label(view: DeadlineView) -> str:
    """How the directive put it ("quý III/2023"), plus the last day when that is not obvious."""
    due = view.due
    last_day = due.strftime("%d/%m/%Y")
    label = {
        "day": None,
        "early_month": f"đầu tháng {due.month}/{due.year}",
        "mid_month": f"giữa tháng {due.month}/{due.year}",
        "late_month": f"cuối tháng {due.month}/{due.year}",
        "month": f"tháng {due.month}/{due.year}",
        "quarter": f"quý {_ROMAN[(due.month - 1) // 3 + 1]}/{due.year}",
        "half_year": f"6 tháng {'đầu' if due.month <= 6 else 'cuối'} năm {due.year}",
        "year": f"năm {due.year}",
    }.get(view.precision)
    return last_day if label is None else f"{label} (muộn nhất {last_day})"


def days_left_text(due: date, today: date) -> str:
    """"còn 5 ngày", "hôm nay", "quá hạn 3 ngày"."""
    days = (due - today).days
    if days > 1:
        return f"còn {days} ngày"
    if days == 1:
        return "ngày mai"
    if days == 0:
        return "hôm nay"
    return f"quá hạn {-days} ngày"


def progress_text(progress: Progress | None) -> str | None:
    if progress is None or progress.teams == 0:
        return None
    return f"{progress.done}/{progress.teams} đơn vị đăng ký đã báo hoàn thành"


def deadline_source_html(view: DeadlineView) -> str:
    """Where the deadline comes from: the document, its source (linked when a URL) and the passage."""
    if view.manual:
        return "Do quản trị viên nhập"
    parts = [f"<i>{html.escape(view.document_title)}</i>"]
    if view.document_source:
        parts.append(source_html(view.document_source))
    if view.document_published:
        parts.append(view.document_published.strftime("%d/%m/%Y"))
    where = f"tài liệu #{view.document_id}"
    if view.passage_position is not None:
        where += f", đoạn {view.passage_position + 1}"
    parts.append(where)
    return " — ".join(parts)


def deadline_html(view: DeadlineView, today: date, progress: Progress | None = None) -> str:
    """One deadline as a block: when, what, who, where, the exact quote and its source."""
    lines = [
        f"<b>#{view.id} · {html.escape(due_label(view))}</b> ({days_left_text(view.due, today)})",
        f"📌 {html.escape(view.task)}",
    ]
    if view.agency:
        lines.append(f"🏛 {html.escape(shorten(view.agency, MAX_AGENCY_CHARS))}")
    if view.provinces:
        lines.append(f"📍 {html.escape(', '.join(view.provinces))}")
    if not view.manual:
        lines.append(f"<i>«{html.escape(shorten(view.quote, MAX_QUOTE_CHARS))}»</i>")
    lines.append(f"📄 {deadline_source_html(view)}")
    done = progress_text(progress)
    if done:
        lines.append(f"✅ {done}")
    return "\n".join(lines)


def reminder_html(view: DeadlineView, today: date) -> str:
    """A reminder: how close the deadline is, then the deadline itself."""
    days = (view.due - today).days
    if days > 1:
        head = f"⏰ <b>Nhắc hạn chót: còn {days} ngày</b>"
    elif days == 1:
        head = "⏰ <b>Nhắc hạn chót: ngày mai đến hạn</b>"
    elif days == 0:
        head = "⏰ <b>Hôm nay là hạn chót</b>"
    else:
        head = f"⚠️ <b>Đã quá hạn {-days} ngày</b>"
    return (
        f"{head}\n\n{deadline_html(view, today)}\n\n"
        "Đơn vị làm xong thì bấm «Đã hoàn thành» để không nhận nhắc việc này nữa."
    )


def completion_keyboard(deadline_id: int, done: bool | None = None) -> InlineKeyboardMarkup:
    """The two buttons under a reminder; the recorded answer is ticked."""
    done_label = "✅ Đã hoàn thành" + (" ✓" if done is True else "")
    todo_label = "⏳ Chưa xong" + (" ✓" if done is False else "")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(done_label, callback_data=f"{CALLBACK_DONE}{deadline_id}"),
                InlineKeyboardButton(todo_label, callback_data=f"{CALLBACK_NOT_DONE}{deadline_id}"),
            ]
        ]
    )


def week_label(week: str) -> str:
    """"2026-W48" → "tuần 48/2026"."""
    year, _, number = week.partition("-W")
    return f"tuần {int(number)}/{year}"


def reason_text(reason: str | None) -> str:
    """Why a subscription stopped, for admins."""
    if not reason:
        return "không rõ"
    if reason.startswith(REASON_FORBIDDEN):
        return "Telegram từ chối gửi (bot bị chặn hoặc bị xoá khỏi nhóm)"
    if reason.startswith(REASON_CHAT_NOT_FOUND):
        return "không còn tìm thấy cuộc trò chuyện"
    if reason == REASON_UNSUBSCRIBED:
        return "đã huỷ đăng ký"
    return reason


def _digest_items(views: tuple[DeadlineView, ...], today: date, progress: dict[int, Progress]) -> list[str]:
    lines = []
    for view in views[:MAX_DIGEST_ITEMS]:
        when = f"<b>{view.due.strftime('%d/%m/%Y')}</b> ({days_left_text(view.due, today)})"
        line = f"• {when} — {html.escape(view.task)}"
        if view.agency:
            line += f" — {html.escape(shorten(view.agency, MAX_AGENCY_CHARS))}"
        done = progress_text(progress.get(view.id))
        if done:
            line += f" — {done}"
        lines.append(f"{line} [#{view.id}]")
    if len(views) > MAX_DIGEST_ITEMS:
        lines.append(f"… và {len(views) - MAX_DIGEST_ITEMS} hạn chót khác.")
    return lines


def digest_html(digest: Digest, today: date, *, for_admins: bool, horizon_days: int = 30) -> str:
    """The Monday summary: soon due and overdue for a team; unfinished and stopped for admins."""
    if for_admins:
        lines = [f"🗓 <b>Báo cáo hạn chót {week_label(digest.week)} cho quản trị viên</b>"]
    else:
        lines = [f"🗓 <b>Hạn chót {week_label(digest.week)}</b>"]
    if digest.upcoming:
        lines += ["", f"<b>Sắp đến hạn ({horizon_days} ngày tới):</b>", *_digest_items(digest.upcoming, today, {})]
    if digest.overdue:
        title = "Quá hạn, còn đơn vị chưa báo hoàn thành:" if for_admins else "Quá hạn, chưa báo hoàn thành:"
        lines += ["", f"<b>{title}</b>", *_digest_items(digest.overdue, today, digest.progress)]
    if digest.stopped:
        lines += ["", "<b>Đăng ký nhắc hạn đã dừng:</b>"]
        for stopped in digest.stopped[:MAX_DIGEST_ITEMS]:
            name = html.escape(stopped.chat_title or str(stopped.chat_id))
            lines.append(f"• {name} ({stopped.chat_id}): {html.escape(reason_text(stopped.reason))}")
    lines += ["", "Chi tiết và nguồn: /hanchot"]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


@dataclass
class TickReport:
    """What one tick did, for the log and for tests."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: list[int] = field(default_factory=list)


async def _send(bot: Bot, claim: ReminderClaim, policy: ReminderPolicy, today: date) -> int:
    """Send a claim's message, split under Telegram's limit; returns the id of the last part (with the buttons).

    Not through ``bot.telegram_io``: its faults must reach :func:`deliver`,
    which records them in the ledger.
    """
    if claim.deadline is not None:
        text = reminder_html(claim.deadline, today)
        markup: InlineKeyboardMarkup | None = completion_keyboard(claim.deadline.id)
    else:
        assert claim.digest is not None
        text = digest_html(
            claim.digest, today, for_admins=claim.kind.startswith("admin-"), horizon_days=policy.digest_horizon_days
        )
        markup = None
    parts = split_message(text)
    message_id = 0
    for number, part in enumerate(parts, start=1):
        reply_markup = markup if number == len(parts) else None
        try:
            sent = await bot.send_message(
                claim.chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            if not is_entity_error(exc.message):
                raise
            # A reminder unread is worse than a reminder without bold: send the same words as plain text.
            log.warning("Telegram refused reminder %s HTML (%s); sending it as plain text", claim.kind, exc.message)
            sent = await bot.send_message(
                claim.chat_id,
                plain_text(part),
                reply_markup=reply_markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        message_id = sent.message_id
    return message_id


async def deliver(
    bot: Bot, engine: Engine, policy: ReminderPolicy, claim: ReminderClaim, now: datetime, report: TickReport
) -> None:
    """Send one claimed reminder and record what Telegram said (see the module docstring)."""
    today = policy.local(now).date()
    try:
        message_id = await _send(bot, claim, policy, today)
    except Forbidden as exc:
        log.info("chat %s refuses messages (%s); deactivating its subscription", claim.chat_id, exc.message)
        await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
        if await run_blocking(deactivate, engine, claim.chat_id, f"{REASON_FORBIDDEN}: {exc.message}", now):
            report.deactivated.append(claim.chat_id)
        report.failed += 1
    except ChatMigrated as exc:
        log.info("chat %s migrated to %s", claim.chat_id, exc.new_chat_id)
        await run_blocking(release_claim, engine, claim.ledger_id)
        await run_blocking(move_chat, engine, claim.chat_id, exc.new_chat_id, now)
        report.retried += 1
    except RetryAfter as exc:
        log.warning("flood control persisted for chat %s (%s); retrying next tick", claim.chat_id, exc.message)
        await run_blocking(release_claim, engine, claim.ledger_id)
        report.retried += 1
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
            if await run_blocking(deactivate, engine, claim.chat_id, f"{REASON_CHAT_NOT_FOUND}: {exc.message}", now):
                report.deactivated.append(claim.chat_id)
        else:
            # The message itself is wrong; sending it again would fail again.
            log.error("Telegram refused reminder %s for chat %s: %s", claim.kind, claim.chat_id, exc.message)
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
        report.failed += 1
    except TimedOut as exc:
        if may_have_arrived(exc):
            # Telegram may well have delivered it: at most once beats twice.
            log.warning("%s to chat %s timed out and was probably delivered; not sending again", claim.kind, claim.chat_id)
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now)
            report.sent += 1
        else:
            await run_blocking(release_claim, engine, claim.ledger_id)
            report.retried += 1
    except (NetworkError, TelegramError) as exc:
        log.warning("could not send %s to chat %s (%s); retrying next tick", claim.kind, claim.chat_id, exc)
        await run_blocking(release_claim, engine, claim.ledger_id)
        report.retried += 1
    else:
        await run_blocking(mark_sent, engine, claim.ledger_id, now=now, message_id=message_id)
        report.sent += 1


async def run_reminders(
    bot: Bot, engine: Engine, policy: ReminderPolicy, gazetteer: Gazetteer, now: datetime
) -> TickReport:
    """One tick: claim batch after batch of subscriptions, sending each batch's claims."""
    report = TickReport()
    after = 0
    while True:
        batch = await run_blocking(claim_due_reminders, engine, policy, gazetteer, now, after=after)
        for claim in batch.claims:
            if claim.chat_id in report.deactivated:
                # Telegram just refused this chat; the rest of its claims would be refused too.
                await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
                report.failed += 1
                continue
            await deliver(bot, engine, policy, claim, now, report)
        if batch.next_after is None:
            break
        after = batch.next_after
    if report.sent or report.retried or report.failed:
        log.info(
            "reminders: %d sent, %d to retry, %d failed, %d chats deactivated",
            report.sent,
            report.retried,
            report.failed,
            len(report.deactivated),
        )
    return report


async def reminder_job(context: CdsContext) -> None:
    """The JobQueue callback: run one tick with the application's services."""
    services = context.services
    await run_reminders(
        context.bot,
        services.library.engine,
        policy_from_settings(services.settings),
        services.library.gazetteer,
        clock_of(services).now(),
    )


def schedule_reminders(
    application: CdsApplication, *, interval: float = TICK_SECONDS, first: float = 1
) -> Job[CdsContext] | None:  # type: ignore[type-var]
    """Wake the reminder tick every ``interval`` seconds, starting ``first`` seconds after start.

    Late or missed runs are simply coalesced: the ledger, not APScheduler's
    misfire handling, decides what is still owed.
    """
    if application.job_queue is None:
        log.warning("python-telegram-bot[job-queue] is not installed: deadline reminders are off")
        return None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    return application.job_queue.run_repeating(
        reminder_job,  # type: ignore[arg-type]
        interval=interval,
        first=first,
        name=JOB_NAME,
        job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
