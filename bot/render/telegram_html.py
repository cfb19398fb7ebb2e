"""Splitting Telegram HTML into messages Telegram accepts, whatever the length.

Telegram limits a message to 4096 characters *after* parsing (tags and entities do
not count, ``&amp;`` is one character) and refuses a part whose tags are cut or
unbalanced. So the split never looks at the HTML string: it parses the message into
its visible text plus tag events, chooses cuts on the visible text (a paragraph, a
line, a space, and only as a last resort mid-word), and renders each part again,
closing the tags open at a cut and reopening them (with their attributes, so a
link stays a link) at the start of the next part. A cut can therefore fall neither
inside a tag, nor inside ``&amp;``, nor through ``<a href="…">``.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class _Tag:
    """A tag at ``offset`` in the visible text: ``raw`` is the start tag as written, None for an end tag."""

    offset: int
    name: str
    raw: str | None


class _Flattener(HTMLParser):
    """Visible text and the tags around it; characters the parser does not see as tags stay text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.length = 0
        self.tags: list[_Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        self.tags.append(_Tag(self.length, tag, raw))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(_Tag(self.length, tag, None))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += len(data)


def utf16_length(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji such as 📄 is two."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """``text`` (Telegram HTML) as parts that each parse on their own and show at most ``limit`` characters."""
    if utf16_length(text) <= limit:
        return [text]
    flat = _Flattener()
    flat.feed(text)
    flat.close()
    visible = "".join(flat.text)
    cuts = _cuts(visible, limit)
    parts = (_render(visible, flat.tags, start, end) for start, end in zip(cuts, cuts[1:], strict=False))
    return [part for part in parts if part]


def _cuts(visible: str, limit: int) -> list[int]:
    """Offsets into the visible text where parts begin and end (first 0, last len)."""
    cuts = [0]
    start = 0
    while start < len(visible):
        end = _farthest_end(visible, start, limit)
        if end < len(visible):
            end = _best_cut(visible, start, end)
        cuts.append(end)
        start = end
    return cuts


def _farthest_end(visible: str, start: int, limit: int) -> int:
    """The largest end such that visible[start:end] is at most ``limit`` UTF-16 units."""
    end = min(len(visible), start + limit)  # each character is at least one unit
    while utf16_length(visible[start:end]) > limit:
        excess = utf16_length(visible[start:end]) - limit
        end -= max(1, excess // 2)
    return end


def _best_cut(visible: str, start: int, end: int) -> int:
    """A paragraph, then a line, then a space, preferably in the second half of the window; else a hard cut."""
    for lowest in (start + (end - start) // 2, start + 1):
        for separator in ("\n\n", "\n", " "):
            at = visible.rfind(separator, lowest, end)
            if at > start:
                return at
    # No space at all (a long URL or a run without spaces): cut mid-word, but not
    # between a letter and the combining mark that belongs to it.
    while end - 1 > start and unicodedata.combining(visible[end]):
        end -= 1
    return end


def _render(visible: str, tags: list[_Tag], start: int, end: int) -> str:
    """Part [start, end) as HTML: tags open at ``start`` reopened, those open at ``end`` closed.

    Whitespace at either edge of a part is dropped (Telegram would trim it anyway);
    tags in it are kept so the nesting stays right. Of the tags sitting exactly at a
    cut, the end tags that lead the run close the part before it; the rest open the
    part after it.
    """
    text_start, text_end = start, end
    while text_start < text_end and visible[text_start].isspace():
        text_start += 1
    while text_end > text_start and visible[text_end - 1].isspace():
        text_end -= 1
    if text_start == text_end:
        return ""
    last_part = end == len(visible)
    leading_close = _leading_closes(tags)
    stack: list[_Tag] = []
    within: list[_Tag] = []
    for tag, closes_before in zip(tags, leading_close, strict=True):
        if tag.offset < start or (tag.offset == start and closes_before):
            _apply(stack, tag)
        elif tag.offset < end or (tag.offset == end and (closes_before or last_part)):
            within.append(tag)
    out = [t.raw or "" for t in stack]
    position = start
    for tag in within:
        out.append(_escaped(visible, max(position, text_start), min(tag.offset, text_end)))
        position = max(position, tag.offset)
        out.append(tag.raw if tag.raw is not None else f"</{tag.name}>")
        _apply(stack, tag)
    out.append(_escaped(visible, max(position, text_start), text_end))
    out.extend(f"</{t.name}>" for t in reversed(stack))
    return "".join(out)


def _escaped(visible: str, start: int, end: int) -> str:
    return html.escape(visible[start:end], quote=False) if start < end else ""


def _leading_closes(tags: list[_Tag]) -> list[bool]:
    """For each tag: is it an end tag with no start tag before it at the same offset?"""
    result: list[bool] = []
    offset, seen_start = -1, False
    for tag in tags:
        if tag.offset != offset:
            offset, seen_start = tag.offset, False
        result.append(tag.raw is None and not seen_start)
        seen_start |= tag.raw is not None
    return result


def _apply(stack: list[_Tag], tag: _Tag) -> None:
    if tag.raw is not None:
        stack.append(tag)
        return
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].name == tag.name:
            del stack[depth]
            return


def plain_text(text: str) -> str:
    """What ``text`` shows once its tags are gone: the fallback when Telegram refuses the HTML."""
    flat = _Flattener()
    flat.feed(text)
    flat.close()
    return "".join(flat.text)


def is_entity_error(message: str) -> bool:
    """Telegram's answer to HTML it cannot parse ("Bad Request: can't parse entities: …")."""
    return "can't parse entities" in message.lower()
