"""Styled text for a terminal: plain text, bold as ANSI when the output is a terminal, links as "label (url)".

The terminal chat renders the very replies Telegram gets (``Reply.body``),
so nothing is stripped back out of HTML: there never was any.
"""

from __future__ import annotations

import os
from typing import TextIO

from bot.render.rich import Rich

_BOLD, _RESET = "\033[1m", "\033[0m"


def wants_ansi(stream: TextIO) -> bool:
    """ANSI bold only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def to_terminal(rich: Rich, *, ansi: bool) -> str:
    """Plain text; bold spans in ANSI bold when ``ansi``; a link shows its address after its label."""
    out: list[str] = []
    for span in rich.spans:
        piece = span.text
        if span.style == "bold" and ansi and piece.strip():
            piece = f"{_BOLD}{piece}{_RESET}"
        if span.href is not None:
            # A label that is the address itself (shortened) shows the whole address instead.
            bare = span.href.split("://", 1)[-1]
            piece = span.href if bare.startswith(span.text) else f"{piece} ({span.href})"
        out.append(piece)
    return "".join(out)
