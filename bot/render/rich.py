"""Reply text as styled spans: what the conversation says, before any front end formats it.

The conversation never writes markup. It builds :class:`Rich` text from
plain strings and a few styles (bold, italic, code, link); ``render.html``
turns that into Telegram HTML, escaping every piece of text on the way, and
``render.terminal`` into terminal text with ANSI bold. Document text can
therefore never inject a tag: it is only ever the ``text`` of a span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Style = Literal["plain", "bold", "italic", "code"]


@dataclass(frozen=True)
class Span:
    """A run of text in one style; ``href`` makes it a link."""

    text: str
    style: Style = "plain"
    href: str | None = None


@dataclass(frozen=True)
class Rich:
    """An immutable sequence of spans; ``+`` concatenates, :meth:`lines` and :meth:`join` assemble."""

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Rich | str) -> Rich:
        return Rich(self.spans + _as_rich(other).spans)

    def __radd__(self, other: str) -> Rich:
        return _as_rich(other) + self

    def __bool__(self) -> bool:
        return any(span.text for span in self.spans)

    @property
    def plain(self) -> str:
        """The text without styles (links show their label)."""
        return "".join(span.text for span in self.spans)

    def join(self, items: Iterable[Rich | str]) -> Rich:
        """``items`` with this text between them, like ``str.join``."""
        spans: list[Span] = []
        for n, item in enumerate(items):
            if n:
                spans.extend(self.spans)
            spans.extend(_as_rich(item).spans)
        return Rich(tuple(spans))

    @staticmethod
    def lines(items: Iterable[Rich | str]) -> Rich:
        """One item per line."""
        return text("\n").join(items)


def _as_rich(value: Rich | str) -> Rich:
    return value if isinstance(value, Rich) else text(value)


def text(value: str) -> Rich:
    """Plain text."""
    return Rich((Span(value),)) if value else Rich()


def bold(value: str) -> Rich:
    return Rich((Span(value, "bold"),)) if value else Rich()


def italic(value: str) -> Rich:
    return Rich((Span(value, "italic"),)) if value else Rich()


def code(value: str) -> Rich:
    return Rich((Span(value, "code"),)) if value else Rich()


def link(label: str, href: str) -> Rich:
    return Rich((Span(label, "plain", href),))


def styled(value: Rich | str, style: Style) -> Rich:
    """Every plain span of ``value`` in ``style`` (a bold title that is partly a link stays a link)."""
    rich = _as_rich(value)
    return Rich(tuple(Span(s.text, style if s.style == "plain" else s.style, s.href) for s in rich.spans))
