"""Tables in text-layer PDFs, found by pdfplumber from the lines that draw them.

pypdf gives a table's cells as one run of words per printed line, with a
wrapped cell ("Thời gian hoàn / thành") spread over two lines: the columns
are lost. pdfplumber rebuilds the grid from the ruling lines and returns
cells, with None for the parts of a merged cell, which keeps every cell
under its header. We chose it over camelot (bench/pdf_tables.py compares
them on our own PDFs): the same cells on ruled tables, no OpenCV, pandas or
Ghostscript to install, and it already ships pypdfium2, which renders pages
for OCR. Borderless tables stay text: neither library reads them reliably.

Only pages whose content stream draws rules are opened with pdfplumber
(parse_pdf's pre-check), because pdfminer's layout analysis is the slow part.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pdfplumber

from knowledge.documents.tables import is_layout_text

Segment = tuple[str, list[str]]  # ("text", lines) or ("table", " | " rows)

# A "table" of one row or one column is a box around a paragraph, not a table.
_MIN_ROWS = 1
_MIN_COLUMNS = 2


def _row_text(row: Sequence[str | None]) -> str:
    return " | ".join(" ".join((cell or "").split()) for cell in row)


def table_pages(data: bytes, page_numbers: Sequence[int]) -> dict[int, list[Segment]]:
    """For each page (0-based) that holds a table: its text and tables in reading order.

    Pages without a table are left out, so the caller keeps pypdf's text for
    them. Any failure inside pdfplumber means "no tables": the text layer
    from pypdf is still there.
    """
    found: dict[int, list[Segment]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in page_numbers:
                if number >= len(pdf.pages):
                    continue
                segments = _page_segments(pdf.pages[number])
                if segments is not None:
                    found[number] = segments
    except Exception:  # noqa: BLE001 - third-party boundary: tables are a bonus over the text layer
        return {}
    return found


def _page_segments(page: pdfplumber.page.Page) -> list[Segment] | None:
    tables = [
        t
        for t in page.find_tables()
        if len(t.rows) >= _MIN_ROWS and max((len(r.cells) for r in t.rows), default=0) >= _MIN_COLUMNS
    ]
    if not tables:
        return None
    segments: list[Segment] = []
    top = 0.0
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        _, table_top, _, table_bottom = table.bbox
        if table_top > top:
            segments.append(("text", _text(page, top, table_top)))
        grid = table.extract()
        if is_layout_text("\n".join(cell or "" for row in grid for cell in row)):
            # The header or signature block drawn in a boxed table: its lines, column by column.
            columns = max((len(row) for row in grid), default=0)
            lines = [
                line
                for column in range(columns)
                for row in grid
                if column < len(row) and row[column]
                for line in str(row[column]).split("\n")
            ]
            segments.append(("text", lines))
        else:
            segments.append(("table", [_row_text(row) for row in grid if any(cell for cell in row)]))
        top = max(top, table_bottom)
    if top < page.height:
        segments.append(("text", _text(page, top, page.height)))
    return segments


def _text(page: pdfplumber.page.Page, top: float, bottom: float) -> list[str]:
    region = page.crop((0, max(0.0, top), page.width, min(page.height, bottom)), strict=False)
    return (region.extract_text() or "").split("\n")
