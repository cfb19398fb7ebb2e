"""Engine and schema from a database URL; the schema is kept current by Alembic migrations."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from knowledge.control_chars import scrub_parameters

# Alembic (about a fifth of a cold `cdsbot ask`) is imported only when the stored
# schema is not the newest one, or by the `cdsbot db` commands: see upgrade_schema.
# SQLAlchemy and the table classes are imported by the functions that make an
# engine, so a cold `cdsbot ask` can read the newest revision from here without them.
if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The schema as release 0.1.0 made it with create_all; such databases have no
# alembic_version table and are stamped at this revision before upgrading.
FIRST_REVISION = "0001"


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'cdsbot.sqlite3').resolve()}"


def make_engine(url: str, *, schema: str | None = None, upgrade: bool = True) -> Engine:
    """Create the engine and bring the schema up to the newest migration (unless ``upgrade`` is False).

    ``schema`` (PostgreSQL only) puts every table, alembic_version included, in that
    schema through the search path, which is how tests get a fresh database per test
    on one server.

    SQLite needs foreign keys switched on per connection (cascading deletes of
    passages rely on it) and WAL so a reader never blocks the bot's writer.
    """
    from sqlalchemy import event
    from sqlmodel import create_engine

    from knowledge import models  # noqa: F401  (registers the tables)

    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    event.listen(engine, "before_cursor_execute", _scrub_controls, retval=True)
    if upgrade:
        upgrade_schema(engine, schema=schema)
    return engine


def _scrub_controls(  # type: ignore[no-untyped-def]
    _connection, _cursor, statement: str, parameters, _context, _executemany: bool
) -> tuple[str, object]:
    """No control character reaches the database (PostgreSQL refuses NUL); see knowledge/control_chars.py."""
    return statement, scrub_parameters(parameters)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration built in code: an installed wheel carries no alembic.ini.

    The migrations run on ``connection`` (see migrations/env.py), inside the caller's transaction.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "knowledge/migrations/versions holds no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def quick_head_revision() -> str | None:
    """The newest revision read from the migration files' ``revision``/``down_revision`` lines.

    Reading a few small files costs microseconds where loading Alembic costs a
    fifth of a cold start; None when the files do not name exactly one head
    (a merge in progress, an unusual file), and the caller then asks Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision in alembic_version, read with one plain SELECT; None when there is none (or no table)."""
    from knowledge import reading

    with reading.connected(engine) as db:
        return reading.stored_revision(db)


def upgrade_schema(engine: Engine, *, schema: str | None = None) -> None:
    """Create or upgrade the schema to the newest revision; safe when several processes start at once.

    The work runs under a lock (a PostgreSQL advisory lock, an exclusive SQLite
    transaction): the first process creates or upgrades, the others wait, then find
    the schema current. A database made by release 0.1.0 (tables, no alembic_version)
    is stamped at the first revision, then upgraded like any other.
    """
    quick_head = quick_head_revision()
    if quick_head is not None and _stored_revision(engine) == quick_head:
        return  # the usual start: nothing to do, no lock taken, Alembic not even imported
    from alembic import command
    from sqlalchemy import inspect

    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head:
            return
    with _schema_lock(engine, schema) as connection:
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "document" in tables:
            log.info("database made before migrations: stamping it at revision %s", FIRST_REVISION)
            command.stamp(config, FIRST_REVISION)
        before = current_revision(connection)
        if before != head:
            command.upgrade(config, "head")
            # A new database is not news; an upgraded one is worth a line in the bot's log.
            log.log(logging.INFO if before else logging.DEBUG, "database schema upgraded from %s to %s", before, head)


@contextmanager
def _schema_lock(engine: Engine, schema: str | None) -> Iterator[Connection]:
    """One transaction that only one process at a time holds, committed on success."""
    from sqlalchemy import text

    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(schema)})
        elif engine.dialect.name == "sqlite":
            # A batch migration copies a table, drops it and renames the copy; with
            # foreign keys on, the drop would cascade to every passage. SQLite only
            # honours this pragma outside a transaction, so it comes before BEGIN.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # pysqlite would only BEGIN before DML and run the DDL outside any
            # transaction; take the write lock first so a second process waits here.
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        yield connection
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _lock_key(schema: str | None) -> int:
    """A stable 64-bit advisory lock key per schema, so per-test schemas do not wait on each other."""
    digest = hashlib.sha256(f"cdsbot:schema:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# Address space, not memory: pages are mapped as read and the kernel may drop them at will.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Issue 13: answering reads 50 passage rows per question; through memory-mapped pages
    # instead of read() calls that took half the time (the file is still written as before).
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL once; WAL is a property of the file, so later connections find it set.

    Switching needs a moment of exclusive access and SQLite's busy timeout does not
    cover it: replicas opening a fresh file together retry for up to 30 s here.
    """
    for _attempt in range(600):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA journal_mode=WAL")  # still locked after 30 s: let the error say so


P = ParamSpec("P")
R = TypeVar("R")


def retry_on_conflict(func: Callable[P, R]) -> Callable[P, R]:
    """Read-then-write upserts race: two presses at once both see no row and both insert.

    The loser hits the unique key; running it again finds the winner's row and updates it.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import IntegrityError

        try:
            return func(*args, **kwargs)
        except IntegrityError:
            return func(*args, **kwargs)

    return wrapper


def new_revision(message: str, *, autogenerate: bool = True) -> Path:
    """Write the next migration into knowledge/migrations/versions and return its path.

    Autogenerate compares the models with a scratch SQLite database upgraded to the
    current head, so no server is needed; ids are sequential ("0002", "0003", …) so the
    files sort in the order they run. Review the file before committing it: renames look
    like a drop plus an add, and data moves are never generated.
    """
    import tempfile

    from alembic import command
    from alembic.script import ScriptDirectory

    revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    rev_id = f"{len(revisions) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'head.sqlite3'}")
        try:
            with engine.begin() as connection:
                script = command.revision(
                    alembic_config(connection), message=message, autogenerate=autogenerate, rev_id=rev_id
                )
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
