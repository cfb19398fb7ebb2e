"""Reading deadlines back, and the hand edits admins make to them.

Extraction fills the ``deadline`` table at ingest (library.py); this module
answers "what is due" for the CLI, /hanchot and the reminder scheduler, and
lets admins add, correct and delete deadlines, since no extractor is perfect.

Province filters accept any spelling the gazetteer knows ("hai duong",
"TP.HCM", "tỉnh Hải Dương") and relate old and new names both ways: a
deadline of "Hải Dương" (merged into Hải Phòng on 1/7/2025) is shown to
someone asking for "Hải Phòng", and a "Hải Phòng" deadline to someone still
saying "Hải Dương". Siblings are not related: a "Hòa Bình" team is not sent
"Vĩnh Phúc" deadlines because both went into Phú Thọ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from index.text import canonical, fold
from knowledge.control_chars import strip_control_chars
from knowledge.errors import NotFoundError, UserFacingError
from knowledge.provinces import Gazetteer

# The database is imported by the functions that query it: the province
# matching here is pure, and answering a progress question on a cold
# `cdsbot ask` uses it without loading SQLAlchemy or the table classes.
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from knowledge.models import Deadline, Document

# Hand-added deadlines need a document (deadline.document_id is NOT NULL):
# they all hang off this one, which has no passages and so never answers a question.
MANUAL_DOCUMENT_TITLE = "Hạn chót do quản trị viên nhập"
MAX_TASK_CHARS = 500


class UnknownProvinceError(UserFacingError):
    """A province name the gazetteer does not know."""


@dataclass(frozen=True)
class DeadlineView:
    """A deadline with what a reader needs to trust it: its document and passage."""

    id: int
    document_id: int
    passage_id: int | None
    due: date
    precision: str
    task: str
    agency: str | None
    provinces: tuple[str, ...]
    quote: str
    is_horizon: bool
    added_by: str
    document_title: str
    document_source: str | None
    document_published: date | None
    passage_position: int | None
    # Typed by an admin (/hanchot_them): no document, and its "quote" is the admin's own line.
    manual: bool = False

    def as_json(self) -> dict[str, object]:
        """The machine-readable form (`cdsbot deadlines --json`); other tools rely on these keys."""
        return {
            "id": self.id,
            "document_id": self.document_id,
            "due": self.due.isoformat(),
            "precision": self.precision,
            "task": self.task,
            "agency": self.agency,
            "provinces": list(self.provinces),
            "quote": self.quote,
        }


# --------------------------------------------------------------------------
# Provinces and topics
# --------------------------------------------------------------------------


def resolve_provinces(gazetteer: Gazetteer, names: Iterable[str]) -> list[str]:
    """Canonical names for what a user typed; raises on a name that is no province."""
    resolved: list[str] = []
    for name in names:
        if not name.strip():
            continue
        province = gazetteer.get(name.strip())
        if province is None:
            raise UnknownProvinceError(
                f"Không nhận ra tỉnh/thành phố «{name.strip()}».", f"unknown province {name!r}"
            )
        if province.name not in resolved:
            resolved.append(province.name)
    return resolved


def provinces_match(gazetteer: Gazetteer, deadline_provinces: Sequence[str], wanted: Sequence[str]) -> bool:
    """True when the deadline concerns one of the wanted provinces, under its old or new name.

    No wanted province means "all"; a deadline naming no province then
    matches too, but it does not match a province filter: it is not known to
    concern that province.
    """
    if not wanted:
        return True
    for place in deadline_provinces:
        place_related = gazetteer.related(place)
        for want in wanted:
            if want == place or want in place_related or place in gazetteer.related(want):
                return True
    return False


def _folded(text: str) -> str:
    return fold(canonical(text))


def topics_match(view: DeadlineView, topics: Sequence[str]) -> bool:
    """True when a topic phrase occurs, as whole words and ignoring diacritics, in the task or quote."""
    if not topics:
        return True
    haystack = _folded(" ".join((view.task, view.quote, view.agency or "")))
    return any(
        re.search(rf"(?<!\w){re.escape(_folded(topic).strip())}(?!\w)", haystack) for topic in topics if topic.strip()
    )


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def view_of(deadline: Deadline, document: Document | None = None, position: int | None = None) -> DeadlineView:
    """A deadline as handlers and the CLI show it; ``document`` adds where it comes from."""
    from knowledge.models import MANUAL_DEADLINES_HASH

    assert deadline.id is not None
    return DeadlineView(
        id=deadline.id,
        document_id=deadline.document_id,
        passage_id=deadline.passage_id,
        due=deadline.due,
        precision=deadline.precision,
        task=deadline.task,
        agency=deadline.agency,
        provinces=tuple(deadline.province_list),
        quote=deadline.quote,
        is_horizon=deadline.is_horizon,
        added_by=deadline.added_by,
        document_title=document.title if document else "",
        document_source=document.source if document else None,
        document_published=document.published if document else None,
        passage_position=position,
        manual=document is not None and document.content_hash == MANUAL_DEADLINES_HASH,
    )


def deadlines_between(
    session: Session,
    first: date | None,
    last: date | None,
    *,
    include_horizons: bool = False,
    document_id: int | None = None,
) -> list[DeadlineView]:
    """Deadlines due in ``[first, last]`` (either end open when None), soonest first; of one document if given."""
    from sqlmodel import col, select

    from knowledge.models import Deadline, Document, Passage

    statement = (
        select(Deadline, Document, Passage.position)
        .join(Document, col(Document.id) == col(Deadline.document_id))
        .join(Passage, col(Passage.id) == col(Deadline.passage_id), isouter=True)
    )
    if first is not None:
        statement = statement.where(col(Deadline.due) >= first)
    if last is not None:
        statement = statement.where(col(Deadline.due) <= last)
    if not include_horizons:
        statement = statement.where(col(Deadline.is_horizon).is_(False))
    if document_id is not None:
        statement = statement.where(col(Deadline.document_id) == document_id)
    statement = statement.order_by(col(Deadline.due), col(Deadline.id))
    return [view_of(d, doc, pos) for d, doc, pos in session.exec(statement).all()]


def list_deadlines(
    engine: Engine,
    gazetteer: Gazetteer,
    *,
    today: date,
    include_past: bool = False,
    provinces: Sequence[str] = (),
    topics: Sequence[str] = (),
) -> list[DeadlineView]:
    """Deadlines for the CLI: not yet past unless ``include_past``; never plan horizons.

    ``provinces`` may be spelled any way; an unknown one raises
    :class:`UnknownProvinceError` rather than silently listing nothing.
    """
    from sqlmodel import Session

    wanted = resolve_provinces(gazetteer, provinces)
    with Session(engine) as session:
        views = deadlines_between(session, None if include_past else today, None)
    return [v for v in views if provinces_match(gazetteer, v.provinces, wanted) and topics_match(v, topics)]


def upcoming_and_overdue(
    engine: Engine,
    gazetteer: Gazetteer,
    *,
    today: date,
    overdue_days: int,
    provinces: Sequence[str] = (),
    topics: Sequence[str] = (),
) -> tuple[list[DeadlineView], list[DeadlineView]]:
    """(due today or later, overdue by at most ``overdue_days``), soonest first, for /hanchot.

    ``provinces`` are canonical names (see :func:`resolve_provinces`).
    """
    from sqlmodel import Session

    with Session(engine) as session:
        views = deadlines_between(session, today - timedelta(days=overdue_days), None)
    views = [v for v in views if provinces_match(gazetteer, v.provinces, provinces) and topics_match(v, topics)]
    return [v for v in views if v.due >= today], [v for v in views if v.due < today]


def get_deadline(engine: Engine, deadline_id: int) -> DeadlineView:
    """One deadline with its document, or :class:`NotFoundError`."""
    from sqlmodel import Session, col, select

    from knowledge.models import Deadline, Document, Passage

    with Session(engine) as session:
        row = session.exec(
            select(Deadline, Document, Passage.position)
            .join(Document, col(Document.id) == col(Deadline.document_id))
            .join(Passage, col(Passage.id) == col(Deadline.passage_id), isouter=True)
            .where(col(Deadline.id) == deadline_id)
        ).first()
    if row is None:
        raise NotFoundError(f"Không có hạn chót số {deadline_id}.", f"no deadline {deadline_id}")
    return view_of(*row)


# --------------------------------------------------------------------------
# Hand edits
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualDeadline:
    """What an admin types in /hanchot_them: date | task | agency | province."""

    due: date
    task: str
    agency: str | None
    provinces: tuple[str, ...]


def parse_manual_deadline(text: str, gazetteer: Gazetteer) -> ManualDeadline:
    """Parse "dd/mm/yyyy | nhiệm vụ | cơ quan | tỉnh"; agency and province may be left out or "-"."""
    # Here, not at the top: metadata's many patterns are ingest's, and answering imports this module.
    from knowledge.documents.metadata import parse_user_date

    parts = [p.strip() for p in strip_control_chars(text).split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise UserFacingError(
            "Cần ít nhất ngày và nhiệm vụ: dd/mm/yyyy | nhiệm vụ | cơ quan | tỉnh.", f"bad manual deadline {text!r}"
        )
    due = parse_user_date(parts[0])
    if due is None:
        raise UserFacingError(f"Ngày không hợp lệ: «{parts[0]}» (dùng dd/mm/yyyy).", f"bad date {parts[0]!r}")
    task = parts[1][:MAX_TASK_CHARS]
    agency = parts[2] if len(parts) > 2 and parts[2] not in ("", "-") else None
    province_text = " | ".join(parts[3:]) if len(parts) > 3 else ""
    names = [n for n in re.split(r"[,;|]", province_text) if n.strip() and n.strip() != "-"]
    return ManualDeadline(due=due, task=task, agency=agency, provinces=tuple(resolve_provinces(gazetteer, names)))


def _manual_document_id(session: Session) -> int:
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import select

    from knowledge.models import MANUAL_DEADLINES_HASH, Document

    existing = session.exec(select(Document.id).where(Document.content_hash == MANUAL_DEADLINES_HASH)).first()
    if existing is not None:
        return existing
    document = Document(title=MANUAL_DOCUMENT_TITLE, content_hash=MANUAL_DEADLINES_HASH, added_by="admin")
    try:
        with session.begin_nested():
            session.add(document)
        assert document.id is not None
        return document.id
    except IntegrityError:  # another process created it first
        return session.exec(select(Document.id).where(Document.content_hash == MANUAL_DEADLINES_HASH)).one()


def add_deadline(engine: Engine, manual: ManualDeadline, *, added_by: str) -> DeadlineView:
    """Store a deadline an admin typed; its quote is what they typed, so readers see its origin."""
    from sqlmodel import Session

    from knowledge.models import Deadline

    quote = " | ".join(
        [manual.due.strftime("%d/%m/%Y"), manual.task, manual.agency or "-", ", ".join(manual.provinces) or "-"]
    )
    with Session(engine) as session:
        deadline = Deadline(
            document_id=_manual_document_id(session),
            due=manual.due,
            precision="day",
            task=manual.task,
            agency=manual.agency,
            provinces=",".join(manual.provinces),
            quote=quote,
            added_by=added_by,
        )
        session.add(deadline)
        session.commit()
        deadline_id = deadline.id
    assert deadline_id is not None
    return get_deadline(engine, deadline_id)


def edit_deadline(engine: Engine, deadline_id: int, manual: ManualDeadline, *, edited_by: str) -> DeadlineView:
    """Correct what the extractor got wrong; the quote (the document's words) stays as it was."""
    from sqlmodel import Session

    from knowledge.models import Deadline

    with Session(engine) as session:
        deadline = session.get(Deadline, deadline_id)
        if deadline is None:
            raise NotFoundError(f"Không có hạn chót số {deadline_id}.", f"no deadline {deadline_id}")
        deadline.due = manual.due
        deadline.precision = "day"
        deadline.task = manual.task
        deadline.agency = manual.agency
        deadline.provinces = ",".join(manual.provinces)
        deadline.added_by = f"{deadline.added_by.split('+')[0]}+{edited_by}"[:200]
        session.add(deadline)
        session.commit()
    return get_deadline(engine, deadline_id)


def delete_deadline(engine: Engine, deadline_id: int) -> DeadlineView:
    """Delete a deadline; its reminder ledger and completions go with it (ON DELETE CASCADE)."""
    from sqlalchemy import delete
    from sqlmodel import Session, col

    from knowledge.models import Deadline

    view = get_deadline(engine, deadline_id)
    with Session(engine) as session:
        session.exec(delete(Deadline).where(col(Deadline.id) == deadline_id))  # type: ignore[call-overload]
        session.commit()
    return view


def deadlines_of_document(engine: Engine, document_id: int) -> list[DeadlineView]:
    """A stored document's deadlines, plan horizons included as at ingest, soonest first."""
    from sqlmodel import Session

    with Session(engine) as session:
        return deadlines_between(session, None, None, include_horizons=True, document_id=document_id)
