"""Citations of official documents (issue 8): type, number and date first; OCR'd text says so."""

from __future__ import annotations

from datetime import date

from bot.render.html import answer_html, answer_plain
from knowledge.answers.answer import Answer, Citation


def _answer(*, number: str | None, ocr: bool = False) -> Answer:
    snippet = "Nhiệm vụ: Kết nối dữ liệu dân cư; Cơ quan chủ trì: Bộ Công an; Thời hạn: 30/9/2025."
    title = "Nghị quyết 03/NQ-CP: Ban hành Chương trình <dữ liệu số>" if number else "Tin <b>CĐS</b>"
    citation = Citation(
        document_id=4,
        title=title,
        source=None,
        published=date(2025, 1, 9),
        passage_id=7,
        position=2,
        snippet=snippet,
        highlights=(),
        passage=snippet,
        score=1.0,
        doc_type="Nghị quyết" if number else None,
        number=number,
        ocr=ocr,
    )
    return Answer(question="q", found=True, citations=(citation,))


def test_official_citation_names_type_number_and_date_then_the_escaped_subject() -> None:
    html = answer_html(_answer(number="03/NQ-CP"))
    assert "[1] <b>Nghị quyết 03/NQ-CP, 09/01/2025</b> — <i>Ban hành Chương trình &lt;dữ liệu số&gt;</i>" in html
    assert "[1] Nghị quyết 03/NQ-CP, 09/01/2025 — Ban hành Chương trình <dữ liệu số>" in answer_plain(
        _answer(number="03/NQ-CP")
    )


def test_news_citation_is_unchanged() -> None:
    assert "[1] <i>Tin &lt;b&gt;CĐS&lt;/b&gt;</i> — 09/01/2025" in answer_html(_answer(number=None))


def test_ocr_citation_says_the_text_was_recognised_from_a_scan() -> None:
    assert "bản quét, chữ được nhận dạng tự động" in answer_html(_answer(number="03/NQ-CP", ocr=True))
    assert "bản quét" not in answer_html(_answer(number="03/NQ-CP"))
