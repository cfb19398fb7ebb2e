"""Documents in the database: store, find, list and delete, inside the caller's transaction.

Every function takes ``*, session`` and never commits: the caller owns the
transaction (and, for anything that changes passages, tells the live index
after its commit; see ``knowledge.documents.live_index``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from sqlalchemy import bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from index.terms import TermMaker
from knowledge import reading
from knowledge.answers.sentence_terms import (
    encode,
    encode_passages,
    sentence_terms_version,
)
from knowledge.deadlines.store import deadline_row
from knowledge.errors import NotFoundError
from knowledge.meta import commit_marked, is_current
from knowledge.models import MANUAL_DEADLINES_HASH, Deadline, Document, Passage
from knowledge.progress.store import delete_facts, fact_rows
from knowledge.reading import DocumentSummary

if TYPE_CHECKING:
    # Only named in annotations: answering reads passages through this module
    # and should not load the preparing pipeline (links, httpx, deadline rules).
    from knowledge.documents.prepare import PreparedDocument


@dataclass(frozen=True)
class IngestResult:
    """What happened to one document, for the CLI's JSON and the bot's reply."""

    status: Literal["added", "duplicate", "error"]
    document_id: int | None = None
    title: str | None = None
    passages: int = 0
    published: date | None = None
    provinces: tuple[str, ...] = ()
    source: str | None = None
    deadlines: tuple[Deadline, ...] = ()
    error: str | None = None
    # An official document's header, and what could not be read in it.
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class StoredDocument:
    """The rows one stored document produced."""

    document: Document
    passages: list[Passage]
    deadlines: list[Deadline]
    warnings: tuple[str, ...] = ()

    def result(self) -> IngestResult:
        document = self.document
        return IngestResult(
            status="added",
            document_id=document.id,
            title=document.title,
            passages=len(self.passages),
            published=document.published,
            provinces=tuple(document.province_list),
            source=document.source,
            deadlines=tuple(self.deadlines),
            number=document.number,
            doc_type=document.doc_type,
            issuer=document.issuer,
            warnings=self.warnings,
        )


def find_by_content(*, session: Session, content_hash: str) -> Document | None:
    return session.exec(select(Document).where(Document.content_hash == content_hash)).first()


def duplicate_result(existing: Document) -> IngestResult:
    """What an upload whose content is already stored reports."""
    return IngestResult(
        status="duplicate",
        document_id=existing.id,
        title=existing.title,
        published=existing.published,
        provinces=tuple(existing.province_list),
        source=existing.source,
        number=existing.number,
        doc_type=existing.doc_type,
        issuer=existing.issuer,
        error=f"Tài liệu đã có trong cơ sở dữ liệu: #{existing.id} «{existing.title}».",
    )


def commit_unless_stored(
    *, session: Session, content_hash: str, write: Callable[[Session], StoredDocument], look_first: bool = True
) -> StoredDocument | Document:
    """Write and commit a new document, or return the stored one with the same content.

    The unique content hash settles a race with another process: the loser
    rolls back and reports the winner's document as the duplicate. A caller
    that already knows the hash is new (bulk ingest reads them all once)
    skips the first look-up with ``look_first=False``.
    """
    if look_first and (existing := find_by_content(session=session, content_hash=content_hash)) is not None:
        return existing
    try:
        stored = write(session)
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_by_content(session=session, content_hash=content_hash)
        assert existing is not None
        return existing
    session.expunge_all()
    return stored


def passage_rows(*, document_id: int, prepared: PreparedDocument) -> list[Passage]:
    # A document prepared by hand (benchmarks, old pickles) gets its sentence terms here, still once.
    sentence_terms = prepared.sentence_terms or encode_passages(prepared.passages, TermMaker())
    return [
        Passage(document_id=document_id, position=i, text=text, tokens=tokens, sentence_terms=stored)
        for i, (text, tokens, stored) in enumerate(zip(prepared.passages, prepared.tokens, sentence_terms))
    ]


def store_document(*, session: Session, prepared: PreparedDocument) -> StoredDocument:
    """Add the document, its passages and its deadlines (flushed, not committed)."""
    document = prepared.document
    session.add(document)
    session.flush()
    assert document.id is not None
    rows = passage_rows(document_id=document.id, prepared=prepared)
    session.add_all(rows)
    session.flush()
    session.add_all(fact_rows(document.id, [r.id for r in rows], prepared.facts, document.published))
    deadlines = [
        deadline_row(match, document_id=document.id, provinces=document.provinces, passage_id=rows[position].id)
        for position, match in prepared.deadlines
    ]
    session.add_all(deadlines)
    session.flush()
    return StoredDocument(document, rows, deadlines, prepared.warnings)


def get_article(*, session: Session, document_id: int) -> Document:
    """A document an admin may remove, correct or replace.

    The placeholder that holds hand-entered deadlines is not one: removing it
    would silently delete every deadline an admin typed in.
    """
    document = session.get(Document, document_id)
    if document is None or document.content_hash == MANUAL_DEADLINES_HASH:
        raise NotFoundError(f"Không có tài liệu số {document_id}.", f"no document {document_id}")
    return document


def passage_ids_of(*, session: Session, document_id: int) -> list[int]:
    return list(session.exec(select(Passage.id).where(Passage.document_id == document_id)).all())


def delete_document(*, session: Session, document_id: int) -> tuple[Document, list[int]]:
    """Delete a document with its passages and deadlines; returns it and the passage ids the index must forget."""
    document = get_article(session=session, document_id=document_id)
    passage_ids = passage_ids_of(session=session, document_id=document_id)
    delete_facts(session, document_id)
    session.exec(delete(Deadline).where(col(Deadline.document_id) == document_id))  # type: ignore[call-overload]
    session.exec(delete(Passage).where(col(Passage.document_id) == document_id))  # type: ignore[call-overload]
    session.delete(document)
    return document, passage_ids


def list_documents(*, session: Session, offset: int = 0, limit: int | None = None) -> list[DocumentSummary]:
    """Documents, newest first (by publication date, then by when added); the SQL is knowledge.reading's."""
    return reading.documents(
        reading.ReadConnection(session.connection().connection.dbapi_connection), offset=offset, limit=limit
    )


def count_documents(*, session: Session) -> int:
    statement = select(func.count()).select_from(Document).where(Document.content_hash != MANUAL_DEADLINES_HASH)
    return int(session.exec(statement).one())


def get_document(*, session: Session, document_id: int) -> tuple[Document, list[Passage]]:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError(f"Không có tài liệu số {document_id}.", f"no document {document_id}")
    passages = list(
        session.exec(select(Passage).where(Passage.document_id == document_id).order_by(col(Passage.position))).all()
    )
    return document, passages


def get_passage(*, session: Session, passage_id: int) -> tuple[Document, Passage]:
    passage = session.get(Passage, passage_id)
    if passage is None:
        raise NotFoundError("Đoạn trích này không còn trong cơ sở dữ liệu.", f"no passage {passage_id}")
    document = session.get(Document, passage.document_id)
    assert document is not None
    return document, passage


_SENTENCE_TERMS_KEY = "sentence_terms_version"


def refresh_sentence_terms(engine: Engine, terms: TermMaker) -> int:
    """Store the sentence terms of passages stored before them or made with other terms; once per base.

    A base from before revision 0004 gets them on its next start, and a change
    of the term maker (``TERMS_VERSION``) reaches stored passages the same
    way. It reads stored passage text only (no word segmenter), in one
    transaction. Returns the number of passages done (0 when current).
    """
    version = sentence_terms_version()
    with Session(engine) as session:
        if is_current(session, _SENTENCE_TERMS_KEY, version):
            return 0
        table = Passage.__table__  # type: ignore[attr-defined]
        connection = session.connection()
        # Core, not ORM rows: at 100k passages an ORM object per row would double the time.
        stale = connection.execute(sa_select(table.c.id, table.c.text)).all()
        for start in range(0, len(stale), 1000):
            connection.execute(
                sa_update(table).where(table.c.id == bindparam("pid")).values(sentence_terms=bindparam("st")),
                [{"pid": pid, "st": encode(text, terms)} for pid, text in stale[start : start + 1000]],
            )
        return len(stale) if commit_marked(session, _SENTENCE_TERMS_KEY, version) else 0


def provinces_covered(*, session: Session) -> list[str]:
    values = session.exec(select(Document.provinces)).all()
    return sorted({p for v in values for p in v.split(",") if p})
