"""Deadlines from task tables (issue 8): the time column gives the due date and its precision."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.deadlines.recurring import list_recurring
from knowledge.deadlines.tables import read_time_cell, table_deadlines
from knowledge.documents.tables import rows_as_text
from knowledge.library import Library
from tests.knowledge.documents.official_samples import RESOLUTION_MD, plan_docx


@pytest.mark.parametrize(
    ("cell", "due", "precision"),
    [
        ("30/9/2026", date(2026, 9, 30), "day"),
        ("Trước 15/11/2026", date(2026, 11, 15), "day"),
        ("ngày 30 tháng 9 năm 2026", date(2026, 9, 30), "day"),
        ("6/2025", date(2025, 6, 30), "month"),
        ("Tháng 10/2025", date(2025, 10, 31), "month"),
        ("Tháng 6-9/2025", date(2025, 9, 30), "month"),
        ("Quý II/2025", date(2025, 6, 30), "quarter"),
        ("Quý 4 năm 2025", date(2025, 12, 31), "quarter"),
        ("Quý I-II/2025", date(2025, 6, 30), "quarter"),
        ("2025", date(2025, 12, 31), "year"),
        ("Năm 2025", date(2025, 12, 31), "year"),
        ("2025-2026", date(2026, 12, 31), "year"),
    ],
)
def test_time_cell_gives_due_date_and_precision(cell: str, due: date, precision: str) -> None:
    reading = read_time_cell(cell)
    assert reading is not None and (reading.due, reading.precision) == (due, precision)


@pytest.mark.parametrize(
    ("cell", "recurrence"),
    [("Thường xuyên", "continuous"), ("Hằng năm", "yearly"), ("Hàng quý", "quarterly"), ("hang thang", "monthly")],
)
def test_recurring_cells_are_recurrences_not_dates(cell: str, recurrence: str) -> None:
    reading = read_time_cell(cell)
    assert reading is not None and reading.recurrence == recurrence and reading.due is None


@pytest.mark.parametrize("cell", ["Sau khi có hướng dẫn của Bộ", "Theo tiến độ dự án", "13/2025/5"])
def test_free_text_time_cell_is_not_read(cell: str) -> None:
    assert read_time_cell(cell) is None


def test_rows_of_a_plan_become_deadlines_with_agency_and_co_agencies(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    one_off = {d.task: d for d in result.deadlines if d.recurrence is None}
    training = one_off["Tập huấn kỹ năng số cho công chức cấp xã"]
    assert (training.due, training.precision, training.agency) == (date(2026, 10, 31), "month", "Sở Nội vụ")
    assert training.co_agencies == "Ủy ban nhân dân cấp xã"
    network = one_off["Phủ sóng mạng di động thế hệ mới tới mọi thôn"]
    assert (network.due, network.precision, network.agency) == (date(2026, 9, 30), "quarter", "Sở Khoa học và Công nghệ")
    security = one_off["Bồi dưỡng cán bộ chuyên trách an toàn thông tin"]
    assert (security.due, security.precision) == (date(2026, 11, 15), "day")
    assert one_off["Xây dựng kho dữ liệu mở của tỉnh"].due == date(2027, 12, 31)
    assert security.passage_id is not None


def test_recurring_rows_are_kept_apart_and_not_listed_as_deadlines(empty_library: Library) -> None:
    from knowledge.deadlines.queries import list_deadlines

    empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    recurring = list_recurring(empty_library.engine, empty_library.gazetteer)
    assert {(t.task, t.recurrence) for t in recurring} == {
        ("Rà soát và cập nhật kế hoạch năm", "continuous"),
        ("Báo cáo tiến độ chuyển đổi số", "quarterly"),
    }
    listed = list_deadlines(empty_library.engine, empty_library.gazetteer, today=date(2026, 1, 1))
    assert all(v.task not in {t.task for t in recurring} for v in listed)
    assert len(listed) == 5


def test_free_text_time_cell_is_reported_and_makes_no_deadline(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    assert any("Sau khi có hướng dẫn của Bộ" in w and "dòng 8" in w for w in result.warnings)
    assert "Chuẩn hóa quy trình tiếp nhận hồ sơ" not in {d.task for d in result.deadlines}


def test_time_in_another_column_is_reported_not_guessed() -> None:
    text = (
        "| TT | Nhiệm vụ | Cơ quan chủ trì | Sản phẩm | Thời hạn |\n"
        "| 1 | Lập bản đồ số | Sở Xây dựng | Quý III/2026 | |\n"
        "| 2 | Mở cổng dữ liệu | Sở Tài chính | Cổng dữ liệu | 2026 |"
    )
    _, rows = rows_as_text(text)
    reading = table_deadlines(rows, date(2026, 1, 5))
    assert [d.task for d in reading.deadlines] == ["Mở cổng dữ liệu"]
    assert len(reading.warnings) == 1 and "«Quý III/2026» nằm ở cột «Sản phẩm»" in reading.warnings[0]


def test_resolution_appendix_rows_with_recurring_and_dated_tasks(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    table_rows = {d.task: d for d in result.deadlines if d.co_agencies or d.recurrence}
    assert table_rows["Xây dựng Danh mục công nghệ chiến lược"].due == date(2025, 12, 31)
    assert table_rows["Đưa Trung tâm dữ liệu quốc gia vào vận hành"].precision == "quarter"
    assert table_rows["Theo dõi, đôn đốc thực hiện"].recurrence == "yearly"
    # The prose deadline outside the table is still found, once.
    prose = [d for d in result.deadlines if d.due == date(2025, 6, 30) and d.agency == "Bộ Tài chính"]
    assert len(prose) == 1


def test_table_without_time_column_sets_no_deadline_and_breaks_nothing() -> None:
    _, rows = rows_as_text("| Đơn vị | Nội dung |\n| Sở Y tế | Bệnh án điện tử |")
    assert table_deadlines(rows, None).deadlines == [] and table_deadlines(rows, None).warnings == []
