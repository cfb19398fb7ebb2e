"""A base answered as it was saved: a SQLite file and its index cache, read with the standard library.

A cold ``cdsbot ask`` spends far more time importing SQLAlchemy, the table
classes and Alembic than answering. When nothing needs doing before an
answer (the usual start), this opens the SQLite file with ``sqlite3``, loads
the saved index, and answers through the same functions as
:class:`knowledge.library.Library` (``answer_query``, the progress facts),
which read their rows with the same SQL (``knowledge.reading``).

"Nothing needs doing" is exactly what ``Library`` would check and then skip:
the schema at the newest revision (``knowledge.db.upgrade_schema``), the demo
claimed when it may load (``demo.claim_first_start``), the facts and sentence
terms at their current versions (``refresh_stale_facts``,
``store.refresh_sentence_terms``), and the saved index belonging to this
database and holding exactly its passages (``LiveIndex`` loading and syncing).
If any of them does not hold, :meth:`SavedBase.open` returns None and the
caller opens the ``Library``, which does the work as it always has.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from index.bm25 import Bm25Index, Bm25Params, HeldIndex, Hit
from index.query import QueryReader
from index.terms import TERMS_VERSION, TermMaker
from knowledge import reading
from knowledge.answers.answer import Answer
from knowledge.answers.ask import DEFAULT_K, answer_query
from knowledge.answers.sentence_terms import sentence_terms_version
from knowledge.control_chars import strip_control_chars
from knowledge.db import quick_head_revision
from knowledge.progress.questions import answer_progress_question
from knowledge.progress.store import facts_version
from knowledge.progress.vocabulary import Vocabulary
from knowledge.provinces import Gazetteer, load_gazetteer
from knowledge.reading import DocumentSummary

log = logging.getLogger(__name__)

# The meta keys the full start checks (knowledge/documents/demo.py, progress/store.py, documents/store.py).
DEMO_LOADED_KEY = "demo_loaded"
FACTS_VERSION_KEY = "facts_version"
SENTENCE_TERMS_KEY = "sentence_terms_version"


class SavedIndex(HeldIndex):
    """The saved BM25 index, read as ``answer_query`` reads the live one (no merging, nothing saved)."""

    def __init__(self, index: Bm25Index, terms: TermMaker) -> None:
        self.index = index
        self.terms = terms
        self.lock = threading.RLock()

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        return self.index.search(terms, k)

    def passages_removed(self, passage_ids: Iterable[int]) -> None:
        """Passages another process removed since the index was checked: forgotten for this process."""
        for passage_id in passage_ids:
            self.index.remove(passage_id)


class SavedBase:
    """A SQLite base and its saved index, when both are current; reads as ``Library`` does.

    What ``cdsbot ask`` uses of a library: ``reader``, ``ask``, and for the
    example questions offered after a miss ``engine`` and ``documents``.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        index: Bm25Index,
        terms: TermMaker,
        gazetteer: Gazetteer,
        vocabulary: Vocabulary,
    ) -> None:
        self.connection = connection
        self.db = reading.ReadConnection(connection)
        # What functions that take ``engine`` or a connection read with (statistics, progress facts).
        self.engine = self.db
        self.terms = terms
        self.reader = QueryReader(terms)
        self.gazetteer = gazetteer
        self.vocabulary = vocabulary
        self.live = SavedIndex(index, terms)

    @classmethod
    def open(cls, database: Path, index_dir: Path, *, demo_may_load: bool) -> SavedBase | None:
        """The base ready to answer, or None when the full start has work to do (or cannot be ruled out)."""
        if not database.is_file() or not (index_dir / "manifest.json").is_file():
            return None
        connection = sqlite3.connect(database, timeout=30, check_same_thread=False)
        try:
            base = cls._checked(connection, index_dir, demo_may_load=demo_may_load)
        except Exception as exc:  # noqa: BLE001 - the full start deals with, and reports, whatever is wrong
            log.debug("saved base not usable as it is (%s): the full start decides", exc)
            base = None
        if base is None:
            connection.close()
        return base

    @classmethod
    def _checked(cls, connection: sqlite3.Connection, index_dir: Path, *, demo_may_load: bool) -> SavedBase | None:
        db = reading.ReadConnection(connection)
        head = quick_head_revision()
        if head is None or reading.stored_revision(db) != head:
            return None
        meta = reading.meta_values(db)
        if demo_may_load and DEMO_LOADED_KEY not in meta:
            return None
        vocabulary = Vocabulary()  # checked here, then used to answer
        if meta.get(FACTS_VERSION_KEY) != facts_version(vocabulary):
            return None
        if meta.get(SENTENCE_TERMS_KEY) != sentence_terms_version():
            return None
        database_id = meta.get("database_id")
        if database_id is None:
            return None
        index, extra = Bm25Index.load(index_dir)
        if extra != {"terms_version": TERMS_VERSION, "database_id": database_id} or index.params != Bm25Params():
            return None
        if index.passage_ids() != reading.passage_ids(db):
            return None
        return cls(connection, index, TermMaker(), load_gazetteer(), vocabulary)

    def ask(self, question: str, *, k: int = DEFAULT_K) -> Answer:
        """As ``Library.ask`` without a log: the facts first, then the passages."""
        query = self.reader.read(strip_control_chars(question))
        return answer_progress_question(
            question, engine=self.db, vocabulary=self.vocabulary, gazetteer=self.gazetteer
        ) or answer_query(query, db=self.db, live=self.live, gazetteer=self.gazetteer, k=k)

    def documents(self, *, offset: int = 0, limit: int | None = None) -> list[DocumentSummary]:
        """As ``Library.documents``: newest first."""
        return reading.documents(self.db, offset=offset, limit=limit)

    def close(self) -> None:
        self.connection.close()
