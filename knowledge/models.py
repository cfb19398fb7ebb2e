"""Database tables (SQLModel). Tables only: behaviour lives in library.py."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

# The hand-entered deadlines' placeholder document (defined where lists are read without these classes).
from knowledge.reading import MANUAL_DEADLINES_HASH  # noqa: F401  (imported from here by the table code)


def utcnow() -> datetime:
    """Timestamps are stored timezone-aware in UTC; display converts to Vietnam time."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp, aware and in UTC: SQLite hands them back without a zone; they were written in UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Document(SQLModel, table=True):
    """An article or directive as an admin added it."""

    # "#12" in old answers and reminders must never name a different document.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    title: str
    source: str | None = None
    published: date | None = Field(default=None, index=True)
    # Canonical province names, comma-separated: portable across SQLite and
    # PostgreSQL, and short (an article is about one or two provinces).
    provinces: str = ""
    content_hash: str = Field(index=True, unique=True, max_length=64)
    filename: str | None = None
    added_by: str = "cli"
    added_at: datetime = Field(default_factory=utcnow)
    # Issue 8: an official document's header ("Kế hoạch", "215/KH-UBND", the
    # issuer as printed); NULL for news articles. ``ocr``: text came from OCR.
    number: str | None = Field(default=None, index=True)
    doc_type: str | None = None
    issuer: str | None = None
    ocr: bool = False

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]


class Passage(SQLModel, table=True):
    """A run of whole sentences from one document, with its word tokens from ingest."""

    # Never reuse ids of deleted passages: the saved index is reconciled by id,
    # and a reused id would keep the old passage's terms.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    # underthesea word tokens, lowercased, syllables joined by "_", space-separated.
    tokens: str = Field(sa_column=Column(Text, nullable=False))
    # Issue 13: the snippet's sentences and their terms, made once at ingest
    # (knowledge/answers/sentence_terms.py); NULL for passages stored before, until backfilled.
    sentence_terms: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Deadline(SQLModel, table=True):
    """A date by which a directive wants something done."""

    # Reminder buttons carry the deadline id: a reused id would let an old
    # button mark a different deadline done.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    passage_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("passage.id", ondelete="SET NULL"), nullable=True)
    )
    due: date = Field(index=True)
    precision: str
    task: str = Field(sa_column=Column(Text, nullable=False))
    agency: str | None = None
    provinces: str = ""
    quote: str = Field(sa_column=Column(Text, nullable=False))
    is_horizon: bool = False
    # Issue 8, task tables: the "Cơ quan phối hợp" cell, and for recurring
    # rows ("Thường xuyên", "Hằng quý") the recurrence ("continuous",
    # "quarterly" …). Recurring rows are stored with is_horizon=True so that
    # date-based lists and reminders skip them; `deadlines --recurring` lists them.
    co_agencies: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recurrence: str | None = None
    added_by: str = "extractor"
    added_at: datetime = Field(default_factory=utcnow)

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]


class QuestionLog(SQLModel, table=True):
    """Every question asked, so admins see what users need and what the base lacks."""

    # Answer buttons carry the question id; never hand it to another question.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, index=True)
    channel: str = "cli"
    # Telegram ids outgrow 32 bits (supergroups are -100…, newer accounts > 2^31).
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    question: str = Field(sa_column=Column(Text, nullable=False))
    found: bool
    top_document_id: int | None = None
    top_passage_id: int | None = None


class Feedback(SQLModel, table=True):
    """A 👍 or 👎 on one answer; one vote per user and question, the last one counts."""

    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(
        sa_column=Column(Integer, ForeignKey("questionlog.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    helpful: bool
    given_at: datetime = Field(default_factory=utcnow)


class Meta(SQLModel, table=True):
    """Small facts about the database itself (e.g. that the demo base was loaded once)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


# --------------------------------------------------------------------------
# Reminders (issue 5): who wants to hear about which deadlines, what was sent,
# and who reported a deadline done. Telegram chat ids do not fit in 32 bits
# (supergroups are -100…), hence BigInteger.
# --------------------------------------------------------------------------


class Subscription(SQLModel, table=True):
    """A chat (a private chat or a team's group) that wants deadline reminders.

    One row per chat: /dangky again changes the filters, /huydangky or a
    ``Forbidden`` from Telegram sets ``active`` to False with the reason, so an
    admin can see why a team stopped hearing from the bot.
    """

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    chat_type: str = "private"
    chat_title: str | None = None
    # Canonical province names and free-text topics, comma-separated; empty = everything.
    provinces: str = ""
    topics: str = ""
    # Days before the due date, comma-separated, e.g. "7,1,0" (0 = the due day).
    lead_days: str = "7,1,0"
    active: bool = Field(default=True, index=True)
    deactivated_reason: str | None = None
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # When the current subscription period began: reminders scheduled before
    # it are not owed to this chat, so subscribing never sends a burst of old ones.
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split(",") if t]

    @property
    def lead_day_list(self) -> list[int]:
        return sorted({int(d) for d in self.lead_days.split(",") if d.strip()}, reverse=True)


class ReminderSent(SQLModel, table=True):
    """The ledger: one row per reminder claimed for sending, written before it is sent.

    The unique key (deadline, chat, kind) is what makes a reminder go out at
    most once across restarts and across processes: claiming *is* inserting
    this row. Digests concern no single deadline (``deadline_id`` is NULL),
    and since SQL treats NULLs as distinct, a partial unique index on
    (chat, kind) covers them.
    """

    __table_args__ = (
        UniqueConstraint("deadline_id", "chat_id", "kind"),
        Index(
            "ix_remindersent_digest_once",
            "chat_id",
            "kind",
            unique=True,
            sqlite_where=sql_text("deadline_id IS NULL"),
            postgresql_where=sql_text("deadline_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("deadline.id", ondelete="CASCADE"), nullable=True)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    # "lead7", "lead1", "due", "digest:2026-W48", "admin-digest:2026-W48".
    kind: str = Field(max_length=64)
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # "claimed" until the send returns, then "sent", "empty" (digest with nothing
    # to say) or "failed" (Telegram refused for good; kept so it is not retried).
    status: str = "claimed"


class DeadlineCompletion(SQLModel, table=True):
    """A team's answer to "Đã hoàn thành / Chưa xong": the latest press counts."""

    __table_args__ = (UniqueConstraint("deadline_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(
        sa_column=Column(Integer, ForeignKey("deadline.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    user_name: str | None = None
    done: bool
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


# --------------------------------------------------------------------------
# Progress (issue 9): indicator facts read out of passages at ingest.
# --------------------------------------------------------------------------


class IndicatorFact(SQLModel, table=True):
    """One figure a passage states: a province's indicator value for a period, with its sentence.

    Rebuilt from the text whenever the document is added or replaced; it goes
    with its document and its passage (ON DELETE CASCADE).
    """

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    passage_id: int = Field(
        sa_column=Column(Integer, ForeignKey("passage.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    # A canonical gazetteer name as written then (an old name stays old) or "Cả nước".
    province: str = Field(index=True, max_length=64)
    # A key of knowledge.progress.vocabulary.INDICATORS.
    indicator: str = Field(index=True, max_length=64)
    value: float
    # 63 or 34 for a rank, else NULL.
    of: int | None = None
    # "rank", "%" or "count".
    unit: str = Field(max_length=8)
    # "YYYY" or "YYYY-MM": what the figure is about, not when it was published.
    period: str = Field(max_length=7)
    period_inferred: bool = False
    # The document's date.
    as_of: date | None = None
    quote: str = Field(sa_column=Column(Text, nullable=False))
