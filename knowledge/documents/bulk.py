"""Adding a folder of files: prepared on every core, stored one document per transaction by this process alone.

Preparing a document (parsing, word segmentation, deadlines, figures) is
nine tenths of adding it and needs nothing from the database, so a
:class:`~knowledge.documents.worker.ParsePool` does it on ``jobs`` worker
processes under the upload limits. Results come back in the folder's order
and only this process writes: each document commits alone (a crash or a bad
file mid-folder leaves every earlier document whole and no later one half
written), and its passages join the search index in batches, so the index
seals one segment per batch instead of one per document. A batch not yet
indexed when the process dies is not lost: the passages are committed, and
the next start's ``LiveIndex.sync`` indexes them from their stored tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from knowledge.deadlines.store import deadline_row
from knowledge.documents import store
from knowledge.documents.demo import holds_only_demo, remove_demo
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.documents.prepare import PreparedDocument, UploadOptions, prepare_bytes
from knowledge.documents.store import IngestResult, duplicate_result
from knowledge.documents.worker import ParseLimits, ParsePool, PoolOutcome
from knowledge.errors import UserFacingError
from knowledge.models import Deadline, Document, IndicatorFact, Passage
from knowledge.progress.store import fact_rows

if TYPE_CHECKING:
    from knowledge.library import Library

log = logging.getLogger(__name__)

UNREADABLE = "Không đọc được tệp."
# Passages indexed together: one sealed segment per this many (the index merges small ones).
INDEX_BATCH_PASSAGES = 4000


@dataclass(frozen=True)
class BulkResult:
    """One file's outcome, in the order the files were given."""

    path: Path
    result: IngestResult
    # A read failure (the CLI words it in Vietnamese); ``result`` then says "error".
    read_error: OSError | None = None
    # Demo documents removed because this was the first real one (see knowledge.documents.demo).
    demo_removed: int = 0


class BulkIngest:
    """Adds many files to ``library``: prepared on ``jobs`` workers under ``limits``, stored here, indexed in batches."""

    def __init__(self, library: Library, *, limits: ParseLimits, jobs: int) -> None:
        self.library = library
        self.pool = ParsePool(limits, jobs, after=document_rows)
        self._unindexed: list[Passage] = []
        # Content hashes stored in the database, read at the first commit (see _commit).
        self._hashes: set[str] = set()
        self._hashes_read = False

    def run(
        self,
        paths: Sequence[Path],
        *,
        ocr_progress: Callable[[int, int], None] | None = None,
        **options: Unpack[UploadOptions],
    ) -> Iterator[BulkResult]:
        """Yield each file's result in order; the index holds every added passage once the iterator is done."""
        only_demo = holds_only_demo(self.library)
        try:
            for outcome in self.pool.prepare_files(paths, **options):
                result = self._store(outcome, ocr_progress, options)
                removed = 0
                if only_demo and result.status == "added":
                    self.flush_index()
                    removed = remove_demo(self.library)
                    only_demo = False
                yield BulkResult(outcome.path, result, outcome.read_error, removed)
        finally:
            self.flush_index()

    def flush_index(self) -> None:
        """Index the passages committed since the last flush, as one segment."""
        if self._unindexed:
            self.library.live.passages_committed(self._unindexed)
            self._unindexed = []

    def _store(
        self,
        outcome: PoolOutcome,
        ocr_progress: Callable[[int, int], None] | None,
        options: UploadOptions,
    ) -> IngestResult:
        if outcome.read_error is not None:
            return IngestResult(status="error", error=UNREADABLE)
        prepared = outcome.prepared
        if isinstance(outcome.error, NoTextLayerError) and self.library.ocr is not None:
            # A scan: read here with OCR (Tesseract runs as its own process, bounded by the page limit).
            try:
                prepared = prepare_bytes(
                    outcome.path.read_bytes(),
                    outcome.path.name,
                    gazetteer=self.library.gazetteer,
                    facts=self.library.facts,
                    ocr=self.library.ocr,
                    progress=ocr_progress,
                    **options,
                )
            except UserFacingError as exc:
                return _refused(outcome.path, exc)
            except OSError:
                return IngestResult(status="error", error=UNREADABLE)
        elif outcome.error is not None:
            return _refused(outcome.path, outcome.error)
        assert prepared is not None
        return self._commit(prepared, outcome.extra)

    def _commit(self, prepared: PreparedDocument, rows: DocumentRows | None) -> IngestResult:
        """``Library.commit`` for a run of many: one transaction per document, the index update deferred.

        The rows are the ones ``store.store_document`` builds (the same row
        builders, run in the worker: see :class:`DocumentRows`), inserted as
        column values: the same INSERTs and defaults without building and
        tracking an ORM object per row, which cost more than the inserts. Duplicates are looked up in the
        hashes read once at the start, not with one SELECT per file.
        """
        content_hash = prepared.document.content_hash
        with self.library.live.lock, Session(self.library.engine, expire_on_commit=False) as session:
            stored = store.commit_unless_stored(
                session=session,
                content_hash=content_hash,
                write=lambda s: _store_document(s, prepared, rows or document_rows(prepared)),
                look_first=content_hash in self._known_hashes(),
            )
        if isinstance(stored, Document):
            return duplicate_result(stored)
        self._hashes.add(content_hash)
        self._unindexed.extend(stored.passages)
        if len(self._unindexed) >= INDEX_BATCH_PASSAGES:
            self.flush_index()
        return stored.result()

    def _known_hashes(self) -> set[str]:
        if self._hashes_read is False:
            with Session(self.library.engine) as session:
                self._hashes = set(session.exec(select(Document.content_hash)).all())
            self._hashes_read = True
        return self._hashes


@dataclass
class DocumentRows:
    """A prepared document's rows, built by the same row builders, before its id and its passages' ids exist.

    Built in the parse worker (``document_rows``), where building a few
    thousand SQLModel rows costs nothing the writing process waits for:
    passages and deadlines as row objects (the index and the report read
    them), passages and facts also as column values, which is what the
    INSERTs take. ``passage_id`` holds the passage's position until stored.
    """

    passages: list[Passage]
    passage_values: list[dict[str, Any]]
    deadlines: list[Deadline]
    deadline_values: list[dict[str, Any]]
    fact_values: list[dict[str, Any]]


def document_rows(prepared: PreparedDocument) -> DocumentRows:
    """What ``store.store_document`` would add for ``prepared``, with placeholder ids (runs in the worker)."""
    document = prepared.document
    passages = store.passage_rows(document_id=_LATER, prepared=prepared)
    deadlines = [
        deadline_row(match, document_id=_LATER, provinces=document.provinces, passage_id=position)
        for position, match in prepared.deadlines
    ]
    facts = fact_rows(_LATER, list(range(len(passages))), prepared.facts, document.published)
    return DocumentRows(passages, _values(passages), deadlines, _values(deadlines), _values(facts))


_LATER = -1  # the document id, filled in by the writing process


def _values(rows: Sequence[SQLModel]) -> list[dict[str, Any]]:
    """Column values of rows as the ORM would INSERT them (None is left to the column's default)."""
    if not rows:
        return []
    keys = [c.key for c in rows[0].__table__.columns]  # type: ignore[attr-defined]
    return [{k: v for k in keys if (v := getattr(row, k)) is not None} for row in rows]


def _store_document(session: Session, prepared: PreparedDocument, rows: DocumentRows) -> store.StoredDocument:
    """Store ``rows`` as ``store.store_document`` stores ``prepared`` (flushed, not committed)."""
    document = prepared.document
    session.add(document)
    session.flush()
    assert document.id is not None
    for values in rows.passage_values:
        values["document_id"] = document.id
    ids = _insert(session, Passage, rows.passage_values, returning_ids=True)
    for passage, passage_id in zip(rows.passages, ids):
        passage.id, passage.document_id = passage_id, document.id
    for values in (*rows.deadline_values, *rows.fact_values):
        values["document_id"], values["passage_id"] = document.id, ids[values["passage_id"]]
    for deadline in rows.deadlines:
        deadline.document_id, deadline.passage_id = document.id, ids[deadline.passage_id or 0]
    _insert(session, IndicatorFact, rows.fact_values)
    _insert(session, Deadline, rows.deadline_values)
    return store.StoredDocument(document, rows.passages, rows.deadlines, prepared.warnings)


def _insert(
    session: Session, model: type[SQLModel], values: list[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT column values as ``session.bulk_insert_mappings`` does, through SQLAlchemy Core.

    The same statements in the same order (rows with the same columns set go
    in one executemany, in their order), without the ORM's per-row
    bookkeeping, which cost more than the inserts. Returns the new ids, in
    order, when asked.
    """
    table = model.__table__  # type: ignore[attr-defined]
    ids: list[int] = []
    for _, group in groupby(values, key=lambda row: tuple(row)):
        batch = list(group)
        if returning_ids:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids += session.execute(statement, batch).scalars().all()
        else:
            session.execute(insert(table), batch)
    return ids


def _refused(path: Path, exc: UserFacingError) -> IngestResult:
    log.info("cannot add %s: %s", path.name, exc.detail or exc.user_message)
    return IngestResult(status="error", error=exc.user_message)
