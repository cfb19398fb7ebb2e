"""The use cases: add, remove and list documents, and answer questions.

The library owns the transaction and keeps the in-memory index in step with
the database: a document is written with all its passages in one
transaction, and the index changes only after that commit. The database is
the source of truth; the saved index is a cache that :meth:`Library.sync`
reconciles with it on start, so a crash between commit and save costs a few
passages' worth of re-indexing from their stored tokens, never a re-tokenize.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from index.bm25 import Bm25Index, Bm25Params, Hit
from index.query import Query, QueryReader
from index.terms import TERMS_VERSION, TermMaker, syllables_of_words, tokenize
from index.text import canonical, join_words, split_words
from knowledge.answers.answer import Answer, Citation, choose_snippet, coverage
from knowledge.deadlines.extract import extract_deadlines
from knowledge.documents.metadata import clean_text, detect_metadata, parse_user_date
from knowledge.documents.parsers import ParsedText, parse_document
from knowledge.documents.parsers.encodings import is_vietnamese_syllable
from knowledge.documents.passages import split_passages
from knowledge.errors import IngestError, NotFoundError, UserFacingError
from knowledge.models import (
    MANUAL_DEADLINES_HASH,
    Deadline,
    Document,
    Meta,
    Passage,
    QuestionLog,
)
from knowledge.provinces import Gazetteer, load_gazetteer

# --- progress (issue 9): indicator facts extracted at ingest ---
from knowledge.progress.extract import FactExtractor, FactMatch
from knowledge.progress.questions import answer_progress_question
from knowledge.progress.store import delete_facts, fact_rows, refresh_stale_facts
from knowledge.progress.vocabulary import Vocabulary

log = logging.getLogger(__name__)

DEFAULT_K = 3
_CANDIDATES = 50
_SHORTLIST = 10
# Below this share of the question's information found in the best passage,
# the base does not hold the answer (tuned on the seed and demo questions).
MIN_COVERAGE = 0.2
MAX_TITLE_CHARS = 300

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentInput:
    """A document to add: its text and whatever metadata the caller already knows."""

    text: str
    filename: str | None = None
    title: str | None = None
    source: str | None = None
    published: date | None = None
    provinces: Sequence[str] | None = None
    added_by: str = "cli"
    format_meta: dict[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True)
class DocumentSummary:
    """A row of the document list."""

    id: int
    title: str
    source: str | None
    published: date | None
    provinces: tuple[str, ...]
    passages: int
    added_by: str


class Library:
    """Documents, passages and the live index, behind one lock."""

    def __init__(
        self,
        engine: Engine,
        *,
        index_dir: Path | None = None,
        gazetteer: Gazetteer | None = None,
        params: Bm25Params | None = None,
    ) -> None:
        self.engine = engine
        self.index_dir = index_dir
        self.gazetteer = gazetteer or load_gazetteer()
        self.terms = TermMaker()
        self.reader = QueryReader(self.terms)
        self.facts = FactExtractor(Vocabulary(), self.gazetteer)  # progress (issue 9)
        self._params = params or Bm25Params()
        # Held while the index and the database change together (ingest, remove,
        # revisions) and while searching, so no search sees half an update.
        self.lock = threading.RLock()
        self.index = self._load_saved_index() or Bm25Index(self._params)
        self.sync()
        refresh_stale_facts(self.engine, self.facts)  # progress (issue 9): a base from before facts gets them

    # ------------------------------------------------------------ the index
    def _load_saved_index(self) -> Bm25Index | None:
        if self.index_dir is None or not (self.index_dir / "manifest.json").exists():
            return None
        try:
            index, extra = Bm25Index.load(self.index_dir)
        except Exception as exc:  # noqa: BLE001 - only a cache: any damage means rebuild it
            log.warning("saved index unusable, rebuilding from stored tokens: %s", exc)
            return None
        if extra != self._cache_identity() or index.params != self._params:
            log.info("saved index belongs to other settings or another database; rebuilding from stored tokens")
            return None
        return index

    def _cache_identity(self) -> dict[str, object]:
        """What a saved index must match: our term version and this very database.

        Passage ids of two databases overlap, so a cache copied next to
        another database (or a switched CDSBOT_DATABASE_URL) must not be trusted.
        """
        with Session(self.engine) as session:
            row = session.get(Meta, "database_id")
            if row is None:
                row = Meta(key="database_id", value=uuid.uuid4().hex)
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    row = session.get(Meta, "database_id")
                    assert row is not None
            return {"terms_version": TERMS_VERSION, "database_id": row.value}

    def sync(self, progress: ProgressCallback | None = None) -> tuple[int, int]:
        """Make the index hold exactly the passages in the database.

        Returns (added, removed). Passages are indexed from the tokens stored at
        ingest, so this never runs the word segmenter.
        """
        with self.lock, Session(self.engine) as session:
            db_ids = set(session.exec(select(Passage.id)).all())
            stale = self.index.passage_ids() - db_ids
            missing = sorted(db_ids - self.index.passage_ids())
            for passage_id in stale:
                self.index.remove(passage_id)
            batch = 2000
            for start in range(0, len(missing), batch):
                chunk = missing[start : start + batch]
                rows = session.exec(select(Passage.id, Passage.tokens).where(col(Passage.id).in_(chunk))).all()
                self.index.add_many((pid, self.terms.terms(split_words(tokens))) for pid, tokens in rows)
                if progress:
                    progress(min(start + batch, len(missing)), len(missing))
        if stale or missing:
            log.info("index synced: %d added, %d removed", len(missing), len(stale))
        return len(missing), len(stale)

    def save_index(self) -> None:
        """Write the index cache so the next start skips rebuilding it."""
        if self.index_dir is None:
            return
        with self.lock:
            self.index.save(self.index_dir, self._cache_identity())

    # --------------------------------------------------------------- ingest
    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        title: str | None = None,
        source: str | None = None,
        published: date | None = None,
        provinces: Sequence[str] | None = None,
        added_by: str = "cli",
        max_bytes: int = 20 * 1024 * 1024,
    ) -> IngestResult:
        """Parse a file of any supported format and add it."""
        try:
            prepared = self.prepare_bytes(
                data,
                filename,
                title=title,
                source=source,
                published=published,
                provinces=provinces,
                added_by=added_by,
                max_bytes=max_bytes,
            )
        except UserFacingError as exc:
            log.info("cannot add %s: %s", filename, exc.detail or exc.user_message)
            return IngestResult(status="error", error=exc.user_message)
        return self._commit(prepared)

    def prepare_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        title: str | None = None,
        source: str | None = None,
        published: date | None = None,
        provinces: Sequence[str] | None = None,
        added_by: str = "cli",
        max_bytes: int = 20 * 1024 * 1024,
    ) -> _Prepared:
        """Parse and prepare a file (no database work); raises the project's own errors only."""
        parsed = parse_document(data, filename, max_bytes=max_bytes)
        return self.prepare(self.input_from_parsed(parsed, filename, title, source, published, provinces, added_by))

    def input_from_parsed(
        self,
        parsed: ParsedText,
        filename: str,
        title: str | None,
        source: str | None,
        published: date | None,
        provinces: Sequence[str] | None,
        added_by: str,
    ) -> DocumentInput:
        """Merge what the caller says, what the file format says (front matter, HTML meta) and defaults."""
        meta_published = parse_user_date(parsed.meta.get("published", "")) if parsed.meta.get("published") else None
        meta_provinces = [p.strip() for p in parsed.meta.get("provinces", "").split(",") if p.strip()]
        return DocumentInput(
            text=parsed.text,
            filename=filename,
            title=title or parsed.title,
            source=source or parsed.meta.get("source"),
            published=published or meta_published,
            provinces=provinces or meta_provinces or None,
            added_by=added_by,
            format_meta=dict(parsed.meta),
        )

    def ingest(self, doc: DocumentInput) -> IngestResult:
        """Add one document with its passages and deadlines, or nothing at all."""
        try:
            prepared = self.prepare(doc)
        except UserFacingError as exc:
            return IngestResult(status="error", error=exc.user_message)
        return self._commit(prepared)

    def _commit(self, prepared: _Prepared) -> IngestResult:
        """Store a prepared document in one transaction, then index it; or report the duplicate."""
        with self.lock:
            # expire_on_commit=False: the stored rows stay readable after the
            # commit without one SELECT per row while the lock is held.
            with Session(self.engine, expire_on_commit=False) as session:
                existing = session.exec(
                    select(Document).where(Document.content_hash == prepared.document.content_hash)
                ).first()
                if existing is not None:
                    return duplicate_result(existing)
                try:
                    stored = self._store(session, prepared)
                except IntegrityError:
                    session.rollback()
                    existing = session.exec(
                        select(Document).where(Document.content_hash == prepared.document.content_hash)
                    ).one()
                    return duplicate_result(existing)
                # Only after the commit does the index learn about the passages.
                self.index.add_many(
                    (p.id, self.terms.terms(split_words(p.tokens))) for p in stored.passages if p.id is not None
                )
                document = stored.document
                return IngestResult(
                    status="added",
                    document_id=document.id,
                    title=document.title,
                    passages=len(stored.passages),
                    published=document.published,
                    provinces=tuple(document.province_list),
                    source=document.source,
                    deadlines=tuple(stored.deadlines),
                )

    def prepare(self, doc: DocumentInput) -> _Prepared:
        """Everything slow (cleaning, segmentation, extraction) happens before the transaction."""
        raw = doc.text
        text = clean_text(raw)
        if not text.strip():
            raise IngestError(
                "Tài liệu không có nội dung nào để lưu (chỉ toàn phần thừa của trang web hoặc trống).",
                "empty after cleaning",
            )
        detected = detect_metadata(raw)
        title = (doc.title or detected.title or _first_line(text) or doc.filename or "Không có tiêu đề").strip()
        title = title[:MAX_TITLE_CHARS]
        published = doc.published or detected.published
        source = doc.source or detected.source
        provinces = list(doc.provinces) if doc.provinces else self.gazetteer.find(f"{title}\n{text}")
        provinces = [self.gazetteer.get(p).name if self.gazetteer.get(p) else p for p in provinces]
        passages = split_passages(text)
        if not passages:
            raise IngestError("Không tách được đoạn văn nào từ tài liệu.", "no passages")
        tokens = [join_words(tokenize(p)) for p in passages]
        if not any(tokens):
            raise IngestError("Tài liệu không có chữ nào để tìm kiếm.", "no tokens")
        deadlines = [
            (position, match)
            for position, passage in enumerate(passages)
            for match in extract_deadlines(passage, published)
        ]
        document = Document(
            title=title,
            source=source,
            published=published,
            provinces=",".join(dict.fromkeys(provinces)),
            content_hash=content_hash(text),
            filename=doc.filename,
            added_by=doc.added_by,
        )
        # progress (issue 9): figures become facts, each with its passage's position.
        facts = [
            (position, fact)
            for position, passage in enumerate(passages)
            for fact in self.facts.extract(passage, published=published, provinces=document.province_list)
        ]
        return _Prepared(document, passages, tokens, deadlines, facts)

    def _store(self, session: Session, prepared: _Prepared) -> _Stored:
        document = prepared.document
        session.add(document)
        session.flush()
        assert document.id is not None
        rows = [
            Passage(document_id=document.id, position=i, text=text, tokens=tokens)
            for i, (text, tokens) in enumerate(zip(prepared.passages, prepared.tokens))
        ]
        session.add_all(rows)
        session.flush()
        deadlines = [
            Deadline(
                document_id=document.id,
                passage_id=rows[position].id,
                due=match.due,
                precision=match.precision,
                task=match.task,
                agency=match.agency,
                provinces=document.provinces,
                quote=match.quote,
                is_horizon=match.is_horizon,
            )
            for position, match in prepared.deadlines
        ]
        session.add_all(deadlines)
        # progress (issue 9)
        session.add_all(fact_rows(document.id, [r.id for r in rows], prepared.facts, document.published))
        session.flush()
        session.commit()
        session.expunge_all()
        return _Stored(document, rows, deadlines)

    # --------------------------------------------------------------- remove
    def remove(self, document_id: int) -> Document:
        """Delete a document, its passages and deadlines, and drop them from the index."""
        with self.lock, Session(self.engine) as session:
            document = get_article(session, document_id)
            passage_ids = list(session.exec(select(Passage.id).where(Passage.document_id == document_id)).all())
            session.exec(delete(Deadline).where(col(Deadline.document_id) == document_id))  # type: ignore[call-overload]
            delete_facts(session, document_id)  # progress (issue 9)
            session.exec(delete(Passage).where(col(Passage.document_id) == document_id))  # type: ignore[call-overload]
            session.delete(document)
            session.commit()
            for passage_id in passage_ids:
                self.index.remove(passage_id)
            return document

    # ----------------------------------------------------------------- read
    def documents(self, *, offset: int = 0, limit: int | None = None) -> list[DocumentSummary]:
        """Documents, newest first (by publication date, then by when added)."""
        with Session(self.engine) as session:
            counts = (
                select(Passage.document_id, func.count().label("n")).group_by(Passage.document_id).subquery()
            )
            statement = (
                select(Document, func.coalesce(counts.c.n, 0))
                .join(counts, counts.c.document_id == Document.id, isouter=True)
                .where(Document.content_hash != MANUAL_DEADLINES_HASH)
                .order_by(col(Document.published).desc().nulls_last(), col(Document.id).desc())
                .offset(offset)
            )
            if limit is not None:
                statement = statement.limit(limit)
            return [
                DocumentSummary(
                    id=d.id or 0,
                    title=d.title,
                    source=d.source,
                    published=d.published,
                    provinces=tuple(d.province_list),
                    passages=int(n),
                    added_by=d.added_by,
                )
                for d, n in session.exec(statement).all()
            ]

    def document_count(self) -> int:
        with Session(self.engine) as session:
            statement = select(func.count()).select_from(Document).where(Document.content_hash != MANUAL_DEADLINES_HASH)
            return int(session.exec(statement).one())

    def document(self, document_id: int) -> tuple[Document, list[Passage]]:
        with Session(self.engine) as session:
            document = session.get(Document, document_id)
            if document is None:
                raise NotFoundError(f"Không có tài liệu số {document_id}.", f"no document {document_id}")
            passages = list(
                session.exec(
                    select(Passage).where(Passage.document_id == document_id).order_by(col(Passage.position))
                ).all()
            )
            session.expunge_all()
            return document, passages

    def passage(self, passage_id: int) -> tuple[Document, Passage]:
        with Session(self.engine) as session:
            passage = session.get(Passage, passage_id)
            if passage is None:
                raise NotFoundError("Đoạn trích này không còn trong cơ sở dữ liệu.", f"no passage {passage_id}")
            document = session.get(Document, passage.document_id)
            assert document is not None
            session.expunge_all()
            return document, passage

    def provinces_covered(self) -> list[str]:
        with Session(self.engine) as session:
            values = session.exec(select(Document.provinces)).all()
        return sorted({p for v in values for p in v.split(",") if p})

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
        query = self.reader.read(question)
        # progress (issue 9): rankings, comparisons and trends come from the facts when they can.
        answer = answer_progress_question(
            question, engine=self.engine, vocabulary=self.facts.vocabulary, gazetteer=self.gazetteer
        ) or self._answer(query, k)
        if log_as is not None:
            answer = self._log(answer, log_as)
        return answer

    def _answer(self, query: Query, k: int) -> Answer:
        if query.is_empty:
            return Answer(question=query.text, found=False, kind=query.kind)
        with self.lock:
            hits = self.index.search(query.terms, _CANDIDATES)
            if not hits:
                return Answer(question=query.text, found=False, kind=query.kind)
            rows = self._rows_for(hits)
            # Another process may have removed passages since our last sync.
            for hit in hits:
                if hit.passage_id not in rows:
                    self.index.remove(hit.passage_id)
            ranked = self._rerank(query, hits, rows)
            if not ranked:
                return Answer(question=query.text, found=False, kind=query.kind)
            idf = self.index.idf
            unknown_idf = _unknown_idf(len(self.index))
            def terms_of(sentence: str) -> set[str]:
                return set(self.terms.terms([sentence]))

            # A passage whose best sentence answers the question's shape (a number
            # for "bao nhiêu", a name for "ai") beats one that only shares words.
            shortlist = [
                (score, pair, choose_snippet(pair[1].text, query, idf, terms_of)) for score, pair in ranked[:_SHORTLIST]
            ]
            top_sentence = max((snip.score for _, _, snip in shortlist), default=0.0) or 1.0
            shortlist.sort(key=lambda item: -item[0] * (0.6 + 0.4 * item[2].score / top_sentence))
            ranked = [(score, pair) for score, pair, _ in shortlist]
            citations = [
                self._citation(document, passage, snip.text, snip.highlights, score, query)
                for score, (document, passage), snip in shortlist[: max(k, 1)]
            ]
            best_document, best_passage = ranked[0][1]
            # The title speaks for every passage ("Hải Dương" may be named only there).
            best_terms = set(self.terms.terms(split_words(best_passage.tokens))) | set(
                self.terms.terms(
                    [
                        best_document.title,
                        *best_document.province_list,
                        # A question may use the name the province has had since a merger.
                        *filter(None, map(self.gazetteer.successor, best_document.province_list)),
                    ]
                )
            )
            places = frozenset(t for name in self.gazetteer.find(query.text) for t in self.terms.terms([name]))
            share = coverage(query, best_terms, idf, unknown_idf, ignore=places)
            found = (
                share >= MIN_COVERAGE
                and not self._names_something_unknown(query)
                and self._about_asked_province(query, best_document, best_terms)
            )
        return Answer(
            question=query.text,
            found=found,
            citations=tuple(citations) if found else (),
            kind=query.kind,
        )

    def _names_something_unknown(self, query: Query) -> bool:
        """A name the base has never seen ("Vinamilk", "iPhone") means the question is about something else.

        Only words that are not Vietnamese syllables count: an unseen ordinary
        word ("vậy", "nhé") is just how people type.
        """
        return any(
            self.index.document_frequency(s) == 0
            and s.isalpha()
            and not is_vietnamese_syllable(s)
            and not any(t.startswith("#") for t in self.terms.terms([s]))  # "tttt" is TT&TT
            for s, meaningful in zip(query.content_syllables, query.meaningful)
            if meaningful
        )

    def _about_asked_province(self, query: Query, document: Document, passage_terms: set[str]) -> bool:
        """A figure about Hải Dương is no answer to a question about Ninh Thuận."""
        asked = self.gazetteer.find(query.text)
        if not asked:
            return True
        if self._linked(asked, document.province_list):
            return True
        for name in asked:
            spelled = "_".join(syllables_of_words([name]))
            if spelled in passage_terms:
                return True
        return False

    def _linked(self, asked: Iterable[str], provinces: Iterable[str]) -> bool:
        """Whether a named province is one of these, or merged into or out of one of them.

        "Hải Phòng" is linked to Hải Dương (merged into it in 2025) and the
        other way round; Vĩnh Phúc and Hòa Bình, both now in Phú Thọ, are not.
        """
        asked_set, document_set = set(asked), set(provinces)
        if asked_set & document_set:
            return True
        successors_of_asked = {self.gazetteer.successor(a) for a in asked_set}
        successors_of_document = {self.gazetteer.successor(p) for p in document_set}
        return bool(successors_of_asked & document_set or successors_of_document & asked_set)

    def _rows_for(self, hits: Sequence[Hit]) -> dict[int, tuple[Document, Passage]]:
        with Session(self.engine) as session:
            ids = [h.passage_id for h in hits]
            pairs = session.exec(
                select(Passage, Document).join(Document, Document.id == Passage.document_id).where(col(Passage.id).in_(ids))
            ).all()
            session.expunge_all()
        return {p.id: (d, p) for p, d in pairs if p.id is not None}

    def _rerank(
        self, query: Query, hits: Sequence[Hit], rows: dict[int, tuple[Document, Passage]]
    ) -> list[tuple[float, tuple[Document, Passage]]]:
        """BM25 order, adjusted for the province and the time the question names."""
        asked_names = set(self.gazetteer.find(query.text))
        dates = [d.published.toordinal() for d, _ in rows.values() if d.published]
        oldest, newest = (min(dates), max(dates)) if dates else (0, 0)
        ranked: list[tuple[float, tuple[Document, Passage]]] = []
        for hit in hits:
            pair = rows.get(hit.passage_id)
            if pair is None:
                continue
            document, passage = pair
            factor = 1.0
            if asked_names:
                # The province named beats the unit it merged into (or out of):
                # "Vĩnh Phúc" prefers Vĩnh Phúc's articles over other Phú Thọ ones.
                if asked_names & set(document.province_list):
                    factor *= 1.5
                elif self._linked(asked_names, document.province_list):
                    factor *= 1.2
                elif document.province_list:
                    factor *= 0.6
            if query.years:
                in_time = (document.published and document.published.year in query.years) or any(
                    str(y) in passage.text for y in query.years
                )
                factor *= 1.3 if in_time else 0.85
            elif query.wants_recent and document.published and newest > oldest:
                factor *= 1.0 + 0.15 * (document.published.toordinal() - oldest) / (newest - oldest)
            ranked.append((hit.score * factor, pair))
        ranked.sort(key=lambda item: (-item[0], item[1][1].id or 0))
        return ranked

    def _citation(
        self,
        document: Document,
        passage: Passage,
        snippet: str,
        highlights: tuple[tuple[int, int], ...],
        score: float,
        query: Query,
    ) -> Citation:
        # The "(nay thuộc …)" note belongs to the province the cited document is about.
        asked = self.gazetteer.find(query.text)
        cited = [p for p in document.province_list if self._linked(asked, [p])]
        note = next((self.gazetteer.merger_note(p) for p in cited if self.gazetteer.merger_note(p)), None)
        return Citation(
            document_id=document.id or 0,
            title=document.title,
            source=document.source,
            published=document.published,
            passage_id=passage.id or 0,
            position=passage.position,
            snippet=snippet,
            highlights=highlights,
            passage=passage.text,
            score=round(score, 4),
            provinces=tuple(document.province_list),
            province_note=note,
        )

    def _log(self, answer: Answer, log_as: tuple[str, int | None, int | None]) -> Answer:
        channel, chat_id, user_id = log_as
        top = answer.citations[0] if answer.citations else None
        with Session(self.engine) as session:
            row = QuestionLog(
                channel=channel,
                chat_id=chat_id,
                user_id=user_id,
                question=answer.question[:1000],
                found=answer.found,
                top_document_id=top.document_id if top else None,
                top_passage_id=top.passage_id if top else None,
            )
            session.add(row)
            session.commit()
            question_id = row.id
        return Answer(
            question=answer.question,
            found=answer.found,
            citations=answer.citations,
            kind=answer.kind,
            suggestions=answer.suggestions,
            question_id=question_id,
            summary=answer.summary,  # progress (issue 9)
        )

    # ----------------------------------------------------------------- demo
    def load_demo_once(self) -> list[IngestResult]:
        """Load the bundled demo base the first time a database is opened.

        Remembered in the database, so documents an admin removed do not come
        back on the next start.
        """
        with Session(self.engine) as session:
            if session.get(Meta, "demo_loaded") is not None:
                return []
        # A base that already holds real documents never gets demo articles mixed in.
        results = [] if self.document_count() else [
            self.ingest_bytes(data, name, added_by="demo") for name, data in demo_documents()
        ]
        with Session(self.engine) as session:
            session.add(Meta(key="demo_loaded", value="1"))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
        return results


@dataclass
class _Prepared:
    document: Document
    passages: list[str]
    tokens: list[str]
    deadlines: list[tuple[int, object]]
    facts: list[tuple[int, FactMatch]] = field(default_factory=list)  # progress (issue 9)


@dataclass
class _Stored:
    document: Document
    passages: list[Passage]
    deadlines: list[Deadline]


def get_article(session: Session, document_id: int) -> Document:
    """A document an admin may remove, correct or replace.

    The placeholder that holds hand-entered deadlines is not one: removing it
    would silently delete every deadline an admin typed in.
    """
    document = session.get(Document, document_id)
    if document is None or document.content_hash == MANUAL_DEADLINES_HASH:
        raise NotFoundError(f"Không có tài liệu số {document_id}.", f"no document {document_id}")
    return document


def content_hash(text: str) -> str:
    """Identity of a document's content: same words, same hash, whatever the spacing or tone-mark style."""
    return hashlib.sha256(" ".join(canonical(text).split()).encode("utf-8")).hexdigest()


def demo_documents() -> Iterable[tuple[str, bytes]]:
    """The bundled demo documents as (file name, bytes)."""
    folder = resources.files("knowledge") / "demo"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            yield entry.name, entry.read_bytes()


def duplicate_result(existing: Document) -> IngestResult:
    """What an upload whose content is already stored reports."""
    return IngestResult(
        status="duplicate",
        document_id=existing.id,
        title=existing.title,
        published=existing.published,
        provinces=tuple(existing.province_list),
        source=existing.source,
        error=f"Tài liệu đã có trong cơ sở dữ liệu: #{existing.id} «{existing.title}».",
    )


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:MAX_TITLE_CHARS]
    return None


def _unknown_idf(n: int) -> float:
    """IDF a term would have if one passage contained it: what an unseen term is worth."""
    return math.log1p((n + 0.5) / 0.5)
