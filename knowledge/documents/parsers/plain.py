"""Plain text (.txt) and Markdown (.md, .markdown).

Both are "text with an encoding problem": decoding is the hard part and lives
in encodings.py. Markdown additionally carries a front matter block and
light syntax that must not reach the index ("**Điều 5**" should be found by
a search for "Điều 5").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from knowledge.documents.parsers.encodings import decode_text
from knowledge.documents.parsers.errors import ParseError
from knowledge.documents.parsers.parsed_text import (
    ParsedText,
    clean_line,
    clean_text,
    join_paragraphs,
    paragraphs_from_plain_text,
)

MSG_EMPTY = "Tệp rỗng: không có nội dung văn bản nào."

# Front matter keys we understand, with the spellings people actually use.
_FRONT_MATTER_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "title": "title",
        "source": "source",
        "url": "source",
        "link": "source",
        "published": "published",
        "date": "published",
        "provinces": "provinces",
        "province": "provinces",
        "author": "author",
    }
)
_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)(?:\n|\Z)", re.DOTALL)
_KEY_VALUE_RE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)")

_FENCE_RE = re.compile(r"(```|~~~)")
_ATX_HEADING_RE = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?")
_SETEXT_UNDERLINE_RE = re.compile(r"(=+|-+)")
_RULE_RE = re.compile(r"([-*_])(?:\s*\1){2,}")
_LINK_DEFINITION_RE = re.compile(r"\[[^\]]+\]:\s+\S+.*")
_TABLE_ROW_RE = re.compile(r"\|.*\|")
_TABLE_SEPARATOR_RE = re.compile(r"\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*\|?")
_BLOCKQUOTE_RE = re.compile(r"^(?:>\s?)+")
_BULLET_RE = re.compile(r"^[*+]\s+(?:\[[ xX]\]\s+)?")
_TASK_RE = re.compile(r"^(-\s+)\[[ xX]\]\s+")

# Inline syntax, applied in this order: code spans first so that their
# contents are not read as emphasis, escapes last.
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)


def parse_txt(data: bytes) -> ParsedText:
    """Decode a text file and split it into paragraphs."""
    text, encoding = decode_text(data)
    paragraphs = paragraphs_from_plain_text(text)
    if not paragraphs:
        raise ParseError(MSG_EMPTY, "text file has no visible characters after decoding")
    return ParsedText(text="\n\n".join(paragraphs), encoding=encoding)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a YAML-like front matter block off the text.

    Only the flat "key: value" subset is read (with "[a, b]" and "- a" lists):
    a real YAML parser would be a dependency for four fields. A block that is
    not made of such lines is left in place as text.
    """
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return {}, text
    fields: dict[str, list[str]] = {}
    key: str | None = None
    for line in match.group(1).split("\n"):
        if not line or line.startswith("#"):
            continue
        if (pair := _KEY_VALUE_RE.fullmatch(line)) is not None:
            key = pair.group(1).lower()
            value = pair.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                fields[key] = [_unquote(item) for item in value[1:-1].split(",")]
            else:
                fields[key] = [_unquote(value)] if value else []
        elif line.startswith("- ") and key is not None:
            fields[key].append(_unquote(line[2:]))
        else:
            return {}, text
    if not fields:
        return {}, text
    meta: dict[str, str] = {}
    for raw_key, values in fields.items():
        key = _FRONT_MATTER_KEYS.get(raw_key)
        value = clean_line(", ".join(v for v in values if v))
        if key is not None and value is not None and key not in meta:
            meta[key] = value
    return meta, text[match.end() :]


def _strip_inline(line: str) -> str:
    for pattern, replacement in _INLINE_RULES:
        line = pattern.sub(replacement, line)
    return line


def _markdown_paragraphs(body: str) -> tuple[list[str], str | None]:
    """Paragraphs of a Markdown body and its first level-1 heading."""
    paragraphs: list[str] = []
    pending: list[str] = []
    table: list[str] = []
    first_heading: str | None = None
    in_fence = False

    def flush() -> None:
        if pending:
            paragraphs.extend(paragraphs_from_plain_text("\n".join(pending)))
            pending.clear()
        if table:
            paragraphs.append("\n".join(table))
            table.clear()

    def heading(text: str, level: int) -> None:
        nonlocal first_heading
        flush()
        text = _strip_inline(text).strip()
        if text:
            paragraphs.append(text)
            if level == 1 and first_heading is None:
                first_heading = text

    for line in body.split("\n"):
        if _FENCE_RE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            pending.append(line)
            continue
        if not line:
            flush()
            continue
        if pending and not table and _SETEXT_UNDERLINE_RE.fullmatch(line):
            title = pending.pop()
            heading(title, 1 if line.startswith("=") else 2)
            continue
        if _RULE_RE.fullmatch(line) or _LINK_DEFINITION_RE.fullmatch(line):
            flush()
            continue
        if (atx := _ATX_HEADING_RE.fullmatch(line)) is not None:
            heading(atx.group(2), len(atx.group(1)))
            continue
        if _TABLE_ROW_RE.fullmatch(line):
            if pending:
                paragraphs.extend(paragraphs_from_plain_text("\n".join(pending)))
                pending.clear()
            if not _TABLE_SEPARATOR_RE.fullmatch(line):
                cells = (_strip_inline(cell).strip() for cell in line[1:-1].split("|"))
                table.append(" | ".join(cells))
            continue
        if table:
            flush()
        line = _BLOCKQUOTE_RE.sub("", line)
        line = _TASK_RE.sub(r"\1", _BULLET_RE.sub("- ", line))
        pending.append(_strip_inline(line))
    flush()
    return paragraphs, first_heading


def parse_markdown(data: bytes) -> ParsedText:
    """Decode a Markdown file: front matter to metadata, syntax to plain text."""
    text, encoding = decode_text(data)
    meta, body = _front_matter(clean_text(text))
    paragraphs, first_heading = _markdown_paragraphs(body)
    text = join_paragraphs(paragraphs)
    if not text:
        raise ParseError(MSG_EMPTY, "markdown file has no text outside front matter and syntax")
    title = meta.pop("title", None) or first_heading
    return ParsedText(text=text, title=title, meta=meta, encoding=encoding)
