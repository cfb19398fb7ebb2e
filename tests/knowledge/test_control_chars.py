"""NUL and other control characters never reach the database or the index, on SQLite and PostgreSQL.

PostgreSQL refuses a NUL in text outright; each input path (question, caption fields, file
name, source URL, document text, Telegram names) is checked on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from knowledge.control_chars import strip_control_chars
from knowledge.documents.revisions import update_metadata
from knowledge.library import DocumentInput, Library
from knowledge.models import Document, Passage, QuestionLog
from knowledge.reminders.subscriptions import (
    SubscriptionFilter,
    get_subscription,
    subscribe,
)
from tests.conftest import open_library

DIRECTIVE = (
    "Vĩnh Phúc\x00 đẩy nhanh kết nối dữ liệu dân cư.\x0c\r\n"
    "Toàn tỉnh đã thành lập\x00 1.239 tổ công nghệ số cộng đồng\x1b[0m với 7.423 thành viên.\r\n"
    "Sở Khoa học và Công nghệ\t hoàn thành báo cáo trước ngày 30/6/2026.\n"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Library]:
    if request.param == "sqlite":
        library = open_library(tmp_path / "data")
        yield library
        library.engine.dispose()
    else:
        engine: Engine = request.getfixturevalue("postgres_engine")
        yield Library(engine)


def test_strip_keeps_newline_and_tab_and_turns_carriage_returns_into_newlines() -> None:
    assert strip_control_chars("a\x00b\x07c\x1b[1md\te\r\nf\rg\x7f") == "abc[1md\te\nf\ng"
    assert strip_control_chars("Hải Dương 13/63") == "Hải Dương 13/63"
    assert strip_control_chars(None) is None


def test_document_with_control_characters_everywhere_is_stored_clean(library: Library) -> None:
    # As a parser hands it over (a .txt with NULs is refused earlier as binary; a .docx or .pdf is not).
    result = library.ingest(
        DocumentInput(
            text=DIRECTIVE,
            filename="ke\x00hoach\x01.docx",
            title="Kế hoạch\x00 CĐS",
            source="https://lan:matkhau@vinhphuc.gov.vn/tin\x00-tuc",
        )
    )
    assert result.status == "added", result.error
    with Session(library.engine) as session:
        document = session.exec(select(Document)).one()
        texts = [p.text for p in session.exec(select(Passage)).all()]
    assert (document.title, document.filename, document.source) == (
        "Kế hoạch CĐS",
        "kehoach.docx",
        "https://vinhphuc.gov.vn/tin-tuc",
    )
    assert texts and all(strip_control_chars(t) == t for t in texts)
    assert "1.239 tổ công nghệ số cộng đồng[0m" in " ".join(texts)


def test_question_with_a_nul_is_answered_and_logged_clean(library: Library) -> None:
    assert library.ingest(DocumentInput(text=DIRECTIVE)).status == "added"
    answer = library.ask("vinh phuc co bao nhieu to\x00 cong nghe so\x00 cong dong?", log_as=("telegram", 1, 2))
    assert answer.found and "1.239" in answer.citations[0].snippet
    with Session(library.engine) as session:
        [logged] = session.exec(select(QuestionLog)).all()
    assert logged.question == "vinh phuc co bao nhieu to cong nghe so cong dong?"


def test_metadata_correction_and_telegram_names_are_stored_clean(library: Library) -> None:
    added = library.ingest(DocumentInput(text=DIRECTIVE))
    document = update_metadata(library, added.document_id or 0, title="Tên\x00 mới", source="Báo\x00 Vĩnh Phúc")
    assert (document.title, document.source) == ("Tên mới", "Báo Vĩnh Phúc")
    now = datetime(2026, 3, 2, tzinfo=timezone.utc)
    subscribe(
        library.engine,
        chat_id=-100123,
        chat_type="supergroup",
        chat_title="Tổ\x00 CĐS\x1b",
        wanted=SubscriptionFilter(),
        default_lead_days=(7, 1, 0),
        user_id=1,
        now=now,
    )
    subscription = get_subscription(library.engine, -100123)
    assert subscription is not None and subscription.chat_title == "Tổ CĐS"


def test_the_database_edge_cleans_what_an_input_path_forgot(library: Library) -> None:
    """A row written straight through a Session (no input function) still stores no NUL."""
    with Session(library.engine) as session:
        session.add(Document(title="Bảng\x00 tin", content_hash="f" * 64, source="x\x00y"))
        session.commit()
        stored = session.exec(select(Document)).one()
    assert (stored.title, stored.source) == ("Bảng tin", "xy")
