"""Official documents (issue 8): the header read into fields, tables read as tables, numbers searchable."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.documents.header import read_header
from knowledge.documents.parsers import parse_document
from knowledge.documents.tables import rows_as_text
from knowledge.library import Library
from tests.knowledge.documents.official_samples import (
    CITING_NEWS_MD,
    OFFICIAL_LETTER_TXT,
    PLAN_NUMBER,
    PLAN_SUBJECT,
    RESOLUTION_MD,
    plan_docx,
)

# ------------------------------------------------------------------ header


def test_docx_plan_header_gives_type_number_issuer_date_and_title(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    assert result.status == "added"
    assert (result.doc_type, result.number) == ("Kế hoạch", PLAN_NUMBER)
    assert result.issuer == "ỦY BAN NHÂN DÂN TỈNH BẮC NINH"
    assert result.published == date(2026, 3, 12)
    assert result.title == f"Kế hoạch {PLAN_NUMBER}: {PLAN_SUBJECT}"


def test_motto_issuer_recipients_and_signature_never_become_passages(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    assert result.document_id is not None
    _, passages = empty_library.document(result.document_id)
    text = "\n".join(p.text for p in passages)
    for printed in ("CỘNG HÒA XÃ HỘI", "Độc lập - Tự do", "Số: 215", "Nơi nhận", "KT. CHỦ TỊCH", "Lê Văn Hòa",
                    "Bắc Ninh, ngày 12 tháng 3"):
        assert printed not in text


def test_resolution_place_of_signing_is_not_its_province(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    assert result.title == "Nghị quyết 03/NQ-CP: Ban hành Chương trình hành động về phát triển dữ liệu số quốc gia"
    assert result.published == date(2025, 1, 9)
    assert result.issuer == "CHÍNH PHỦ"
    assert "Hà Nội" not in result.provinces


def test_cong_van_subject_comes_from_the_vv_line() -> None:
    header = read_header(parse_document(OFFICIAL_LETTER_TXT.encode(), "cv.txt").text)
    assert header is not None
    assert (header.doc_type, header.number) == ("Công văn", "402-CV/VPTU")
    assert header.subject == "Đôn đốc triển khai nền tảng họp trực tuyến"
    assert header.signed == date(2025, 5, 5) and header.place == "Quảng Ninh"
    assert "Trần Thị Mai" not in header.body and "PHÓ CHÁNH VĂN PHÒNG" not in header.body


def test_news_article_has_no_official_header(empty_library: Library) -> None:
    assert read_header(parse_document(CITING_NEWS_MD.encode(), "tin.md").text) is None
    result = empty_library.ingest_bytes(CITING_NEWS_MD.encode(), "tin.md")
    assert result.title == "Quảng Ninh sơ kết nền tảng họp trực tuyến"
    assert (result.number, result.doc_type, result.issuer) == (None, None, None)


def test_header_without_number_or_date_is_stored_with_a_warning(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(number=False, dated=False), "ke-hoach.docx")
    assert result.status == "added" and result.number is None and result.published is None
    assert result.title == PLAN_SUBJECT
    assert any("số hiệu" in w for w in result.warnings)
    assert any("ngày ban hành" in w for w in result.warnings)


def test_annex_line_date_is_not_a_deadline(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    assert date(2025, 1, 9) not in {d.due for d in result.deadlines}
    assert all("Kèm theo" not in d.quote and "Căn cứ" not in d.quote for d in result.deadlines)


# ------------------------------------------------------------------ tables


def test_table_row_carries_its_headers_and_group() -> None:
    text, rows = rows_as_text(parse_document(RESOLUTION_MD.encode(), "nq.md").text)
    assert (
        "I. Hoàn thiện thể chế — Nhiệm vụ: Xây dựng Danh mục công nghệ chiến lược; Cơ quan chủ trì: "
        "Bộ Khoa học và Công nghệ; Cơ quan phối hợp: Các bộ, ngành; Thời hạn: 2025." in text
    )
    assert [r.group for r in rows] == ["I. Hoàn thiện thể chế"] * 2 + ["II. Hạ tầng dữ liệu"] * 3
    assert "| Bộ Công an |" not in text


def test_plain_text_pipe_table_and_table_without_time_column() -> None:
    text = "Bảng phân công\n\n| Đơn vị | Nội dung |\n|---|---|\n| Sở Y tế | Bệnh án điện tử |\n| Sở Giáo dục | Học bạ số |"
    body, rows = rows_as_text(parse_document(text.encode(), "bang.txt").text)
    assert "Đơn vị: Sở Y tế; Nội dung: Bệnh án điện tử." in body
    assert len(rows) == 2


def test_docx_merged_group_row_is_context_not_a_task(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    assert result.document_id is not None
    _, passages = empty_library.document(result.document_id)
    text = "\n".join(p.text for p in passages)
    assert "NHÂN LỰC SỐ — Nhiệm vụ: Tập huấn kỹ năng số cho công chức cấp xã; Cơ quan chủ trì: Sở Nội vụ;" in text
    assert all(d.task not in ("HẠ TẦNG SỐ", "NHÂN LỰC SỐ") for d in result.deadlines)


# ------------------------------------------------------------------ search by number and by row


@pytest.mark.parametrize(
    "question", ["03/NQ-CP", "Nghị quyết 03/NQ-CP", "nghi quyet 03", "NQ03", "Nghị quyết số 3"]
)
def test_question_naming_a_number_finds_that_document_first(empty_library: Library, question: str) -> None:
    empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    added = empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    answer = empty_library.ask(question)
    assert answer.found and answer.citations[0].document_id == added.document_id


def test_document_named_by_number_comes_before_one_citing_it(empty_library: Library) -> None:
    letter = empty_library.ingest_bytes(OFFICIAL_LETTER_TXT.encode(), "cv.txt")
    news = empty_library.ingest_bytes(CITING_NEWS_MD.encode(), "tin.md")
    answer = empty_library.ask("công văn 402 về nền tảng họp trực tuyến")
    ids = [c.document_id for c in answer.citations]
    assert ids[0] == letter.document_id and news.document_id in ids


def test_passage_citing_a_number_is_found_by_it(empty_library: Library) -> None:
    news = empty_library.ingest_bytes(CITING_NEWS_MD.encode(), "tin.md")
    empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    answer = empty_library.ask("402-CV/VPTU")
    assert answer.found and answer.citations[0].document_id == news.document_id


def test_question_by_number_and_agency_is_answered_from_the_right_row(empty_library: Library) -> None:
    empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    empty_library.ingest_bytes(plan_docx(), "ke-hoach.docx")
    answer = empty_library.ask("Kế hoạch 215/KH-UBND giao Sở Nội vụ việc gì?")
    assert answer.found
    assert "Sở Nội vụ" in answer.citations[0].snippet
    assert answer.citations[0].reference == "Kế hoạch 215/KH-UBND, 12/03/2026"


def test_question_by_task_is_answered_from_the_row(empty_library: Library) -> None:
    empty_library.ingest_bytes(RESOLUTION_MD.encode(), "nghi-quyet.md")
    answer = empty_library.ask("ket noi co so du lieu dan cu voi cac bo khi nao")
    assert answer.found
    assert "Kết nối cơ sở dữ liệu dân cư" in answer.citations[0].snippet
    assert "30/9/2025" in answer.citations[0].passage


# ------------------------------------------------------------------ PDF with a text layer


def test_pdf_table_rows_become_deadlines_even_across_a_page_break(empty_library: Library) -> None:
    from tests.knowledge.documents.official_samples import table_pdf

    result = empty_library.ingest_bytes(table_pdf(continued_on_second_page=True), "ke-hoach.pdf")
    assert (result.doc_type, result.number, result.published) == ("Kế hoạch", "88/KH-UBND", date(2026, 4, 2))
    assert result.title == "Kế hoạch 88/KH-UBND: Phát triển chính quyền số tỉnh Ninh Bình năm 2026"
    by_task = {d.task: d for d in result.deadlines}
    assert (by_task["Số hóa hồ sơ đất đai"].due, by_task["Số hóa hồ sơ đất đai"].agency) == (
        date(2026, 8, 31),
        "Sở Nông nghiệp và Môi trường",
    )
    assert by_task["Triển khai chữ ký số cho công chức"].precision == "quarter"
    # The row on the second page has no header of its own and still gets one.
    assert by_task["Lập bản đồ số các di tích"].agency == "Sở Văn hóa, Thể thao và Du lịch"
    assert by_task["Lập bản đồ số các di tích"].due == date(2026, 12, 31)


def test_pdf_table_row_reads_as_a_sentence_in_answers(empty_library: Library) -> None:
    from tests.knowledge.documents.official_samples import table_pdf

    empty_library.ingest_bytes(table_pdf(), "ke-hoach.pdf")
    answer = empty_library.ask("Sở Nông nghiệp và Môi trường số hóa hồ sơ đất đai khi nào")
    assert answer.found
    assert "Nhiệm vụ: Số hóa hồ sơ đất đai; Cơ quan chủ trì: Sở Nông nghiệp và Môi trường" in answer.citations[0].snippet


@pytest.mark.parametrize("question", ["Quyết định 352-QĐ/TU thành lập ban chỉ đạo nào", "quyet dinh 352 thanh lap ban chi dao nao"])
def test_seed_passage_citing_a_decision_is_found_by_its_number(demo_library: Library, question: str) -> None:
    answer = demo_library.ask(question)
    assert answer.found and "352-QĐ/TU" in answer.citations[0].passage


def test_pdf_header_drawn_in_a_boxed_table_is_still_read_as_the_header(empty_library: Library) -> None:
    from tests.knowledge.documents.official_samples import table_pdf

    result = empty_library.ingest_bytes(table_pdf(boxed_header=True), "ke-hoach.pdf")
    assert (result.number, result.published, result.issuer) == ("88/KH-UBND", date(2026, 4, 2), "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH")
    assert {"Số hóa hồ sơ đất đai", "Lập bản đồ số các di tích"} <= {d.task for d in result.deadlines}
