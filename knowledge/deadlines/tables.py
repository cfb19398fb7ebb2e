"""Deadlines from task tables: one row, one task, its due date from the time column.

Plans and resolutions list their tasks in a table (TT | Nhiệm vụ | Cơ quan
chủ trì | Cơ quan phối hợp | Sản phẩm | Thời gian hoàn thành). The time
column is terse and structured, so it is read with its own small grammar
rather than the prose grammar of extract.py, which needs a cue word
("trước", "chậm nhất") that a cell never has:

- day: "30/9/2026", "Trước 15/11/2026", "ngày 30 tháng 9 năm 2026" (due that day);
- month: "6/2025", "Tháng 10/2025" (due the month's last day);
- quarter: "Quý II/2025", "Quý 2 năm 2025" (due the quarter's last day);
- year: "2025", "Năm 2025" (due 31/12);
- a range "2025-2026", "Quý I-II/2025", "Tháng 6-9/2025": the task runs the
  whole span and is due when the span ends (31/12/2026, 30/6/2025,
  30/9/2025), with the precision of the span's unit;
- "Thường xuyên", "Hằng năm", "Hằng quý", "Hằng tháng", "Định kỳ 6 tháng":
  recurring work. It is kept apart (``recurrence``), never reminded about
  as if it were due on one day, and listed by ``cdsbot deadlines --recurring``.

A time cell in free text ("Sau khi có hướng dẫn của Bộ") or a date standing
in another column makes no deadline; it is reported to the admin instead.
Pure functions over :class:`~knowledge.documents.tables.TableRow`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from index.text import fold
from knowledge.deadlines.extract import Precision, _day, _month_end
from knowledge.documents.tables import TableRow

__all__ = ["TableDeadline", "TableReading", "read_time_cell", "table_deadlines"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DASH = r"\s*[-–—]\s*"
_Q = r"(iv|iii|ii|i|[1-4])"
_YEAR = r"((?:19|20)\d{2})"
_LEAD = r"^(?:(?:hoàn\s+thành\s+)?(?:trước|chậm\s+nhất|trong|đến|hết|cuối)\s+(?:ngày\s+|năm\s+|tháng\s+)?|ngày\s+|năm\s+|tháng\s+)?"
_DAY_RE = re.compile(_LEAD + r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*" + _YEAR + r"$")
_DAY_WORDS_RE = re.compile(_LEAD + r"(\d{1,2})\s+tháng\s+(\d{1,2})\s*,?\s*năm\s+" + _YEAR + r"$")
_MONTH_RE = re.compile(_LEAD + r"(?:tháng\s+)?(\d{1,2})(?:" + _DASH + r"(\d{1,2}))?\s*(?:/|\s+năm\s+)\s*" + _YEAR + r"$")
_QUARTER_RE = re.compile(
    _LEAD + r"(?:quý\s+)?" + _Q + r"(?:" + _DASH + r"(?:quý\s+)?" + _Q + r")?\s*(?:/|\s+năm\s+|" + _DASH + r")\s*" + _YEAR + r"$"
)
_YEAR_RE = re.compile(_LEAD + _YEAR + r"(?:" + _DASH + _YEAR + r")?$")
_RECURRING: tuple[tuple[str, str], ...] = (
    ("thuong xuyen", "continuous"),
    ("lien tuc", "continuous"),
    ("hang nam", "yearly"),
    ("hang quy", "quarterly"),
    ("hang thang", "monthly"),
    ("dinh ky 6 thang", "half_yearly"),
    ("6 thang mot lan", "half_yearly"),
    ("hang tuan", "weekly"),
)
RECURRENCE_LABELS = {
    "continuous": "thường xuyên",
    "yearly": "hằng năm",
    "half_yearly": "6 tháng một lần",
    "quarterly": "hằng quý",
    "monthly": "hằng tháng",
    "weekly": "hằng tuần",
}


@dataclass(frozen=True)
class TimeReading:
    """What a time cell says: a due date with its precision, a recurrence, or nothing readable."""

    due: date | None = None
    precision: Precision | None = None
    recurrence: str | None = None


@dataclass(frozen=True)
class TableDeadline:
    """A deadline read from one table row; shaped like extract.DeadlineMatch where they overlap."""

    due: date
    precision: Precision
    task: str
    agency: str | None
    quote: str
    row_text: str
    co_agencies: str | None = None
    recurrence: str | None = None

    @property
    def is_horizon(self) -> bool:
        # Recurring work has no single due day: date-based reminders and lists skip it.
        return self.recurrence is not None


@dataclass(frozen=True)
class TableReading:
    """The deadlines of a document's tables and what could not be read, in Vietnamese."""

    deadlines: list[TableDeadline] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _folded(text: str) -> str:
    return " ".join(fold(text).lower().replace(",", " ").split())


def _is_time_header(header: str) -> bool:
    key = _folded(header)
    return key.startswith(("thoi gian", "thoi han", "tien do", "han hoan thanh", "moc thoi gian")) or key == "han"


def _is_agency_header(header: str) -> bool:
    key = _folded(header)
    if "phoi hop" in key:
        return False
    return "chu tri" in key or key in {"co quan", "don vi", "co quan thuc hien", "don vi thuc hien", "co quan don vi thuc hien"}


def _is_co_agency_header(header: str) -> bool:
    return "phoi hop" in _folded(header)


def _is_task_header(header: str) -> bool:
    key = _folded(header)
    return key.startswith(("nhiem vu", "noi dung", "ten nhiem vu", "hoat dong", "nhiem vu giai phap", "cong viec"))


def _column(headers: Sequence[str], test: object) -> int | None:
    for index, header in enumerate(headers):
        if test(header):  # type: ignore[operator]
            return index
    return None


def _quarter(token: str) -> int:
    return int(token) if token.isdigit() else _ROMAN.get(token.lower(), 0)


def read_time_cell(cell: str, published: date | None = None) -> TimeReading | None:
    """Read a time cell; None when it is free text.

    A year-less "Tháng 10" is not accepted: cells in real plans always carry
    the year, and guessing one would put a reminder on the wrong year.
    """
    text = " ".join(cell.split()).strip(" .;")
    if not text:
        return None
    key = _folded(text)
    for phrase, recurrence in _RECURRING:
        if key.startswith(phrase) or key == phrase:
            return TimeReading(recurrence=recurrence)
    lowered = text.lower()
    if m := _DAY_RE.match(lowered):
        due = _day(int(m.group(4)), int(m.group(3)), int(m.group(1)))
        return TimeReading(due, "day") if due else None
    if m := _DAY_WORDS_RE.match(lowered):
        due = _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return TimeReading(due, "day") if due else None
    if m := _MONTH_RE.match(lowered):
        last = int(m.group(2) or m.group(1))
        if not 1 <= int(m.group(1)) <= 12 or not 1 <= last <= 12:
            return None
        due = _month_end(int(m.group(3)), last)
        return TimeReading(due, "month") if due else None
    if m := _QUARTER_RE.match(lowered):
        last = _quarter(m.group(2) or m.group(1))
        if not 1 <= last <= 4:
            return None
        due = _month_end(int(m.group(3)), 3 * last)
        return TimeReading(due, "quarter") if due else None
    if m := _YEAR_RE.match(lowered):
        year = int(m.group(2) or m.group(1))
        if m.group(2) and int(m.group(2)) < int(m.group(1)):
            return None
        return TimeReading(date(year, 12, 31), "year")
    return None


def _row_label(row: TableRow, number: int) -> str:
    return f"dòng {row.ordinal}" if row.ordinal else f"dòng thứ {number}"


def table_deadlines(rows: Sequence[TableRow], published: date | None) -> TableReading:
    """Deadlines and recurring tasks of task tables; warnings for rows whose time cannot be read."""
    reading = TableReading()
    number = 0
    for row in rows:
        number += 1
        time_at = _column(row.headers, _is_time_header)
        if time_at is None:
            continue  # a table without a time column sets no deadlines
        task_at = _column(row.headers, _is_task_header)
        agency_at = _column(row.headers, _is_agency_header)
        co_at = _column(row.headers, _is_co_agency_header)
        cells = row.cells
        task = cells[task_at] if task_at is not None and task_at < len(cells) else None
        if not task:
            task = next((c for h, c in zip(row.headers, cells) if c and c != row.ordinal and not _is_time_header(h)), "")
        if not task:
            continue
        time_cell = cells[time_at] if time_at < len(cells) else ""
        label = _row_label(row, number)
        if not time_cell:
            stray = next(
                (
                    (h, c)
                    for i, (h, c) in enumerate(zip(row.headers, cells))
                    if c and i not in (time_at, task_at) and read_time_cell(c) is not None and not c.isdigit()
                ),
                None,
            )
            if stray is not None:
                reading.warnings.append(
                    f"Bảng nhiệm vụ, {label}: cột «{row.headers[time_at]}» trống nhưng «{stray[1]}» nằm ở cột "
                    f"«{stray[0]}», nên không tạo hạn chót cho nhiệm vụ «{_short(task)}»."
                )
            continue
        found = read_time_cell(time_cell, published)
        if found is None:
            reading.warnings.append(
                f"Bảng nhiệm vụ, {label}: thời hạn «{_short(time_cell)}» không phải ngày, tháng, quý hay năm cụ thể, "
                f"nên không tạo hạn chót cho nhiệm vụ «{_short(task)}»."
            )
            continue
        agency = cells[agency_at] if agency_at is not None and agency_at < len(cells) and cells[agency_at] else None
        co = cells[co_at] if co_at is not None and co_at < len(cells) and cells[co_at] else None
        if found.recurrence is not None:
            due, precision = _first_period_end(found.recurrence, published), "year"
            reading.deadlines.append(
                TableDeadline(due, precision, task, agency, row.text, row.text, co, found.recurrence)
            )
            continue
        assert found.due is not None and found.precision is not None
        if published is not None and found.due < published:
            continue  # already past when the document was signed: a result, not a reminder
        reading.deadlines.append(TableDeadline(found.due, found.precision, task, agency, row.text, row.text, co))
    return reading


def _first_period_end(recurrence: str, published: date | None) -> date:
    """Where a recurring task's first period ends; stored because a deadline row needs a date."""
    start = published or date.today()
    if recurrence == "monthly":
        return _month_end(start.year, start.month) or date(start.year, 12, 31)
    if recurrence == "quarterly":
        return _month_end(start.year, 3 * ((start.month - 1) // 3 + 1)) or date(start.year, 12, 31)
    if recurrence == "half_yearly":
        return date(start.year, 6, 30) if start.month <= 6 else date(start.year, 12, 31)
    return date(start.year, 12, 31)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
