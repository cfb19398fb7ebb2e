"""The bundled demo knowledge base: our own rewrites of public articles, loaded once on a fresh database."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from knowledge.models import Meta

_LOADED_KEY = "demo_loaded"


def demo_documents() -> Iterable[tuple[str, bytes]]:
    """The bundled demo documents as (file name, bytes)."""
    folder = resources.files("knowledge") / "demo"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            yield entry.name, entry.read_bytes()


def claim_first_start(engine: Engine) -> bool:
    """True exactly once per database: the caller then loads the demo.

    Remembered in the database, so documents an admin removed do not come
    back on the next start, and two replicas starting together load it once.
    """
    with Session(engine) as session:
        if session.get(Meta, _LOADED_KEY) is not None:
            return False
        session.add(Meta(key=_LOADED_KEY, value="1"))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True
