"""The live search index: the only code that changes the index after a commit.

The database is the source of truth; the in-memory BM25 index follows it.
Every change goes through here *after* the transaction that made it commits,
so a search never sees passages the database does not hold yet, and a crash
between the commit and the index update costs a re-sync from stored tokens on
the next start, never a re-tokenize. The saved index in ``index_dir`` is only
a cache: :meth:`LiveIndex.sync` reconciles it with the database.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from index.bm25 import Bm25Index, Bm25Params, HeldIndex, Hit
from index.terms import TERMS_VERSION, TermMaker
from index.text import split_words
from knowledge.models import Meta, Passage

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]

# Every upload seals a segment; the index merges neighbours as they grow, so a
# base built one upload at a time holds a handful (5 after 1,200 uploads in
# bench/ask.py), and searching reads each term once per segment: merged, a
# search takes half the time. A merge copies every posting under the lock, so
# it waits until uploads pause.
MERGE_AFTER_IDLE_S = 5.0


class LiveIndex(HeldIndex):
    """The BM25 index of every stored passage, kept in step with the database behind one lock."""

    def __init__(
        self,
        engine: Engine,
        *,
        terms: TermMaker,
        index_dir: Path | None = None,
        params: Bm25Params | None = None,
        merge_after_s: float | None = MERGE_AFTER_IDLE_S,
    ) -> None:
        self.engine = engine
        self.terms = terms
        self.index_dir = index_dir
        self.params = params or Bm25Params()
        # Held while the index and the database change together (ingest, remove,
        # revisions) and while searching, so no search sees half an update.
        self.lock = threading.RLock()
        self.index = self._load_saved() or Bm25Index(self.params)
        # Issue 13: seconds without a change after which the segments are merged (None: never).
        self.merge_after_s = merge_after_s
        self._merge_timer: threading.Timer | None = None
        self._merge_timer_lock = threading.Lock()

    # ----------------------------------------------------------- the cache
    def _load_saved(self) -> Bm25Index | None:
        if self.index_dir is None or not (self.index_dir / "manifest.json").exists():
            return None
        try:
            index, extra = Bm25Index.load(self.index_dir)
        except Exception as exc:  # noqa: BLE001 - only a cache: any damage means rebuild it
            log.warning("saved index unusable, rebuilding from stored tokens: %s", exc)
            return None
        if extra != self._cache_identity() or index.params != self.params:
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
            db_ids = _stored_passage_ids(session)
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
            # Another process changed the database: save, so the next start loads instead of catching up again.
            self.save()
        if self.index.segment_count > 1:
            self._merge_later()
        return len(missing), len(stale)

    def save(self) -> None:
        """Write the index cache so the next start skips rebuilding it."""
        if self.index_dir is None:
            return
        with self.lock:
            self.index.save(self.index_dir, self._cache_identity())

    # ------------------------------------------------- after-commit changes
    def passages_committed(self, passages: Iterable[Passage]) -> None:
        """Index passages whose transaction has committed, from their stored tokens."""
        with self.lock:
            self.index.add_many((p.id, self.terms.terms(split_words(p.tokens))) for p in passages if p.id is not None)
        self._merge_later()

    def passages_removed(self, passage_ids: Iterable[int]) -> None:
        """Forget passages whose deletion has committed (or that another process removed)."""
        removed = False
        with self.lock:
            for passage_id in passage_ids:
                removed = self.index.remove(passage_id) or removed
        if removed:
            self._merge_later()

    # ------------------------------------------------ background merging
    def _merge_later(self) -> None:
        """Merge the segments once no change has come for ``merge_after_s`` seconds."""
        if self.merge_after_s is None:
            return
        with self._merge_timer_lock:
            if self._merge_timer is not None:
                self._merge_timer.cancel()
            self._merge_timer = threading.Timer(self.merge_after_s, self.merge_segments)
            self._merge_timer.daemon = True
            self._merge_timer.name = "index-merge"
            self._merge_timer.start()

    def merge_segments(self) -> bool:
        """Merge every segment into one and drop removed passages' postings; False when already one."""
        with self.lock:
            merged = self.index.merge_segments()
        if merged:
            # Routine and off any command's path: nothing for a terminal to show.
            log.debug("index segments merged: %d passages", len(self.index))
        return merged

    def close(self) -> None:
        """Cancel a pending merge (the index is only a cache; nothing is lost)."""
        with self._merge_timer_lock:
            if self._merge_timer is not None:
                self._merge_timer.cancel()
                self._merge_timer = None

    # ---------------------------------------------------------------- read
    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        with self.lock:
            return self.index.search(terms, k)


def _stored_passage_ids(session: Session) -> set[int]:
    """Every passage id in the database, read straight from the driver's cursor.

    Not through ORM rows (on a large base, one ORM row per id was a third of a
    cold start) nor through SQLAlchemy's Result, whose per-row processing still
    cost about 0.1 s at 100k passages: the ids are plain integers either way.
    """
    table = Passage.__table__.name  # type: ignore[attr-defined]
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"SELECT id FROM {table}")  # noqa: S608 - the table name is our own constant
        return {row[0] for row in cursor.fetchall()}
    finally:
        cursor.close()
