"""Completion reports: a unit says a task is done, and is not reminded of it again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.control_chars import strip_control_chars
from knowledge.db import retry_on_conflict
from knowledge.deadlines.queries import (
    DeadlineView,
)
from knowledge.errors import NotFoundError
from knowledge.models import Deadline, DeadlineCompletion, Subscription, as_utc
from knowledge.provinces import Gazetteer
from knowledge.reminders.subscriptions import LOCAL_CHAT_TYPE, subscription_matches

# --------------------------------------------------------------------------
# Completion
# --------------------------------------------------------------------------


@retry_on_conflict
def record_completion(
    engine: Engine,
    *,
    deadline_id: int,
    chat_id: int,
    user_id: int | None,
    user_name: str | None,
    done: bool,
    now: datetime,
) -> bool:
    """Record a team's "Đã hoàn thành"/"Chưa xong"; the latest press counts.

    Returns whether the state changed. Raises :class:`NotFoundError` when the
    deadline was deleted since the reminder went out.
    """
    now = as_utc(now)
    with Session(engine) as session:
        if session.get(Deadline, deadline_id) is None:
            raise NotFoundError("Hạn chót này đã bị xoá.", f"no deadline {deadline_id}")
        row = session.exec(
            select(DeadlineCompletion).where(
                col(DeadlineCompletion.deadline_id) == deadline_id,
                col(DeadlineCompletion.chat_id) == chat_id,
            )
        ).first()
        changed = row is None or row.done != done
        if row is None:
            row = DeadlineCompletion(
                deadline_id=deadline_id, chat_id=chat_id, done=done
            )
        row.done = done
        row.user_id = user_id
        row.user_name = strip_control_chars(user_name or "")[:200] or None
        row.at = now
        session.add(row)
        session.commit()
        return changed


def completion_of(
    engine: Engine, deadline_id: int, chat_id: int
) -> DeadlineCompletion | None:
    """The chat's latest report on a deadline, if any."""
    with Session(engine) as session:
        row = session.exec(
            select(DeadlineCompletion).where(
                col(DeadlineCompletion.deadline_id) == deadline_id,
                col(DeadlineCompletion.chat_id) == chat_id,
            )
        ).first()
        if row is not None:
            session.expunge(row)
        return row


@dataclass(frozen=True)
class Progress:
    """How many subscribed teams a deadline concerns, and how many reported it done."""

    done: int
    teams: int


def progress_of(
    engine: Engine, gazetteer: Gazetteer, views: Sequence[DeadlineView]
) -> dict[int, Progress]:
    """Per deadline: teams (active subscriptions it falls under) and those that reported done."""
    if not views:
        return {}
    with Session(engine) as session:
        subscriptions = list(
            session.exec(
                # The terminal chat (`cdsbot chat`) is no team: it gets no reminders to answer.
                select(Subscription).where(
                    col(Subscription.active).is_(True), col(Subscription.chat_type) != LOCAL_CHAT_TYPE
                )
            ).all()
        )
        done_rows = session.exec(
            select(DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id).where(
                col(DeadlineCompletion.deadline_id).in_([v.id for v in views]),
                col(DeadlineCompletion.done).is_(True),
            )
        ).all()
    done = set(done_rows)
    result: dict[int, Progress] = {}
    for view in views:
        teams = [
            s.chat_id for s in subscriptions if subscription_matches(gazetteer, s, view)
        ]
        result[view.id] = Progress(
            done=sum((view.id, chat) in done for chat in teams), teams=len(teams)
        )
    return result
