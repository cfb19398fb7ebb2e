"""A document's title when it has none, and any title made to fit: never cut mid-word.

A title shows in every citation and in the document list, so "…các tháng
tháng cuố" (a cut through a syllable) reads as a broken bot. Vietnamese
syllables are separated by spaces, so a space is always a safe place to cut.
"""

from __future__ import annotations

import re

# A title built from the first sentence stays short: it is a label, not a summary.
FALLBACK_TITLE_CHARS = 120
ELLIPSIS = "…"

# A sentence ends at . ! ? … followed by a space and a capital letter, digit or quote;
# "25/8/2022." inside a date line or "TP. Hồ Chí Minh" do not end it.
_SENTENCE_END = re.compile(r"(?<!\bTP)(?<!\bThS)(?<!\bTS)[.!?…](?=\s+[\"“«(\dA-ZÀ-ỸĐ])")


def shorten_title(title: str, max_chars: int) -> str:
    """``title`` on one line, at most ``max_chars`` characters, cut at a space with "…"."""
    title = " ".join(title.split())
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    else:  # one endless "word" (a URL): cutting it is the only choice
        cut = cut[: max_chars - len(ELLIPSIS)]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def title_from_text(text: str, max_chars: int = FALLBACK_TITLE_CHARS) -> str | None:
    """The first sentence of the first non-empty line, shortened at a word boundary."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), None)
    if line is None:
        return None
    end = _SENTENCE_END.search(line)
    sentence = line[: end.start()] if end else line
    return shorten_title(sentence.rstrip(" .!?…"), max_chars) or None
