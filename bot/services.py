"""Building the knowledge services from settings (the composition root's helper)."""

from __future__ import annotations

from bot.config import Settings
from knowledge.db import make_engine
from knowledge.library import Library


def open_library(settings: Settings, *, load_demo: bool | None = None) -> Library:
    """Open the database and the index; load the demo base on a first start if wanted.

    ``load_demo`` None follows CDSBOT_DEMO (unset counts as yes: a first
    `cdsbot ask` answers from the demo); callers that add real documents or
    serve officials pass their own decision.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    library = Library(engine, index_dir=settings.index_dir)
    if load_demo if load_demo is not None else settings.demo is not False:
        library.load_demo_once()
    return library
