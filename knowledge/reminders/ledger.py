"""Subscriptions, completion reports and the reminder ledger: what is owed to whom, and when.

The database, not the scheduler, decides what is due. PTB's JobQueue keeps
nothing across restarts, APScheduler 3 skips jobs that miss their time by
more than a second, and it cannot share a job store between processes; so
the scheduler only wakes us up, and each wake-up *claims* what is due by
inserting rows into the ``remindersent`` ledger, in the transaction that
selected them. The ledger's unique key (deadline, chat, kind) makes a claim
succeed once: after a restart the rows are still there, and a second
process inserting the same key gets nothing (``ON CONFLICT DO NOTHING``).
On PostgreSQL the subscriptions being worked on are also locked with
``FOR UPDATE SKIP LOCKED``, so two processes split the work instead of
racing for it.

A claim is sent by the caller, then marked sent; a send that failed for a
transient reason is released (the row deleted) so the next tick retries it.
A claim left unmarked for :attr:`ReminderPolicy.claim_timeout` (its process
died mid-send) is released as well: after that long, a reminder that may
never have gone out is worse than one that might go out twice.

Time comes from a :class:`Clock` so tests can move it; every function takes
``now`` (timezone-aware) rather than reading the system time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from knowledge.deadlines.queries import (
    DeadlineView,
    deadlines_between,
)
from knowledge.models import DeadlineCompletion, ReminderSent, Subscription, as_utc
from knowledge.provinces import Gazetteer
from knowledge.reminders.clock import (
    ReminderPolicy,
    iso_week,
    kind_lead,
    lead_kind,
)
from knowledge.reminders.completion import Progress
from knowledge.reminders.subscriptions import (
    LOCAL_CHAT_TYPE,
    REASON_UNSUBSCRIBED,
    subscription_matches,
)

# --------------------------------------------------------------------------
# Claiming
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StoppedChat:
    """A subscription Telegram made us stop, for the admins' digest."""

    chat_id: int
    chat_title: str | None
    reason: str | None


@dataclass(frozen=True)
class Digest:
    """A weekly summary: what falls due soon and what is overdue, for one chat."""

    week: str
    upcoming: tuple[DeadlineView, ...]
    overdue: tuple[DeadlineView, ...]
    progress: dict[int, Progress] = field(default_factory=dict)
    stopped: tuple[StoppedChat, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.upcoming or self.overdue or self.stopped)


@dataclass(frozen=True)
class ReminderClaim:
    """One message this process now owns the right to send."""

    ledger_id: int
    chat_id: int
    kind: str
    deadline: DeadlineView | None = None
    digest: Digest | None = None


@dataclass(frozen=True)
class ClaimBatch:
    """Claims from one batch of subscriptions, and where the next batch starts (None: done)."""

    claims: list[ReminderClaim]
    next_after: int | None


def _insert_claim(
    session: Session, deadline_id: int | None, chat_id: int, kind: str, now: datetime
) -> int | None:
    """Insert a ledger row unless its key exists; the new row's id, or None if someone has it."""
    values = {
        "deadline_id": deadline_id,
        "chat_id": chat_id,
        "kind": kind,
        "claimed_at": now,
        "status": "claimed",
    }
    dialect = session.get_bind().dialect.name
    table = ReminderSent.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        statement = (
            postgresql.insert(table)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(table.c.id)
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(table)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(table.c.id)
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(dialect)
    return session.execute(statement).scalar_one_or_none()


def _due_lead(
    policy: ReminderPolicy,
    subscription: Subscription,
    due: date,
    local_now: datetime,
    since: datetime,
) -> int | None:
    """The latest lead time whose moment has come for this deadline (None: nothing due yet).

    When several have come (the bot was down for a week), only the latest is
    owed: "còn 1 ngày" makes "còn 7 ngày" pointless.
    """
    lead_days = subscription.lead_day_list or list(policy.lead_days)
    passed = [
        lead
        for lead in lead_days
        if since <= policy.at(due - timedelta(days=lead)) <= local_now
    ]
    return min(passed) if passed else None


def claim_due_reminders(
    engine: Engine,
    policy: ReminderPolicy,
    gazetteer: Gazetteer,
    now: datetime,
    *,
    after: int = 0,
    batch_size: int = 50,
) -> ClaimBatch:
    """Claim every reminder due by ``now`` for the next batch of subscriptions (ids > ``after``).

    One transaction: release stale claims, lock a batch of active
    subscriptions (skipping ones another process holds), read what is due
    for them, insert the ledger rows, commit. Only rows this call inserted
    are returned, so whatever the interleaving of processes, each
    (deadline, chat, kind) is returned once in total.
    """
    now = as_utc(now)
    local_now = policy.local(now)
    today = local_now.date()
    week_start = today - timedelta(days=today.weekday())
    digest_at = policy.at(week_start)
    week = iso_week(today)
    claims: list[ReminderClaim] = []
    with Session(engine) as session:
        # Writing first makes SQLite take its write lock now (waiting for other
        # writers) instead of failing at the first insert on a stale snapshot.
        session.exec(  # type: ignore[call-overload]
            delete(ReminderSent).where(
                col(ReminderSent.status) == "claimed",
                col(ReminderSent.claimed_at) < now - policy.claim_timeout,
            )
        )
        subscriptions = list(
            session.exec(
                select(Subscription)
                .where(
                    col(Subscription.active).is_(True),
                    col(Subscription.id) > after,
                    # The terminal chat's subscription only filters /hanchot there: nothing can be sent to it.
                    col(Subscription.chat_type) != LOCAL_CHAT_TYPE,
                )
                .order_by(col(Subscription.id))
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
        )
        if after == 0:
            claims.extend(
                _claim_admin_digests(
                    session, policy, gazetteer, now, local_now, week, digest_at
                )
            )
        if not subscriptions:
            session.commit()
            return ClaimBatch(claims, None)
        max_lead = max(
            max(s.lead_day_list or policy.lead_days, default=0) for s in subscriptions
        )
        back = max(policy.stale_after_days, policy.overdue_window_days)
        ahead = max(max_lead, policy.digest_horizon_days)
        views = deadlines_between(
            session, today - timedelta(days=back), today + timedelta(days=ahead)
        )
        chat_ids = [s.chat_id for s in subscriptions]
        ledger: dict[tuple[int | None, int], set[str]] = {}
        for deadline_id, chat_id, kind in session.exec(
            select(
                ReminderSent.deadline_id, ReminderSent.chat_id, ReminderSent.kind
            ).where(col(ReminderSent.chat_id).in_(chat_ids))
        ).all():
            ledger.setdefault((deadline_id, chat_id), set()).add(kind)
        done = set(
            session.exec(
                select(
                    DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id
                ).where(
                    col(DeadlineCompletion.chat_id).in_(chat_ids),
                    col(DeadlineCompletion.done).is_(True),
                )
            ).all()
        )
        stale_before = today - timedelta(days=policy.stale_after_days)
        for subscription in subscriptions:
            chat_id = subscription.chat_id
            since = as_utc(subscription.created_at)
            mine = [
                v
                for v in views
                if (v.id, chat_id) not in done
                and subscription_matches(gazetteer, subscription, v)
            ]
            for view in mine:
                if view.due < stale_before:
                    continue
                lead = _due_lead(policy, subscription, view.due, local_now, since)
                if lead is None:
                    continue
                sent_leads = [
                    kind_lead(k) for k in ledger.get((view.id, chat_id), set())
                ]
                if any(s is not None and s <= lead for s in sent_leads):
                    continue  # this one, or a later one, already went out
                kind = lead_kind(lead)
                ledger_id = _insert_claim(session, view.id, chat_id, kind, now)
                if ledger_id is not None:
                    claims.append(
                        ReminderClaim(ledger_id, chat_id, kind, deadline=view)
                    )
            digest_kind = f"digest:{week}"
            if since <= digest_at <= local_now and digest_kind not in ledger.get(
                (None, chat_id), set()
            ):
                digest = Digest(
                    week=week,
                    upcoming=tuple(
                        v
                        for v in mine
                        if today
                        <= v.due
                        <= today + timedelta(days=policy.digest_horizon_days)
                    ),
                    overdue=tuple(
                        v
                        for v in mine
                        if today - timedelta(days=policy.overdue_window_days)
                        <= v.due
                        < today
                    ),
                )
                ledger_id = _insert_claim(session, None, chat_id, digest_kind, now)
                if ledger_id is not None:
                    if digest.is_empty:
                        _finish(session, ledger_id, "empty", None, now)
                    else:
                        claims.append(
                            ReminderClaim(
                                ledger_id, chat_id, digest_kind, digest=digest
                            )
                        )
        session.commit()
        next_after = subscriptions[-1].id if len(subscriptions) == batch_size else None
        return ClaimBatch(claims, next_after)


def _claim_admin_digests(
    session: Session,
    policy: ReminderPolicy,
    gazetteer: Gazetteer,
    now: datetime,
    local_now: datetime,
    week: str,
    digest_at: datetime,
) -> list[ReminderClaim]:
    """Monday's summary for the bot's admins: overdue deadlines teams have not finished, stopped subscriptions."""
    if not policy.admin_ids or local_now < digest_at:
        return []
    kind = f"admin-digest:{week}"
    owed = [
        admin
        for admin in sorted(policy.admin_ids)
        if session.exec(
            select(ReminderSent.id).where(
                col(ReminderSent.chat_id) == admin,
                col(ReminderSent.kind) == kind,
                col(ReminderSent.deadline_id).is_(None),
            )
        ).first()
        is None
    ]
    if not owed:
        return []
    today = local_now.date()
    overdue = deadlines_between(
        session,
        today - timedelta(days=policy.overdue_window_days),
        today - timedelta(days=1),
    )
    active = list(
        session.exec(
            select(Subscription).where(
                col(Subscription.active).is_(True), col(Subscription.chat_type) != LOCAL_CHAT_TYPE
            )
        ).all()
    )
    done = set(
        session.exec(
            select(DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id).where(
                col(DeadlineCompletion.deadline_id).in_([v.id for v in overdue]),
                col(DeadlineCompletion.done).is_(True),
            )
        ).all()
    )
    progress: dict[int, Progress] = {}
    unfinished: list[DeadlineView] = []
    for view in overdue:
        teams = [s.chat_id for s in active if subscription_matches(gazetteer, s, view)]
        finished = sum((view.id, chat) in done for chat in teams)
        progress[view.id] = Progress(finished, len(teams))
        if teams and finished < len(teams):
            unfinished.append(view)
    stopped = tuple(
        StoppedChat(s.chat_id, s.chat_title, s.deactivated_reason)
        for s in session.exec(
            select(Subscription).where(
                col(Subscription.active).is_(False),
                col(Subscription.deactivated_reason) != REASON_UNSUBSCRIBED,
                col(Subscription.updated_at) >= now - timedelta(days=8),
            )
        ).all()
    )
    digest = Digest(
        week=week,
        upcoming=(),
        overdue=tuple(unfinished),
        progress=progress,
        stopped=stopped,
    )
    claims: list[ReminderClaim] = []
    for admin in owed:
        ledger_id = _insert_claim(session, None, admin, kind, now)
        if ledger_id is None:
            continue
        if digest.is_empty:
            _finish(session, ledger_id, "empty", None, now)
        else:
            claims.append(ReminderClaim(ledger_id, admin, kind, digest=digest))
    return claims


def _finish(
    session: Session, ledger_id: int, status: str, message_id: int | None, now: datetime
) -> None:
    session.exec(  # type: ignore[call-overload]
        update(ReminderSent)
        .where(col(ReminderSent.id) == ledger_id)
        .values(status=status, sent_at=now, message_id=message_id)
    )


def mark_sent(
    engine: Engine,
    ledger_id: int,
    *,
    now: datetime,
    message_id: int | None = None,
    status: Literal["sent", "failed"] = "sent",
) -> None:
    """Record that a claimed reminder went out (or was refused for good and must not be retried)."""
    now = as_utc(now)
    with Session(engine) as session:
        _finish(session, ledger_id, status, message_id, now)
        session.commit()


def release_claim(engine: Engine, ledger_id: int) -> None:
    """Give a claim back after a transient failure, so a later tick sends it."""
    with Session(engine) as session:
        session.exec(  # type: ignore[call-overload]
            delete(ReminderSent).where(
                col(ReminderSent.id) == ledger_id, col(ReminderSent.status) == "claimed"
            )
        )
        session.commit()


def ledger_rows(engine: Engine, chat_id: int | None = None) -> list[ReminderSent]:
    """The ledger (optionally one chat's), oldest first: for admins and tests."""
    with Session(engine) as session:
        statement = select(ReminderSent).order_by(col(ReminderSent.id))
        if chat_id is not None:
            statement = statement.where(col(ReminderSent.chat_id) == chat_id)
        rows = list(session.exec(statement).all())
        session.expunge_all()
        return rows
