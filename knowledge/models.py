"""Database tables (SQLModel). Tables only: behaviour lives in library.py."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timestamps are stored timezone-aware in UTC; display converts to Vietnam time."""
    return datetime.now(timezone.utc)


class Document(SQLModel, table=True):
    """An article or directive as an admin added it."""

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

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]


class Passage(SQLModel, table=True):
    """A run of whole sentences from one document, with its word tokens from ingest."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    # underthesea word tokens, lowercased, syllables joined by "_", space-separated.
    tokens: str = Field(sa_column=Column(Text, nullable=False))


class Deadline(SQLModel, table=True):
    """A date by which a directive wants something done."""

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
    added_by: str = "extractor"
    added_at: datetime = Field(default_factory=utcnow)

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]


class QuestionLog(SQLModel, table=True):
    """Every question asked, so admins see what users need and what the base lacks."""

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, index=True)
    channel: str = "cli"
    chat_id: int | None = None
    user_id: int | None = None
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
    user_id: int
    helpful: bool
    given_at: datetime = Field(default_factory=utcnow)


class Meta(SQLModel, table=True):
    """Small facts about the database itself (e.g. that the demo base was loaded once)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str
