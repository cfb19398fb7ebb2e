"""Engine and schema from a database URL."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
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


P = ParamSpec("P")
R = TypeVar("R")


def retry_on_conflict(func: Callable[P, R]) -> Callable[P, R]:
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
