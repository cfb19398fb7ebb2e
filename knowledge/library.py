"""The knowledge base as one typed facade: what the bot and the CLI call.

Each method opens one session, calls the per-concern functions in
``knowledge.documents``, ``knowledge.answers`` and friends inside it, commits,
and only then tells the live index. The logic lives in those modules; this
class only owns the transaction boundaries and the shared objects (engine,
gazetteer, term maker, live index) built once from the settings.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from sqlalchemy.engine import Engine
from sqlmodel import Session

from index.bm25 import Bm25Index, Bm25Params
from index.query import QueryReader
from index.terms import TermMaker
from knowledge import reading
from knowledge.answers.answer import Answer
from knowledge.answers.ask import DEFAULT_K, LastingPlaces, answer_query
from knowledge.answers.question_log import QuestionLogWriter
from knowledge.answers.sentence_terms import DecodedSentences
from knowledge.control_chars import strip_control_chars
from knowledge.documents import demo, store
from knowledge.documents.live_index import LiveIndex, ProgressCallback
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.documents.store import DocumentSummary, IngestResult, duplicate_result
from knowledge.errors import UserFacingError
from knowledge.models import Document, Passage
from knowledge.progress.extract import FactExtractor
from knowledge.progress.questions import answer_progress_question
from knowledge.progress.store import refresh_stale_facts
from knowledge.progress.vocabulary import Vocabulary
from knowledge.provinces import Gazetteer, load_gazetteer

# Preparing a document (parsers, links, deadline rules, OCR) is imported by the
# methods that add one, not here: a cold `cdsbot ask` never prepares anything.
if TYPE_CHECKING:
    from knowledge.documents.ocr import OcrReader
    from knowledge.documents.prepare import DocumentInput, PreparedDocument, UploadOptions
    from knowledge.documents.worker import ParseWorker

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_K", "DocumentInput", "DocumentSummary", "IngestResult", "Library"]


class Library:
    """Documents, passages and the live index of one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        index_dir: Path | None = None,
        gazetteer: Gazetteer | None = None,
        params: Bm25Params | None = None,
        parse_worker: ParseWorker | None = None,
        ocr: OcrReader | None = None,
    ) -> None:
        self.engine = engine
        # When set, uploads are parsed and prepared in a bounded child process (documents/worker.py).
        self.parse_worker = parse_worker
        # Reads scanned PDFs; None leaves them refused with the "no text layer" message.
        self.ocr = ocr
        self.gazetteer = gazetteer or load_gazetteer()
        self.terms = TermMaker()
        self.reader = QueryReader(self.terms)
        # Indicator facts (knowledge/progress/): read at ingest, and re-read for stored
        # documents when the extractor or its vocabulary changed.
        self.facts = FactExtractor(Vocabulary(), self.gazetteer)
        # Answering asks the same provinces' successors and merger notes again and again (answers/ask.py).
        self.answer_places = LastingPlaces(self.gazetteer)
        # Shortlisted passages come back question after question: their stored sentences are decoded once.
        self.decoded_sentences = DecodedSentences()
        refresh_stale_facts(self.engine, self.facts)
        # Issue 13: snippet sentence terms for passages stored before they were kept.
        store.refresh_sentence_terms(self.engine, self.terms)
        self.live = LiveIndex(engine, terms=self.terms, index_dir=index_dir, params=params)
        self.live.sync()
        # Issue 13: questions are logged by a background thread, off the answer path.
        self.question_log = QuestionLogWriter(engine)

    @property
    def index(self) -> Bm25Index:
        """The BM25 index itself, for tests and benchmarks that inspect it."""
        return self.live.index

    def sync(self, progress: ProgressCallback | None = None) -> tuple[int, int]:
        return self.live.sync(progress)

    def save_index(self) -> None:
        self.live.save()

    # --------------------------------------------------------------- ingest
    def prepare_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        progress: ProgressCallback | None = None,
        **options: Unpack[UploadOptions],
    ) -> PreparedDocument:
        """Parse and prepare a file (no database work); raises the project's own errors only.

        ``progress(page, pages)`` reports OCR of a scan. The OCR itself runs here
        (Tesseract is its own process, bounded by the page limit), not in the
        parse worker, which refuses a scan with ``NoTextLayerError``.
        """
        from knowledge.documents.prepare import prepare_bytes

        if self.parse_worker is not None:
            try:
                return self.parse_worker.prepare_bytes(data, filename, **options)
            except NoTextLayerError:
                if self.ocr is None:
                    raise
        return prepare_bytes(
            data, filename, gazetteer=self.gazetteer, facts=self.facts, ocr=self.ocr, progress=progress, **options
        )

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        progress: ProgressCallback | None = None,
        **options: Unpack[UploadOptions],
    ) -> IngestResult:
        """Parse a file of any supported format and add it; ``progress(page, pages)`` while OCR runs."""
        try:
            prepared = self.prepare_bytes(data, filename, progress=progress, **options)
        except UserFacingError as exc:
            log.info("cannot add %s: %s", filename, exc.detail or exc.user_message)
            return IngestResult(status="error", error=exc.user_message)
        return self.commit(prepared)

    def ingest(self, doc: DocumentInput) -> IngestResult:
        """Add one document with its passages and deadlines, or nothing at all."""
        from knowledge.documents.prepare import prepare_document

        try:
            prepared = prepare_document(doc, gazetteer=self.gazetteer, facts=self.facts)
        except UserFacingError as exc:
            return IngestResult(status="error", error=exc.user_message)
        return self.commit(prepared)

    def commit(self, prepared: PreparedDocument) -> IngestResult:
        """Store a prepared document in one transaction, then index it; or report the duplicate."""
        with self.live.lock:
            # expire_on_commit=False: the stored rows stay readable after the
            # commit without one SELECT per row while the lock is held.
            with Session(self.engine, expire_on_commit=False) as session:
                stored = store.commit_unless_stored(
                    session=session,
                    content_hash=prepared.document.content_hash,
                    write=lambda s: store.store_document(session=s, prepared=prepared),
                )
            if isinstance(stored, Document):
                return duplicate_result(stored)
            self.live.passages_committed(stored.passages)
            return stored.result()

    # --------------------------------------------------------------- remove
    def remove(self, document_id: int) -> Document:
        """Delete a document, its passages and deadlines, and drop them from the index."""
        with self.live.lock, Session(self.engine) as session:
            document, passage_ids = store.delete_document(session=session, document_id=document_id)
            session.commit()
            self.live.passages_removed(passage_ids)
            return document

    # ----------------------------------------------------------------- read
    def documents(self, *, offset: int = 0, limit: int | None = None) -> list[DocumentSummary]:
        """Documents, newest first (by publication date, then by when added)."""
        with Session(self.engine) as session:
            return store.list_documents(session=session, offset=offset, limit=limit)

    def document_count(self) -> int:
        with Session(self.engine) as session:
            return store.count_documents(session=session)

    def document(self, document_id: int) -> tuple[Document, list[Passage]]:
        with Session(self.engine) as session:
            found = store.get_document(session=session, document_id=document_id)
            session.expunge_all()
            return found

    def passage(self, passage_id: int) -> tuple[Document, Passage]:
        with Session(self.engine) as session:
            found = store.get_passage(session=session, passage_id=passage_id)
            session.expunge_all()
            return found

    def provinces_covered(self) -> list[str]:
        with Session(self.engine) as session:
            return store.provinces_covered(session=session)

    # ------------------------------------------------------------------ ask
    def ask(
        self,
        question: str,
        *,
        k: int = DEFAULT_K,
        log_as: tuple[str, int | None, int | None] | None = None,
    ) -> Answer:
        """Answer a question from the base, or say it cannot.

        ``log_as`` = (channel, chat_id, user_id) records the question for the
        admins' statistics; the CLI's evaluation runs pass None.
        """
        query = self.reader.read(strip_control_chars(question))
        # One pooled connection reads facts and passages with plain SQL (knowledge/reading.py).
        with self.question_log.answering(), reading.connected(self.engine) as db:
            # Rankings, comparisons and trends come from the facts when they can.
            answer = answer_progress_question(
                question, engine=db, vocabulary=self.facts.vocabulary, gazetteer=self.gazetteer
            ) or answer_query(
                query, db=db, live=self.live, gazetteer=self.answer_places, k=k, decoded=self.decoded_sentences
            )
            # "?" or "3" asks nothing: not a question the base failed to answer, so not logged.
            if log_as is not None and not query.is_empty:
                channel, chat_id, user_id = log_as
                answer = self.question_log.record(answer, channel=channel, chat_id=chat_id, user_id=user_id)
        return answer

    def close(self) -> None:
        """Write the questions still queued for the log; call on shutdown (a clean exit does it anyway)."""
        self.question_log.close()
        self.live.close()

    # ----------------------------------------------------------------- demo
    def load_demo_once(self) -> list[IngestResult]:
        """Load the bundled demo base the first time a database is opened (see ``knowledge.documents.demo``)."""
        if not demo.claim_first_start(self.engine):
            return []
        # A base that already holds real documents never gets demo articles mixed in.
        if self.document_count():
            return []
        results = [self.ingest_bytes(data, name, added_by=demo.DEMO_ADDED_BY) for name, data in demo.demo_documents()]
        # Saved now, or every later start would rebuild the demo's index from its tokens.
        self.save_index()
        return results


def __getattr__(name: str) -> object:
    """``DocumentInput`` stays importable from here without loading the preparing pipeline at import."""
    if name == "DocumentInput":
        from knowledge.documents.prepare import DocumentInput

        return DocumentInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
