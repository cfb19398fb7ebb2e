"""Answers, citations and passages as styled text: the key figure bold, every source cited.

The conversation, the inline mode and the /tiendo card build their messages
from these; ``render.html`` and ``render.terminal`` format them for a front end.
"""

from __future__ import annotations

from datetime import date

from bot.render.rich import Rich, bold, italic, link, text
from knowledge.answers.answer import NOT_FOUND_MESSAGE, SAMPLE_MARK, Answer, Citation

# A source is a URL or a short name ("Báo Hải Dương"); an admin can type
# anything, so what is shown is capped to keep messages under the limit.
MAX_SOURCE_CHARS = 200
# issue 8: what a citation of OCR'd text adds, so nobody quotes a misread figure unawares.
OCR_NOTE = "bản quét, chữ được nhận dạng tự động"


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "không rõ ngày"


def shorten(value: str, limit: int) -> str:
    """``value`` cut to at most ``limit`` characters, ending in "…" when cut."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def marked_snippet(citation: Citation) -> Rich:
    """The snippet with its highlighted spans (the key figure) in bold."""
    out, last = Rich(), 0
    snippet = citation.snippet
    for start, end in sorted(citation.highlights):
        out = out + text(snippet[last:start]) + bold(snippet[start:end])
        last = end
    return out + text(snippet[last:])


def source_rich(source: str | None) -> Rich:
    """A source as a link when it is a URL, as text (at most MAX_SOURCE_CHARS) otherwise."""
    if not source:
        return Rich()
    if source.startswith(("http://", "https://")):
        return link(source.split("://", 1)[-1][:60], source)
    return text(shorten(source, MAX_SOURCE_CHARS))


def citation_line(number: int, citation: Citation) -> Rich:
    """"[1] Title — 14/11/2023 — source — #3, đoạn 2"; an official document by its number and subject."""
    parts: list[Rich | str] = [f"[{number}] " + italic(citation.title), format_date(citation.published)]
    if citation.reference:
        parts = [f"[{number}] " + bold(citation.reference), italic(citation.subject)]
    if citation.ocr:
        parts.append(OCR_NOTE)
    if citation.source:
        parts.append(source_rich(citation.source))
    parts.append(f"#{citation.document_id}, đoạn {citation.position + 1}")
    return text(" — ").join(parts) + (f" {SAMPLE_MARK}" if citation.sample else "")


def answer_rich(answer: Answer, *, first_citation: int = 0, citations_shown: int = 1) -> Rich:
    """The answer as a message: snippet with the key part bold, then its citation(s)."""
    if not answer.found or not answer.citations:
        return not_found_rich(answer.suggestions)
    if answer.summary:  # progress (issue 9): every figure cites its passage by number
        sources = [text("📄 ") + citation_line(i, c) for i, c in enumerate(answer.citations, start=1)]
        return Rich.lines([answer.summary, "", *sources])
    shown = answer.citations[first_citation : first_citation + citations_shown]
    blocks: list[Rich] = []
    for offset, citation in enumerate(shown):
        number = first_citation + offset + 1
        note = italic(citation.province_note) + "\n" if citation.province_note else Rich()
        blocks.append(note + marked_snippet(citation) + "\n\n📄 " + citation_line(number, citation))
    return text("\n\n").join(blocks)


def passage_rich(citation: Citation, number: int) -> Rich:
    """The whole passage behind citation ``number``, under its title, date and source."""
    where = text(format_date(citation.published))
    if citation.ocr:
        where = where + f" — {OCR_NOTE}"
    if citation.source:
        where = where + " — " + source_rich(citation.source)
    where = where + f" — #{citation.document_id}, đoạn {citation.position + 1}"
    if citation.sample:
        where = where + f" {SAMPLE_MARK}"
    return Rich.lines([f"📄 [{number}] " + bold(citation.title), where, "", citation.passage])


def not_found_rich(suggestions: tuple[str, ...] | list[str]) -> Rich:
    """The refusal, with questions the base does answer."""
    if not suggestions:
        return text(NOT_FOUND_MESSAGE)
    return Rich.lines([NOT_FOUND_MESSAGE, "", "Bạn có thể hỏi, ví dụ:", *(f"• {s}" for s in suggestions)])
