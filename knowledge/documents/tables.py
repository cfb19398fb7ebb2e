"""Tables read as tables: every row becomes a sentence that carries its column headers.

Parsers hand tables over as consecutive lines of cells separated by " | "
(docx tables, Markdown pipe tables, PDF tables found by pdfplumber); a txt
file may carry raw Markdown pipe rows. A row such as

    3 | Xây dựng Danh mục … | Bộ Khoa học và Công nghệ | 2025

means nothing as a run of cells. Under its header it becomes

    Nhiệm vụ: Xây dựng Danh mục …; Cơ quan chủ trì: Bộ Khoa học và Công nghệ; Thời gian hoàn thành: 2025.

which reads as a sentence in a snippet, is found by "Bộ Khoa học và Công
nghệ giao nhiệm vụ gì", and keeps each cell tied to its column for the
deadline reader (knowledge/deadlines/tables.py). Group rows ("I. Hoàn thiện
thể chế" spanning the table) are not tasks: they prefix the rows under them.

Pure functions; no format knowledge beyond the " | " convention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.text import fold

__all__ = ["Table", "TableRow", "is_layout_text", "read_tables", "rows_as_text"]

# What only an official document's header or closing block holds: a table
# holding these is layout (issuer | motto, Nơi nhận | signature), not data.
_LAYOUT_RE = re.compile(
    r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*[-–]\s*Tự do|Nơi nhận|^\s*Số\s*:|\b(?:KT|TM|T/M)\.",
    re.IGNORECASE | re.MULTILINE,
)

_SEPARATOR_CELL_RE = re.compile(r"^:?-{2,}:?$")
# Group rows: "I.", "II -", "A.", "Phần I", "Nhóm 1" opening the only filled cell.
_GROUP_RE = re.compile(r"^(?:[IVXLC]{1,6}|[A-Z]|Phần\s+\S+|Nhóm\s+\S+)\s*[.):\-–]\s*\S|^(?:[IVXLC]{1,6})\s+\S", re.UNICODE)
_ORDINAL_HEADERS = {"stt", "tt", "so tt", "so thu tu", "thu tu"}
# Column names that say a row is a header row, folded.
_HEADER_WORDS = (
    "nhiem vu",
    "noi dung",
    "co quan",
    "don vi",
    "thoi gian",
    "thoi han",
    "tien do",
    "san pham",
    "chu tri",
    "phoi hop",
    "ket qua",
    "ghi chu",
    "chi tieu",
)


@dataclass(frozen=True)
class TableRow:
    """One data row: its cells under their headers, the group it sits in, and its sentence."""

    headers: tuple[str, ...]
    cells: tuple[str, ...]
    group: str | None
    ordinal: str | None
    text: str


@dataclass(frozen=True)
class Table:
    """A table's header and its data rows, in order."""

    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]


def is_layout_text(text: str) -> bool:
    """Whether a table's text is the header or signature block laid out in a table."""
    return _LAYOUT_RE.search(text) is not None


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|") and line.endswith("|") and len(line) > 1:
        line = line[1:-1]
    return [" ".join(c.split()) for c in line.split("|")]


def _is_table_line(line: str) -> bool:
    return " | " in line or (line.startswith("|") and line.endswith("|") and line.count("|") >= 3)


def _is_separator(cells: Sequence[str]) -> bool:
    return all(_SEPARATOR_CELL_RE.match(c) or not c for c in cells) and any(cells)


def looks_like_header(cells: Sequence[str]) -> bool:
    """A header row names columns ("STT", "Nhiệm vụ", "Thời gian hoàn thành"), not tasks."""
    folded = [" ".join(fold(c).lower().split()) for c in dict.fromkeys(cells) if c]
    hits = sum(1 for c in folded if c in _ORDINAL_HEADERS or any(c.startswith(w) for w in _HEADER_WORDS))
    return hits >= 2 and 2 * hits >= len(folded)


def _is_ordinal_header(header: str) -> bool:
    return " ".join(fold(header).lower().replace(".", " ").split()) in _ORDINAL_HEADERS


def _group_label(cells: Sequence[str]) -> str | None:
    """The label of a group row: one filled cell (merged across the table), or a Roman numeral and a heading."""
    filled = [c for c in dict.fromkeys(cells) if c]
    if len(filled) == 1 and len(cells) > 1:
        return filled[0]
    if len(filled) == 2 and re.fullmatch(r"[IVXLC]{1,6}\.?|[A-Z]\.?", filled[0]):
        return f"{filled[0].rstrip('.')}. {filled[1]}"
    return None


def _sentence(headers: Sequence[str], cells: Sequence[str], group: str | None) -> str:
    parts = []
    for header, value in zip(headers, cells):
        if not value or _is_ordinal_header(header):
            continue
        parts.append(f"{header}: {value}" if header else value)
    body = "; ".join(parts)
    if group:
        body = f"{group.rstrip('.:')} — {body}"
    return body if body.endswith((".", "!", "?")) else body + "."


def read_tables(paragraph: str, previous_headers: tuple[str, ...] | None = None) -> Table | None:
    """Read one paragraph of " | " rows as a table; None when it is not one.

    ``previous_headers`` continues a table that ran over a page (PDF) and
    whose header was not repeated: rows with the same number of cells take
    the earlier header.
    """
    lines = [line for line in paragraph.split("\n") if line.strip()]
    if len(lines) < 2 and previous_headers is None:
        return None
    if not all(_is_table_line(line) for line in lines):
        return None
    grid = [_cells(line) for line in lines]
    grid = [cells for cells in grid if not _is_separator(cells)]
    if not grid:
        return None
    width = max(len(cells) for cells in grid)
    grid = [cells + [""] * (width - len(cells)) for cells in grid]
    if looks_like_header(grid[0]) or previous_headers is None or len(previous_headers) != width:
        headers = tuple(grid[0])
        data = grid[1:]
    else:
        headers = previous_headers
        data = grid
    rows: list[TableRow] = []
    group: str | None = None
    for cells in data:
        if tuple(cells) == headers:
            continue  # a header repeated on a new page
        label = _group_label(cells)
        if label is not None:
            group = label
            continue
        ordinal = next((c for h, c in zip(headers, cells) if _is_ordinal_header(h) and c), None)
        rows.append(TableRow(headers, tuple(cells), group, ordinal, _sentence(headers, cells, group)))
    return Table(headers, tuple(rows))


def rows_as_text(text: str) -> tuple[str, list[TableRow]]:
    """The text with every table replaced by its row sentences (one paragraph each), and the rows.

    A table whose header names no column we know still becomes sentences
    ("Cột A: …"); a block of " | " lines with one line only stays as it is.
    """
    out: list[str] = []
    rows: list[TableRow] = []
    previous: tuple[str, ...] | None = None
    for paragraph in _join_row_paragraphs(text.split("\n\n")):
        table = read_tables(paragraph, previous) if _is_table_line(paragraph.split("\n", 1)[0]) else None
        if table is None:
            out.append(paragraph)
            previous = None
            continue
        previous = table.headers
        rows.extend(table.rows)
        out.extend(row.text for row in table.rows)
    return "\n\n".join(out), rows


def _join_row_paragraphs(paragraphs: list[str]) -> list[str]:
    """Rows a plain-text parser put one per paragraph, back into one table paragraph.

    Only runs of the same number of cells join: a different width is another table.
    """
    joined: list[str] = []
    width: int | None = None
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        is_rows = all(_is_table_line(line) for line in lines)
        this_width = len(_cells(lines[0])) if is_rows else None
        if is_rows and joined and width is not None and (this_width == width or _is_separator(_cells(lines[0]))):
            joined[-1] += "\n" + paragraph
            continue
        joined.append(paragraph)
        width = this_width
    return joined
