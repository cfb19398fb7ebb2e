"""Deadlines, reminders and digests as Telegram HTML; every piece of document text goes through ``html.escape``."""

from __future__ import annotations

import html
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.html import shorten, source_html
from knowledge.deadlines.labels import (
    days_left_text,
    due_label,
    reason_text,
    week_label,
)
from knowledge.deadlines.queries import DeadlineView
from knowledge.reminders.completion import Progress
from knowledge.reminders.ledger import Digest

CALLBACK_DONE = "dl:done:"
CALLBACK_NOT_DONE = "dl:todo:"
MAX_QUOTE_CHARS = 400
MAX_AGENCY_CHARS = 200
MAX_DIGEST_ITEMS = 20

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
