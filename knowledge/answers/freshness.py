"""Is what an old answer cited still in the base? Buttons outlive removals and replacements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

# Imported when a button is pressed, not when the conversation module loads
# (a cold `cdsbot ask` offers examples from there without SQLAlchemy).
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def existing_passages(engine: Engine, passage_ids: Iterable[int]) -> set[int]:
    """Those of ``passage_ids`` still stored (a removed or replaced document's passages are gone)."""
    from sqlmodel import Session, col, select

    from knowledge.models import Passage

    wanted = set(passage_ids)
    if not wanted:
        return set()
    with Session(engine) as session:
        return set(session.exec(select(Passage.id).where(col(Passage.id).in_(wanted))).all()) - {None}  # type: ignore[arg-type]


def answered_passage_removed(engine: Engine, question_id: int) -> bool:
    """Whether the passage a logged question was answered from has been removed since."""
    from sqlmodel import Session

    from knowledge.models import Passage, QuestionLog

    with Session(engine) as session:
        row = session.get(QuestionLog, question_id)
        if row is None or row.top_passage_id is None:
            return False
        return session.get(Passage, row.top_passage_id) is None
