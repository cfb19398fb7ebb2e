"""`cdsbot deadlines [--json] [--all] [--province P]`: the deadlines in the base.

By default only deadlines not yet past (today in CDSBOT_TIMEZONE counts as not
past); plan horizons ("giai đoạn 2021-2025") are never listed, they are not
deadlines. ``--province`` takes any spelling and old or new names.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.listing import print_listing
from bot.render.answers import shorten
from knowledge.deadlines.labels import PRECISION_NAMES
from knowledge.deadlines.queries import DeadlineView, list_deadlines
from knowledge.library import Library

if TYPE_CHECKING:
    from knowledge.deadlines.recurring import RecurringTask

_TASK_WIDTH = 70


def _cell(text: str, width: int) -> str:
    """One table cell: on one line, at most ``width`` characters."""
    return shorten(" ".join(text.split()), width)


def _row(view: DeadlineView) -> str:
    provinces = ", ".join(view.provinces) or "—"
    agency = view.agency or "—"
    return (
        f"#{view.id:<5} {view.due.strftime('%d/%m/%Y')}  {PRECISION_NAMES.get(view.precision, view.precision):<10} "
        f"doc #{view.document_id:<4} {_cell(provinces, 20):<20}  {_cell(agency, 30):<30}  "
        f"{_cell(view.task, _TASK_WIDTH)}"
    )


def cmd_deadlines(library: Library, args: argparse.Namespace, settings: Settings) -> int:
    """Print the deadlines as JSON (a list of objects) or as a table; 2 on an unknown province."""
    if getattr(args, "recurring", False):
        return _cmd_recurring(library, args)
    today = datetime.now(settings.tz).date()
    hint = "" if args.all else " sắp tới (thêm --all để xem cả hạn đã qua)"
    return print_listing(
        lambda: list_deadlines(
            library.engine,
            library.gazetteer,
            today=today,
            include_past=bool(args.all),
            provinces=[args.province] if args.province else [],
        ),
        as_json=args.json,
        empty=f"Không có hạn chót nào{hint}.",
        line=_row,
    )


# --- issue 8: recurring tasks from task tables ("Thường xuyên", "Hằng quý") ---
def _cmd_recurring(library: Library, args: argparse.Namespace) -> int:
    """`cdsbot deadlines --recurring`: recurring tasks, which get no date-based reminders."""
    from knowledge.deadlines.recurring import list_recurring

    return print_listing(
        lambda: list_recurring(library.engine, library.gazetteer, provinces=[args.province] if args.province else []),
        as_json=args.json,
        empty="Không có nhiệm vụ định kỳ nào.",
        line=_recurring_row,
    )


def _recurring_row(task: RecurringTask) -> str:
    agency = task.agency or "—"
    return (
        f"#{task.id:<5} {task.label:<14} doc #{task.document_id:<4} {shorten(agency, 30):<30}  "
        f"{shorten(task.task, _TASK_WIDTH)}"
    )
