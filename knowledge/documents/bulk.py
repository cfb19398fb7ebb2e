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
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from knowledge.deadlines.store import deadline_row
from knowledge.documents import store
from knowledge.documents.demo import holds_only_demo, remove_demo
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.documents.prepare import PreparedDocument, UploadOptions, prepare_bytes
from knowledge.documents.store import IngestResult, duplicate_result
from knowledge.documents.worker import ParsePool, PoolOutcome
from knowledge.errors import UserFacingError
from knowledge.models import Document, Passage
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
    """Adds many files to ``library``: prepared by ``pool``, stored here, indexed in batches."""

    def __init__(self, library: Library, pool: ParsePool) -> None:
        self.library = library
        self.pool = pool
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
            except OSError as exc:
                return IngestResult(status="error", error=UNREADABLE)
        elif outcome.error is not None:
            return _refused(outcome.path, outcome.error)
        assert prepared is not None
        return self._commit(prepared)

    def _commit(self, prepared: PreparedDocument) -> IngestResult:
        """``Library.commit`` for a run of many: one transaction per document, the index update deferred.

        The rows are the ones ``store.store_document`` builds (the same row
        builders), inserted with ``bulk_save_objects``: the same INSERTs and
        defaults without the unit of work's per-object bookkeeping, which cost
        more than the inserts themselves. Duplicates are looked up in the
        hashes read once at the start, not with one SELECT per file.
        """
        content_hash = prepared.document.content_hash
        with self.library.live.lock, Session(self.library.engine, expire_on_commit=False) as session:
            if content_hash in self._known_hashes():
                existing = store.find_by_content(session=session, content_hash=content_hash)
                if existing is not None:
                    return duplicate_result(existing)
            try:
                stored = _store_document(session, prepared)
                session.commit()
            except IntegrityError:  # another process added the same content meanwhile
                session.rollback()
                existing = store.find_by_content(session=session, content_hash=content_hash)
                assert existing is not None
                return duplicate_result(existing)
            session.expunge_all()
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


def _store_document(session: Session, prepared: PreparedDocument) -> store.StoredDocument:
    """What ``store.store_document`` stores, through the same row builders, inserted in bulk (not committed)."""
    document = prepared.document
    session.add(document)
    session.flush()
    assert document.id is not None
    passages = store.passage_rows(document_id=document.id, prepared=prepared)
    session.bulk_save_objects(passages, return_defaults=True)  # their ids, for facts and deadlines
    deadlines = [
        deadline_row(match, document_id=document.id, provinces=document.provinces, passage_id=passages[position].id)
        for position, match in prepared.deadlines
    ]
    facts = fact_rows(document.id, [p.id for p in passages], prepared.facts, document.published)
    session.bulk_save_objects([*facts, *deadlines])
    return store.StoredDocument(document, passages, deadlines, prepared.warnings)


def _refused(path: Path, exc: UserFacingError) -> IngestResult:
    log.info("cannot add %s: %s", path.name, exc.detail or exc.user_message)
    return IngestResult(status="error", error=exc.user_message)
