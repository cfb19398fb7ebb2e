"""Deadline rows: the one place a found or typed deadline becomes a ``Deadline`` row.

Ingest, revisions and the admins' hand-entered deadlines all build rows here,
so a new column (co-agencies, recurrence…) is filled the same way everywhere.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from knowledge.models import Deadline

if TYPE_CHECKING:  # annotations only: answering imports this module but never extracts deadlines
    from knowledge.deadlines.extract import DeadlineMatch


def deadline_row(
    match: DeadlineMatch,
    *,
    document_id: int,
    provinces: str,
    passage_id: int | None = None,
) -> Deadline:
    """A deadline the extractor found in a passage of ``document_id``."""
    return Deadline(
        document_id=document_id,
        passage_id=passage_id,
        due=match.due,
        precision=match.precision,
        task=match.task,
        agency=match.agency,
        provinces=provinces,
        quote=match.quote,
        is_horizon=match.is_horizon,
        # Task-table rows carry co-agencies and recurrence (knowledge/deadlines/tables.py).
        co_agencies=getattr(match, "co_agencies", None),
        recurrence=getattr(match, "recurrence", None),
    )


def manual_deadline_row(
    *,
    document_id: int,
    due: date,
    task: str,
    agency: str | None,
    provinces: str,
    quote: str,
    added_by: str,
) -> Deadline:
    """A deadline an admin typed: precise to the day, and marked as theirs."""
    return Deadline(
        document_id=document_id,
        due=due,
        precision="day",
        task=task,
        agency=agency,
        provinces=provinces,
        quote=quote,
        added_by=added_by,
    )
