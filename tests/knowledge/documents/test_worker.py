"""Uploads parsed in a bounded child process: each limit ends in a Vietnamese message naming it.

Peak memory is measured in bench/bombs.py; here only behaviour: which error, and that
nothing is stored, that stop() ends a parse at once, and that a normal document comes out
exactly as the in-process path makes it.
"""

from __future__ import annotations

import threading
import time

import pytest

from knowledge.documents.parsers import ParseError
from knowledge.documents.worker import (
    ParseLimitError,
    ParseLimits,
    ParseStopped,
    ParseWorker,
)
from knowledge.library import Library

SENTENCE = "Sở Khoa học và Công nghệ tỉnh Vĩnh Phúc triển khai {} nền tảng số cho người dân trong năm 2025. "
DIRECTIVE = (
    "Kế hoạch chuyển đổi số tỉnh Vĩnh Phúc năm 2026\n\n"
    "Toàn tỉnh đã thành lập 1.239 tổ công nghệ số cộng đồng.\n\n"
    "Sở Khoa học và Công nghệ hoàn thành báo cáo trước ngày 30/6/2026.\n"
)


def long_text(sentences: int) -> bytes:
    return "".join(SENTENCE.format(i) for i in range(sentences)).encode()


def refusal(worker: ParseWorker, data: bytes, name: str = "tai-lieu.txt") -> ParseError:
    with pytest.raises(ParseError) as refused:
        worker.prepare_bytes(data, name)
    return refused.value


def test_a_document_comes_out_of_the_worker_as_it_does_in_process(empty_library: Library) -> None:
    in_child = ParseWorker(ParseLimits()).prepare_bytes(DIRECTIVE.encode(), "kh.txt", title="Kế hoạch")
    in_process = empty_library.prepare_bytes(DIRECTIVE.encode(), "kh.txt", title="Kế hoạch")
    assert in_child.passages == in_process.passages and in_child.tokens == in_process.tokens
    assert [m.due for _, m in in_child.deadlines] == [m.due for _, m in in_process.deadlines]
    assert in_child.document.title == "Kế hoạch"


def test_too_much_memory_is_refused_naming_the_limit() -> None:
    error = refusal(ParseWorker(ParseLimits(memory_mb=32)), long_text(60_000))
    assert isinstance(error, ParseLimitError) and "bộ nhớ" in error.user_message and "32 MB" in error.user_message


def test_too_long_a_parse_is_stopped_naming_the_limit() -> None:
    started = time.monotonic()
    error = refusal(ParseWorker(ParseLimits(seconds=1.5)), long_text(40_000))
    assert isinstance(error, ParseLimitError) and "quá 1,5 giây" in error.user_message
    assert time.monotonic() - started < 30  # killed, not waited out


def test_too_much_text_is_refused_naming_the_limit() -> None:
    error = refusal(ParseWorker(ParseLimits(max_chars=10_000)), long_text(300))
    assert isinstance(error, ParseLimitError)
    assert "giới hạn là 10.000 ký tự" in error.user_message


def test_a_bad_file_keeps_its_own_message_through_the_worker() -> None:
    error = refusal(ParseWorker(ParseLimits()), b"PK\x03\x04 not really a zip", "van-ban.docx")
    assert not isinstance(error, ParseLimitError) and "bị hỏng" in error.user_message


def test_stop_ends_a_running_parse_at_once() -> None:
    worker = ParseWorker(ParseLimits())
    outcome: list[BaseException] = []

    def upload() -> None:
        try:
            # Under the character cap, so the child is still segmenting when stop() comes.
            worker.prepare_bytes(long_text(45_000), "dai.txt")
        except ParseError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(1.0)
    worker.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ParseStopped) and "Bot đang dừng" in outcome[0].user_message


def test_library_with_a_worker_reports_the_limit_and_stores_nothing(empty_library: Library) -> None:
    empty_library.parse_worker = ParseWorker(ParseLimits(max_chars=10_000))
    result = empty_library.ingest_bytes(long_text(300), "dai.txt")
    assert result.status == "error" and "10.000 ký tự" in (result.error or "")
    assert empty_library.document_count() == 0
    assert empty_library.ingest_bytes(DIRECTIVE.encode(), "kh.txt").status == "added"


def test_identical_sentences_repeated_make_one_deadline(empty_library: Library) -> None:
    text = "Kế hoạch chuyển đổi số\n\n" + "Sở Nội vụ hoàn thành báo cáo trước ngày 30/6/2026.\n\n" * 500
    result = empty_library.ingest_bytes(text.encode(), "lap-lai.txt")
    assert result.status == "added" and len(result.deadlines) == 1
