"""Version marks in the ``meta`` table: which version of derived data a base already holds.

Derived data (indicator facts, sentence terms) is recomputed once when the
code that derives it changes; the mark says whether that was done.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from knowledge.models import Meta


def is_current(session: Session, key: str, version: str) -> bool:
    row = session.get(Meta, key)
    return row is not None and row.value == version


def commit_marked(session: Session, key: str, version: str) -> bool:
    """Commit the session's work together with the mark ``key = version``; False if another process won.

    Two processes starting on one base may both do the work. The second
    commit then loses on the mark's primary key and rolls back, which loses
    nothing: both computed the same thing.
    """
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=version))
    else:
        row.value = version
        session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
