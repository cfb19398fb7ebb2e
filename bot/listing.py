"""How every listing command prints: JSON for scripts, one line per item for people.

``cdsbot deadlines``, ``deadlines --recurring`` and ``progress`` share the
contract other tools rely on: ``--json`` prints one JSON list (empty when
there is nothing), the table prints a Vietnamese sentence instead, and a
province the gazetteer does not know is exit status 2 with its message on
stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from knowledge.deadlines.queries import UnknownProvinceError


class Listed(Protocol):
    def as_json(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=Listed)


def print_listing(
    fetch: Callable[[], Sequence[T]],
    *,
    as_json: bool,
    empty: str,
    line: Callable[[T], str],
    footer: Callable[[Sequence[T]], str | None] = lambda items: None,
) -> int:
    """Fetch the items and print them; the exit status (0, or 2 on an unknown province)."""
    try:
        items = fetch()
    except UnknownProvinceError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps([item.as_json() for item in items], ensure_ascii=False), flush=True)
        return 0
    if not items:
        print(empty)
        return 0
    for item in items:
        print(line(item))
    if (note := footer(items)) is not None:
        print(note)
    return 0
