"""Building the knowledge services from settings (the composition root's helper)."""

from __future__ import annotations

from bot.config import Settings
from knowledge.db import make_engine
from knowledge.documents.ocr import OcrReader
from knowledge.library import Library


def open_library(settings: Settings) -> Library:
    """Open the database and the index; load the demo base on a first start if enabled."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    library = Library(engine, index_dir=settings.index_dir, ocr=OcrReader(max_pages=settings.ocr_max_pages))
    if settings.demo:
        library.load_demo_once()
    return library
