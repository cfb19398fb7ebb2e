"""Word documents (.docx): body paragraphs and tables, in reading order.

A .docx is a zip archive, and zip archives are the classic way to hand a
server a few kilobytes that expand to gigabytes. The archive is inspected
with zipfile before python-docx is allowed to open anything.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from knowledge.documents.parsers.encodings import LEGACY_CONVERTERS, repair_legacy_text
from knowledge.documents.parsers.errors import ParseError
from knowledge.documents.parsers.parsed_text import (
    ParsedText,
    clean_line,
    clean_text,
    join_paragraphs,
)
from knowledge.documents.tables import is_layout_text, looks_like_header

MSG_CORRUPT = (
    "Tệp Word (.docx) bị hỏng hoặc không đúng định dạng. Hãy mở tệp bằng Word, "
    "lưu lại dưới dạng .docx rồi tải lên lại."
)
MSG_OLD_WORD = (
    "Tệp này là định dạng Word cũ (.doc) hoặc đã được đặt mật khẩu. Hãy mở bằng Word, "
    "bỏ mật khẩu (nếu có) và lưu lại dưới dạng .docx rồi tải lên lại."
)
MSG_BOMB = (
    "Tệp .docx có kích thước giải nén bất thường (giải nén ra hơn 64 MB hoặc nén quá mức, "
    "có thể là tệp độc hại), hệ thống từ chối xử lý."
)
MSG_NO_TEXT = "Tệp Word không có nội dung văn bản (có thể chỉ chứa hình ảnh)."

# What all members may inflate to together. python-docx holds the XML as an lxml tree,
# about ten times its size, so this keeps a parse well inside the worker's memory limit;
# real documents, pictures included, stay far below it.
_MAX_UNCOMPRESSED = 64 * 1024 * 1024
_MAX_RATIO = 100
# Small members compress extremely well when they are repetitive XML; the
# ratio only matters once a member is big enough to hurt.
_RATIO_APPLIES_FROM = 10 * 1024 * 1024
_CHUNK = 1024 * 1024
_MAX_MEMBERS = 10_000
# Encrypted Office files and Word 97-2003 files are OLE2 compound files.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Word puts "Microsoft Word - name.doc" into the title of converted files.
_JUNK_TITLE_PREFIX = "Microsoft Word - "


def _check_archive(data: bytes) -> None:
    """Reject what is not a Word zip, or would expand to far more than it weighs."""
    if data.startswith(_OLE2_MAGIC):
        raise ParseError(MSG_OLD_WORD, "OLE2 compound file: .doc or encrypted .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    # zipfile reports damaged central directories through several types.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise ParseError(MSG_CORRUPT, f"not a readable zip archive: {exc!r}") from exc
    if len(members) > _MAX_MEMBERS:
        raise ParseError(MSG_BOMB, f"zip has {len(members)} members")
    if not any(member.filename == "word/document.xml" for member in members):
        raise ParseError(MSG_CORRUPT, "zip archive has no word/document.xml")
    _check_inflated(data)


def _check_inflated(data: bytes) -> None:
    """Inflate every member, counting the bytes that actually come out; stop at the first excess.

    Declared sizes in a zip are whatever the sender wrote (a 203-byte "document.xml" can
    inflate to a gigabyte), so only the inflated stream is trusted: read in chunks with
    a running total over the whole archive, never holding more than one chunk.
    """
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                inflated = 0
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        total += len(chunk)
                        if total > _MAX_UNCOMPRESSED:
                            raise ParseError(
                                MSG_BOMB,
                                f"zip inflates to more than {_MAX_UNCOMPRESSED} bytes (at {member.filename!r})",
                            )
                if inflated >= _RATIO_APPLIES_FROM and inflated / max(member.compress_size, 1) > _MAX_RATIO:
                    ratio = inflated / max(member.compress_size, 1)
                    raise ParseError(MSG_BOMB, f"member {member.filename!r} has compression ratio {ratio:.0f}")
    except ParseError:
        raise
    # A member whose data does not match its header (bad CRC, truncated or invalid deflate stream) is damaged.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        RuntimeError,  # zipfile's "File is encrypted": a flag bit flipped in a damaged header
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise ParseError(MSG_CORRUPT, f"zip member cannot be inflated: {exc!r}") from exc


def _table_rows(table: Table) -> list[str]:
    rows: list[str] = []
    # A task table keeps one cell per grid column, so every cell stays under
    # its header (tables.py); elsewhere a merged cell appears once.
    aligned = bool(table.rows) and looks_like_header([" ".join(c.text.split()) for c in table.rows[0].cells])
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # python-docx yields a horizontally merged cell (the same object)
            # once per grid column it spans.
            if cell is previous:
                if aligned:
                    cells.append("")
                continue
            previous = cell
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _is_layout_table(table: Table) -> bool:
    """The header or signature block laid out in a borderless table: lines, not rows."""
    text = " ".join(cell.text for row in table.rows for cell in row.cells)
    return is_layout_text(text)


def _layout_lines(table: Table) -> str:
    """A layout table's cells column by column, one printed line per line."""
    lines: list[str] = []
    seen: set[int] = set()
    columns = max((len(row.cells) for row in table.rows), default=0)
    for column in range(columns):
        for row in table.rows:
            if column >= len(row.cells):
                continue
            cell = row.cells[column]
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            lines.extend(" ".join(p.text.split()) for p in cell.paragraphs if p.text.strip())
    return "\n\n".join(lines)


def _body_paragraphs(document: WordDocument) -> list[str]:
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs.append(block.text)
        elif isinstance(block, Table):
            if _is_layout_table(block):
                paragraphs.append(_layout_lines(block))
            else:
                paragraphs.append("\n".join(_table_rows(block)))
    return paragraphs


def parse_docx(data: bytes) -> ParsedText:
    """Extract paragraphs and tables (rows as lines, cells joined by " | ")."""
    _check_archive(data)
    # python-docx, lxml and zipfile raise many exception types on damaged
    # parts (KeyError for missing relationships, XMLSyntaxError, ValueError for
    # a wrong content type...); all mean the same thing to the admin.
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = _body_paragraphs(document)
        properties = document.core_properties
        title, author = properties.title, properties.author
    except Exception as exc:  # noqa: BLE001 - third-party boundary, see above
        raise ParseError(MSG_CORRUPT, f"python-docx failed: {exc!r}") from exc

    text = join_paragraphs(paragraphs)
    if not text:
        raise ParseError(MSG_NO_TEXT, "docx body has no text")
    title = clean_line(title)
    if title is not None and title.startswith(_JUNK_TITLE_PREFIX):
        title = None
    # Documents typed in .VnTime or VNI fonts keep those codes inside the
    # .docx; only the font made them look Vietnamese.
    encoding = None
    repaired = repair_legacy_text(text)
    if repaired is not None:
        text, encoding = clean_text(repaired[0]), repaired[1]
        title = clean_line(LEGACY_CONVERTERS[encoding](title)) if title else None
    meta: dict[str, str] = {}
    author = clean_line(author)
    if author is not None:
        meta["author"] = author
    return ParsedText(text=text, title=title, meta=meta, encoding=encoding)
