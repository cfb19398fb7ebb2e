"""Subscriptions: who wants reminders of which deadlines, parsed from /dangky and kept in the database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from index.text import canonical
from knowledge.control_chars import strip_control_chars
from knowledge.db import retry_on_conflict
from knowledge.deadlines.queries import (
    DeadlineView,
    provinces_match,
    topics_match,
)
from knowledge.errors import UserFacingError
from knowledge.models import DeadlineCompletion, ReminderSent, Subscription, as_utc
from knowledge.provinces import Gazetteer

MAX_TOPICS = 10
MAX_TOPIC_CHARS = 100
MAX_LEAD_DAYS = 90


# Reasons a subscription stopped; the bot shows them to admins in Vietnamese.
REASON_UNSUBSCRIBED = "unsubscribed"
REASON_FORBIDDEN = "forbidden"
REASON_CHAT_NOT_FOUND = "chat_not_found"
# Chat type of the terminal chat (`cdsbot chat`): it may subscribe, to filter its /hanchot, but is never sent to
# and is no team (completion counts leave it out).
LOCAL_CHAT_TYPE = "terminal"


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
                f"Chỉ nhắc trước tối đa {MAX_LEAD_DAYS} ngày.",
                f"lead days out of range: {days}",
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
        if (
            topic
            and canonical(topic) not in _ALL_WORDS
            and canonical(topic) not in {"tỉnh", "thành phố", "tp"}
        ):
            cleaned.append(topic)
    if len(cleaned) > MAX_TOPICS:
        raise UserFacingError(f"Tối đa {MAX_TOPICS} chủ đề.", f"{len(cleaned)} topics")
    return SubscriptionFilter(
        tuple(provinces), tuple(dict.fromkeys(cleaned)), lead_days
    )


def get_subscription(engine: Engine, chat_id: int) -> Subscription | None:
    """The chat's subscription row, active or not."""
    with Session(engine) as session:
        row = session.exec(
            select(Subscription).where(col(Subscription.chat_id) == chat_id)
        ).first()
        if row is not None:
            session.expunge(row)
        return row


@retry_on_conflict
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
    lead = (
        wanted.lead_days if wanted.lead_days is not None else tuple(default_lead_days)
    )
    with Session(engine) as session:
        row = session.exec(
            select(Subscription).where(col(Subscription.chat_id) == chat_id)
        ).first()
        if row is None:
            row = Subscription(chat_id=chat_id, created_at=now)
        elif not row.active:
            row.created_at = now
        row.chat_type = chat_type
        row.chat_title = strip_control_chars(chat_title)
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
            .where(
                col(Subscription.chat_id) == chat_id, col(Subscription.active).is_(True)
            )
            .values(active=False, deactivated_reason=reason[:500], updated_at=now)
        )
        session.commit()
        return bool(result.rowcount)


def move_chat(
    engine: Engine, old_chat_id: int, new_chat_id: int, now: datetime
) -> None:
    """A group became a supergroup and got a new id: keep its subscription, ledger and reports.

    The ledger moves too, or everything already sent would be owed again to the new id.
    """
    now = as_utc(now)
    with Session(engine) as session:
        if session.exec(
            select(Subscription.id).where(col(Subscription.chat_id) == new_chat_id)
        ).first():
            return
        session.exec(  # type: ignore[call-overload]
            update(Subscription)
            .where(col(Subscription.chat_id) == old_chat_id)
            .values(chat_id=new_chat_id, chat_type="supergroup", updated_at=now)
        )
        for table in (ReminderSent, DeadlineCompletion):
            session.exec(  # type: ignore[call-overload]
                update(table)
                .where(col(table.chat_id) == old_chat_id)
                .values(chat_id=new_chat_id)
            )
        session.commit()


def all_subscriptions(engine: Engine) -> list[Subscription]:
    """Every subscription, active first, for the admins' overview."""
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(Subscription).order_by(
                    col(Subscription.active).desc(), col(Subscription.id)
                )
            ).all()
        )
        session.expunge_all()
        return rows


def subscription_matches(
    gazetteer: Gazetteer, subscription: Subscription, view: DeadlineView
) -> bool:
    """True when the deadline falls under the chat's provinces and topics."""
    return provinces_match(
        gazetteer, view.provinces, subscription.province_list
    ) and topics_match(view, subscription.topic_list)
