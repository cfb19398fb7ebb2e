"""The bundled demo knowledge base, and how it gives way to real documents.

The demo lets a new user try `cdsbot ask` before adding anything: our own
rewrites of public articles, loaded once on a fresh database. It must never
mix with an official's own documents: an answer that quotes a sample article
next to a real directive would be mistaken for the province's data. So the
first real document added to a base that holds only the demo removes the
demo, and the caller says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources
from typing import TYPE_CHECKING, TypeVar

from knowledge.reading import DEMO_ADDED_BY

# The database is imported by the functions that use it: answering imports this
# module for DEMO_ADDED_BY only, and a cold `cdsbot ask` never loads SQLAlchemy.
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from knowledge.library import Library

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
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from knowledge.models import Meta

    with Session(engine) as session:
        if session.get(Meta, _LOADED_KEY) is not None:
            return False
        session.add(Meta(key=_LOADED_KEY, value="1"))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True


DEMO_REMOVED = "Đã gỡ {n} tài liệu mẫu (dữ liệu minh hoạ đi kèm cdsbot) vì cơ sở dữ liệu nay có tài liệu thật."
HOW_TO_ADD = (
    "Cơ sở dữ liệu chưa có tài liệu nào. Quản trị viên thêm tài liệu bằng cách gửi tệp "
    "(.pdf, .docx, .txt, .md, .html) hoặc liên kết bài viết cho bot trong Telegram, "
    "hoặc chạy: cdsbot ingest <tệp hoặc thư mục>. "
    "Muốn dùng thử với dữ liệu mẫu, đặt CDSBOT_DEMO=1."
)

R = TypeVar("R")


def _counts(library: Library) -> tuple[int, int]:
    """(demo documents, other documents); the hand-entered deadlines' placeholder is neither."""
    # Counted with FILTER, not grouped by the comparison: PostgreSQL refuses a GROUP BY whose
    # bound parameter differs from the select list's (each is its own parameter).
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from knowledge.models import MANUAL_DEADLINES_HASH, Document

    is_demo = col(Document.added_by) == DEMO_ADDED_BY
    with Session(library.engine) as session:
        demo, other = session.exec(
            select(func.count().filter(is_demo), func.count().filter(~is_demo)).where(
                Document.content_hash != MANUAL_DEADLINES_HASH
            )
        ).one()
    return int(demo), int(other)


def holds_only_demo(library: Library) -> bool:
    """The base has demo articles and nothing else."""
    demo, other = _counts(library)
    return demo > 0 and other == 0


def remove_demo(library: Library) -> int:
    """Remove every demo article (with its passages and deadlines); returns how many."""
    from sqlmodel import Session, select

    from knowledge.models import Document

    with Session(library.engine) as session:
        ids = list(session.exec(select(Document.id).where(Document.added_by == DEMO_ADDED_BY)).all())
    for document_id in ids:
        if document_id is not None:
            library.remove(document_id)
    if ids:
        library.save_index()
    return len(ids)


def is_added(result: object) -> bool:
    """Whether an ingest outcome (an IngestResult, or a Revision holding one) stored something new."""
    inner = getattr(result, "result", result)
    return getattr(inner, "status", None) == "added"


def store_real_document(library: Library, store: Callable[[], R]) -> tuple[R, int]:
    """Run ``store`` (an ingest); if it added a document to a demo-only base, remove the demo.

    The demo goes only after the real document is safely stored: a file that
    cannot be read leaves the base as it was. Returns (outcome, demo documents removed).
    """
    only_demo = holds_only_demo(library)
    outcome = store()
    removed = remove_demo(library) if only_demo and is_added(outcome) else 0
    return outcome, removed
