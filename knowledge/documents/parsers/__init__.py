"""Uploaded files to plain text: one entry point, one error type.

`parse_document` checks what every format shares (size, emptiness, a known
extension) and hands the bytes to the parser registered for the extension.
A new format is one module with a `bytes -> ParsedText` function and one
line in `_PARSERS`.

A format's module is imported the first time a file of that format arrives:
pypdf, python-docx and trafilatura (with lxml) take longer to import than a
question takes to answer, and only ingest needs them, so ``cdsbot ask`` and
``cdsbot --help`` never load them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import cast

from knowledge.documents.parsers.errors import ParseError
from knowledge.documents.parsers.parsed_text import ParsedText

__all__ = ["SUPPORTED_EXTENSIONS", "ParseError", "ParsedText", "parse_document"]

Parser = Callable[[bytes], ParsedText]

# Extension -> (module in this package, its parse function).
_PARSERS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        ".txt": ("plain", "parse_txt"),
        ".md": ("plain", "parse_markdown"),
        ".markdown": ("plain", "parse_markdown"),
        ".html": ("html", "parse_html"),
        ".htm": ("html", "parse_html"),
        ".docx": ("docx", "parse_docx"),
        ".pdf": ("pdf", "parse_pdf"),
    }
)

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_PARSERS)

_MB = 1024 * 1024
# Extensions people try that we can name a fix for.
_CONVERT_HINTS: Mapping[str, str] = MappingProxyType(
    {
        ".doc": "Hãy mở tệp bằng Word và lưu lại dưới dạng .docx.",
        ".rtf": "Hãy mở tệp bằng Word và lưu lại dưới dạng .docx.",
        ".odt": "Hãy mở tệp và lưu lại dưới dạng .docx.",
        ".xls": "Hãy sao chép nội dung cần dùng sang tệp .docx hoặc .txt.",
        ".xlsx": "Hãy sao chép nội dung cần dùng sang tệp .docx hoặc .txt.",
    }
)


def _megabytes(size: int) -> str:
    """Format a size the Vietnamese way, with a decimal comma: "20", "25,3"."""
    return f"{size / _MB:.1f}".removesuffix(".0").replace(".", ",")


def parse_document(data: bytes, filename: str, *, max_bytes: int = 20 * _MB) -> ParsedText:
    """Turn an uploaded file into plain text and metadata.

    Raises ParseError, and nothing else, for anything wrong with the file:
    the caller shows `user_message` to the admin who uploaded it.
    """
    if len(data) > max_bytes:
        raise ParseError(
            f"Tệp quá lớn ({_megabytes(len(data))} MB), giới hạn là {_megabytes(max_bytes)} MB.",
            f"{len(data)} bytes > {max_bytes}",
        )
    extension = PurePath(filename).suffix.lower()
    if extension not in _PARSERS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        shown = f"«{extension}»" if extension else "không có đuôi"
        hint = _CONVERT_HINTS.get(extension, "")
        raise ParseError(
            f"Định dạng tệp không được hỗ trợ ({shown}). "
            f"Các định dạng được hỗ trợ: {supported}. {hint}".strip(),
            f"unsupported extension {extension!r} in {filename!r}",
        )
    if not data.strip():
        raise ParseError("Tệp rỗng: không có nội dung nào.", "empty or whitespace-only upload")
    return parser_for(extension)(data)


def parser_for(extension: str) -> Parser:
    """The parse function of a supported extension, importing its module on first use."""
    module, function = _PARSERS[extension]
    return cast(Parser, getattr(importlib.import_module(f"{__name__}.{module}"), function))
