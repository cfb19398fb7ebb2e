"""Scanned PDFs (issue 8): pages the tests render themselves from text, read back with Tesseract."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.documents.ocr import INSTALL_HINT, OcrReader
from knowledge.documents.parsers import ParseError
from knowledge.library import Library
from tests.knowledge.documents.official_samples import (
    GIBBERISH_PAGE,
    SCANNED_PLAN,
    scanned_pdf,
)

needs_tesseract = pytest.mark.skipif(
    not OcrReader().available(), reason="tesseract-ocr and tesseract-ocr-vie not installed (.ci/run installs them)"
)


@needs_tesseract
def test_scanned_plan_is_read_and_answers_with_an_ocr_note(empty_library: Library) -> None:
    empty_library.ocr = OcrReader()
    pages: list[tuple[int, int]] = []
    result = empty_library.ingest_bytes(scanned_pdf([SCANNED_PLAN]), "scan.pdf", progress=lambda p, n: pages.append((p, n)))
    assert result.status == "added", result.error
    assert pages == [(1, 1)]
    assert (result.number, result.doc_type, result.published) == ("77/KH-UBND", "Kế hoạch", date(2026, 5, 15))
    assert [(d.due, d.precision) for d in result.deadlines] == [(date(2026, 9, 30), "day")]
    answer = empty_library.ask("hoc ba so trong truong trung hoc pho thong")
    assert answer.found and answer.citations[0].ocr
    assert "học bạ số" in answer.citations[0].passage


def test_scan_is_refused_with_the_install_hint_where_tesseract_is_missing(empty_library: Library) -> None:
    empty_library.ocr = OcrReader(command="tesseract-not-installed")
    result = empty_library.ingest_bytes(scanned_pdf([SCANNED_PLAN]), "scan.pdf")
    assert result.status == "error" and result.error is not None
    assert INSTALL_HINT in result.error and "OCR" in result.error
    assert empty_library.document_count() == 0


def test_scan_without_ocr_keeps_the_no_text_layer_refusal(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(scanned_pdf([SCANNED_PLAN]), "scan.pdf")
    assert result.status == "error" and "lớp văn bản" in (result.error or "")


@needs_tesseract
def test_scan_over_the_page_limit_is_refused_before_any_page_is_read(empty_library: Library) -> None:
    empty_library.ocr = OcrReader(max_pages=2)
    pages: list[int] = []
    result = empty_library.ingest_bytes(scanned_pdf([["Trang"]] * 3), "dai.pdf", progress=lambda p, n: pages.append(p))
    assert result.status == "error" and "vượt giới hạn nhận dạng chữ 2 trang" in (result.error or "")
    assert pages == [] and empty_library.document_count() == 0


@needs_tesseract
def test_garbage_ocr_output_is_reported_and_not_stored(empty_library: Library) -> None:
    empty_library.ocr = OcrReader()
    result = empty_library.ingest_bytes(scanned_pdf([GIBBERISH_PAGE]), "mo.pdf")
    assert result.status == "error" and "kết quả quá kém" in (result.error or "")
    assert empty_library.document_count() == 0


def test_missing_tesseract_is_a_parse_error_with_the_hint() -> None:
    with pytest.raises(ParseError) as raised:
        OcrReader(command="tesseract-not-installed").read_pdf(scanned_pdf([SCANNED_PLAN]))
    assert INSTALL_HINT in raised.value.user_message
