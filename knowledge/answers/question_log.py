"""The question log, written off the answer path by one background thread.

Committing a question's log row took a seventh of answering it, and the user
waits for the answer, not for the log. So :meth:`QuestionLogWriter.record`
only queues the row and returns at once; a background thread inserts what is
queued, many rows per transaction.

The answer must still carry its log id at once: Telegram buttons name it
("fb:<id>:1"). Ids are therefore reserved ahead from the table's own id
sequence, a block at a time, by the background thread: on PostgreSQL with
``nextval`` of the serial sequence, on SQLite by moving ``sqlite_sequence``
(what AUTOINCREMENT counts from). Any other writer, in this process or another,
then draws ids above the block, so ids stay unique and are never reused, as
``QuestionLog`` promises.

Nothing is lost on a clean exit: :meth:`close` (called by ``Library.close``,
and at interpreter exit for a writer still open) writes everything queued.
Nothing is missed by a reader either: while rows are queued, any connection
this process takes from the engine's pool (statistics, a 👍 on the answer, a
test reading the table) first waits until they are committed, so a question
is counted as soon as its answer is out. Only answering itself
(:meth:`QuestionLogWriter.answering`) does not wait. An in-memory SQLite
database is private to the thread that opened it, so there the row is written
in the caller's thread.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from knowledge.answers.answer import Answer
from knowledge.models import QuestionLog, utcnow

log = logging.getLogger(__name__)

# Ids reserved per round trip; a refill starts when fewer than half are left.
ID_BLOCK = 64
_STOP = object()

# How long the writer waits after waking before it writes (see _run).
GATHER_S = 0.01
# A reader never waits longer than this for queued rows (a stuck database must not hang it).
FLUSH_TIMEOUT_S = 5.0


def question_row(answer: Answer, *, channel: str, chat_id: int | None, user_id: int | None) -> dict[str, Any]:
    """The question's log row as column values: a plain dict, because building the table object on the
    answer path (SQLModel's validation) cost a third of queuing it; the writer inserts the dicts as they are."""
    top = answer.citations[0] if answer.citations else None
    return {
        "id": None,
        "asked_at": utcnow(),
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "question": answer.question[:1000],
        "found": answer.found,
        "top_document_id": top.document_id if top else None,
        "top_passage_id": top.passage_id if top else None,
    }


def reserve_ids(connection: Connection, n: int) -> list[int]:
    """``n`` question ids no other writer will be given (the caller commits)."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('questionlog', 'id')) FROM generate_series(1, :n)"), {"n": n}
        )
        return [int(r[0]) for r in rows]
    # SQLite: the UPDATE takes the write lock first, so no one else moves the counter in between.
    moved = connection.execute(
        text("UPDATE sqlite_sequence SET seq = seq + :n WHERE name = 'questionlog'"), {"n": n}
    ).rowcount
    if not moved:
        connection.execute(
            text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'questionlog', COALESCE(MAX(id), 0) + :n FROM questionlog"
            ),
            {"n": n},
        )
    top = int(connection.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'questionlog'")).scalar_one())
    return list(range(top - n + 1, top + 1))


class QuestionLogWriter:
    """Queues question-log rows and writes them on one background thread."""

    def __init__(self, engine: Engine, *, block: int = ID_BLOCK) -> None:
        self.engine = engine
        self.block = block
        self._queue: queue.Queue[object] = queue.Queue()
        self._ids: deque[int] = deque()
        self._ids_lock = threading.Lock()
        self._refilling = False
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()
        # A database only the opening thread sees is written in the caller's thread.
        self.in_background = not (engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"))

    # ------------------------------------------------------------ the answer path
    def record(self, answer: Answer, *, channel: str, chat_id: int | None, user_id: int | None) -> Answer:
        """Queue the question's row; the answer comes back carrying its log id."""
        row = question_row(answer, channel=channel, chat_id=chat_id, user_id=user_id)
        if not self.in_background or self._closed:
            return replace(answer, question_id=self._write_now(row))
        row["id"] = question_id = self._next_id()
        self._queue.put(row)
        return replace(answer, question_id=question_id)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """While answering, this thread's connections do not wait for queued log rows."""
        previous = getattr(self._local, "answering", False)
        self._local.answering = True
        try:
            yield
        finally:
            self._local.answering = previous

    def _next_id(self) -> int:
        self._start()
        with self._ids_lock:
            if not self._ids:
                # Only the first question after a start (or a burst beyond a block) waits for ids.
                self._ids.extend(self._reserve())
            if len(self._ids) < self.block // 2 and not self._refilling:
                self._refilling = True
                self._queue.put(self._refill)
            return self._ids.popleft()

    def _write_now(self, values: dict[str, Any]) -> int:
        row = QuestionLog(**{key: value for key, value in values.items() if key != "id"})
        with Session(self.engine) as session:
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id

    # ------------------------------------------------------------ the background
    def _reserve(self) -> list[int]:
        with self.engine.begin() as connection:
            return reserve_ids(connection, self.block)

    def _refill(self) -> None:
        ids = self._reserve()
        with self._ids_lock:
            self._ids.extend(ids)
            self._refilling = False

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
                self._thread.start()
                event.listen(self.engine, "checkout", self._before_checkout)
                # A clean exit that never called close() still writes what is queued.
                atexit.register(self.close)

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            # Let the thread that just answered finish its reply before this one takes the
            # interpreter to write; questions arriving meanwhile share the transaction.
            time.sleep(GATHER_S)
            # Whatever else is queued goes in the same transaction.
            while True:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [item for item in items if isinstance(item, dict)]
            for item in items:
                if callable(item):
                    self._guarded(item)
            if rows:
                self._guarded(lambda: self._insert(rows))
            for _ in items:
                self._queue.task_done()
            if any(item is _STOP for item in items):
                return

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        # Core, not the ORM's unit of work: the rows already have their ids, and less
        # Python here is less time the answering threads wait for the interpreter.
        table = QuestionLog.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            connection.execute(table.insert(), rows)

    def _guarded(self, work: Callable[[], object]) -> None:
        for attempt in range(1, 4):
            try:
                work()
                return
            except Exception:  # noqa: BLE001 - a failed write is logged; the writer must go on
                log.exception("question log write failed (attempt %d of 3)", attempt)

    # ------------------------------------------------------------ flushing
    def _before_checkout(self, *_: object) -> None:
        """A connection about to be used in this process sees every question logged so far."""
        if not getattr(self._local, "answering", False):
            self.flush()

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> None:
        """Return once every row queued so far is committed (or after ``timeout`` seconds)."""
        if self._thread is None or self._thread is threading.current_thread():
            return
        done = self._queue.all_tasks_done
        with done:
            deadline = time.monotonic() + timeout
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning("question log still has %d rows queued", self._queue.unfinished_tasks)
                    return
                done.wait(left)

    def close(self) -> None:
        """Write everything queued and stop the thread; later questions are written at once."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join()
        event.remove(self.engine, "checkout", self._before_checkout)
        atexit.unregister(self.close)
