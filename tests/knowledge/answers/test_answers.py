"""Answers on the bundled demo base: the right snippet, marked, cited, or an honest refusal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from index.terms import TermMaker
from index.text import split_words
from knowledge.answers.ask import PassageTerms
from knowledge.answers.lists import LIST_MAX_WORDS
from knowledge.library import DocumentInput, Library
from knowledge.models import Passage


def test_rank_question_gets_the_rank_sentence_with_the_rank_marked(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Dương xếp hạng bao nhiêu?")
    best = answer.citations[0]
    assert answer.found and "13/63" in best.snippet
    marked = [best.snippet[s:e] for s, e in best.highlights]
    assert marked and "13/63" in marked[0]
    assert best.published is not None and best.title


def test_question_without_diacritics_finds_same_passage(demo_library: Library) -> None:
    with_marks = demo_library.ask("Hải Dương xếp hạng bao nhiêu?")
    without = demo_library.ask("hai duong xep hang bao nhieu")
    assert without.citations[0].passage_id == with_marks.citations[0].passage_id


def test_abbreviation_and_full_form_find_each_other(demo_library: Library) -> None:
    short = demo_library.ask("Hải Dương xếp thứ mấy về CĐS?")
    full = demo_library.ask("Hải Dương xếp thứ mấy về chuyển đổi số?")
    assert short.found and full.found
    assert short.citations[0].document_id == full.citations[0].document_id


def test_merged_agency_names_are_one_entity(demo_library: Library) -> None:
    # The article names the merged Sở KH&CN; asking with the old name (Sở TT&TT) still finds it.
    demo_library.ingest(
        DocumentInput(
            text="Nghệ An: Sở KH&CN tiếp nhận chuyển đổi số\n\nTừ ngày 1/3/2025, Sở Khoa học và Công nghệ "
            "tỉnh Nghệ An tiếp nhận lĩnh vực chuyển đổi số, bưu chính và viễn thông sau khi hợp nhất.",
            added_by="test",
        )
    )
    answer = demo_library.ask("Sở Thông tin và Truyền thông Nghệ An hợp nhất vào đâu?")
    assert answer.found and "Nghệ An" in answer.citations[0].title


def test_answer_about_a_merged_province_says_where_it_is_now(demo_library: Library) -> None:
    answer = demo_library.ask("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?")
    assert "1.239" in answer.citations[0].snippet
    assert answer.citations[0].province_note == "Vĩnh Phúc (nay thuộc tỉnh Phú Thọ)"


def test_person_question_gets_the_name(demo_library: Library) -> None:
    answer = demo_library.ask("Ai chủ trì phiên họp thứ 2 của Ủy ban Quốc gia về CĐS?")
    best = answer.citations[0]
    assert "Phạm Minh Chính" in best.snippet
    assert any("Phạm Minh Chính" in best.snippet[s:e] for s, e in best.highlights)


@pytest.mark.parametrize(
    "question",
    ["Thời tiết Hà Nội ngày mai thế nào?", "Cách nấu phở bò ngon tại nhà?", "gia vang hom nay bao nhieu"],
)
def test_out_of_domain_question_is_refused(demo_library: Library, question: str) -> None:
    answer = demo_library.ask(question)
    assert not answer.found and answer.citations == ()
    assert "chưa có thông tin" in answer.text


def test_snippet_is_at_most_eighty_words(demo_library: Library) -> None:
    for citation in demo_library.ask("Thủ tướng nói gì về chuyển đổi số tại phiên họp thứ 2?").citations:
        assert len(citation.snippet.replace("…", "").split()) <= 80
    # A list is taken whole, up to its own limit (knowledge/answers/lists.py).
    for question in ("Hải Dương hoàn thành những chỉ tiêu nào?", "Ninh Thuận có những nhiệm vụ trọng tâm nào?"):
        for citation in demo_library.ask(question).citations:
            assert len(citation.snippet.replace("…", "").split()) <= 80 + LIST_MAX_WORDS


def test_year_in_question_prefers_documents_of_that_time(empty_library: Library) -> None:
    for year in (2022, 2024):
        empty_library.ingest(
            DocumentInput(
                text=f"Phú Thọ ban hành kế hoạch chuyển đổi số\n\nUBND tỉnh Phú Thọ ban hành kế hoạch chuyển đổi "
                f"số với các nhiệm vụ về hạ tầng số, dữ liệu số và nhân lực số (bản {year}).",
                published=date(year, 3, 12),
                added_by="test",
            )
        )
    answer = empty_library.ask("Kế hoạch chuyển đổi số năm 2024 của Phú Thọ")
    assert answer.citations[0].published is not None and answer.citations[0].published.year == 2024


def test_question_is_logged_when_asked_from_a_channel(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Dương xếp hạng bao nhiêu?", log_as=("telegram", 5, 7))
    assert answer.question_id is not None


@pytest.mark.parametrize(
    "question",
    ["bạn là ai", "cho hỏi", "tỉnh", "báo cáo tài chính của Vinamilk", "kết quả bóng đá hôm qua", "3"],
)
def test_a_lone_shared_word_or_an_unknown_name_is_no_answer(demo_library: Library, question: str) -> None:
    assert not demo_library.ask(question).found


@pytest.mark.parametrize(
    "question", ["Hỏi thiệt luôn: Hải Dương xếp hạng bao nhiêu?", "hoi thiet luon: hai duong xep hang bao nhieu"]
)
def test_an_ordinary_word_the_base_never_saw_is_not_an_unknown_name(demo_library: Library, question: str) -> None:
    # "thiệt", "luôn" are in no demo document; typed with or without marks they are still Vietnamese.
    answer = demo_library.ask(question)
    assert answer.found and "13/63" in answer.citations[0].snippet


def test_a_figure_about_another_province_is_no_answer(demo_library: Library) -> None:
    # The base has Hải Dương's online-filing rate, not Ninh Thuận's.
    assert not demo_library.ask("Ninh Thuận tỷ lệ hồ sơ trực tuyến bao nhiêu?").found


def test_new_province_name_finds_the_merged_province_and_says_so(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Phòng xếp hạng chuyển đổi số bao nhiêu?")
    assert answer.found and "13/63" in answer.citations[0].snippet
    assert answer.citations[0].province_note == "Hải Dương (nay thuộc TP. Hải Phòng)"


def test_percent_questions_meet_the_percent_sign(demo_library: Library) -> None:
    answer = demo_library.ask("Hà Giang bao nhiêu phần trăm cơ quan cấp tỉnh dùng chữ ký số cá nhân?")
    assert answer.found and "80%" in answer.citations[0].snippet


def test_passage_terms_hold_exactly_what_the_index_holds_for_the_passage(demo_library: Library) -> None:
    """Relevance and coverage look terms up without making them all: the answers must be the index's own."""
    terms = TermMaker()
    with Session(demo_library.engine) as session:
        passages = session.exec(select(Passage)).all()
    indexed = [set(terms.terms(split_words(p.tokens))) for p in passages]
    every = set().union(*indexed)
    # Terms of other passages, and strings that are no index term (a three-syllable join, blanks).
    probes = sorted(every) + ["ba_ria_vung_tau", "hai_duong_nam", "", "_", "hai_", "a b", "num:", "#"]
    for passage, held in zip(passages, indexed):
        looked_up = PassageTerms(passage.tokens, terms)
        assert {t for t in probes if t in looked_up} == held & set(probes), passage.text[:60]
