"""Deadlines, reminders and digests as styled text, and the buttons under a reminder."""

from __future__ import annotations

from datetime import date

from bot.render.answers import shorten, source_rich
from bot.render.rich import Rich, bold, italic, text
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

Keyboard = list[list[tuple[str, str]]]  # (label, callback data), as in bot.conversation.replies


def progress_text(progress: Progress | None) -> str | None:
    if progress is None or progress.teams == 0:
        return None
    return f"{progress.done}/{progress.teams} đơn vị đăng ký đã báo hoàn thành"


def deadline_source(view: DeadlineView) -> Rich:
    """Where the deadline comes from: the document, its source (linked when a URL) and the passage."""
    if view.manual:
        return text("Do quản trị viên nhập")
    parts: list[Rich | str] = [italic(view.document_title)]
    if view.document_source:
        parts.append(source_rich(view.document_source))
    if view.document_published:
        parts.append(view.document_published.strftime("%d/%m/%Y"))
    where = f"tài liệu #{view.document_id}"
    if view.passage_position is not None:
        where += f", đoạn {view.passage_position + 1}"
    parts.append(where)
    return text(" — ").join(parts)


def deadline_block(view: DeadlineView, today: date, progress: Progress | None = None) -> Rich:
    """One deadline as a block: when, what, who, where, the exact quote and its source."""
    lines: list[Rich | str] = [
        bold(f"#{view.id} · {due_label(view)}") + f" ({days_left_text(view.due, today)})",
        f"📌 {view.task}",
    ]
    if view.agency:
        lines.append(f"🏛 {shorten(view.agency, MAX_AGENCY_CHARS)}")
    if view.provinces:
        lines.append(f"📍 {', '.join(view.provinces)}")
    if not view.manual:
        lines.append(italic(f"«{shorten(view.quote, MAX_QUOTE_CHARS)}»"))
    lines.append("📄 " + deadline_source(view))
    done = progress_text(progress)
    if done:
        lines.append(f"✅ {done}")
    return Rich.lines(lines)


def reminder_rich(view: DeadlineView, today: date) -> Rich:
    """A reminder: how close the deadline is, then the deadline itself."""
    days = (view.due - today).days
    if days > 1:
        head = "⏰ " + bold(f"Nhắc hạn chót: còn {days} ngày")
    elif days == 1:
        head = "⏰ " + bold("Nhắc hạn chót: ngày mai đến hạn")
    elif days == 0:
        head = "⏰ " + bold("Hôm nay là hạn chót")
    else:
        head = "⚠️ " + bold(f"Đã quá hạn {-days} ngày")
    return Rich.lines(
        [
            head,
            "",
            deadline_block(view, today),
            "",
            "Đơn vị làm xong thì bấm «Đã hoàn thành» để không nhận nhắc việc này nữa.",
        ]
    )


def completion_buttons(deadline_id: int, done: bool | None = None) -> Keyboard:
    """The two buttons under a reminder; the recorded answer is ticked."""
    done_label = "✅ Đã hoàn thành" + (" ✓" if done is True else "")
    todo_label = "⏳ Chưa xong" + (" ✓" if done is False else "")
    return [[(done_label, f"{CALLBACK_DONE}{deadline_id}"), (todo_label, f"{CALLBACK_NOT_DONE}{deadline_id}")]]


def _digest_items(views: tuple[DeadlineView, ...], today: date, progress: dict[int, Progress]) -> list[Rich]:
    lines: list[Rich] = []
    for view in views[:MAX_DIGEST_ITEMS]:
        line = "• " + bold(view.due.strftime("%d/%m/%Y")) + f" ({days_left_text(view.due, today)}) — {view.task}"
        if view.agency:
            line = line + f" — {shorten(view.agency, MAX_AGENCY_CHARS)}"
        done = progress_text(progress.get(view.id))
        if done:
            line = line + f" — {done}"
        lines.append(line + f" [#{view.id}]")
    if len(views) > MAX_DIGEST_ITEMS:
        lines.append(text(f"… và {len(views) - MAX_DIGEST_ITEMS} hạn chót khác."))
    return lines


def digest_rich(digest: Digest, today: date, *, for_admins: bool, horizon_days: int = 30) -> Rich:
    """The Monday summary: soon due and overdue for a team; unfinished and stopped for admins."""
    if for_admins:
        lines: list[Rich | str] = ["🗓 " + bold(f"Báo cáo hạn chót {week_label(digest.week)} cho quản trị viên")]
    else:
        lines = ["🗓 " + bold(f"Hạn chót {week_label(digest.week)}")]
    if digest.upcoming:
        lines += ["", bold(f"Sắp đến hạn ({horizon_days} ngày tới):"), *_digest_items(digest.upcoming, today, {})]
    if digest.overdue:
        title = "Quá hạn, còn đơn vị chưa báo hoàn thành:" if for_admins else "Quá hạn, chưa báo hoàn thành:"
        lines += ["", bold(title), *_digest_items(digest.overdue, today, digest.progress)]
    if digest.stopped:
        lines += ["", bold("Đăng ký nhắc hạn đã dừng:")]
        for stopped in digest.stopped[:MAX_DIGEST_ITEMS]:
            name = stopped.chat_title or str(stopped.chat_id)
            lines.append(f"• {name} ({stopped.chat_id}): {reason_text(stopped.reason)}")
    lines += ["", "Chi tiết và nguồn: /hanchot"]
    return Rich.lines(lines)
