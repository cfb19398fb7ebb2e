"""Deadline words every front end shows the same way: "quý III/2023", "còn 5 ngày", "tuần 48/2026".

Plain Vietnamese text, no markup: Telegram, the terminal chat and the CLI
table all read their labels from here.
"""

from __future__ import annotations

from datetime import date

from knowledge.deadlines.queries import DeadlineView
from knowledge.reminders.subscriptions import (
    REASON_CHAT_NOT_FOUND,
    REASON_FORBIDDEN,
    REASON_UNSUBSCRIBED,
)

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# The precision a directive stated, as a short column label (CLI table).
PRECISION_NAMES = {
    "day": "ngày",
    "early_month": "đầu tháng",
    "mid_month": "giữa tháng",
    "late_month": "cuối tháng",
    "month": "tháng",
    "quarter": "quý",
    "half_year": "nửa năm",
    "year": "năm",
}


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
