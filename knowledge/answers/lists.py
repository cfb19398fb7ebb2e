"""Answering a list question with the whole list.

"Ninh Thuận có mấy nhiệm vụ trọng tâm?" is answered by a sentence that
enumerates them ("một là …; hai là …; ba là …; bốn là …"); a snippet cut at
80 words stops at "bốn …", before the fourth task. And "3 dự án thành phần
… là gì" is answered by the sentence *after* the one that names them ("Đó
là: …; …; …"). Here an enumeration is found, taken whole up to a limit,
and, where the limit cuts it, the answer says how many items are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.query import AnswerKind, Query
from index.terms import syllables_of_words
from index.text import word_count

LIST_MAX_ITEMS = 6
LIST_MAX_WORDS = 160

_ORDINAL_WORDS = ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
# Item markers: "một là,", "thứ hai,", "1.", "2)", "a)", "-", "•" at the start of an item.
_WORD_MARKER = re.compile(r"(?<!\w)(?:" + "|".join(_ORDINAL_WORDS) + r")\s+là\s*[,:]?", re.IGNORECASE)
_NUMBER_MARKER = re.compile(r"(?:(?<=^)|(?<=[\s;:]))(?:\d{1,2}[.)]|[a-hđ]\))(?=\s)")
_BULLET = re.compile(r"^\s*(?:[-–•+*]|\d{1,2}[.)]|[a-hđ]\))\s+")
# What announces a list in the sentence before it, or opens it.
_INTRODUCER = re.compile(r"(?:^|\W)(?:đó\s+là|gồm|bao\s+gồm|cụ\s+thể|như\s+sau|sau\s+đây)\s*:?", re.IGNORECASE)
_LIST_QUESTION = re.compile(r"\b(?:la gi|gom|nhung|nao|cac|may|bao nhieu|ke ten|liet ke)\b")


@dataclass(frozen=True)
class Enumeration:
    """A list found in a text: where it starts, its items, and how many were left out."""

    lead: str
    items: tuple[str, ...]
    left_out: int


def asks_for_list(query: Query) -> bool:
    """A question whose answer may be a list: "những … nào", "gồm", "là gì", a count ("mấy", "3 dự án")."""
    if query.kind is AnswerKind.LIST:
        return True
    whole = " ".join(syllables_of_words([query.text.lower()]))
    return bool(_LIST_QUESTION.search(whole)) or bool(re.search(r"\d", " ".join(query.content_syllables)))


def word_items(text: str) -> list[tuple[int, int]]:
    """Spans of "một là … hai là …" items, in order, if there are at least two."""
    markers = list(_WORD_MARKER.finditer(text))
    if len(markers) < 2 or not markers[0].group(0).lower().startswith("một"):
        return []
    bounds = [m.start() for m in markers] + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(markers))]


def number_items(text: str) -> list[tuple[int, int]]:
    """Spans of inline "1. … 2. …" or "a) … b) …" items, if there are at least two."""
    markers = list(_NUMBER_MARKER.finditer(text))
    if len(markers) < 2:
        return []
    bounds = [m.start() for m in markers] + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(markers))]


def semicolon_items(text: str) -> list[tuple[int, int]]:
    """After "Đó là:", "gồm:": items separated by ";" (at least two)."""
    intro = _INTRODUCER.search(text)
    if intro is None:
        return []
    start = intro.end()
    parts = [m for m in re.finditer(r"[^;]+", text[start:])]
    if len(parts) < 2:
        return []
    # Each item keeps its ";" so the list reads as written.
    return [(start + m.start(), min(start + m.end() + 1, len(text))) for m in parts]


_BARE_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-hđ]\)|[-–•+*])\s*$")


def merge_markers(sentences_: Sequence[str]) -> list[str]:
    """Join a bare item marker ("1.", "a)") to the sentence after it: the splitter cuts "1. Số hóa …" in two."""
    merged: list[str] = []
    pending = ""
    for text in sentences_:
        if _BARE_MARKER.match(text):
            pending += text.strip() + " "
            continue
        merged.append(pending + text)
        pending = ""
    if pending:
        merged.append(pending.strip())
    return merged


def inline_items(text: str) -> list[tuple[int, int]]:
    """The spans of the items a sentence lists inline, in any of the three ways; empty when it lists none."""
    return word_items(text) or number_items(text) or semicolon_items(text)


def find_enumeration(
    sentences_: Sequence[str], at: int, lists_inline: Callable[[int], bool] | None = None
) -> Enumeration | None:
    """The enumeration in sentence ``at`` or starting right after it (the "Đó là: …" that follows).

    ``lists_inline(i)``: whether sentence ``i`` has inline items, when that is
    already known (stored at ingest, knowledge/answers/sentence_terms.py).
    """
    for index in (at, at + 1):
        if not 0 <= index < len(sentences_):
            continue
        text = sentences_[index]
        spans = inline_items(text) if lists_inline is None or lists_inline(index) else []
        if spans:
            lead = text[: spans[0][0]]
            if index == at + 1:
                lead = sentences_[at] + " " + lead
            return _limit(lead, [text[a:b] for a, b in spans])
        if index == at:
            bullets = _bullet_lines(sentences_, at + 1)
            if len(bullets) >= 2 and sentences_[at].rstrip().endswith(":"):
                return _limit(sentences_[at] + " ", bullets)
    return None


def _bullet_lines(sentences_: Sequence[str], start: int) -> list[str]:
    """Consecutive sentences that are list lines ("1. …", "- …", "a) …")."""
    items = []
    for text in sentences_[start:]:
        if not _BULLET.match(text):
            break
        items.append(text)
    return items


def _limit(lead: str, items: list[str]) -> Enumeration:
    kept: list[str] = []
    words = word_count(lead)
    for item in items:
        n = word_count(item)
        if len(kept) >= LIST_MAX_ITEMS or (kept and words + n > LIST_MAX_WORDS):
            break
        kept.append(item.strip())
        words += n
    return Enumeration(lead.rstrip(), tuple(kept), len(items) - len(kept))


def render(enumeration: Enumeration) -> str:
    """The lead and the items as one text; "… và N mục khác" where the limit cut the list."""
    body = " ".join(item.rstrip() for item in enumeration.items)
    text = f"{enumeration.lead} {body}".strip()
    if enumeration.left_out:
        text = text.rstrip(" ;,.") + f"; … và {enumeration.left_out} mục khác."
    return text
