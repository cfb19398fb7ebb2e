"""Scanned PDFs read with Tesseract's Vietnamese model.

Signed directives often reach officials as scans: a PDF of page pictures
with no text layer. Each page is rendered with pypdfium2 (shipped with
pdfplumber) and read by the ``tesseract`` program from Debian's
tesseract-ocr and tesseract-ocr-vie packages, one process per page through
stdin/stdout, so no Python binding and no temporary files are needed.

What can go wrong is the admin's to know, in Vietnamese: Tesseract or its
Vietnamese model missing (with the install command), a scan longer than the
page limit (CDSBOT_OCR_MAX_PAGES), and output that is mostly noise (a
blurred or skewed scan), which is refused rather than stored as an answer
source.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.documents.parsers.encodings import is_vietnamese_syllable
from knowledge.documents.parsers.errors import ParseError
from knowledge.documents.parsers.parsed_text import (
    ParsedText,
    paragraphs_from_plain_text,
)

log = logging.getLogger(__name__)

PageProgress = Callable[[int, int], None]

INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie"
MSG_NO_TESSERACT = (
    "Tệp PDF là bản scan (không có lớp văn bản) nên cần nhận dạng chữ (OCR), nhưng máy chủ chưa cài "
    f"Tesseract với gói tiếng Việt. Quản trị hệ thống cài bằng lệnh: {INSTALL_HINT}"
)
MSG_TOO_MANY_PAGES = (
    "Bản scan có {pages} trang, vượt giới hạn nhận dạng chữ {limit} trang (CDSBOT_OCR_MAX_PAGES). "
    "Hãy tách tệp thành các phần nhỏ hơn, hoặc gửi bản PDF có lớp văn bản."
)
MSG_GARBAGE = (
    "Đã nhận dạng chữ (OCR) bản scan nhưng kết quả quá kém (chỉ {share}% là chữ tiếng Việt đọc được), "
    "nên không lưu để tránh trả lời sai. Hãy quét lại rõ hơn (300 dpi, trang thẳng) rồi gửi lại."
)
MSG_NOTHING_READ = (
    "Đã nhận dạng chữ (OCR) bản scan nhưng không đọc được chữ nào. Hãy quét lại rõ hơn hoặc gửi bản có lớp văn bản."
)
MSG_RENDER = "Không dựng được hình trang của tệp PDF để nhận dạng chữ (OCR); tệp có thể bị hỏng."

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Below this share of words that are Vietnamese syllables, the page is noise.
MIN_VIETNAMESE_SHARE = 0.6
_MIN_WORDS = 5
_PAGE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class OcrReader:
    """Reads scanned PDFs; built from settings in the composition root and handed to the library."""

    max_pages: int = 50
    language: str = "vie"
    command: str = "tesseract"
    dpi: int = 300

    def available(self) -> bool:
        """Whether the tesseract program and its model for ``language`` are installed."""
        path = shutil.which(self.command)
        if path is None:
            return False
        try:
            listed = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return self.language in listed.stdout.split()

    def read_pdf(self, data: bytes, *, progress: PageProgress | None = None) -> ParsedText:
        """The text of a scanned PDF, page by page; ``progress(page, pages)`` after each page."""
        if not self.available():
            raise ParseError(MSG_NO_TESSERACT, f"{self.command} or its {self.language!r} model not installed")
        import pypdfium2  # imported late: only scans need it

        try:
            pdf = pypdfium2.PdfDocument(data)
        except Exception as exc:  # noqa: BLE001 - third-party boundary: any failure means "cannot render"
            raise ParseError(MSG_RENDER, f"pypdfium2 failed: {exc!r}") from exc
        try:
            pages = len(pdf)
            if pages > self.max_pages:
                raise ParseError(
                    MSG_TOO_MANY_PAGES.format(pages=pages, limit=self.max_pages), f"{pages} pages > {self.max_pages}"
                )
            texts: list[str] = []
            for index in range(pages):
                texts.append(self._read_page(pdf, index))
                if progress is not None:
                    progress(index + 1, pages)
        finally:
            pdf.close()
        text = "\n\n".join(texts)
        check_quality(text)
        paragraphs = [p for page in texts for p in paragraphs_from_plain_text(page)]
        return ParsedText(text="\n\n".join(paragraphs), meta={"ocr": "1"})

    def _read_page(self, pdf: object, index: int) -> str:
        try:
            page = pdf[index]  # type: ignore[index]
            image = page.render(scale=self.dpi / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
        except Exception as exc:  # noqa: BLE001 - third-party boundary
            raise ParseError(MSG_RENDER, f"render of page {index + 1} failed: {exc!r}") from exc
        try:
            done = subprocess.run(
                [self.command, "stdin", "stdout", "-l", self.language, "--psm", "3"],
                input=buffer.getvalue(),
                capture_output=True,
                # One thread per page: on a shared server Tesseract's OpenMP threads
                # fight each other and a page takes twice as long (bench/ingest.py --ocr).
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                timeout=_PAGE_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ParseError(MSG_NOTHING_READ, f"tesseract failed on page {index + 1}: {exc!r}") from exc
        if done.returncode != 0:
            log.warning("tesseract exit %s on page %d: %s", done.returncode, index + 1, done.stderr[-300:])
            return ""
        return done.stdout.decode("utf-8", errors="replace")


def vietnamese_share(text: str) -> tuple[float, int]:
    """(share of words that are Vietnamese syllables, number of words) — how readable OCR output is."""
    words = [w for w in _WORD_RE.findall(text) if len(w) > 1 or w.lower() in "aáàảãạoóòỏõọ"]
    if not words:
        return 0.0, 0
    good = sum(1 for w in words if is_vietnamese_syllable(w.lower()))
    return good / len(words), len(words)


def check_quality(text: str) -> None:
    """Refuse OCR output that is empty or mostly noise, so it never becomes an answer source."""
    share, words = vietnamese_share(text)
    if words < _MIN_WORDS:
        raise ParseError(MSG_NOTHING_READ, f"ocr produced {words} words")
    if share < MIN_VIETNAMESE_SHARE:
        raise ParseError(MSG_GARBAGE.format(share=round(100 * share)), f"ocr output {share:.0%} Vietnamese")
