"""Changing a stored document: corrected metadata, a revised version replacing the old one.

These are admin edits built on the ingest pipeline: the preparation step
(segmenting and extracting before any transaction) and the live index's
lock (the index must never see a half-applied change).

The rules every function here keeps, as ``Library.ingest`` does:

- one transaction per change: the old passages leave and the new ones arrive
  in the same commit, so a crash leaves either the old or the new document;
- the in-memory index changes only after that commit;
- deadlines survive a revision when they still hold: one the new text still
  states (same due date and task) keeps its row, and with it the reminders
  already sent and the teams' "đã hoàn thành" reports; one an admin typed or
  corrected is carried over; one only the old text stated is retired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Unpack

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from index.text import canonical
from knowledge.control_chars import strip_control_chars
from knowledge.deadlines.store import deadline_row
from knowledge.documents.links import strip_credentials
from knowledge.documents.prepare import MAX_TITLE_CHARS, PreparedDocument, UploadOptions
from knowledge.documents.store import (
    IngestResult,
    duplicate_result,
    find_by_content,
    get_article,
    passage_ids_of,
    passage_rows,
)
from knowledge.documents.titles import shorten_title
from knowledge.errors import UserFacingError
from knowledge.models import Deadline, Document, Passage
from knowledge.progress.store import delete_facts, fact_rows, rebuild_facts

if TYPE_CHECKING:
    from knowledge.library import Library

# Deadlines with exactly this origin are re-derived from the text on a revision;
# "extractor+admin" (corrected) and manual ones are the admins' and are kept.
EXTRACTED = "extractor"


class RevisionError(UserFacingError):
    """A revision that cannot be applied (same content, the same document twice…)."""


@dataclass(frozen=True)
class Revision:
    """What replacing a document did, for the admin's summary."""

    result: IngestResult
    replaced_id: int | None = None
    kept_deadlines: int = 0
    retired_deadlines: int = 0


# ------------------------------------------------------------------ metadata
def update_metadata(
    library: Library,
    document_id: int,
    *,
    title: str | None = None,
    source: str | None = None,
    published: date | None = None,
    provinces: Sequence[str] | None = None,
) -> Document:
    """Store an admin's correction of a document's title, source, date or provinces.

    Only the fields given change. Nothing is re-tokenized: the index holds
    passage text terms only, and titles, dates and provinces are read from
    the database at answer time. Extracted deadlines copy the document's
    provinces at ingest, so they follow a province correction.
    """
    title, source = strip_control_chars(title), strip_control_chars(source)
    with Session(library.engine) as session:
        document = get_article(session=session, document_id=document_id)
        if title is not None and title.strip():
            document.title = shorten_title(title, MAX_TITLE_CHARS)
        if source is not None and source.strip():
            document.source = strip_credentials(source.strip())
        if published is not None:
            document.published = published
        if provinces is not None:
            document.provinces = ",".join(dict.fromkeys(provinces))
            for deadline in session.exec(
                select(Deadline).where(Deadline.document_id == document_id, Deadline.added_by == EXTRACTED)
            ).all():
                deadline.provinces = document.provinces
                session.add(deadline)
        session.add(document)
        if provinces is not None or published is not None:
            # progress (issue 9): facts take their province and inferred period from the document.
            rebuild_facts(session, library.facts, document)
        session.commit()
        session.refresh(document)
        session.expunge(document)
        return document


# ------------------------------------------------------------------ replace
def replace_document(
    library: Library,
    document_id: int,
    data: bytes,
    filename: str,
    **options: Unpack[UploadOptions],
) -> Revision:
    """Replace document ``document_id`` by a revised file, keeping its id.

    Keeping the id means "#12" in earlier answers, lists and reminders still
    names the same directive. What the revised file does not state (source,
    date, provinces) is kept from the old version.
    """
    try:
        prepared = library.prepare_bytes(data, filename, **options)
    except UserFacingError as exc:
        return Revision(IngestResult(status="error", error=exc.user_message))
    with library.live.lock:
        with Session(library.engine) as session:
            try:
                return _replace(library, session, document_id, prepared)
            except UserFacingError as exc:
                session.rollback()
                return Revision(IngestResult(status="error", error=exc.user_message))


def _replace(
    library: Library,
    session: Session,
    document_id: int,
    prepared: PreparedDocument,
) -> Revision:
    document = get_article(session=session, document_id=document_id)
    new = prepared.document
    if new.content_hash == document.content_hash:
        raise RevisionError(
            f"Nội dung tệp giống hệt tài liệu #{document_id}; không có gì để thay.", "same content"
        )
    other = find_by_content(session=session, content_hash=new.content_hash)
    if other is not None:
        return Revision(duplicate_result(other))
    old_passage_ids = passage_ids_of(session=session, document_id=document_id)
    old_deadlines = list(session.exec(select(Deadline).where(Deadline.document_id == document_id)).all())

    # What the new text does not say is kept from the old version.
    document.title = new.title
    document.source = new.source or document.source
    document.published = new.published or document.published
    document.provinces = new.provinces or document.provinces
    document.content_hash = new.content_hash
    document.filename = new.filename
    document.added_by = new.added_by
    # issue 8: the official header of the new version
    document.number, document.doc_type, document.issuer, document.ocr = new.number, new.doc_type, new.issuer, new.ocr
    session.add(document)
    # New passages go in before the old ones leave, so they get fresh ids: SQLite
    # hands the highest freed rowid out again, and an id that named other text
    # in a saved index must never come back.
    rows = passage_rows(document_id=document_id, prepared=prepared)
    session.add_all(rows)
    session.flush()
    # progress (issue 9): the facts are the new text's, nothing of the old one's.
    delete_facts(session, document_id)
    session.add_all(fact_rows(document_id, [r.id for r in rows], prepared.facts, document.published))
    # Deadlines pointing at the old passages get passage_id NULL (ON DELETE SET NULL).
    session.exec(delete(Passage).where(col(Passage.id).in_(old_passage_ids)))  # type: ignore[call-overload]

    by_key: dict[tuple[date, str], list[Deadline]] = defaultdict(list)
    for deadline in old_deadlines:
        by_key[_deadline_key(deadline.due, deadline.task)].append(deadline)
    stored: list[Deadline] = []
    kept = retired = 0
    for position, match in prepared.deadlines:
        same = by_key.get(_deadline_key(match.due, match.task))
        if same:
            deadline = same.pop(0)
            _follow(deadline, match.precision, match.agency, match.quote, document.provinces)
            kept += 1
        else:
            deadline = deadline_row(match, document_id=document_id, provinces=document.provinces)
        deadline.passage_id = rows[position].id
        session.add(deadline)
        stored.append(deadline)
    for deadline in (d for left in by_key.values() for d in left):
        if deadline.added_by == EXTRACTED:
            session.delete(deadline)
            retired += 1
        else:
            deadline.passage_id = None  # its passage is gone; the row and its quote stay
            session.add(deadline)
            kept += 1
    session.commit()
    for obj in (document, *rows, *stored):
        session.refresh(obj)
    # Only after the commit does the index learn about the change.
    library.live.passages_removed(old_passage_ids)
    library.live.passages_committed(rows)
    session.expunge_all()
    return Revision(
        IngestResult(
            status="added",
            document_id=document_id,
            title=document.title,
            passages=len(rows),
            published=document.published,
            provinces=tuple(document.province_list),
            source=document.source,
            deadlines=tuple(stored),
        ),
        replaced_id=document_id,
        kept_deadlines=kept,
        retired_deadlines=retired,
    )


# ------------------------------------------------------------------ supersede
def likely_previous_version(library: Library, document_id: int) -> Document | None:
    """Another stored document this one probably revises: same title or same source URL.

    Offered to the admin as a button, never applied on its own: two
    directives can share a title ("Kế hoạch chuyển đổi số năm 2024") in
    different provinces.
    """
    with Session(library.engine) as session:
        document = session.get(Document, document_id)
        if document is None:
            return None
        same = [Document.title == document.title]
        if document.source:
            same.append(Document.source == document.source)
        candidate = session.exec(
            select(Document)
            .where(Document.id != document_id, or_(*same))
            .order_by(col(Document.id).desc())
        ).first()
        if candidate is not None:
            session.expunge(candidate)
        return candidate


def supersede(library: Library, old_id: int, new_id: int) -> Revision:
    """Retire document ``old_id`` in favour of ``new_id``, already stored from a revised upload.

    The old passages leave the database and the index; its deadlines follow
    the rules in the module docstring, moving to the new document.
    """
    if old_id == new_id:
        raise RevisionError("Không thể thay một tài liệu bằng chính nó.", f"supersede {old_id} by itself")
    with library.live.lock, Session(library.engine) as session:
        old, new = get_article(session=session, document_id=old_id), get_article(session=session, document_id=new_id)
        old_passage_ids = passage_ids_of(session=session, document_id=old_id)
        fresh: dict[tuple[date, str], list[Deadline]] = defaultdict(list)
        for deadline in session.exec(select(Deadline).where(Deadline.document_id == new_id)).all():
            fresh[_deadline_key(deadline.due, deadline.task)].append(deadline)
        kept = retired = 0
        for deadline in session.exec(select(Deadline).where(Deadline.document_id == old_id)).all():
            twins = fresh.get(_deadline_key(deadline.due, deadline.task))
            if twins:
                # Keep the old row (its reminders and reports) in place of the new text's twin.
                twin = twins.pop(0)
                deadline.passage_id = twin.passage_id
                _follow(deadline, twin.precision, twin.agency, twin.quote, new.provinces)
                session.delete(twin)
            elif deadline.added_by == EXTRACTED:
                session.delete(deadline)
                retired += 1
                continue
            else:
                deadline.passage_id = None
            deadline.document_id = new_id
            session.add(deadline)
            kept += 1
        session.flush()
        delete_facts(session, old_id)  # progress (issue 9)
        session.exec(delete(Passage).where(col(Passage.document_id) == old_id))  # type: ignore[call-overload]
        session.delete(old)
        session.commit()
        library.live.passages_removed(old_passage_ids)
        session.refresh(new)
        passages = len(session.exec(select(Passage.id).where(Passage.document_id == new_id)).all())
        result = IngestResult(
            status="added",
            document_id=new_id,
            title=new.title,
            passages=passages,
            published=new.published,
            provinces=tuple(new.province_list),
            source=new.source,
        )
        return Revision(result, replaced_id=old_id, kept_deadlines=kept, retired_deadlines=retired)


def _deadline_key(due: date, task: str) -> tuple[date, str]:
    return due, " ".join(canonical(task).split())


def _follow(deadline: Deadline, precision: str, agency: str | None, quote: str, provinces: str) -> None:
    """An extracted deadline takes the revised text's wording; an admin's own stays as they wrote it."""
    if deadline.added_by != EXTRACTED:
        return
    deadline.precision, deadline.agency, deadline.quote, deadline.provinces = precision, agency, quote, provinces


__all__ = [
    "Revision",
    "RevisionError",
    "likely_previous_version",
    "replace_document",
    "supersede",
    "update_metadata",
]
