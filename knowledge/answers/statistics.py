"""What users ask and how they rate the answers: the question log and feedback.

Pure functions over an :class:`Engine`, each with its own short session, so
the bot can call them from a worker thread. Grouping by day and by question
happens in Python rather than in SQL: day boundaries are in Vietnam time and
questions typed with and without diacritics are the same question, neither of
which SQLite and PostgreSQL express the same way. A week of questions for one
province's officials is a few thousand rows, cheap to read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from index.text import canonical, fold
from knowledge import reading

# The database layer is imported by the functions that write or report: the
# examples offered after a miss read the log with plain SQL (knowledge/reading.py),
# so a cold `cdsbot ask` offers them without loading SQLAlchemy.
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Where people ask: Telegram users, and an admin trying the bot in `cdsbot chat`
# (its channel is "terminal"). Questions from `cdsbot ask`, `eval` and the
# benchmarks are a developer's runs: counting them would make "most asked"
# show test questions, so statistics and suggestions never read them.
PEOPLE_CHANNELS: tuple[str, ...] = ("telegram", "terminal")
TERMINAL_CHANNEL = "terminal"


@dataclass(frozen=True)
class DayCount:
    """Questions asked on one local day, and how many of them found nothing."""

    day: date
    asked: int
    unanswered: int


@dataclass(frozen=True)
class UsageReport:
    """The admins' view of the last days: volume, what is asked, what the base lacks."""

    days: tuple[DayCount, ...]
    top_questions: tuple[tuple[str, int], ...]
    unanswered: tuple[tuple[datetime, str], ...]
    helpful: int
    unhelpful: int
    # Of ``total``, how many were typed in `cdsbot chat` rather than Telegram.
    from_terminal: int = 0

    @property
    def total(self) -> int:
        return sum(d.asked for d in self.days)


def question_key(question: str) -> str:
    """The form two spellings of one question share: no diacritics, case or punctuation."""
    return " ".join(re.findall(r"\w+", fold(canonical(question))))


def question_text(engine: Engine, question_id: int) -> str | None:
    """The logged text of a question, to answer it again when a button outlives the cache."""
    from sqlmodel import Session

    from knowledge.models import QuestionLog

    with Session(engine) as session:
        row = session.get(QuestionLog, question_id)
        return row.question if row is not None else None


def record_feedback(engine: Engine, *, question_id: int, user_id: int, helpful: bool) -> bool:
    """Store a 👍/👎; one vote per user and question, the last one wins.

    Returns False when the question is not in the log (a button on a message
    older than the database). A select-then-write is portable across SQLite
    and PostgreSQL; the unique constraint settles two simultaneous first votes.
    """
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session, select

    from knowledge.models import Feedback, QuestionLog

    for _attempt in range(2):
        with Session(engine) as session:
            if session.get(QuestionLog, question_id) is None:
                return False
            vote = session.exec(
                select(Feedback).where(Feedback.question_id == question_id, Feedback.user_id == user_id)
            ).first()
            if vote is None:
                session.add(Feedback(question_id=question_id, user_id=user_id, helpful=helpful))
            else:
                vote.helpful = helpful
                vote.given_at = datetime.now(timezone.utc)
                session.add(vote)
            try:
                session.commit()
                return True
            except IntegrityError:
                session.rollback()
    return True


def popular_questions(engine: Engine | reading.ReadConnection, *, limit: int = 3, scan: int = 2000) -> list[str]:
    """The most asked questions that found an answer, most asked first.

    Of the spellings of one question, the one typed with diacritics most often
    is shown, so examples read well.
    """
    if isinstance(engine, reading.ReadConnection):
        rows = reading.answered_questions(engine, channels=PEOPLE_CHANNELS, scan=scan)
    else:
        with reading.connected(engine) as db:
            rows = reading.answered_questions(db, channels=PEOPLE_CHANNELS, scan=scan)
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for question in rows:
        key = question_key(question)
        if not key:
            continue
        counts[key] += 1
        spellings[key][question.strip()] += 1
    return [_best_spelling(spellings[key]) for key, _ in counts.most_common(limit)]


def usage_report(
    engine: Engine,
    *,
    tz: tzinfo,
    days: int = 7,
    top: int = 5,
    recent_unanswered: int = 10,
    now: datetime | None = None,
) -> UsageReport:
    """Questions per local day for the last ``days`` days, top questions, recent misses, votes."""
    from sqlmodel import Session, col, select

    from knowledge.models import Feedback, QuestionLog, as_utc

    now = now or datetime.now(timezone.utc)
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=tz).astimezone(timezone.utc)
    with Session(engine) as session:
        rows = session.exec(
            select(QuestionLog.asked_at, QuestionLog.question, QuestionLog.found, QuestionLog.channel)
            .where(col(QuestionLog.asked_at) >= since, col(QuestionLog.channel).in_(PEOPLE_CHANNELS))
            .order_by(col(QuestionLog.asked_at))
        ).all()
        misses = session.exec(
            select(QuestionLog.asked_at, QuestionLog.question)
            .where(col(QuestionLog.found).is_(False), col(QuestionLog.channel).in_(PEOPLE_CHANNELS))
            .order_by(col(QuestionLog.asked_at).desc())
            .limit(recent_unanswered)
        ).all()
        votes = session.exec(select(Feedback.helpful)).all()
    asked: Counter[date] = Counter()
    missed: Counter[date] = Counter()
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    from_terminal = 0
    for asked_at, question, found, channel in rows:
        day = as_utc(asked_at).astimezone(tz).date()
        if day < first_day:
            continue
        asked[day] += 1
        from_terminal += channel == TERMINAL_CHANNEL
        if not found:
            missed[day] += 1
        key = question_key(question)
        if key:
            counts[key] += 1
            spellings[key][question.strip()] += 1
    return UsageReport(
        days=tuple(
            DayCount(day, asked[day], missed[day]) for day in (first_day + timedelta(n) for n in range(days))
        ),
        top_questions=tuple((_best_spelling(spellings[key]), n) for key, n in counts.most_common(top)),
        unanswered=tuple((as_utc(asked_at).astimezone(tz), question) for asked_at, question in misses),
        helpful=sum(1 for v in votes if v),
        unhelpful=sum(1 for v in votes if not v),
        from_terminal=from_terminal,
    )


def _best_spelling(spellings: Counter[str]) -> str:
    return max(spellings.items(), key=lambda item: (fold(item[0]) != item[0], item[1]))[0]
