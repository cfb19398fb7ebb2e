"""Schema migrations: a fresh database, a database made by release 0.1.0, replicas starting together.

Every test runs on a fresh SQLite file and, when CDSBOT_TEST_POSTGRES_URL is set, on a fresh
PostgreSQL schema. The 0.1.0 schema is frozen in release_0_1_0_*.sql (what its create_all
emitted), and rows are written and read with plain SQL, so these tests keep meaning the same
when the models grow.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from knowledge.db import FIRST_REVISION, current_revision, head_revision, make_engine
from knowledge.library import Library

HERE = Path(__file__).parent


@dataclass(frozen=True)
class FreshDatabase:
    """A URL (and PostgreSQL schema) nobody has touched yet; ``new()`` gives another one."""

    dialect: str
    url: str
    schema: str | None
    new: Callable[[], FreshDatabase]

    def raw_engine(self) -> Engine:
        """An engine that does not migrate, to build the database as an old release did."""
        if self.schema:
            return create_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"})
        return create_engine(self.url)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], FreshDatabase]]:
    """A factory of fresh databases of one dialect; PostgreSQL schemas are dropped afterwards."""
    if request.param == "sqlite":
        counter = iter(range(10**6))

        def new_sqlite() -> FreshDatabase:
            return FreshDatabase("sqlite", f"sqlite:///{tmp_path / f'db{next(counter)}.sqlite3'}", None, new_sqlite)

        yield new_sqlite
        return
    url = os.environ.get("CDSBOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CDSBOT_TEST_POSTGRES_URL not set (CI starts PostgreSQL and sets it)")
    admin = create_engine(url)
    schemas: list[str] = []

    def new_postgres() -> FreshDatabase:
        schema = f"t_mig_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return FreshDatabase("postgresql", url, schema, new_postgres)

    yield new_postgres
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def build_release_0_1_0(db: FreshDatabase) -> None:
    """The database as release 0.1.0 left it: its tables, no alembic_version, and a little of everything."""
    script = (HERE / f"release_0_1_0_{db.dialect}.sql").read_text(encoding="utf-8")
    engine = db.raw_engine()
    with engine.begin() as connection:
        for statement in script.split(";"):
            if "CREATE" in statement:
                connection.exec_driver_sql(statement)
        connection.execute(
            text(
                "INSERT INTO document (id, title, source, published, provinces, content_hash, filename, added_by,"
                " added_at) VALUES (7, 'Kế hoạch chuyển đổi số 2026', 'https://example.gov.vn/kh', '2026-01-15',"
                " 'Hải Dương', :hash, 'kh.docx', 'admin:42', '2026-01-16 02:00:00+00:00')"
            ),
            {"hash": "a" * 64},
        )
        connection.execute(
            text(
                "INSERT INTO passage (id, document_id, position, text, tokens) VALUES"
                " (11, 7, 0, 'Hoàn thành trước ngày 30/6/2026.', 'hoàn_thành trước ngày 30/6/2026')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO deadline (id, document_id, passage_id, due, precision, task, agency, provinces, quote,"
                " is_horizon, added_by, added_at) VALUES (5, 7, 11, '2026-06-30', 'day', 'Hoàn thành', 'Sở KH&CN',"
                " 'Hải Dương', 'Hoàn thành trước ngày 30/6/2026.', false, 'extractor', '2026-01-16 02:00:00+00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO subscription (id, chat_id, chat_type, chat_title, provinces, topics, lead_days, active,"
                " deactivated_reason, created_by, created_at, updated_at) VALUES (3, -1001234567890, 'supergroup',"
                " 'Tổ CĐS', 'Hải Dương', 'dịch vụ công', '7,1,0', true, NULL, 42, '2026-01-20 01:00:00+00:00',"
                " '2026-01-20 01:00:00+00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO remindersent (id, deadline_id, chat_id, kind, claimed_at, sent_at, message_id, status)"
                " VALUES (9, 5, -1001234567890, 'lead7', '2026-06-23 01:00:00+00:00', '2026-06-23 01:00:01+00:00',"
                " 555, 'sent')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO deadlinecompletion (id, deadline_id, chat_id, user_id, user_name, done, at) VALUES"
                " (2, 5, -1001234567890, 42, 'Lan', true, '2026-06-24 03:00:00+00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO questionlog (id, asked_at, channel, chat_id, user_id, question, found, top_document_id,"
                " top_passage_id) VALUES (21, '2026-02-01 03:00:00+00:00', 'telegram', 42, 42,"
                " 'Hải Dương xếp hạng bao nhiêu?', true, 7, 11)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO feedback (id, question_id, user_id, helpful, given_at) VALUES"
                " (1, 21, 42, true, '2026-02-01 03:01:00+00:00')"
            )
        )
        connection.execute(text("INSERT INTO meta (key, value) VALUES ('demo_loaded', '1')"))
    engine.dispose()


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_fresh_database_is_created_at_the_newest_revision(fresh_database: Callable[[], FreshDatabase]) -> None:
    db = fresh_database()
    engine = make_engine(db.url, schema=db.schema)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert {"document", "passage", "deadline", "subscription", "remindersent"} <= set(
            inspect(connection).get_table_names()
        )
        if db.schema:  # the version table lives with the tables, so per-test schemas never share it
            query = (
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_name = 'alembic_version' AND table_schema = :s"
            )
            found = connection.execute(text(query), {"s": db.schema}).scalar_one()
            assert found == 1
    engine.dispose()


def test_release_0_1_0_database_is_stamped_and_upgraded_losing_nothing(
    fresh_database: Callable[[], FreshDatabase],
) -> None:
    db = fresh_database()
    build_release_0_1_0(db)
    engine = make_engine(db.url, schema=db.schema)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    assert rows(engine, "SELECT id, title, source, content_hash FROM document") == [
        (7, "Kế hoạch chuyển đổi số 2026", "https://example.gov.vn/kh", "a" * 64)
    ]
    assert rows(engine, "SELECT id, document_id, text FROM passage") == [(11, 7, "Hoàn thành trước ngày 30/6/2026.")]
    assert rows(engine, "SELECT id, passage_id, task, agency FROM deadline") == [(5, 11, "Hoàn thành", "Sở KH&CN")]
    assert rows(engine, "SELECT chat_id, provinces, topics, active FROM subscription") == [
        (-1001234567890, "Hải Dương", "dịch vụ công", True)
    ]
    assert rows(engine, "SELECT deadline_id, chat_id, kind, message_id, status FROM remindersent") == [
        (5, -1001234567890, "lead7", 555, "sent")
    ]
    assert rows(engine, "SELECT deadline_id, chat_id, done FROM deadlinecompletion") == [(5, -1001234567890, True)]
    assert rows(engine, "SELECT id, question, found FROM questionlog") == [(21, "Hải Dương xếp hạng bao nhiêu?", True)]
    assert rows(engine, "SELECT question_id, helpful FROM feedback") == [(21, True)]
    assert rows(engine, "SELECT key, value FROM meta") == [("demo_loaded", "1")]
    # The application reads the upgraded rows, and new rows do not collide with old ids.
    library = Library(engine)
    assert [(d.id, d.title, d.passages) for d in library.documents()] == [(7, "Kế hoạch chuyển đổi số 2026", 1)]
    engine.dispose()


def test_release_0_1_0_stamp_is_recorded_at_the_first_revision(fresh_database: Callable[[], FreshDatabase]) -> None:
    """Stamping, not re-creating: the first revision never runs on a database that already has its tables."""
    db = fresh_database()
    build_release_0_1_0(db)
    engine = make_engine(db.url, schema=db.schema, upgrade=False)
    with engine.connect() as connection:
        assert current_revision(connection) is None
    engine.dispose()
    engine = make_engine(db.url, schema=db.schema)  # would raise "table document already exists" if not stamped
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    assert FIRST_REVISION in _revision_chain()
    engine.dispose()


def _revision_chain() -> list[str]:
    from alembic.script import ScriptDirectory

    from knowledge.db import alembic_config

    return [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def test_models_and_migrations_agree(fresh_database: Callable[[], FreshDatabase]) -> None:
    """Autogenerate against the migrated database finds nothing: every model change has its migration."""
    db = fresh_database()
    engine = make_engine(db.url, schema=db.schema)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def _start_replica(url: str, schema: str | None, barrier: Barrier) -> None:
    barrier.wait(timeout=30)
    engine = make_engine(url, schema=schema)
    engine.dispose()


def test_four_replicas_starting_together_on_a_fresh_database_never_crash(
    fresh_database: Callable[[], FreshDatabase],
) -> None:
    """Four processes released at the same instant on an empty database, twenty times: all start."""
    # fork: the children start in milliseconds with everything imported, so they really race.
    context = multiprocessing.get_context("fork")
    failures: list[tuple[int, list[int | None]]] = []
    for round_number in range(20):
        db = fresh_database()
        barrier = context.Barrier(4)
        processes = [
            context.Process(target=_start_replica, args=(db.url, db.schema, barrier)) for _ in range(4)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        codes = [process.exitcode for process in processes]
        if codes != [0, 0, 0, 0]:
            failures.append((round_number, codes))
        engine = make_engine(db.url, schema=db.schema, upgrade=False)
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
        engine.dispose()
    assert failures == []
