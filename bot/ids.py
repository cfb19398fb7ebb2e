"""Numbers users type or buttons carry: document, deadline and page ids."""

from __future__ import annotations

import re

# At most 18 digits: every such number fits SQLite's signed 64-bit integers.
# [0-9], not str.isdigit() (true for "²", which int() refuses) nor \d (any
# script's digits, "٣"): ids are typed on ordinary keyboards.
_ID_RE = re.compile(r"[0-9]{1,18}")


def parse_id(text: str) -> int | None:
    """A document, deadline or page number typed by a user or carried in callback data; None if it is not one."""
    return int(text) if _ID_RE.fullmatch(text) else None
