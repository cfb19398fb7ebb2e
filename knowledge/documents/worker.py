"""Parsing and preparing an upload in a child process, under a memory, a time and a text limit.

An upload is the one input an outsider controls byte for byte: a zip bomb in a .docx, a
PDF that makes the parser spin, 20 MB of text that takes minutes to segment. In the bot's
own process such a file takes all its memory, blocks shutdown and leaves the admin's
progress message hanging. Here each upload is parsed and prepared (cleaning,
segmentation, deadline extraction — everything before the database) in a child process:

- forked from a forkserver that has imported the parsers and underthesea once, so a
  child starts in milliseconds and shares nothing mutable with the bot;
- with an address-space rlimit of ``memory_mb`` on top of what the warmed-up child
  already maps (a MemoryError or a kill both end as "the memory limit");
- killed after ``seconds`` of wall-clock time;
- refusing more than ``max_chars`` characters of extracted text.

What a hit limit produces is a :class:`ParseLimitError` whose Vietnamese message names the
limit. :meth:`ParseWorker.stop` kills every running child, so a bot asked to stop (SIGINT)
stops within seconds and the waiting upload ends with a reason.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.documents.parsers import ParseError, parse_document
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.provinces import Gazetteer, load_gazetteer

if TYPE_CHECKING:
    # Imported by the children only: the settings build ParseLimits on every start,
    # and preparing (links, httpx, the deadline rules) is not a cold `ask`'s work.
    from index.terms import TermMaker
    from knowledge.documents.prepare import PreparedDocument
    from knowledge.progress.extract import FactExtractor

_MB = 1024 * 1024
# How often a waiting thread looks at the clock and at stop().
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ParseLimits:
    """Limits for one upload; the bot builds them from its settings."""

    memory_mb: int = 512
    seconds: float = 120.0
    max_chars: int = 5_000_000


class ParseLimitError(ParseError):
    """An upload that hit one of the limits; the message names which and how much."""


class ParseStopped(ParseError):
    """The bot is stopping: the upload was abandoned, nothing was stored."""


def _number(value: float) -> str:
    """1234567 -> "1.234.567", 1.5 -> "1,5": numbers the Vietnamese way."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


def memory_error(limits: ParseLimits) -> ParseLimitError:
    return ParseLimitError(
        f"Tài liệu cần quá nhiều bộ nhớ để phân tích (giới hạn {_number(limits.memory_mb)} MB). "
        "Hãy chia tài liệu thành nhiều tệp nhỏ hơn, hoặc lưu lại dưới dạng .txt rồi gửi lại.",
        f"parse exceeded the {limits.memory_mb} MB address-space limit",
    )


def time_error(limits: ParseLimits) -> ParseLimitError:
    return ParseLimitError(
        f"Phân tích tài liệu quá {_number(limits.seconds)} giây (giới hạn thời gian) nên đã dừng. "
        "Hãy chia tài liệu thành nhiều tệp nhỏ hơn rồi gửi lại.",
        f"parse exceeded {limits.seconds} s",
    )


def text_error(limits: ParseLimits, chars: int) -> ParseLimitError:
    return ParseLimitError(
        f"Tài liệu quá dài: {_number(chars)} ký tự văn bản, giới hạn là {_number(limits.max_chars)} ký tự. "
        "Hãy chia tài liệu thành nhiều tệp nhỏ hơn rồi gửi lại.",
        f"{chars} characters > {limits.max_chars}",
    )


class ParseWorker:
    """Runs :func:`_prepare_in_child` in a fresh child process per upload, under ``limits``.

    Safe to call from several threads at once (the bot's upload handlers run in worker
    threads); each call owns its child.
    """

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self._context = multiprocessing.get_context("forkserver")
        # The forkserver imports this module (and with it the parsers, the library and
        # underthesea) once; every child is a cheap fork of that warmed-up process.
        self._context.set_forkserver_preload(["knowledge.documents.worker_preload"])
        self._running: set[BaseProcess] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def prepare_bytes(self, data: bytes, filename: str, **kwargs: Any) -> PreparedDocument:
        """``Library.prepare_bytes`` in a child; raises the project's errors only."""
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_prepare_in_child, args=(sender, data, filename, kwargs, self.limits), daemon=True
        )
        with self._lock:
            if self._stopping:
                raise _stopped()
            process.start()
            self._running.add(process)
        sender.close()
        try:
            return _outcome(self._wait(receiver, process), self.limits)
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            with self._lock:
                self._running.discard(process)
            receiver.close()

    def _wait(self, receiver: Connection, process: BaseProcess) -> tuple[str, Any]:
        deadline = time.monotonic() + self.limits.seconds
        while True:
            if receiver.poll(_POLL_SECONDS):
                try:
                    return receiver.recv()  # type: ignore[no-any-return]
                except (EOFError, OSError):
                    raise self._death(process) from None
            if self._stopping:
                raise _stopped()
            if time.monotonic() > deadline:
                process.kill()
                raise time_error(self.limits)

    def _death(self, process: BaseProcess) -> ParseError:
        """Why a child died without a word: stop(), or a crash, which under the rlimit means memory."""
        if self._stopping:
            return _stopped()
        process.join(timeout=5)
        if process.exitcode is not None and process.exitcode < 0:
            # SIGSEGV / SIGABRT from a C extension whose allocation the rlimit refused.
            return memory_error(self.limits)
        return ParseError(
            "Không phân tích được tệp này (trình đọc tệp gặp lỗi). Hãy lưu lại tệp ở định dạng khác rồi gửi lại.",
            f"parse worker exited with code {process.exitcode}",
        )

    def stop(self) -> None:
        """Kill every running child (the bot is shutting down); later calls refuse at once."""
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for process in running:
            if process.is_alive():
                process.kill()


def _stopped() -> ParseStopped:
    return ParseStopped(
        "Bot đang dừng nên chưa phân tích xong tài liệu; không có gì được lưu. Hãy gửi lại tệp sau.",
        "parse abandoned: worker stopping",
    )


def _outcome(message: tuple[str, Any], limits: ParseLimits) -> PreparedDocument:
    kind, payload = message
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    if kind == "memory":
        raise memory_error(limits)
    user_message, detail = payload
    # Re-raised as the parent's own type: exceptions do not pickle their user_message.
    if kind == "limit":
        raise ParseLimitError(user_message, detail)
    if kind == "no_text_layer":
        raise NoTextLayerError(user_message, detail)  # the parent may read it with OCR
    raise ParseError(user_message, detail)


def _prepare_in_child(
    sender: Connection, data: bytes, filename: str, kwargs: dict[str, Any], limits: ParseLimits
) -> None:
    """The child's whole life: limit itself, parse, prepare, send the result, exit."""
    # The libraries' warnings about damaged files (pypdf's "EOF marker not found") must not
    # reach the admin's terminal through logging's last-resort handler: the parent reports
    # the outcome in one clean line.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        preparer = _preparer()
        _limit_memory(limits.memory_mb)
        sender.send(_prepared_message(data, filename, kwargs, limits, preparer, None))
    finally:
        sender.close()


def _prepared_message(
    data: bytes,
    filename: str,
    kwargs: dict[str, Any],
    limits: ParseLimits,
    preparer: Gazetteer,
    facts: FactExtractor | None,
    terms: TermMaker | None = None,
) -> tuple[str, Any]:
    """Parse and prepare one file; the outcome as a picklable (kind, payload) message."""
    from knowledge.documents.prepare import input_from_parsed, prepare_document
    from knowledge.errors import UserFacingError

    try:
        parsed = parse_document(data, filename, max_bytes=kwargs.get("max_bytes", 20 * _MB))
        if len(parsed.text) > limits.max_chars:
            raise text_error(limits, len(parsed.text))
        doc = input_from_parsed(
            parsed,
            filename=filename,
            title=kwargs.get("title"),
            source=kwargs.get("source"),
            published=kwargs.get("published"),
            provinces=kwargs.get("provinces"),
            added_by=kwargs.get("added_by", "cli"),
        )
        return ("ok", prepare_document(doc, gazetteer=preparer, facts=facts, terms=terms))
    except MemoryError:
        return ("memory", None)
    except ParseLimitError as exc:
        return ("limit", (exc.user_message, exc.detail))
    except NoTextLayerError as exc:
        return ("no_text_layer", (exc.user_message, exc.detail))
    except UserFacingError as exc:
        return ("error", (exc.user_message, exc.detail))


def _preparer() -> Gazetteer:
    """The forkserver's warmed-up preparer when there is one, else a new one."""
    preload = sys.modules.get("knowledge.documents.worker_preload")
    if preload is not None:
        return preload.PREPARER
    return build_preparer()


def build_preparer() -> Gazetteer:
    """What preparing needs loaded: the gazetteer, underthesea's model, and every lazy table.

    One whole document is prepared here so that what the first document would
    build (the gazetteer's patterns, the deadline and figure rules, the ORM
    mappers, underthesea's model) is built once in the forkserver: without it
    every upload's child spent about 0.6 s building them again.
    """
    from knowledge.documents.prepare import DocumentInput, prepare_document

    gazetteer = load_gazetteer()
    prepare_document(DocumentInput(text=_WARM_UP, filename="warm-up.txt"), gazetteer=gazetteer)
    return gazetteer


# Touches each rule family once: a province, a dated deadline, a quarter, a figure, a rank.
_WARM_UP = (
    "Kế hoạch chuyển đổi số tỉnh Hải Dương năm 2024\n\n"
    "Sở Thông tin và Truyền thông hoàn thành trước ngày 30/6/2024; trong Quý III/2024 báo cáo kết quả.\n\n"
    "Tỷ lệ hồ sơ trực tuyến toàn trình đạt 45,6%; tỉnh xếp thứ 13/63 về chỉ số chuyển đổi số.\n"
)


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at what the child maps now plus ``memory_mb``."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux: no limit, the time limit still holds
        return
    baseline = _mapped_bytes()
    if baseline is None:
        return
    limit = baseline + memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _mapped_bytes() -> int | None:
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None



# ------------------------------------------------------------- bulk: a pool of workers
@dataclass(frozen=True)
class PoolOutcome:
    """One file's outcome in a bulk run: prepared, refused with the project's error, or unreadable."""

    path: Path
    prepared: PreparedDocument | None = None
    error: ParseError | None = None
    read_error: OSError | None = None
    # What the pool's ``after`` function made of ``prepared`` in the worker (see ParsePool).
    extra: Any = None


class ParsePool:
    """Prepares many files on ``jobs`` long-lived workers, under the same limits, handing results back in order.

    A bulk ``cdsbot ingest`` of a folder is bound by word segmentation; one
    child per file would pay a fork per file and use one core. Here each worker
    is forked once from the same warmed-up forkserver, limits its memory once,
    and then prepares file after file (reading the file itself, so a task is a
    path, never megabytes through a pipe). Each worker holds up to two tasks so
    it never waits for the main process, which stays the only one to touch the
    database. A worker past the time limit is killed, one that dies (a crash in
    a C parser, the memory limit) is replaced; either way only the file it was
    on fails, with the Vietnamese reason, and the files queued behind it go on.

    ``after``, a module-level function, runs in the worker on each prepared
    document and its result comes back as :attr:`PoolOutcome.extra`: work
    that scales with the workers instead of loading the one writing process.
    """

    _QUEUED_PER_WORKER = 2

    def __init__(
        self, limits: ParseLimits, jobs: int, after: Callable[[PreparedDocument], Any] | None = None
    ) -> None:
        self.limits = limits
        self.jobs = max(1, jobs)
        self.after = after
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["knowledge.documents.worker_preload"])
        self._workers: list[_PoolWorker] = []
        self._pending: deque[tuple[int, Path]] = deque()

    def prepare_files(self, paths: Sequence[Path], **options: Any) -> Iterator[PoolOutcome]:
        """Yield each path's outcome, in the order of ``paths``, as soon as it and all before it are ready."""
        self._pending = deque(enumerate(paths))
        ready: dict[int, PoolOutcome] = {}
        next_out = 0
        window = self.jobs * self._QUEUED_PER_WORKER * 2  # bounds how many results wait in memory
        try:
            while next_out < len(paths):
                self._fill(next_out + window, options)
                for number, message in self._collect():
                    ready[number] = self._outcome(paths[number], message)
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
        finally:
            self.close()

    def close(self) -> None:
        """Stop every worker (also on Ctrl+C, or when the caller stops reading early)."""
        for worker in self._workers:
            worker.kill()
        self._workers = []

    # ------------------------------------------------------------ internals
    def _fill(self, limit: int, options: dict[str, Any]) -> None:
        while len(self._workers) < self.jobs:
            self._workers.append(_PoolWorker(self._context, self.limits, self.after))
        for worker in sorted(self._workers, key=lambda w: len(w.tasks)):
            while self._pending and self._pending[0][0] < limit and len(worker.tasks) < self._QUEUED_PER_WORKER:
                number, path = self._pending.popleft()
                worker.send(number, path, options)

    def _collect(self) -> list[tuple[int, tuple[str, Any]]]:
        """Results that arrived within one poll; a worker past its deadline, dead or out of memory is replaced."""
        busy = [w for w in self._workers if w.tasks]
        waitables: list[Any] = [w.receiver for w in busy] + [w.process.sentinel for w in busy]
        multiprocessing.connection.wait(waitables, timeout=_POLL_SECONDS)
        arrived: list[tuple[int, tuple[str, Any]]] = []
        for worker in busy:
            failed = False
            while worker.tasks and worker.receiver.poll():
                try:
                    message = worker.receiver.recv()
                except (EOFError, OSError):
                    break
                arrived.append((worker.done(), message))
                failed = message[0] == "memory"  # its heap may be left fragmented: start afresh
                if failed:
                    break
            if worker.tasks and not failed:
                if not worker.process.is_alive():
                    worker.process.join()
                    code = worker.process.exitcode
                    # SIGSEGV / SIGABRT from a C extension whose allocation the rlimit refused.
                    arrived.append((worker.done(), ("memory", None) if code is not None and code < 0 else ("crash", code)))
                    failed = True
                elif worker.overdue(self.limits.seconds):
                    arrived.append((worker.done(), ("timeout", None)))
                    failed = True
            if failed:
                self._replace(worker)
        return arrived

    def _replace(self, worker: _PoolWorker) -> None:
        """Kill a worker; the files queued behind the one that failed go back first in line."""
        worker.kill()
        self._workers.remove(worker)
        self._pending.extendleft(reversed(worker.tasks))
        worker.tasks.clear()

    def _outcome(self, path: Path, message: tuple[Any, ...]) -> PoolOutcome:
        kind, payload = message[:2]
        if kind == "crash":
            return PoolOutcome(path, error=ParseError(
                "Không phân tích được tệp này (trình đọc tệp gặp lỗi). Hãy lưu lại tệp ở định dạng khác rồi gửi lại.",
                f"parse worker exited with code {payload}",
            ))
        if kind == "timeout":
            return PoolOutcome(path, error=time_error(self.limits))
        if kind == "read":
            return PoolOutcome(path, read_error=OSError(*payload))
        extra = message[2] if len(message) == 3 else None
        try:
            return PoolOutcome(path, prepared=_outcome((kind, payload), self.limits), extra=extra)
        except ParseError as exc:
            return PoolOutcome(path, error=exc)


class _PoolWorker:
    """One worker process of a :class:`ParsePool` and the tasks it holds, oldest (the running one) first."""

    def __init__(self, context: Any, limits: ParseLimits, after: Callable[[PreparedDocument], Any] | None) -> None:
        self.receiver, sender = context.Pipe(duplex=False)
        task_receiver, self.sender = context.Pipe(duplex=False)
        self.process: BaseProcess = context.Process(
            target=_serve, args=(task_receiver, sender, limits, after), daemon=True
        )
        self.process.start()
        sender.close()
        task_receiver.close()
        self.tasks: deque[tuple[int, Path]] = deque()
        # When the running task started: its dispatch, or the previous task's result.
        self._started = time.monotonic()

    def send(self, number: int, path: Path, options: dict[str, Any]) -> None:
        if not self.tasks:
            self._started = time.monotonic()
        self.tasks.append((number, path))
        self.sender.send((str(path), options))

    def done(self) -> int:
        """The running task finished; returns its number and starts the next one's clock."""
        number, _ = self.tasks.popleft()
        self._started = time.monotonic()
        return number

    def overdue(self, seconds: float) -> bool:
        return time.monotonic() - self._started > seconds

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.sender.close()
        self.receiver.close()


def _serve(
    tasks: Connection, results: Connection, limits: ParseLimits, after: Callable[[PreparedDocument], Any] | None
) -> None:
    """A pool worker's whole life: limit itself once, then prepare one file after another until told to stop."""
    logging.getLogger().addHandler(logging.NullHandler())  # see _prepare_in_child
    # Ctrl+C is the main process's to handle (it stops the pool); no traceback from every worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from index.terms import TermMaker
    from knowledge.progress.extract import FactExtractor
    from knowledge.progress.vocabulary import Vocabulary

    preparer = _preparer()
    facts = FactExtractor(Vocabulary(), preparer)
    terms = TermMaker()
    _limit_memory(limits.memory_mb)
    while True:
        try:
            path, options = tasks.recv()
        except (EOFError, OSError):  # the main process closed the pipe or went away
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            results.send(("read", (exc.errno, exc.strerror)))
            continue
        except MemoryError:
            results.send(("memory", None))
            return
        message = _prepared_message(data, Path(path).name, options, limits, preparer, facts, terms)
        if message[0] == "ok" and after is not None:
            message = ("ok", message[1], after(message[1]))
        results.send(message)
