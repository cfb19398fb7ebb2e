"""Which library reads task tables out of text-layer PDFs: pdfplumber, camelot, or pypdf alone?

Builds its own PDFs with fpdf2 (DejaVu Sans, Vietnamese task tables: plain
ruled, wrapped cells, a merged group row, a table over two pages, and a
borderless one), extracts the tables with each candidate and scores the
share of ground-truth cells read exactly (after whitespace folding), plus
the time per PDF. camelot is optional (it needs OpenCV and pandas):

    python bench/pdf_tables.py            # candidates importable here
    /tmp/cmpvenv/bin/python bench/pdf_tables.py   # a venv with camelot-py too
"""

from __future__ import annotations

import io
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HEADER = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
ROWS = [
    ["1", "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Khoa học và Công nghệ", "Sở Tài chính", "30/9/2026"],
    ["2", "Tập huấn kỹ năng số cho cán bộ cấp xã, phường và thị trấn trên địa bàn", "Sở Nội vụ",
     "Ủy ban nhân dân cấp xã", "Quý III/2026"],
    ["3", "Số hóa hồ sơ đất đai", "Sở Nông nghiệp và Môi trường", "Văn phòng đăng ký đất đai", "Tháng 10/2026"],
    ["4", "Triển khai chữ ký số cho công chức", "Sở Khoa học và Công nghệ", "Các sở, ngành", "2026"],
    ["5", "Báo cáo tiến độ chuyển đổi số", "Văn phòng UBND tỉnh", "Các sở, ngành", "Hằng quý"],
]

Grid = list[list[str]]


def _norm(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _pdf(rows: Grid, *, borders: bool = True, group_row: bool = False, split_after: int | None = None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=9)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Ủy ban nhân dân tỉnh giao các cơ quan thực hiện các nhiệm vụ sau.", new_x="LMARGIN", new_y="NEXT")
    widths = (8, 62, 40, 40, 30)
    layout = "ALL" if borders else "NONE"
    first = rows[:split_after] if split_after else rows
    with pdf.table(col_widths=widths, borders_layout=layout, first_row_as_headings=True) as table:
        for values in [HEADER, *first]:
            row = table.row()
            if group_row and values is first[0]:
                row.cell("I")
                row.cell("HẠ TẦNG SỐ", colspan=4)
                row = table.row()
            for value in values:
                row.cell(value)
    if split_after:
        pdf.add_page()
        with pdf.table(col_widths=widths, borders_layout=layout, first_row_as_headings=False) as table:
            for values in rows[split_after:]:
                row = table.row()
                for value in values:
                    row.cell(value)
    return bytes(pdf.output())


CASES: dict[str, tuple[bytes, Grid]] = {
    "ruled": (_pdf(ROWS), ROWS),
    "merged group row": (_pdf(ROWS, group_row=True), ROWS),
    "over two pages": (_pdf(ROWS, split_after=3), ROWS),
    "borderless": (_pdf(ROWS, borders=False), ROWS),
}


def with_pdfplumber(data: bytes) -> Grid:
    import pdfplumber

    grid: Grid = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                grid += [[_norm(c) for c in row] for row in table]
    return grid


def _camelot(flavor: str) -> Callable[[bytes], Grid]:
    def read(data: bytes) -> Grid:
        import camelot

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            tables = camelot.read_pdf(handle.name, pages="all", flavor=flavor)
            return [[_norm(c) for c in row] for t in tables for row in t.df.values.tolist()]

    return read


def with_pypdf_layout(data: bytes) -> Grid:
    """The heuristic we would write ourselves: layout-mode text, cells split at runs of spaces."""
    from pypdf import PdfReader

    grid: Grid = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for line in page.extract_text(extraction_mode="layout").split("\n"):
            cells = [c for c in re.split(r"\s{2,}", line.strip()) if c]
            if len(cells) >= 3:
                grid.append(cells)
    return grid


def score(found: Grid, truth: Grid) -> float:
    """Share of ground-truth rows found with every cell right (ignoring extra rows and columns)."""
    rows = {tuple(c for c in row if c) for row in found}
    return sum(tuple(row) in rows for row in truth) / len(truth)


def main() -> None:
    candidates: dict[str, Callable[[bytes], Grid]] = {"pdfplumber": with_pdfplumber, "pypdf layout": with_pypdf_layout}
    try:
        import camelot  # noqa: F401

        candidates["camelot lattice"] = _camelot("lattice")
        candidates["camelot stream"] = _camelot("stream")
    except ImportError:
        print("camelot not installed here: skipped")
    Path(FONT).exists() or print(f"missing {FONT}: apt-get install fonts-dejavu-core")
    print(f"{'candidate':<18}" + "".join(f"{name:>18}" for name in CASES) + f"{'ms/pdf':>10}")
    for name, read in candidates.items():
        scores, times = [], []
        for data, truth in CASES.values():
            start = time.perf_counter()
            try:
                grid = read(data)
            except Exception as exc:  # noqa: BLE001 - a bench reports failures, it does not stop on them
                print(f"{name}: {exc!r}")
                grid = []
            times.append(time.perf_counter() - start)
            scores.append(score(grid, truth))
        print(f"{name:<18}" + "".join(f"{s:>18.0%}" for s in scores) + f"{1000 * statistics.median(times):>10.0f}")


if __name__ == "__main__":
    main()
