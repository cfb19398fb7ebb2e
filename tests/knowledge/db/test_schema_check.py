"""The cheap "is the schema current?" check that spares a normal start from loading Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from knowledge.db import default_sqlite_url, head_revision, make_engine, quick_head_revision


def test_head_read_from_the_migration_files_is_alembics_head() -> None:
    assert quick_head_revision() == head_revision()


def test_a_database_behind_the_head_is_still_upgraded(tmp_path: Path) -> None:
    url = default_sqlite_url(tmp_path)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        connection.execute(text("DROP TABLE indicatorfact"))
    engine.dispose()

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert connection.execute(text("SELECT count(*) FROM indicatorfact")).scalar_one() == 0
    engine.dispose()
