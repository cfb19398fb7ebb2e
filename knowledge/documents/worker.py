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
import os
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from knowledge.documents.parsers import ParseError, parse_document
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.provinces import Gazetteer, load_gazetteer

if TYPE_CHECKING:
    # Imported by the child only: the settings build ParseLimits on every start,
    # and preparing (links, httpx, the deadline rules) is not a cold `ask`'s work.
    from knowledge.documents.prepare import PreparedDocument

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
    from knowledge.documents.prepare import input_from_parsed, prepare_document
    from knowledge.errors import UserFacingError

    # The libraries' warnings about damaged files (pypdf's "EOF marker not found") must not
    # reach the admin's terminal through logging's last-resort handler: the parent reports
    # the outcome in one clean line.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        preparer = _preparer()
        _limit_memory(limits.memory_mb)
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
        prepared = prepare_document(doc, gazetteer=preparer)
        sender.send(("ok", prepared))
    except MemoryError:
        sender.send(("memory", None))
    except ParseLimitError as exc:
        sender.send(("limit", (exc.user_message, exc.detail)))
    except NoTextLayerError as exc:
        sender.send(("no_text_layer", (exc.user_message, exc.detail)))
    except UserFacingError as exc:
        sender.send(("error", (exc.user_message, exc.detail)))
    finally:
        sender.close()


def _preparer() -> Gazetteer:
    """The forkserver's warmed-up preparer when there is one, else a new one."""
    preload = sys.modules.get("knowledge.documents.worker_preload")
    if preload is not None:
        return preload.PREPARER
    return build_preparer()


def build_preparer() -> Gazetteer:
    """What preparing needs loaded: the gazetteer, and underthesea's model (loaded on first use)."""
    from index.terms import tokenize

    tokenize("Hà Nội chuyển đổi số")
    return load_gazetteer()


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

