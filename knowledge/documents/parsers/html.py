"""Saved web pages (.html, .htm): the article, not the portal around it.

Provincial portals wrap every article in menus, "tin liên quan" lists,
comment boxes and footers that would otherwise be indexed as if they were
part of each document. trafilatura finds the article; we only decode the
bytes for it and decide what counts as "no article here".
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import trafilatura
from trafilatura.settings import Document

from knowledge.documents.parsers.encodings import (
    LEGACY_CONVERTERS,
    decode_text,
    decode_unicode,
    repair_legacy_text,
)
from knowledge.documents.parsers.errors import ParseError
from knowledge.documents.parsers.parsed_text import (
    ParsedText,
    clean_line,
    clean_text,
    join_paragraphs,
)

MSG_NO_MAIN_TEXT = (
    "Không tìm thấy nội dung chính trong trang web. Hãy lưu trang của chính bài viết "
    "(không phải trang chủ hay trang danh mục), hoặc sao chép nội dung bài vào tệp .txt."
)

_DECLARED_CHARSET_RE = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?|<\?xml[^>]{0,100}?encoding\s*=\s*["'])"""
    rb"""\s*([A-Za-z0-9_.:\-]{1,40})""",
    re.IGNORECASE,
)
# A page declaring a Western charset is often really Windows-1258 or a
# legacy Vietnamese font encoding, so for these the declaration is only a
# fallback after our own detection.
_WESTERN_CODECS = frozenset({"ascii", "cp1252", "iso8859-1"})

# Comment threads and visitor counters that trafilatura's recall mode keeps.
_PRUNE_XPATH = (
    "//*[contains(@class,'comment') or contains(@id,'comment') or contains(@class,'binh-luan')]",
    "//*[contains(@class,'counter') or contains(@class,'visitor')"
    " or contains(@class,'luot-truy-cap')]",
)
# A deadline inside the article ("trước ngày 30/6/2023") is not the
# publication date; only dates in the page's markup are trusted.
_DATE_PARAMS: Mapping[str, bool] = MappingProxyType(
    {"extensive_search": False, "original_date": True}
)


def _declared_codec(data: bytes) -> str | None:
    match = _DECLARED_CHARSET_RE.search(data[:4096])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def _decode_with(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    # Exotic declared "charsets" (idna, punycode, rot13) fail in various ways.
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode a page: BOM or valid UTF-8 first, then the declared charset.

    Valid UTF-8 wins over a declaration because pages saved from a browser
    are re-encoded as UTF-8 but often keep their original meta tag.
    """
    decoded = decode_unicode(data)
    if decoded is not None:
        return decoded
    declared = _declared_codec(data)
    if declared is not None and declared not in _WESTERN_CODECS:
        text = _decode_with(data, declared)
        if text is not None:
            return text, declared
    try:
        return decode_text(data)
    except ParseError:
        text = _decode_with(data, declared) if declared is not None else None
        if text is None:
            raise
        return text, declared


def _extract(markup: str, *, metadata: bool = True, **options: Any) -> Document | None:
    # trafilatura and its dependencies (lxml, htmldate, justext) were written
    # for well-formed pages; on arbitrary bytes they raise assorted internal
    # exceptions, and an upload must never crash the bot, so everything
    # becomes "no main text".
    try:
        return trafilatura.bare_extraction(
            markup,
            include_comments=False,
            include_tables=True,
            with_metadata=metadata,
            date_extraction_params=dict(_DATE_PARAMS),
            **options,
        )
    except Exception as exc:  # noqa: BLE001 - third-party boundary, see above
        raise ParseError(MSG_NO_MAIN_TEXT, f"trafilatura failed: {exc!r}") from exc


def _paragraphs(document: Document | None) -> list[str]:
    """trafilatura's lines as paragraphs, a table's rows kept together."""
    text = getattr(document, "text", None) or ""
    paragraphs: list[str] = []
    table: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            # The "|---|---|" separator row carries no words.
            if not set(stripped) <= set("|-: "):
                table.append(" | ".join(cell.strip() for cell in stripped[1:-1].split("|")))
            continue
        if table:
            paragraphs.append("\n".join(table))
            table = []
        if stripped:
            paragraphs.append(stripped)
    if table:
        paragraphs.append("\n".join(table))
    return paragraphs


def parse_html(data: bytes) -> ParsedText:
    """Extract the main article of a saved web page with its metadata.

    Two passes, measured on Vietnamese portal pages: precision mode decides
    whether there is an article at all (recall mode happily returns a bare
    menu as "content"), recall mode supplies the text (precision mode drops
    the bold lead paragraph that most Vietnamese news articles start with).
    """
    markup, encoding = decode_html(data)
    strict = _extract(markup, favor_precision=True)
    if not _paragraphs(strict):
        raise ParseError(MSG_NO_MAIN_TEXT, "trafilatura found no main text in precision mode")
    # Only the text of this pass is read: its metadata (htmldate's date search above all) would be
    # a second copy of the first pass's. Reading metadata works on copies and never changes the text.
    generous = _extract(markup, metadata=False, favor_recall=True, prune_xpath=list(_PRUNE_XPATH))
    text = join_paragraphs(_paragraphs(generous) or _paragraphs(strict))
    title = clean_line(getattr(strict, "title", None))

    # Old portals set Vietnamese in .VnTime/VNI fonts over a Latin-1 page.
    repaired = repair_legacy_text(text)
    if repaired is not None:
        text, encoding = clean_text(repaired[0]), repaired[1]
        if title is not None:
            title = clean_line(LEGACY_CONVERTERS[encoding](title))
    if not text:
        raise ParseError(MSG_NO_MAIN_TEXT, "main text is empty after clean-up")

    meta: dict[str, str] = {}
    for key, value in (
        ("source", getattr(strict, "url", None) or getattr(strict, "sitename", None)),
        ("published", getattr(strict, "date", None)),
        ("author", getattr(strict, "author", None)),
    ):
        if (cleaned := clean_line(value)) is not None:
            meta[key] = cleaned
    return ParsedText(text=text, title=title, meta=meta, encoding=encoding)
