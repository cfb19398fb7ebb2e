"""Answers an official can trust: the figure of the asked shape, the whole list, intent, no filler."""

from __future__ import annotations

import pytest

from index.query import QueryReader
from index.terms import TermMaker
from knowledge.answers import lists, shape
from knowledge.answers.answer import Answer, choose_snippet
from knowledge.library import DocumentInput, Library

READER = QueryReader(TermMaker())


def marked(answer: Answer) -> list[str]:
    best = answer.citations[0]
    return [best.snippet[a:b] for a, b in best.highlights]


def snippet_for(passage: str, question: str) -> tuple[str, list[str]]:
    terms = TermMaker()
    snip = choose_snippet(passage, READER.read(question), lambda t: 1.0, lambda s: set(terms.terms([s])))
    return snip.text, [snip.text[a:b] for a, b in snip.highlights]


# ------------------------------------------------------------------ 1. the figure answers the question's shape


def test_count_question_marks_the_count_not_the_number_in_a_document_name(demo_library: Library) -> None:
    answer = demo_library.ask("Ninh Thuận có mấy nhiệm vụ trọng tâm về chuyển đổi số?")
    assert marked(answer) == ["bốn"]


def test_when_question_marks_the_day_not_the_quarter() -> None:
    passage = (
        "Sáng 27.4, Ủy ban Quốc gia về chuyển đổi số tổ chức phiên họp thứ 2 nhằm đánh giá tình hình triển khai "
        "công tác chuyển đổi số quý I-2022."
    )
    _, spans = snippet_for(passage, "Phiên họp thứ 2 của Ủy ban Quốc gia về chuyển đổi số khi nào?")
    assert spans == ["27.4"]


def test_who_question_marks_the_person_not_the_title(demo_library: Library) -> None:
    answer = demo_library.ask("Ai là Giám đốc Sở TT&TT Hải Dương?")
    assert marked(answer) == ["Nguyễn Cao Thắng"]


def test_which_agency_question_marks_an_agency(demo_library: Library) -> None:
    answer = demo_library.ask("Sở nào giám sát vốn các dự án chuyển đổi số ở Hải Dương?")
    assert marked(answer) == ["Sở Tài chính"]


@pytest.mark.parametrize(
    "text",
    ["thực hiện Đề án 06 đúng tiến độ", "theo Nghị quyết 57-NQ/TW của Bộ Chính trị", "Quyết định số 352-QĐ/TU"],
)
def test_numbers_in_document_names_are_never_figures(text: str) -> None:
    assert shape.figures(text, [(m.start(), m.end()) for m in __import__("re").finditer(r"\d+", text)]) == []


def test_nothing_of_the_asked_shape_means_nothing_bold() -> None:
    passage = "Ban Chỉ đạo yêu cầu thực hiện Đề án 06 đúng tiến độ và nâng cao chất lượng dịch vụ công."
    _, spans = snippet_for(passage, "Ban Chỉ đạo yêu cầu bao nhiêu việc về Đề án 06?")
    assert spans == []


def test_some_is_not_one() -> None:
    assert shape.counted_words("cần xác định một số nhiệm vụ trọng tâm", {"nhiem_vu", "nhiem", "vu"}) == []


# ------------------------------------------------------------------ 2. lists answered whole


def test_word_numbered_list_is_answered_to_the_last_item(demo_library: Library) -> None:
    snippet = demo_library.ask("Ninh Thuận có những nhiệm vụ trọng tâm CĐS nào?").citations[0].snippet
    for marker in ("một là", "hai là", "ba là", "bốn là", "dịch vụ công trực tuyến"):
        assert marker in snippet


def test_list_announced_in_one_sentence_and_given_in_the_next(demo_library: Library) -> None:
    snippet = demo_library.ask("3 dự án thành phần về chuyển đổi số của Hải Dương là gì").citations[0].snippet
    assert "hạ tầng công nghệ thông tin" in snippet
    assert "Trung tâm Giám sát điều hành thông minh" in snippet and "Trung tâm Giám sát an ninh mạng" in snippet


def test_numbered_lines_are_a_list() -> None:
    passage = "Kế hoạch gồm các nhiệm vụ sau:\n1. Số hóa hồ sơ.\n2. Kết nối dữ liệu dân cư.\n3. Đào tạo cán bộ."
    text, _ = snippet_for(passage, "Kế hoạch gồm những nhiệm vụ nào?")
    assert "1. Số hóa hồ sơ." in text and "3. Đào tạo cán bộ." in text


def test_a_list_cut_by_the_limit_says_how_many_are_left() -> None:
    items = "; ".join(f"{word} là, nhiệm vụ số {n} về dữ liệu" for n, word in enumerate(
        ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám"], start=1))
    enumeration = lists.find_enumeration([f"Tỉnh xác định tám nhiệm vụ: {items}."], 0)
    assert enumeration is not None and len(enumeration.items) == lists.LIST_MAX_ITEMS
    assert lists.render(enumeration).endswith("… và 2 mục khác.")


# ------------------------------------------------------------------ 3. intent words weigh


def test_conclusion_question_gets_the_sentence_that_concludes() -> None:
    passage = (
        "Chiều 11/7/2022, Chủ tịch UBND tỉnh Trần Quốc Nam chủ trì cuộc họp Ban Chỉ đạo chuyển đổi số tỉnh. "
        "Chủ tịch UBND tỉnh kết luận: chuyển đổi số là vấn đề rộng, mới và khó."
    )
    text, _ = snippet_for(passage, "Chủ tịch UBND tỉnh kết luận gì về chuyển đổi số?")
    assert text.startswith("Chủ tịch UBND tỉnh kết luận:")


def test_difficulty_question_finds_the_shortcomings_stated_in_other_words(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Dương gặp khó khăn gì khi thực hiện nghị quyết chuyển đổi số?")
    assert answer.found and "chậm" in answer.citations[0].snippet


# ------------------------------------------------------------------ 4. only relevant citations


def test_ranking_answer_shows_no_unrelated_citations(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Dương xếp hạng bao nhiêu?")
    assert answer.found
    for citation in answer.citations:
        assert "xếp" in citation.passage or "thứ" in citation.passage


@pytest.mark.parametrize("question", ["cds la gi", "chuyển đổi số", "CĐS là gì?"])
def test_all_generic_question_without_a_definition_is_refused(demo_library: Library, question: str) -> None:
    assert not demo_library.ask(question).found


def test_all_generic_question_gets_the_definition_when_the_base_has_one(demo_library: Library) -> None:
    demo_library.ingest(
        DocumentInput(
            text="Chuyển đổi số là gì\n\nChuyển đổi số là quá trình thay đổi tổng thể và toàn diện của cá nhân, "
            "tổ chức về cách sống, cách làm việc và phương thức sản xuất dựa trên các công nghệ số.",
            added_by="test",
        )
    )
    answer = demo_library.ask("cds la gi")
    assert answer.found and len(answer.citations) == 1
    assert answer.citations[0].snippet.startswith("Chuyển đổi số là quá trình thay đổi")
