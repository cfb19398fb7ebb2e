"""Shared fixtures: real SQLite files (fresh per test) and, when configured, a real PostgreSQL."""

from __future__ import annotations

import logging
import os

# python-telegram-bot warns when RetryAfter.retry_after is read as an int; the
# timedelta behaviour it will switch to is what we run with (see bot/cli.py).
os.environ.setdefault("PTB_TIMEDELTA", "1")

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

from knowledge.db import make_engine
from knowledge.library import Library


def open_library(data_dir: Path) -> Library:
    engine = make_engine(f"sqlite:///{data_dir / 'cdsbot.sqlite3'}")
    return Library(engine, index_dir=data_dir / "index")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the demo base, built once; tests copy it."""
    data_dir = tmp_path_factory.mktemp("demo-template")
    library = open_library(data_dir)
    results = library.load_demo_once()
    assert results and all(r.status == "added" for r in results), results
    library.save_index()
    library.close()
    library.engine.dispose()
    return data_dir


@pytest.fixture
def demo_dir(tmp_path: Path, demo_template: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_template, data_dir)
    return data_dir


@pytest.fixture
def demo_library(demo_dir: Path) -> Iterator[Library]:
    library = open_library(demo_dir)
    yield library
    library.close()
    library.engine.dispose()


@pytest.fixture
def empty_library(tmp_path: Path) -> Iterator[Library]:
    library = open_library(tmp_path / "data")
    yield library
    library.close()
    library.engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A real PostgreSQL database in a fresh schema, when CDSBOT_TEST_POSTGRES_URL is set."""
    url = os.environ.get("CDSBOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CDSBOT_TEST_POSTGRES_URL not set (CI starts PostgreSQL and sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, schema=schema)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()



@pytest.fixture
def restore_root_logging() -> Iterator[None]:
    """`bot.cli.main` configures logging for the process; give it back after each test that calls it."""
    from bot.logs import NOISY_LIBRARIES

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate) for name in NOISY_LIBRARIES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (saved, propagate) in libraries.items():
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if handler not in saved:
                handler.close()
        logger.handlers[:] = saved
        logger.propagate = propagate
