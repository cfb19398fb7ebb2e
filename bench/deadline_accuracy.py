"""Task and agency accuracy of deadline extraction on the hand-written sentence table.

    python bench/deadline_accuracy.py [--details]

Each row of tests/knowledge/deadlines/sentence_table.py says which task and
agency a reader takes from a directive sentence; a row counts for the task
when the first deadline found has exactly that task (case and spacing aside),
and for the agency likewise. A sentence where no deadline is found misses both.
Goal: at least 90 % each.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.deadlines.extract import extract_deadlines  # noqa: E402
from tests.knowledge.deadlines.sentence_table import TABLE, Row  # noqa: E402


def same(a: str | None, b: str | None) -> bool:
    """Equal once case, spacing and edge punctuation are set aside."""
    if a is None or b is None:
        return a is b

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip(" ,;:.").casefold()

    return norm(a) == norm(b)


def judge(row: Row) -> tuple[bool, bool, str | None, str | None]:
    """(task right, agency right, task found, agency found) for one row."""
    found = extract_deadlines(row.sentence, row.published)
    if not found:
        return False, False, None, None
    first = found[0]
    return same(first.task, row.task), same(first.agency, row.agency), first.task, first.agency


def accuracy(rows: tuple[Row, ...] = TABLE) -> tuple[float, float, list[str]]:
    """Task accuracy, agency accuracy, and a line per miss."""
    tasks = agencies = 0
    misses: list[str] = []
    for row in rows:
        task_ok, agency_ok, task, agency = judge(row)
        tasks += task_ok
        agencies += agency_ok
        if not (task_ok and agency_ok):
            misses.append(
                f"- {row.sentence}\n    task   {'ok ' if task_ok else 'BAD'} {task!r} (want {row.task!r})"
                f"\n    agency {'ok ' if agency_ok else 'BAD'} {agency!r} (want {row.agency!r})"
            )
    return tasks / len(rows), agencies / len(rows), misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print every sentence that misses")
    args = parser.parse_args()
    task, agency, misses = accuracy()
    print(f"deadline sentences: {len(TABLE)}  task accuracy {task:.1%}  agency accuracy {agency:.1%}  (goal ≥ 90% each)")
    if args.details:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
