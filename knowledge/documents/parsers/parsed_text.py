"""What every parser returns, and the clean-up every parser ends with.

Passages, the index and the snippets shown to users all assume one shape of
text: NFC, single spaces, paragraphs separated by exactly one blank line.
Doing that here, once, means no format can leak its own quirks (CRLF, NBSP,
soft hyphens, decomposed cp1258 tone marks) into the rest of the system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedText:
    """The text of one uploaded document plus what its format told us about it."""

    text: str
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None


_NEWLINES_RE = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
# Soft hyphens and zero-width characters split words invisibly: "chuyển\u00adđổi"
# would never match a query for "chuyển đổi".
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANK_RUNS_RE = re.compile(r"\n{3,}")

# A line that starts a list item or a legal-document division begins a new
# paragraph even inside a hard-wrapped block ("Điều 5.", "a)", "- ", "2.").
_BLOCK_START_RE = re.compile(
    r"^(?:[-*+•–—]\s|\d{1,3}(?:\.\d{1,3})*[.)]\s|[a-zđ][.)]\s|[IVXLC]{1,6}[.)]\s"
    r"|(?:Điều|Chương|Mục|Phần|Khoản)\s+\S+)"
)
# Hard-wrapped text (e-mails, exports at 72-80 columns) has every line of a
# paragraph near the wrap width; a title above a long paragraph does not.
_WRAP_MAX = 110
_WRAP_MIN = 40
SENTENCE_END = tuple(".!?:;…")


def clean_text(text: str) -> str:
    """Normalize whitespace and Unicode; keep line and paragraph breaks."""
    text = _NEWLINES_RE.sub("\n", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _CONTROL_RE.sub("", text)
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_RUNS_RE.sub("\n\n", "\n".join(lines)).strip("\n")
    # Last, because removing characters above can bring a base letter and its
    # combining mark together.
    return unicodedata.normalize("NFC", text)


def clean_line(text: str | None) -> str | None:
    """Collapse a metadata value to one clean line; empty becomes None."""
    if text is None:
        return None
    line = " ".join(clean_text(text).split())
    return line or None


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with one blank line, dropping the empty ones."""
    cleaned = (clean_text(p) for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def starts_block(line: str) -> bool:
    """Whether a line opens a list item or a legal division ("Điều 5.", "a)")."""
    return _BLOCK_START_RE.match(line) is not None


def _looks_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 2 or any(len(line) > _WRAP_MAX for line in lines):
        return False
    # Lines followed by a list item end their paragraph, so they may be short.
    inner = [line for line, nxt in zip(lines, lines[1:]) if not starts_block(nxt)]
    if not inner:
        return False
    long_enough = sum(1 for line in inner if len(line) >= _WRAP_MIN)
    return long_enough >= 0.8 * len(inner)


def _starts_new_paragraph(previous: str, line: str) -> bool:
    # A sentence that ends exactly at a line end, followed by a capital, is
    # read as a paragraph end: in wrapped text that only splits a paragraph
    # between two sentences, in unwrapped text it keeps paragraphs apart.
    return starts_block(line) or (previous.endswith(SENTENCE_END) and line[:1].isupper())


def paragraphs_from_plain_text(text: str) -> list[str]:
    """Split plain text into paragraphs.

    Plain-text documents use two conventions: one line per paragraph (what
    copying from a web page or Word gives, as in most uploads) and paragraphs
    hard-wrapped at a fixed width with blank lines between them. Joining the
    lines of the first kind would glue a title onto its article, keeping the
    lines of the second would cut sentences in half, so each blank-line block
    is judged on its own.
    """
    paragraphs: list[str] = []
    for block in clean_text(text).split("\n\n"):
        lines = block.split("\n")
        if not _looks_hard_wrapped(lines):
            paragraphs.extend(lines)
            continue
        current: list[str] = []
        for line in lines:
            if current and _starts_new_paragraph(current[-1], line):
                paragraphs.append(" ".join(current))
                current = []
            current.append(line)
        paragraphs.append(" ".join(current))
    return [p for p in paragraphs if p]
