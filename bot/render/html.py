"""Telegram HTML: styled text rendered with every piece escaped, and messages split under Telegram's limit.

Escaping lives here and only here: the conversation builds :class:`Rich`
text, and :func:`to_html` escapes each span before it meets a tag, so a
document containing ``<b>`` or ``&`` can neither break the message nor
inject formatting. (``answer_plain`` is the command line's text of an answer.)
"""

from __future__ import annotations

import html

from bot.render.answers import OCR_NOTE, answer_rich, format_date
from bot.render.rich import Rich
from bot.render.telegram_html import split_html
from knowledge.answers.answer import NOT_FOUND_MESSAGE, SAMPLE_MARK, Answer, Citation

TELEGRAM_LIMIT = 4096
_TAGS = {"bold": "b", "italic": "i", "code": "code"}


def to_html(rich: Rich) -> str:
    """Telegram HTML for styled text: every span's text escaped, then wrapped in its tag."""
    out: list[str] = []
    for span in rich.spans:
        piece = html.escape(span.text, quote=False)
        if span.style != "plain":
            tag = _TAGS[span.style]
            piece = f"<{tag}>{piece}</{tag}>"
        if span.href is not None:
            piece = f'<a href="{html.escape(span.href, quote=True)}">{piece}</a>'
        out.append(piece)
    return "".join(out)


def answer_html(answer: Answer, *, first_citation: int = 0, citations_shown: int = 1) -> str:
    """The answer as a Telegram HTML message (see ``render.answers.answer_rich``)."""
    return to_html(answer_rich(answer, first_citation=first_citation, citations_shown=citations_shown))


# ------------------------------------------------------------ the command line's answer
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


def answer_plain(answer: Answer, *, bold: bool = False) -> str:
    """The answer as ``cdsbot ask`` prints it: the best snippet, then every citation."""
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


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split a message into parts Telegram accepts (see bot/render/telegram_html.py): cuts at paragraph,
    line, then word boundaries of the visible text, tags closed and reopened across a cut."""
    return split_html(text, limit)
