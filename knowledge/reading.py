"""What answering reads from the database, as plain SQL on a DB-API connection.

One way to read an answer's rows, for both ways in: the bot and the full
``cdsbot`` path take a connection from the SQLAlchemy engine's pool
(:func:`connected`), and a cold ``cdsbot ask`` on SQLite opens the file with
the standard library's ``sqlite3`` (``knowledge.answers.saved_base``), so it
never imports SQLAlchemy, whose import alone costs more than answering. The
statements are few and plain (no dialect feature), so SQLite and PostgreSQL
run the same text; only the parameter marker differs.

Nothing here writes, and nothing here imports SQLAlchemy or the table classes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


# Hand-entered deadlines hang off one placeholder document with this content
# hash; it is not an article: hidden from lists and never removed or replaced.
# (Defined here, where lists leave it out without the table classes; knowledge.models re-exports it.)
MANUAL_DEADLINES_HASH = hashlib.sha256(b"cdsbot:manual-deadlines").hexdigest()
# The uploader recorded for the bundled demo documents: what marks a figure as sample data.
# (Defined here so reading a fact needs no other module; knowledge.documents.demo re-exports it.)
DEMO_ADDED_BY = "demo"


class ReadConnection:
    """A DB-API connection and the parameter marker its driver wants ("?" for sqlite3, "%s" for psycopg)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.marker = "?" if isinstance(connection, sqlite3.Connection) else "%s"

    def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Every row of a SELECT whose parameters are written ``?`` in ``statement``."""
        if self.marker != "?":
            statement = statement.replace("?", self.marker)
        cursor = self.connection.cursor()
        try:
            cursor.execute(statement, tuple(parameters))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def markers(self, count: int) -> str:
        """``?, ?, ?`` for an IN list of ``count`` values."""
        return ", ".join("?" * count)


@contextmanager
def connected(engine: Engine) -> Iterator[ReadConnection]:
    """A connection from the engine's pool for the reads of one answer; handed back (rolled back) after."""
    raw = engine.raw_connection()
    try:
        yield ReadConnection(raw.dbapi_connection)
    finally:
        raw.close()


def as_date(value: object) -> date | None:
    """A DATE column's value: SQLite gives the ISO text SQLAlchemy stored, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------ the database itself
def stored_revision(db: ReadConnection) -> str | None:
    """The schema revision in alembic_version; None when there is none, several, or no such table."""
    try:
        rows = db.rows("SELECT version_num FROM alembic_version")
    except Exception:  # noqa: BLE001 - any driver's "no such table": the caller takes the full path
        return None
    return rows[0][0] if len(rows) == 1 else None


def meta_values(db: ReadConnection) -> dict[str, str]:
    """The ``meta`` table (version marks, the database id, the demo claim): a handful of rows."""
    return {key: value for key, value in db.rows("SELECT key, value FROM meta")}


def passage_ids(db: ReadConnection) -> set[int]:
    """Every stored passage id (what the saved index must hold exactly)."""
    return {pid for (pid,) in db.rows("SELECT id FROM passage")}


# ------------------------------------------------------------ passages
@dataclass(frozen=True, slots=True)
class DocumentRow:
    """What answering reads of a document: a plain read-only row, not an ORM object."""

    id: int
    title: str
    source: str | None
    published: date | None
    provinces: str
    added_by: str
    number: str | None
    doc_type: str | None
    ocr: bool

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.split(",") if p]


@dataclass(frozen=True, slots=True)
class PassageRow:
    """What answering reads of a passage, its stored sentence terms included."""

    id: int
    document_id: int
    position: int
    text: str
    tokens: str
    sentence_terms: str | None


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """What ranking reads of a candidate passage: its text only when asked for (a year to find in it)."""

    id: int
    document_id: int
    position: int
    text: str | None


def candidates_with_documents(
    db: ReadConnection, passage_ids: Sequence[int], *, with_text: bool
) -> dict[int, tuple[DocumentRow, CandidateRow]]:
    """The passages (and their documents) still stored among ``passage_ids``, without their words.

    Ranking 50 candidates needs their documents, not their words; reading
    text, tokens and stored sentences for all 50 cost twice reading them for the
    ten shortlisted (:func:`passages_by_id`), which a second small query does.
    """
    ids = list(passage_ids)
    if not ids:
        return {}
    rows = db.rows(
        f"SELECT p.id, p.document_id, p.position, {'p.text' if with_text else 'NULL'},"
        " d.title, d.source, d.published, d.provinces, d.added_by, d.number, d.doc_type, d.ocr"
        f" FROM passage p JOIN document d ON d.id = p.document_id WHERE p.id IN ({db.markers(len(ids))})",
        ids,
    )
    documents: dict[int, DocumentRow] = {}
    found: dict[int, tuple[DocumentRow, CandidateRow]] = {}
    for pid, did, position, text, title, source, published, provinces, added_by, number, doc_type, ocr in rows:
        row = documents.get(did)
        if row is None:
            row = documents[did] = DocumentRow(
                did, title, source, as_date(published), provinces, added_by, number, doc_type, bool(ocr)
            )
        found[pid] = (row, CandidateRow(pid, did, position, text))
    return found


def passages_by_id(db: ReadConnection, passage_ids: Sequence[int]) -> dict[int, PassageRow]:
    """The passages still stored among ``passage_ids``, with their words and stored sentences."""
    ids = list(passage_ids)
    if not ids:
        return {}
    rows = db.rows(
        "SELECT id, document_id, position, text, tokens, sentence_terms"
        f" FROM passage WHERE id IN ({db.markers(len(ids))})",
        ids,
    )
    return {row[0]: PassageRow(*row) for row in rows}


def passages_with_documents(db: ReadConnection, passage_ids: Sequence[int]) -> dict[int, tuple[DocumentRow, PassageRow]]:
    """The passages (and their documents) still stored among ``passage_ids``, in one query."""
    ids = list(passage_ids)
    if not ids:
        return {}
    rows = db.rows(
        "SELECT p.id, p.document_id, p.position, p.text, p.tokens, p.sentence_terms,"
        " d.title, d.source, d.published, d.provinces, d.added_by, d.number, d.doc_type, d.ocr"
        f" FROM passage p JOIN document d ON d.id = p.document_id WHERE p.id IN ({db.markers(len(ids))})",
        ids,
    )
    documents: dict[int, DocumentRow] = {}
    found: dict[int, tuple[DocumentRow, PassageRow]] = {}
    for pid, did, position, text, tokens, stored, title, source, published, provinces, added_by, *rest in rows:
        number, doc_type, ocr = rest
        row = documents.get(did)
        if row is None:
            row = documents[did] = DocumentRow(
                did, title, source, as_date(published), provinces, added_by, number, doc_type, bool(ocr)
            )
        found[pid] = (row, PassageRow(pid, did, position, text, tokens, stored))
    return found


# ------------------------------------------------------------ indicator facts
@dataclass(frozen=True, slots=True)
class FactView:
    """A stored indicator fact with what a reader needs to trust it: its document and passage."""

    id: int
    province: str
    indicator: str
    value: float
    of: int | None
    unit: str
    period: str
    period_inferred: bool
    as_of: date | None
    document_id: int
    passage_id: int
    quote: str
    document_title: str
    document_source: str | None
    document_published: date | None
    document_added_by: str
    passage_position: int
    passage_text: str

    @property
    def sample(self) -> bool:
        """From the bundled demo base: shown as sample data, never as a province's own figure."""
        return self.document_added_by == DEMO_ADDED_BY

    @property
    def year(self) -> int:
        return int(self.period[:4])

    def as_json(self) -> dict[str, object]:
        """The machine-readable form (`cdsbot progress --json`); the field names are the issue's, exactly."""
        return {
            "province": self.province,
            "indicator": self.indicator,
            "value": int(self.value) if self.value == int(self.value) else self.value,
            "of": self.of,
            "unit": self.unit,
            "period": self.period,
            "period_inferred": self.period_inferred,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "document_id": self.document_id,
            "passage_id": self.passage_id,
            "quote": self.quote,
        }


def fact_provinces(db: ReadConnection) -> list[str]:
    """The province names the facts are stored under (a short list: old and new names, "Cả nước")."""
    return [province for (province,) in db.rows("SELECT DISTINCT province FROM indicatorfact")]


def facts(db: ReadConnection, *, indicator: str | None = None, provinces: Sequence[str] | None = None) -> list[FactView]:
    """Stored facts, in no particular order; only ``indicator``'s, only under the names ``provinces``."""
    statement = (
        "SELECT f.id, f.province, f.indicator, f.value, f.of, f.unit, f.period, f.period_inferred, f.as_of,"
        " f.document_id, f.passage_id, f.quote, d.title, d.source, d.published, d.added_by, p.position, p.text"
        " FROM indicatorfact f JOIN document d ON d.id = f.document_id JOIN passage p ON p.id = f.passage_id"
    )
    conditions: list[str] = []
    parameters: list[object] = []
    if indicator is not None:
        conditions.append("f.indicator = ?")
        parameters.append(indicator)
    if provinces is not None:
        if not provinces:
            return []
        conditions.append(f"f.province IN ({db.markers(len(provinces))})")
        parameters.extend(provinces)
    if conditions:
        statement += " WHERE " + " AND ".join(conditions)
    return [
        FactView(
            id=fid,
            province=province,
            indicator=key,
            value=float(value),
            of=of,
            unit=unit,
            period=period,
            period_inferred=bool(inferred),
            as_of=as_date(as_of),
            document_id=did,
            passage_id=pid,
            quote=quote,
            document_title=title,
            document_source=source,
            document_published=as_date(published),
            document_added_by=added_by,
            passage_position=position,
            passage_text=text,
        )
        for fid, province, key, value, of, unit, period, inferred, as_of, did, pid, quote, *rest in db.rows(
            statement, parameters
        )
        for title, source, published, added_by, position, text in [rest]
    ]


# ------------------------------------------------------------ the document list and the question log
@dataclass(frozen=True)
class DocumentSummary:
    """A row of the document list."""

    id: int
    title: str
    source: str | None
    published: date | None
    provinces: tuple[str, ...]
    passages: int
    added_by: str
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None


def documents(db: ReadConnection, *, offset: int = 0, limit: int | None = None) -> list[DocumentSummary]:
    """Documents with their passage counts, newest first (by publication date, undated last, then by id)."""
    statement = (
        "SELECT d.id, d.title, d.source, d.published, d.provinces, d.added_by, d.number, d.doc_type, d.issuer,"
        " COALESCE(c.n, 0) FROM document d"
        " LEFT JOIN (SELECT document_id, count(*) AS n FROM passage GROUP BY document_id) c ON c.document_id = d.id"
        " WHERE d.content_hash != ? ORDER BY d.published IS NULL, d.published DESC, d.id DESC"
    )
    parameters: list[object] = [MANUAL_DEADLINES_HASH]
    if limit is not None:
        statement += " LIMIT ? OFFSET ?"
        parameters += [limit, offset]
    rows = db.rows(statement, parameters)
    if limit is None:
        rows = rows[offset:]  # OFFSET without LIMIT is written differently by SQLite and PostgreSQL
    return [
        DocumentSummary(
            id=did,
            title=title,
            source=source,
            published=as_date(published),
            provinces=tuple(p for p in provinces.split(",") if p),
            passages=int(n),
            added_by=added_by,
            number=number,
            doc_type=doc_type,
            issuer=issuer,
        )
        for did, title, source, published, provinces, added_by, number, doc_type, issuer, n in rows
    ]


def answered_questions(db: ReadConnection, *, channels: Sequence[str], scan: int) -> list[str]:
    """The ``scan`` latest logged questions that found an answer, asked on ``channels``; newest first."""
    if not channels:
        return []
    return [
        question
        for (question,) in db.rows(
            f"SELECT question FROM questionlog WHERE found = ? AND channel IN ({db.markers(len(channels))})"
            " ORDER BY id DESC LIMIT ?",
            [True, *channels, scan],
        )
    ]
