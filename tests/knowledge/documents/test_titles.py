"""Titles are never cut through a word."""

from __future__ import annotations

from knowledge.documents.titles import shorten_title, title_from_text
from knowledge.library import DocumentInput, Library

LONG_FIRST_SENTENCE = (
    "Chiều 25/8/2022, đồng chí Vũ Chí Giang, Tỉnh ủy viên, Phó Chủ tịch UBND tỉnh chủ trì hội nghị nghe "
    "Sở Thông tin và Truyền thông - cơ quan thường trực Ban Chỉ đạo chuyển đổi số tỉnh báo cáo kết quả thực hiện "
    "chuyển đổi số trên địa bàn tỉnh từ đầu năm đến nay, phương hướng nhiệm vụ các tháng tháng cuối năm 2022. "
    "Dự hội nghị có các thành viên Ban Chỉ đạo chuyển đổi số tỉnh; lãnh đạo các huyện, thành phố.\n\n"
    "Toàn tỉnh hiện có 35 cơ quan, địa phương thành lập ban chỉ đạo chuyển đổi số."
)


def test_long_title_is_cut_at_a_word_with_an_ellipsis() -> None:
    title = shorten_title(LONG_FIRST_SENTENCE, 60)
    assert len(title) <= 60 and title.endswith("…")
    assert LONG_FIRST_SENTENCE.startswith(title[:-1])
    assert LONG_FIRST_SENTENCE[len(title) - 1] == " "  # the cut fell on a space


def test_short_title_is_kept_whole() -> None:
    assert shorten_title("  Hải Dương   xếp thứ 13/63 ", 300) == "Hải Dương xếp thứ 13/63"


def test_document_without_title_line_gets_its_first_sentence() -> None:
    title = title_from_text("Ninh Thuận họp Ban Chỉ đạo. Chủ tịch UBND tỉnh chủ trì.")
    assert title == "Ninh Thuận họp Ban Chỉ đạo"


def test_document_without_title_line_never_shows_a_cut_syllable(empty_library: Library) -> None:
    result = empty_library.ingest(DocumentInput(text=LONG_FIRST_SENTENCE, filename="vinh-phuc.txt"))
    assert result.status == "added" and result.title is not None
    assert result.title.endswith("…") and "cuố" not in result.title
    words = result.title[:-1].split()
    assert all(word in LONG_FIRST_SENTENCE.split() for word in words)
    [summary] = empty_library.documents()
    assert summary.title == result.title
