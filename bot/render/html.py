"""Turning an :class:`Answer` into text for people: Telegram HTML and the terminal.

Escaping lives here and only here: every piece of document text goes through
``html.escape`` before it meets a tag, so a document containing ``<b>`` or
``&`` can neither break the message nor inject formatting.
"""

from __future__ import annotations

import html
from datetime import date

from bot.render.telegram_html import split_html
from knowledge.answers.answer import NOT_FOUND_MESSAGE, SAMPLE_MARK, Answer, Citation

TELEGRAM_LIMIT = 4096
# A source is a URL or a short name ("Báo Hải Dương"); an admin can type
# anything, so what is shown is capped to keep messages under the limit.
MAX_SOURCE_CHARS = 200


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "không rõ ngày"


def _marked_html(citation: Citation) -> str:
    out, last = [], 0
    text = citation.snippet
    for start, end in sorted(citation.highlights):
        out.append(html.escape(text[last:start]))
        out.append(f"<b>{html.escape(text[start:end])}</b>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _marked_plain(citation: Citation, bold: bool) -> str:
    before, after = ("\033[1m", "\033[0m") if bold else ("**", "**")
    out, last = [], 0
    text = citation.snippet
    for start, end in sorted(citation.highlights):
        out.append(text[last:start])
        out.append(before + text[start:end] + after)
        last = end
    out.append(text[last:])
    return "".join(out)


# issue 8: what a citation of OCR'd text adds, so nobody quotes a misread figure unawares.
OCR_NOTE = "bản quét, chữ được nhận dạng tự động"


def citation_line_plain(number: int, citation: Citation) -> str:
    parts = [f"[{number}] {citation.title}", format_date(citation.published)]
    if citation.reference:
        parts = [f"[{number}] {citation.reference}", citation.subject]
    if citation.ocr:
        parts.append(OCR_NOTE)
    if citation.source:
        parts.append(citation.source)
    parts.append(f"tài liệu #{citation.document_id}, đoạn {citation.position + 1}")
    return " — ".join(parts) + (f" {SAMPLE_MARK}" if citation.sample else "")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_html(source: str | None) -> str:
    """A source as a link when it is a URL, as escaped text (at most MAX_SOURCE_CHARS) otherwise."""
    if not source:
        return ""
    if source.startswith(("http://", "https://")):
        return f'<a href="{html.escape(source, quote=True)}">{html.escape(_short_url(source))}</a>'
    return html.escape(shorten(source, MAX_SOURCE_CHARS))


def passage_html(citation: Citation, number: int) -> str:
    """The whole passage behind citation ``number``, under its title, date and source."""
    lines = [f"📄 [{number}] <b>{html.escape(citation.title)}</b>", format_date(citation.published)]
    if citation.ocr:
        lines[-1] += f" — {html.escape(OCR_NOTE)}"
    if citation.source:
        lines[-1] += " — " + source_html(citation.source)
    lines[-1] += f" — #{citation.document_id}, đoạn {citation.position + 1}"
    if citation.sample:
        lines[-1] += f" {SAMPLE_MARK}"
    return "\n".join(lines) + "\n\n" + html.escape(citation.passage)


def citation_line_html(number: int, citation: Citation) -> str:
    title = html.escape(citation.title)
    parts = [f"[{number}] <i>{title}</i>", format_date(citation.published)]
    if citation.reference:
        parts = [f"[{number}] <b>{html.escape(citation.reference)}</b>", f"<i>{html.escape(citation.subject)}</i>"]
    if citation.ocr:
        parts.append(html.escape(OCR_NOTE))
    if citation.source:
        parts.append(source_html(citation.source))
    parts.append(f"#{citation.document_id}, đoạn {citation.position + 1}")
    return " — ".join(parts) + (f" {SAMPLE_MARK}" if citation.sample else "")


def _short_url(url: str) -> str:
    return url.split("://", 1)[-1][:60]


def answer_plain(answer: Answer, *, bold: bool = False) -> str:
    """The answer as the terminal shows it."""
    if not answer.found or not answer.citations:
        lines = [NOT_FOUND_MESSAGE]
        if answer.suggestions:
            lines.append("Bạn có thể hỏi, ví dụ:")
            lines.extend(f"  • {s}" for s in answer.suggestions)
        return "\n".join(lines)
    if answer.summary:  # progress (issue 9): figures from several passages
        return "\n".join(
            [answer.summary, "", "Nguồn:", *(citation_line_plain(i, c) for i, c in enumerate(answer.citations, start=1))]
        )
    best = answer.citations[0]
    lines = []
    if best.province_note:
        lines.append(best.province_note)
    lines.append(_marked_plain(best, bold))
    lines.append("")
    lines.append("Nguồn:")
    lines.extend(citation_line_plain(i, c) for i, c in enumerate(answer.citations, start=1))
    return "\n".join(lines)


def answer_html(answer: Answer, *, first_citation: int = 0, citations_shown: int = 1) -> str:
    """The answer as a Telegram HTML message: snippet with the key part bold, then citations."""
    if not answer.found or not answer.citations:
        return not_found_html(answer.suggestions)
    if answer.summary:  # progress (issue 9): every figure cites its passage by number
        sources = "\n".join(f"📄 {citation_line_html(i, c)}" for i, c in enumerate(answer.citations, start=1))
        return f"{html.escape(answer.summary)}\n\n{sources}"
    shown = answer.citations[first_citation : first_citation + citations_shown]
    blocks = []
    for offset, citation in enumerate(shown):
        number = first_citation + offset + 1
        note = f"<i>{html.escape(citation.province_note)}</i>\n" if citation.province_note else ""
        blocks.append(f"{note}{_marked_html(citation)}\n\n📄 {citation_line_html(number, citation)}")
    return "\n\n".join(blocks)


def not_found_html(suggestions: tuple[str, ...] | list[str]) -> str:
    text = html.escape(NOT_FOUND_MESSAGE)
    if suggestions:
        text += "\n\nBạn có thể hỏi, ví dụ:\n" + "\n".join(f"• {html.escape(s)}" for s in suggestions)
    return text


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split a message into parts Telegram accepts (see bot/render/telegram_html.py): cuts at paragraph,
    line, then word boundaries of the visible text, tags closed and reopened across a cut."""
    return split_html(text, limit)
