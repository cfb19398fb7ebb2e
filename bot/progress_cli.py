"""`cdsbot progress [--json] [--province P] [--indicator KEY]`: the indicator facts in the base.

Newest period first. ``--province`` takes any spelling and old or new names,
as ``cdsbot deadlines --province`` does, and an unknown one gets the same
message and exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from bot.listing import print_listing
from knowledge.library import Library
from knowledge.progress.questions import format_value
from knowledge.progress.store import FactView, list_facts
from knowledge.progress.vocabulary import BY_KEY


def _row(fact: FactView) -> str:
    period = fact.period + ("*" if fact.period_inferred else "")
    return (
        f"{fact.province:<16} {fact.indicator:<26} {format_value(fact.value, fact.unit, fact.of):>12}  "
        f"{period:<8} tài liệu #{fact.document_id}, đoạn {fact.passage_position + 1}"
    )


def cmd_progress(library: Library, args: argparse.Namespace) -> int:
    """Print the facts as JSON (a list of objects) or as a table; 2 on an unknown province or indicator."""
    if args.indicator and args.indicator not in BY_KEY:
        print(
            f"Không có chỉ số «{args.indicator}». Các chỉ số: {', '.join(BY_KEY)}.",
            file=sys.stderr,
        )
        return 2
    return print_listing(
        lambda: list_facts(library.engine, library.gazetteer, province=args.province, indicator=args.indicator),
        as_json=args.json,
        empty="Chưa có số liệu chỉ số nào trong các tài liệu hiện có.",
        line=_row,
        footer=lambda facts: (
            "* kỳ suy ra từ năm của tài liệu (văn bản không ghi rõ kỳ)."
            if any(f.period_inferred for f in facts)
            else None
        ),
    )
