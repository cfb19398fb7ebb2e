"""Alembic environment: always run on a connection the caller opened (see knowledge/db.py).

There is no alembic.ini: ``knowledge.db.alembic_config`` builds the configuration in code and
passes the connection in ``config.attributes["connection"]``, already inside the transaction
that holds the schema lock.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from knowledge import models  # noqa: F401  (registers the tables)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through a hand-written alembic.ini
    raise RuntimeError("run migrations through `cdsbot db upgrade` or knowledge.db.upgrade_schema")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table, and the
    # same operations run unchanged on PostgreSQL.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
