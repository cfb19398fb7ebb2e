"""PDF documents: the text layer, re-flowed into paragraphs.

A PDF stores positioned lines, not paragraphs: pypdf gives one line per
printed line, a page number in the middle of the text, and words hyphenated
across lines. Scanned documents, common for signed official letters, have no
text at all and need OCR before we can use them.
"""

from __future__ import annotations

import io
import re

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from knowledge.documents.parsers.encodings import LEGACY_CONVERTERS, repair_legacy_text
from knowledge.documents.parsers.errors import NoTextLayerError, ParseError
from knowledge.documents.parsers.parsed_text import (
    SENTENCE_END,
    ParsedText,
    clean_line,
    clean_text,
    join_paragraphs,
    starts_block,
)
from knowledge.documents.parsers.pdf_tables import table_pages

MSG_CORRUPT = "Tệp PDF bị hỏng hoặc không đúng định dạng, không đọc được."
MSG_ENCRYPTED = (
    "Tệp PDF được đặt mật khẩu. Hãy gỡ mật khẩu (hoặc in ra một tệp PDF mới) "
    "rồi tải lên lại."
)
MSG_NO_TEXT_LAYER = (
    "Tệp PDF không có lớp văn bản (có thể là bản scan hoặc ảnh chụp) nên không đọc "
    "được chữ; cần bản có lớp văn bản (OCR). Hãy xuất lại PDF từ Word, hoặc nhận "
    "dạng chữ (OCR) trước khi tải lên."
)

# Scanned pages yield nothing or a few stray characters (a stamp, a page
# number); a real text page has hundreds.
_MIN_CHARS_PER_PAGE = 20
# "3", "- 3 -", "Trang 3", "3/10" alone on the first or last line of a page.
_PAGE_NUMBER_RE = re.compile(r"(?:trang\s+)?-?\s*\d{1,3}\s*(?:/\s*\d{1,3})?\s*-?", re.IGNORECASE)
_JUNK_TITLES = ("Microsoft Word - ", "untitled", "Untitled")


def _open(data: bytes) -> tuple[list[str], str | None, str | None]:
    """Page texts, title and author, or ParseError for damaged and locked files."""
    pages, title, author, _ = _open_with_rules(data)
    return pages, title, author


def _open_with_rules(data: bytes) -> tuple[list[str], str | None, str | None, list[bool]]:
    """As _open, plus for each page whether it draws enough lines or boxes to hold a table."""
    # pypdf raises a wide range of exception types (PdfReadError, KeyError,
    # ValueError, RecursionError, zlib.error...) on damaged files; to the
    # admin they all mean "this PDF cannot be read".
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many "protected" PDFs only restrict printing and open with an
            # empty user password.
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ParseError(MSG_ENCRYPTED, "pdf needs a user password")
        pages = [page.extract_text() or "" for page in reader.pages]
        ruled = [_draws_rules(page) for page in reader.pages]
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
        author = metadata.author if metadata is not None else None
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party boundary, see above
        # AES-encrypted files need the optional "cryptography" package even
        # for an empty password; pypdf says so with a DependencyError.
        locked = isinstance(exc, (FileNotDecryptedError, DependencyError))
        message = MSG_ENCRYPTED if locked else MSG_CORRUPT
        raise ParseError(message, f"pypdf failed: {exc!r}") from exc
    return (
        pages,
        title if isinstance(title, str) else None,
        author if isinstance(author, str) else None,
        ruled,
    )


# A table's borders are drawn as rectangles ("x y w h re") or lines ("x y l").
_RULE_OP_RE = re.compile(rb"[\d.]\s+(?:re|l)\b")
_MIN_RULES = 3


def _draws_rules(page: object) -> bool:
    """Cheap pre-check on the content stream, so only pages that draw borders pay for table finding."""
    try:
        contents = page.get_contents()  # type: ignore[attr-defined]
        data = contents.get_data() if contents is not None else b""
    except Exception:  # noqa: BLE001 - a page we cannot inspect simply gets no table reading
        return False
    return len(_RULE_OP_RE.findall(data, 0, 2_000_000)) >= _MIN_RULES


def _drop_page_numbers(lines: list[str]) -> list[str]:
    while lines and _PAGE_NUMBER_RE.fullmatch(lines[-1]):
        lines = lines[:-1]
    while lines and _PAGE_NUMBER_RE.fullmatch(lines[0]):
        lines = lines[1:]
    return lines


def _typical_width(pages: list[list[str]]) -> int:
    lengths = sorted(len(line) for lines in pages for line in lines if line)
    if not lengths:
        return 0
    return lengths[int(0.8 * (len(lengths) - 1))]


def _ends_paragraph(line: str, following: str, width: int) -> bool:
    """Whether the break after line is a paragraph break rather than a wrap.

    Inside a paragraph every line but the last runs close to the full width,
    so a short line ends its paragraph unless the next one visibly continues
    the sentence (starts in lowercase).
    """
    if not following or starts_block(following):
        return True
    # Headings ("QUY ĐỊNH CHUNG", "CHƯƠNG II") stand alone.
    if line.isupper() or following.isupper():
        return True
    short = len(line) < 0.75 * width
    return short and (line.endswith(SENTENCE_END) or not following[:1].islower())


def _is_ascii_lower(char: str) -> bool:
    return "a" <= char <= "z"


def _join_wrapped(line: str, following: str) -> str:
    if line.endswith("-") and len(line) > 1 and line[-2].isalnum():
        # Only an ASCII word cut in two loses its hyphen ("infor-mation");
        # Vietnamese syllables are never split, so a hyphen there is a real
        # one ("2021-2025", "Bà Rịa-Vũng Tàu") and stays.
        if _is_ascii_lower(line[-2]) and _is_ascii_lower(following[:1]):
            return line[:-1] + following
        return line + following
    return f"{line} {following}"


def _page_paragraphs(lines: list[str], width: int) -> list[str]:
    paragraphs: list[str] = []
    current = ""
    for line, following in zip(lines, [*lines[1:], ""]):
        if not line:
            # pypdf leaves a blank line where the page had a visible gap.
            paragraphs.append(current)
            current = ""
            continue
        current = _join_wrapped(current, line) if current else line
        if _ends_paragraph(line, following, width):
            paragraphs.append(current)
            current = ""
    paragraphs.append(current)
    return [p for p in paragraphs if p]


def parse_pdf(data: bytes) -> ParsedText:
    """Extract the text layer, one blank line between pages and paragraphs; tables as " | " rows."""
    raw_pages, title, author, ruled = _open_with_rules(data)
    if not raw_pages:
        raise ParseError(MSG_CORRUPT, "pdf has no pages")
    visible = sum(len("".join(page.split())) for page in raw_pages)
    if visible < _MIN_CHARS_PER_PAGE * len(raw_pages):
        raise NoTextLayerError(MSG_NO_TEXT_LAYER, f"{visible} characters on {len(raw_pages)} pages")

    tables = table_pages(data, [i for i, flag in enumerate(ruled) if flag]) if any(ruled) else {}
    pages = [_drop_page_numbers(clean_text(page).split("\n")) for page in raw_pages]
    width = _typical_width(pages)
    paragraphs: list[str] = []
    for index, lines in enumerate(pages):
        if index not in tables:
            paragraphs.extend(_page_paragraphs(lines, width))
            continue
        for kind, content in tables[index]:
            if kind == "table":
                paragraphs.append("\n".join(content))
            else:
                paragraphs.extend(_page_paragraphs(_drop_page_numbers(clean_text("\n".join(content)).split("\n")), width))
    text = join_paragraphs(paragraphs)
    if not text:
        raise NoTextLayerError(MSG_NO_TEXT_LAYER, "only page numbers in the text layer")

    encoding = None
    # PDFs printed from .VnTime/VNI documents embed the legacy codes as text.
    repaired = repair_legacy_text(text)
    if repaired is not None:
        text, encoding = clean_text(repaired[0]), repaired[1]
    title = clean_line(title)
    if title is not None and title.startswith(_JUNK_TITLES):
        title = None
    if title is not None and encoding is not None:
        title = clean_line(LEGACY_CONVERTERS[encoding](title))
    meta: dict[str, str] = {}
    author = clean_line(author)
    if author is not None:
        meta["author"] = author
    return ParsedText(text=text, title=title, meta=meta, encoding=encoding)
