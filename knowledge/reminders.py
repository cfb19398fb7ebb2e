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

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal, ParamSpec, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from index.text import canonical
from knowledge.deadline_queries import (
    DeadlineView,
    deadlines_between,
    provinces_match,
    topics_match,
)
from knowledge.errors import NotFoundError, UserFacingError
from knowledge.models import Deadline, DeadlineCompletion, ReminderSent, Subscription
from knowledge.provinces import Gazetteer

MAX_TOPICS = 10
MAX_TOPIC_CHARS = 100
MAX_LEAD_DAYS = 90

# Reasons a subscription stopped; the bot shows them to admins in Vietnamese.
REASON_UNSUBSCRIBED = "unsubscribed"
REASON_FORBIDDEN = "forbidden"
REASON_CHAT_NOT_FOUND = "chat_not_found"


# --------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------


class Clock(Protocol):
    """Where "now" comes from: the system in production, a hand-moved clock in tests."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class ManualClock:
    """A clock that moves only when told to, so tests can let days pass in microseconds."""

    current: datetime

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current = self.current + delta
        return self.current

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        self.current = instant


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def iso_week(day: date) -> str:
    """"2026-W48": the ISO week a digest belongs to (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders are due; built from the settings by the bot."""

    lead_days: tuple[int, ...] = (7, 1, 0)
    send_time: time = time(8, 0)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # A reminder missed while the bot was down still goes out unless the
    # deadline passed more than this many days ago: by then it is noise.
    stale_after_days: int = 7
    digest_horizon_days: int = 30
    # How far back "overdue" reaches in digests and /hanchot: directives from
    # years ago are full of deadlines nobody will report on any more.
    overdue_window_days: int = 30
    claim_timeout: timedelta = timedelta(hours=1)
    admin_ids: frozenset[int] = frozenset()

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.tz)

    def at(self, day: date) -> datetime:
        """The instant reminders for ``day`` go out."""
        return datetime.combine(day, self.send_time, tzinfo=self.tz)


def lead_kind(lead: int) -> str:
    """Ledger kind of a lead time: "lead7", "lead1"; the due day itself is "due"."""
    return "due" if lead == 0 else f"lead{lead}"


def kind_lead(kind: str) -> int | None:
    """Inverse of :func:`lead_kind`; None for digests."""
    if kind == "due":
        return 0
    m = re.fullmatch(r"lead(\d+)", kind)
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------
# Subscriptions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionFilter:
    """What a chat asked to hear about: provinces, topics, and optionally its own lead times."""

    provinces: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    lead_days: tuple[int, ...] | None = None


_LEAD_RE = re.compile(
    r"(?<!\w)(?:nhắc|nhac)\s*(?:trước\s+|truoc\s+)?[:=]?\s*(\d+(?:\s*[,;\s]\s*\d+)*)(?:\s*ngày|\s*ngay)?(?!\w)",
    re.IGNORECASE,
)
_ALL_WORDS = {"tatca", "tat ca", "tất cả", "all", "*"}
_MAX_NAME_WORDS = 5


def parse_subscription_args(text: str, gazetteer: Gazetteer) -> SubscriptionFilter:
    """Read "/dangky" arguments: province names, then topics, and "nhắc 7,3,0" for lead times.

    Provinces are recognised greedily (the longest run of words the gazetteer
    knows, so "Bà Rịa - Vũng Tàu" and "tỉnh Hải Dương" are one name each);
    the words between them are topics, which commas also separate:
    "/dangky Hải Dương dịch vụ công, chữ ký số" is one province, two topics.
    "tất cả" subscribes to everything.
    """
    lead_days: tuple[int, ...] | None = None
    m = _LEAD_RE.search(text)
    if m:
        days = sorted({int(d) for d in re.findall(r"\d+", m.group(1))}, reverse=True)
        if any(d > MAX_LEAD_DAYS for d in days):
            raise UserFacingError(
                f"Chỉ nhắc trước tối đa {MAX_LEAD_DAYS} ngày.", f"lead days out of range: {days}"
            )
        lead_days = tuple(days)
        text = text[: m.start()] + " , " + text[m.end() :]
    if canonical(text).strip(" ,;.") in _ALL_WORDS:
        return SubscriptionFilter(lead_days=lead_days)
    provinces: list[str] = []
    topics: list[str] = []
    for chunk in re.split(r"[,;\n]+", text):
        words = chunk.split()
        current: list[str] = []
        i = 0
        while i < len(words):
            found = None
            for n in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
                candidate = " ".join(words[i : i + n]).strip(".:()")
                province = gazetteer.get(candidate) if candidate else None
                if province is not None:
                    found = (n, province.name)
                    break
            if found is None:
                current.append(words[i])
                i += 1
                continue
            if current:
                topics.append(" ".join(current))
                current = []
            if found[1] not in provinces:
                provinces.append(found[1])
            i += found[0]
        if current:
            topics.append(" ".join(current))
    cleaned = []
    for topic in topics:
        topic = topic.strip(" .:-–").replace(",", " ")[:MAX_TOPIC_CHARS]
        if topic and canonical(topic) not in _ALL_WORDS and canonical(topic) not in {"tỉnh", "thành phố", "tp"}:
            cleaned.append(topic)
    if len(cleaned) > MAX_TOPICS:
        raise UserFacingError(f"Tối đa {MAX_TOPICS} chủ đề.", f"{len(cleaned)} topics")
    return SubscriptionFilter(tuple(provinces), tuple(dict.fromkeys(cleaned)), lead_days)


def get_subscription(engine: Engine, chat_id: int) -> Subscription | None:
    """The chat's subscription row, active or not."""
    with Session(engine) as session:
        row = session.exec(select(Subscription).where(col(Subscription.chat_id) == chat_id)).first()
        if row is not None:
            session.expunge(row)
        return row


P = ParamSpec("P")
R = TypeVar("R")


def _retry_on_conflict(func: Callable[P, R]) -> Callable[P, R]:
    """Read-then-write upserts race: two presses at once both see no row and both insert.

    The loser hits the unique key; running it again finds the winner's row and updates it.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IntegrityError:
            return func(*args, **kwargs)

    return wrapper


@_retry_on_conflict
def subscribe(
    engine: Engine,
    *,
    chat_id: int,
    chat_type: str,
    chat_title: str | None,
    wanted: SubscriptionFilter,
    default_lead_days: Sequence[int],
    user_id: int | None,
    now: datetime,
) -> Subscription:
    """Create or change the chat's subscription and make it active.

    A (re)activation starts a new period (``created_at``): reminders whose time
    came while the chat was not subscribed are not owed to it. Changing the
    filters of an active subscription keeps the period.
    """
    now = as_utc(now)
    lead = wanted.lead_days if wanted.lead_days is not None else tuple(default_lead_days)
    with Session(engine) as session:
        row = session.exec(select(Subscription).where(col(Subscription.chat_id) == chat_id)).first()
        if row is None:
            row = Subscription(chat_id=chat_id, created_at=now)
        elif not row.active:
            row.created_at = now
        row.chat_type = chat_type
        row.chat_title = chat_title
        row.provinces = ",".join(wanted.provinces)
        row.topics = ",".join(wanted.topics)
        row.lead_days = ",".join(str(d) for d in sorted(set(lead), reverse=True))
        row.active = True
        row.deactivated_reason = None
        row.created_by = user_id
        row.updated_at = now
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
        return row


def deactivate(engine: Engine, chat_id: int, reason: str, now: datetime) -> bool:
    """Stop reminders to a chat, keeping why (shown to admins). False if it had no active subscription."""
    now = as_utc(now)
    with Session(engine) as session:
        result = session.exec(  # type: ignore[call-overload]
            update(Subscription)
            .where(col(Subscription.chat_id) == chat_id, col(Subscription.active).is_(True))
            .values(active=False, deactivated_reason=reason[:500], updated_at=now)
        )
        session.commit()
        return bool(result.rowcount)


def move_chat(engine: Engine, old_chat_id: int, new_chat_id: int, now: datetime) -> None:
    """A group became a supergroup and got a new id: keep its subscription, ledger and reports.

    The ledger moves too, or everything already sent would be owed again to the new id.
    """
    now = as_utc(now)
    with Session(engine) as session:
        if session.exec(select(Subscription.id).where(col(Subscription.chat_id) == new_chat_id)).first():
            return
        session.exec(  # type: ignore[call-overload]
            update(Subscription)
            .where(col(Subscription.chat_id) == old_chat_id)
            .values(chat_id=new_chat_id, chat_type="supergroup", updated_at=now)
        )
        for table in (ReminderSent, DeadlineCompletion):
            session.exec(  # type: ignore[call-overload]
                update(table).where(col(table.chat_id) == old_chat_id).values(chat_id=new_chat_id)
            )
        session.commit()


def all_subscriptions(engine: Engine) -> list[Subscription]:
    """Every subscription, active first, for the admins' overview."""
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(Subscription).order_by(col(Subscription.active).desc(), col(Subscription.id))
            ).all()
        )
        session.expunge_all()
        return rows


def subscription_matches(gazetteer: Gazetteer, subscription: Subscription, view: DeadlineView) -> bool:
    """True when the deadline falls under the chat's provinces and topics."""
    return provinces_match(gazetteer, view.provinces, subscription.province_list) and topics_match(
        view, subscription.topic_list
    )


# --------------------------------------------------------------------------
# Completion
# --------------------------------------------------------------------------


@_retry_on_conflict
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
                col(DeadlineCompletion.deadline_id) == deadline_id, col(DeadlineCompletion.chat_id) == chat_id
            )
        ).first()
        changed = row is None or row.done != done
        if row is None:
            row = DeadlineCompletion(deadline_id=deadline_id, chat_id=chat_id, done=done)
        row.done = done
        row.user_id = user_id
        row.user_name = (user_name or "")[:200] or None
        row.at = now
        session.add(row)
        session.commit()
        return changed


def completion_of(engine: Engine, deadline_id: int, chat_id: int) -> DeadlineCompletion | None:
    """The chat's latest report on a deadline, if any."""
    with Session(engine) as session:
        row = session.exec(
            select(DeadlineCompletion).where(
                col(DeadlineCompletion.deadline_id) == deadline_id, col(DeadlineCompletion.chat_id) == chat_id
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


def progress_of(engine: Engine, gazetteer: Gazetteer, views: Sequence[DeadlineView]) -> dict[int, Progress]:
    """Per deadline: teams (active subscriptions it falls under) and those that reported done."""
    if not views:
        return {}
    with Session(engine) as session:
        subscriptions = list(session.exec(select(Subscription).where(col(Subscription.active).is_(True))).all())
        done_rows = session.exec(
            select(DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id).where(
                col(DeadlineCompletion.deadline_id).in_([v.id for v in views]), col(DeadlineCompletion.done).is_(True)
            )
        ).all()
    done = set(done_rows)
    result: dict[int, Progress] = {}
    for view in views:
        teams = [s.chat_id for s in subscriptions if subscription_matches(gazetteer, s, view)]
        result[view.id] = Progress(done=sum((view.id, chat) in done for chat in teams), teams=len(teams))
    return result


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


def _insert_claim(session: Session, deadline_id: int | None, chat_id: int, kind: str, now: datetime) -> int | None:
    """Insert a ledger row unless its key exists; the new row's id, or None if someone has it."""
    values = {"deadline_id": deadline_id, "chat_id": chat_id, "kind": kind, "claimed_at": now, "status": "claimed"}
    dialect = session.get_bind().dialect.name
    table = ReminderSent.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(dialect)
    return session.execute(statement).scalar_one_or_none()


def _due_lead(
    policy: ReminderPolicy, subscription: Subscription, due: date, local_now: datetime, since: datetime
) -> int | None:
    """The latest lead time whose moment has come for this deadline (None: nothing due yet).

    When several have come (the bot was down for a week), only the latest is
    owed: "còn 1 ngày" makes "còn 7 ngày" pointless.
    """
    lead_days = subscription.lead_day_list or list(policy.lead_days)
    passed = [lead for lead in lead_days if since <= policy.at(due - timedelta(days=lead)) <= local_now]
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
                col(ReminderSent.status) == "claimed", col(ReminderSent.claimed_at) < now - policy.claim_timeout
            )
        )
        subscriptions = list(
            session.exec(
                select(Subscription)
                .where(col(Subscription.active).is_(True), col(Subscription.id) > after)
                .order_by(col(Subscription.id))
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).all()
        )
        if after == 0:
            claims.extend(_claim_admin_digests(session, policy, gazetteer, now, local_now, week, digest_at))
        if not subscriptions:
            session.commit()
            return ClaimBatch(claims, None)
        max_lead = max(max(s.lead_day_list or policy.lead_days, default=0) for s in subscriptions)
        back = max(policy.stale_after_days, policy.overdue_window_days)
        ahead = max(max_lead, policy.digest_horizon_days)
        views = deadlines_between(session, today - timedelta(days=back), today + timedelta(days=ahead))
        chat_ids = [s.chat_id for s in subscriptions]
        ledger: dict[tuple[int | None, int], set[str]] = {}
        for deadline_id, chat_id, kind in session.exec(
            select(ReminderSent.deadline_id, ReminderSent.chat_id, ReminderSent.kind).where(
                col(ReminderSent.chat_id).in_(chat_ids)
            )
        ).all():
            ledger.setdefault((deadline_id, chat_id), set()).add(kind)
        done = set(
            session.exec(
                select(DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id).where(
                    col(DeadlineCompletion.chat_id).in_(chat_ids), col(DeadlineCompletion.done).is_(True)
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
                if (v.id, chat_id) not in done and subscription_matches(gazetteer, subscription, v)
            ]
            for view in mine:
                if view.due < stale_before:
                    continue
                lead = _due_lead(policy, subscription, view.due, local_now, since)
                if lead is None:
                    continue
                sent_leads = [kind_lead(k) for k in ledger.get((view.id, chat_id), set())]
                if any(s is not None and s <= lead for s in sent_leads):
                    continue  # this one, or a later one, already went out
                kind = lead_kind(lead)
                ledger_id = _insert_claim(session, view.id, chat_id, kind, now)
                if ledger_id is not None:
                    claims.append(ReminderClaim(ledger_id, chat_id, kind, deadline=view))
            digest_kind = f"digest:{week}"
            if since <= digest_at <= local_now and digest_kind not in ledger.get((None, chat_id), set()):
                digest = Digest(
                    week=week,
                    upcoming=tuple(
                        v for v in mine if today <= v.due <= today + timedelta(days=policy.digest_horizon_days)
                    ),
                    overdue=tuple(
                        v for v in mine if today - timedelta(days=policy.overdue_window_days) <= v.due < today
                    ),
                )
                ledger_id = _insert_claim(session, None, chat_id, digest_kind, now)
                if ledger_id is not None:
                    if digest.is_empty:
                        _finish(session, ledger_id, "empty", None, now)
                    else:
                        claims.append(ReminderClaim(ledger_id, chat_id, digest_kind, digest=digest))
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
    overdue = deadlines_between(session, today - timedelta(days=policy.overdue_window_days), today - timedelta(days=1))
    active = list(session.exec(select(Subscription).where(col(Subscription.active).is_(True))).all())
    done = set(
        session.exec(
            select(DeadlineCompletion.deadline_id, DeadlineCompletion.chat_id).where(
                col(DeadlineCompletion.deadline_id).in_([v.id for v in overdue]), col(DeadlineCompletion.done).is_(True)
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
    digest = Digest(week=week, upcoming=(), overdue=tuple(unfinished), progress=progress, stopped=stopped)
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


def _finish(session: Session, ledger_id: int, status: str, message_id: int | None, now: datetime) -> None:
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
            delete(ReminderSent).where(col(ReminderSent.id) == ledger_id, col(ReminderSent.status) == "claimed")
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
