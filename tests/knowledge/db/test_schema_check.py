"""The cheap "is the schema current?" check that spares a normal start from loading Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from knowledge.db import alembic_config, default_sqlite_url, head_revision, make_engine, quick_head_revision


def test_head_read_from_the_migration_files_is_alembics_head() -> None:
    assert quick_head_revision() == head_revision()


def downgrade_one_revision(url: str) -> None:
    """Undo the newest migration with Alembic, leaving the database as the previous release made it."""
    from alembic import command

    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as upgrade_schema does, so no table copy cascades
        command.downgrade(alembic_config(connection), "-1")
        connection.commit()
    engine.dispose()


def test_a_database_behind_the_head_is_still_upgraded(tmp_path: Path) -> None:
    url = default_sqlite_url(tmp_path)
    make_engine(url).dispose()
    downgrade_one_revision(url)

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert connection.execute(text("SELECT count(*) FROM passage")).scalar_one() == 0
    engine.dispose()
