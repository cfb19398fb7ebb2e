"""Bulk ingest of a folder: prepared on a pool of bounded workers, stored in order by this process alone.

What a user relies on: the base ends up exactly as adding the files one by one
would leave it (whatever the number of workers), results come back in the
folder's order, and a file that hits a limit or kills its worker fails alone,
with a Vietnamese reason, leaving no half-written document behind.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from knowledge.documents.bulk import BulkIngest
from knowledge.documents.worker import ParseLimits, ParsePool
from knowledge.library import Library
from tests.conftest import open_library

PROVINCES = ("Hải Dương", "Bắc Ninh", "Lào Cai", "Cần Thơ")


def plan_text(i: int) -> str:
    """Our own sentences with what ingest extracts: a province, a dated deadline, a quarter, a rank, a percentage."""
    province = PROVINCES[i % len(PROVINCES)]
    return (
        f"Kế hoạch chuyển đổi số tỉnh {province} năm 2025, bản số {i}\n\n"
        f"Sở Thông tin và Truyền thông chủ trì xây dựng kho dữ liệu dùng chung, hoàn thành trước ngày {i % 27 + 1}/6/2025. "
        f"Trong Quý III/2025, các huyện báo cáo kết quả số hóa hồ sơ về Ban Chỉ đạo.\n\n"
        f"Năm 2024, tỉnh {province} xếp thứ {i + 3}/63 về chỉ số chuyển đổi số; tỷ lệ hồ sơ trực tuyến toàn trình "
        f"đạt {40 + i},5%. Toàn tỉnh có {100 + i} tổ công nghệ số cộng đồng hướng dẫn người dân dùng dịch vụ số.\n"
    )


def write_folder(folder: Path, documents: int = 9) -> list[Path]:
    """Text, Markdown, HTML and .docx files, a duplicate, an empty file and a damaged .docx."""
    folder.mkdir()
    for i in range(documents):
        body = plan_text(i)
        if i % 3 == 0:
            (folder / f"{i:02d}.txt").write_text(body, encoding="utf-8")
        elif i % 3 == 1:
            (folder / f"{i:02d}.md").write_text(f"---\nsource: https://sotttt.example.vn/{i}\n---\n\n{body}", encoding="utf-8")
        else:
            paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            (folder / f"{i:02d}.html").write_text(
                f"<html><head><meta charset='utf-8'><title>Bản tin {i}</title></head><body><nav>Trang chủ</nav>"
                f"<article>{paragraphs}</article></body></html>",
                encoding="utf-8",
            )
    plan = docx.Document()
    for paragraph in plan_text(50).split("\n\n"):
        plan.add_paragraph(paragraph)
    buffer = io.BytesIO()
    plan.save(buffer)
    (folder / "50.docx").write_bytes(buffer.getvalue())
    (folder / "51-copy.txt").write_text(plan_text(0), encoding="utf-8")  # the same content as 00.txt
    (folder / "52-empty.txt").write_bytes(b"")
    (folder / "53-damaged.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return sorted(folder.iterdir())


def stored_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row that a user sees, ids replaced by positions (ids are not content)."""
    queries = {
        "documents": "SELECT title, source, published, provinces, content_hash, filename, added_by, number, doc_type, "
        "issuer, ocr FROM document ORDER BY id",
        "passages": "SELECT d.content_hash, p.position, p.text, p.tokens FROM passage p JOIN document d ON d.id = p.document_id "
        "ORDER BY d.id, p.position",
        "deadlines": "SELECT d.content_hash, p.position, x.due, x.precision, x.task, x.agency, x.provinces, x.quote, "
        "x.is_horizon, x.co_agencies, x.recurrence FROM deadline x JOIN document d ON d.id = x.document_id "
        "LEFT JOIN passage p ON p.id = x.passage_id ORDER BY d.id, x.id",
        "facts": "SELECT d.content_hash, p.position, f.province, f.indicator, f.value, f.of, f.unit, f.period, "
        "f.period_inferred, f.as_of, f.quote FROM indicatorfact f JOIN document d ON d.id = f.document_id "
        "JOIN passage p ON p.id = f.passage_id ORDER BY d.id, f.id",
    }
    with engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in queries.items()}


def test_bulk_ingest_stores_exactly_what_adding_files_one_by_one_stores(tmp_path: Path, empty_library: Library) -> None:
    files = write_folder(tmp_path / "docs")
    one_by_one = {f.name: empty_library.ingest_bytes(f.read_bytes(), f.name, added_by="cli") for f in files}
    (tmp_path / "bulk").mkdir()
    other = open_library(tmp_path / "bulk")
    try:
        results = list(BulkIngest(other, limits=ParseLimits(), jobs=2).run(files, added_by="cli"))
        assert [r.path.name for r in results] == [f.name for f in files]  # the folder's order
        assert {r.path.name: r.result.status for r in results} == {n: r.status for n, r in one_by_one.items()}
        assert {r.path.name: r.result.error for r in results} == {n: r.error for n, r in one_by_one.items()}
        stored = stored_rows(other.engine)
        assert stored == stored_rows(empty_library.engine)
        assert stored["deadlines"] and stored["facts"]  # the comparison covers every kind of row
        # Every added passage is searchable once the run is over.
        assert len(other.index) == len(empty_library.index) > 0
        assert other.ask("hai duong xep thu may ve chi so chuyen doi so").found
    finally:
        other.engine.dispose()


def long_text(sentences: int) -> str:
    return "".join(f"Sở Khoa học và Công nghệ tỉnh Vĩnh Phúc triển khai {i} nền tảng số. " for i in range(sentences))


def test_a_file_over_the_memory_limit_fails_alone_and_the_rest_come_back_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    paths = []
    for i, body in enumerate([plan_text(1), long_text(60_000), plan_text(2), plan_text(3)]):
        paths.append(folder / f"{i}.txt")
        paths[-1].write_text(body, encoding="utf-8")
    outcomes = list(ParsePool(ParseLimits(memory_mb=32), jobs=2).prepare_files(paths))
    assert [o.path for o in outcomes] == paths
    assert [o.prepared is not None for o in outcomes] == [True, False, True, True]
    assert outcomes[1].error is not None and "bộ nhớ" in outcomes[1].error.user_message


def test_a_file_over_the_time_limit_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    slow, quick = folder / "a-slow.txt", folder / "b-quick.txt"
    slow.write_text(long_text(40_000), encoding="utf-8")
    quick.write_text(plan_text(4), encoding="utf-8")
    outcomes = list(ParsePool(ParseLimits(seconds=1.5), jobs=1).prepare_files([slow, quick]))
    assert outcomes[0].error is not None and "giây" in outcomes[0].error.user_message
    assert outcomes[1].prepared is not None and "bản số 4" in outcomes[1].prepared.document.title


def test_a_file_that_cannot_be_read_is_reported_with_its_reason(tmp_path: Path) -> None:
    outcomes = list(ParsePool(ParseLimits(), jobs=1).prepare_files([tmp_path / "khong-co.txt"]))
    assert outcomes[0].read_error is not None and outcomes[0].prepared is None


def comparable(rows: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """Rows as text, booleans as 0/1: SQLite hands back dates as text and booleans as integers."""

    def value(v: object) -> object:
        return None if v is None else str(int(v)) if isinstance(v, bool) else str(v)

    return {name: [tuple(value(v) for v in row) for row in table] for name, table in rows.items()}


def test_bulk_ingest_into_postgresql_stores_what_sqlite_one_by_one_stores(
    tmp_path: Path, empty_library: Library, postgres_engine: Engine
) -> None:
    files = write_folder(tmp_path / "docs")
    for f in files:
        empty_library.ingest_bytes(f.read_bytes(), f.name, added_by="cli")
    postgres = Library(postgres_engine)
    results = list(BulkIngest(postgres, limits=ParseLimits(), jobs=2).run(files, added_by="cli"))
    assert [r.result.status for r in results].count("added") == 10
    assert comparable(stored_rows(postgres_engine)) == comparable(stored_rows(empty_library.engine))
