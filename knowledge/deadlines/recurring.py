"""Recurring tasks from task tables ("Thường xuyên", "Hằng quý"), listed apart from deadlines.

They are stored as deadline rows (with ``recurrence`` set and ``is_horizon``
true), so every date-based list and the reminder scheduler skip them: a task
done "thường xuyên" has no day to be reminded of, and a quarterly reminder
with no stated day would be noise. ``cdsbot deadlines --recurring`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.deadlines.queries import provinces_match, resolve_provinces
from knowledge.deadlines.tables import RECURRENCE_LABELS
from knowledge.models import Deadline, Document
from knowledge.provinces import Gazetteer


@dataclass(frozen=True)
class RecurringTask:
    """A recurring task with the document that sets it."""

    id: int
    document_id: int
    document_title: str
    recurrence: str
    task: str
    agency: str | None
    co_agencies: str | None
    provinces: tuple[str, ...]
    quote: str

    @property
    def label(self) -> str:
        """"hằng quý", "thường xuyên" — the recurrence as a reader says it."""
        return RECURRENCE_LABELS.get(self.recurrence, self.recurrence)

    def as_json(self) -> dict[str, object]:
        """The machine-readable form (`cdsbot deadlines --recurring --json`)."""
        return {
            "id": self.id,
            "document_id": self.document_id,
            "recurrence": self.recurrence,
            "task": self.task,
            "agency": self.agency,
            "co_agencies": self.co_agencies,
            "provinces": list(self.provinces),
            "quote": self.quote,
        }


def list_recurring(engine: Engine, gazetteer: Gazetteer, *, provinces: Sequence[str] = ()) -> list[RecurringTask]:
    """Every recurring task, by document then table order; ``provinces`` as in list_deadlines."""
    wanted = resolve_provinces(gazetteer, provinces)
    statement = (
        select(Deadline, Document)
        .join(Document, col(Document.id) == col(Deadline.document_id))
        .where(col(Deadline.recurrence).is_not(None))
        .order_by(col(Deadline.document_id), col(Deadline.id))
    )
    with Session(engine) as session:
        rows = session.exec(statement).all()
    tasks = [
        RecurringTask(
            id=d.id or 0,
            document_id=d.document_id,
            document_title=doc.title,
            recurrence=d.recurrence or "",
            task=d.task,
            agency=d.agency,
            co_agencies=d.co_agencies,
            provinces=tuple(d.province_list),
            quote=d.quote,
        )
        for d, doc in rows
    ]
    return [t for t in tasks if provinces_match(gazetteer, t.provinces, wanted)]
