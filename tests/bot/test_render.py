from datetime import date

from bot.render.html import TELEGRAM_LIMIT, answer_html, answer_plain, split_message
from knowledge.answers.answer import Answer, Citation


def _answer(snippet: str, title: str = "Tin <b>thử</b> & kiểm tra", source: str | None = "https://vi.example/a?b=1&c=2") -> Answer:
    citation = Citation(
        document_id=3,
        title=title,
        source=source,
        published=date(2023, 11, 14),
        passage_id=9,
        position=0,
        snippet=snippet,
        highlights=((snippet.index("13/63"), snippet.index("13/63") + 5),),
        passage=snippet,
        score=1.0,
        province_note="Hải Dương (nay thuộc TP. Hải Phòng)",
    )
    return Answer(question="q", found=True, citations=(citation,))


def test_document_text_is_escaped_and_only_the_key_figure_is_bold() -> None:
    html = answer_html(_answer("<script>alert(1)</script> Hải Dương đứng thứ 13/63 & hơn"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>13/63</b>" in html and "&amp; hơn" in html
    assert "Tin &lt;b&gt;thử&lt;/b&gt; &amp; kiểm tra" in html
    assert 'href="https://vi.example/a?b=1&amp;c=2"' in html
    assert "14/11/2023" in html


def test_terminal_answer_marks_figure_and_cites() -> None:
    text = answer_plain(_answer("Hải Dương đứng thứ 13/63 tỉnh."))
    assert "**13/63**" in text
    assert text.splitlines()[0] == "Hải Dương (nay thuộc TP. Hải Phòng)"
    assert "14/11/2023" in text and "đoạn 1" in text


def test_long_messages_split_under_the_limit_without_breaking_tags() -> None:
    paragraph = "<b>Đậm</b> " + "chữ " * 300
    parts = split_message("\n\n".join([paragraph] * 20))
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= TELEGRAM_LIMIT
        assert part.count("<b>") == part.count("</b>")
