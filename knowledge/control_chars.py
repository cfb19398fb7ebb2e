"""Control characters out of every input, at the edges where text comes in.

A NUL in a question, a caption, a file name, a URL or a document is never meant:
PostgreSQL refuses it outright (DataError), and the other C0 controls (form feeds from
PDF extraction, escape sequences pasted from a terminal, a stray \\x1b in a group title)
only garble what users see. Newline and tab are text; a carriage return becomes a
newline so old Mac line endings still separate lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_CONTROLS = {code: None for code in range(0x20) if chr(code) not in "\n\t\r"}
_CONTROLS[0x7F] = None  # DEL: not C0, but no more meant than they are

T = TypeVar("T", str, None)


def strip_control_chars(text: T) -> T:
    """``text`` without C0 control characters (newline and tab kept, CR as a newline); None stays None."""
    if text is None:
        return None
    if text.isprintable():
        return text  # the common case, checked in C
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


def scrub_parameters(parameters: object) -> object:
    """Every string in a statement's parameters, cleaned: the database edge's safety net.

    The inputs are cleaned where they arrive; this catches an input path added later
    that forgot, so PostgreSQL never sees a NUL. Shapes are those DB-API drivers take:
    a dict, a sequence, or a list of either (executemany).
    """
    return _scrubbed(parameters, strip_control_chars)


def _scrubbed(value: object, clean: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, clean) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, clean) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrubbed(item, clean) for item in value)
    return value
