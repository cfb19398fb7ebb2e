"""Engine and schema from a database URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from knowledge import models  # noqa: F401  (registers the tables)


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'cdsbot.sqlite3').resolve()}"


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """Create the engine and the tables.

    ``schema`` (PostgreSQL only) puts every table in that schema through the
    search path, which is how tests get a fresh database per test on one server.

    SQLite needs foreign keys switched on per connection (cascading deletes of
    passages rely on it) and WAL so a reader never blocks the bot's writer.
    """
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    SQLModel.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
