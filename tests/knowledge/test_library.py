"""Ingest, dedupe, atomicity, removal and restart of the knowledge library on real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

import index.terms
from knowledge.library import DocumentInput, Library
from knowledge.models import Deadline, Document, Passage
from tests.conftest import open_library

DIRECTIVE = """Vĩnh Phúc đẩy nhanh kết nối dữ liệu dân cư

Chiều 25/8/2022, Phó Chủ tịch UBND tỉnh Vũ Chí Giang chủ trì hội nghị về chuyển đổi số của tỉnh Vĩnh Phúc.

Toàn tỉnh đã thành lập 1.239 tổ công nghệ số cộng đồng với 4.993 thành viên tham gia hỗ trợ người dân.

Công an tỉnh hoàn thành việc kết nối cơ sở dữ liệu quốc gia về dân cư xong trước 15/9 để liên thông dữ liệu.

Nguồn: www.vinhphuc.gov.vn
"""


def _counts(library: Library) -> tuple[int, int, int]:
    with Session(library.engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one() for model in (Document, Passage, Deadline)
        )


def test_ingest_detects_metadata_and_deadlines(empty_library: Library) -> None:
    result = empty_library.ingest(DocumentInput(text=DIRECTIVE, filename="vp.txt"))
    assert result.status == "added"
    assert result.title == "Vĩnh Phúc đẩy nhanh kết nối dữ liệu dân cư"
    assert str(result.published) == "2022-08-25"
    assert result.source == "www.vinhphuc.gov.vn"
    assert result.provinces == ("Vĩnh Phúc",)
    assert [str(d.due) for d in result.deadlines] == ["2022-09-15"]


def test_reingesting_same_content_is_a_no_op_that_says_so(empty_library: Library) -> None:
    first = empty_library.ingest(DocumentInput(text=DIRECTIVE))
    before = _counts(empty_library)
    # Same words, other spacing and tone-mark style: still the same document.
    again = empty_library.ingest(DocumentInput(text=DIRECTIVE.replace("  ", " ").replace("hòa", "hoà") + "\n\n"))
    assert again.status == "duplicate"
    assert again.document_id == first.document_id
    assert "đã có trong cơ sở dữ liệu" in (again.error or "")
    assert _counts(empty_library) == before


def test_failed_store_leaves_no_half_written_document(empty_library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _counts(empty_library)
    indexed = len(empty_library.index)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk vanished mid-ingest")

    # Fail after the document and passages were flushed, before the commit.
    monkeypatch.setattr(Session, "commit", crash)
    with pytest.raises(RuntimeError):
        empty_library.ingest(DocumentInput(text=DIRECTIVE))
    monkeypatch.undo()
    assert _counts(empty_library) == before
    assert len(empty_library.index) == indexed


def test_boilerplate_only_text_is_refused_with_a_message(empty_library: Library) -> None:
    result = empty_library.ingest(DocumentInput(text="Bình luận\n\nÝ kiến bạn đọc\n\nThống kê truy cập\nOnline: 51"))
    assert result.status == "error"
    assert result.error and "không có nội dung" in result.error.lower()
    assert _counts(empty_library) == (0, 0, 0)


def test_removed_document_leaves_database_and_answers(empty_library: Library) -> None:
    added = empty_library.ingest(DocumentInput(text=DIRECTIVE))
    assert empty_library.ask("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?").found
    empty_library.remove(added.document_id or 0)
    assert _counts(empty_library) == (0, 0, 0)
    assert len(empty_library.index) == 0
    assert not empty_library.ask("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?").found


def test_restart_loads_index_without_segmenting_again(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_segmenting(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("the corpus must not be word-segmented again on restart")

    monkeypatch.setattr(index.terms, "word_tokenize", no_segmenting)
    library = open_library(demo_dir)
    answer = library.ask("Hải Dương xếp hạng bao nhiêu?")
    assert answer.found and "13/63" in answer.citations[0].snippet


def test_restart_after_crash_before_index_save_catches_up_from_stored_tokens(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = open_library(demo_dir)
    library.ingest(DocumentInput(text=DIRECTIVE))  # committed, but the index cache is never saved
    library.close()
    library.engine.dispose()

    monkeypatch.setattr(index.terms, "word_tokenize", lambda *a, **k: (_ for _ in ()).throw(AssertionError()))
    restarted = open_library(demo_dir)
    assert restarted.ask("Công an tỉnh Vĩnh Phúc phải kết nối dữ liệu dân cư trước ngày nào?").found
    assert len(restarted.index) == _counts(restarted)[1]


def test_removal_while_index_cache_is_stale_is_reconciled(demo_dir: Path) -> None:
    library = open_library(demo_dir)
    first_id = library.documents()[-1].id
    library.remove(first_id)
    library.close()
    library.engine.dispose()
    restarted = open_library(demo_dir)  # the saved cache still holds the removed passages
    with Session(restarted.engine) as session:
        db_ids = set(session.exec(select(Passage.id)).all())
    assert restarted.index.passage_ids() == db_ids


def test_demo_base_loads_once_and_not_again_after_removal(empty_library: Library) -> None:
    results = empty_library.load_demo_once()
    assert len(results) == 5 and all(r.status == "added" for r in results)
    empty_library.remove(results[0].document_id or 0)
    assert empty_library.load_demo_once() == []
    assert empty_library.document_count() == len(results) - 1


def test_documents_are_listed_newest_first(demo_library: Library) -> None:
    dates = [d.published for d in demo_library.documents() if d.published]
    assert dates == sorted(dates, reverse=True)


def test_postgres_stores_and_answers_like_sqlite(postgres_engine) -> None:  # type: ignore[no-untyped-def]
    library = Library(postgres_engine)
    result = library.ingest(DocumentInput(text=DIRECTIVE))
    assert result.status == "added"
    assert library.ingest(DocumentInput(text=DIRECTIVE)).status == "duplicate"
    answer = library.ask("vinh phuc co bao nhieu to cong nghe so cong dong")
    assert answer.found and "1.239" in answer.citations[0].snippet
    library.remove(result.document_id or 0)
    assert library.document_count() == 0


def test_second_process_sees_documents_added_by_the_first_after_sync(demo_dir: Path) -> None:
    first, second = open_library(demo_dir), open_library(demo_dir)
    question = "Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng với bao nhiêu thành viên hỗ trợ người dân?"
    added = first.ingest(DocumentInput(text=DIRECTIVE))
    assert second.sync() == (added.passages, 0)
    assert any(c.document_id == added.document_id for c in second.ask(question).citations)
    first.remove(added.document_id or 0)
    assert second.sync() == (0, added.passages)


def test_answer_survives_passages_removed_by_another_process(demo_dir: Path) -> None:
    bot_side, shell_side = open_library(demo_dir), open_library(demo_dir)
    for summary in shell_side.documents():
        shell_side.remove(summary.id)
    answer = bot_side.ask("Hải Dương xếp hạng bao nhiêu?")  # its index still holds every passage
    assert not answer.found


def test_corrupt_index_cache_is_rebuilt_not_fatal(demo_dir: Path) -> None:
    (demo_dir / "index" / "postings.bin").write_bytes(b"CDSBM25\x00 truncated")
    library = open_library(demo_dir)
    assert library.ask("Hải Dương xếp hạng bao nhiêu?").found


def test_index_cache_of_another_database_is_not_trusted(demo_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    library = open_library(other)
    library.ingest(DocumentInput(text=DIRECTIVE))
    library.close()
    library.engine.dispose()
    # The demo data dir's cache now sits next to a database with overlapping passage ids.
    (other / "cdsbot.sqlite3").replace(demo_dir / "cdsbot.sqlite3")
    for suffix in ("-wal", "-shm"):
        (demo_dir / f"cdsbot.sqlite3{suffix}").unlink(missing_ok=True)
    moved = open_library(demo_dir)
    answer = moved.ask("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?")
    assert answer.found and "1.239" in answer.citations[0].snippet
    assert len(moved.index) == _counts(moved)[1]


def test_demo_base_is_never_mixed_into_a_base_with_real_documents(empty_library: Library) -> None:
    empty_library.ingest(DocumentInput(text=DIRECTIVE))
    assert empty_library.load_demo_once() == []
    assert empty_library.document_count() == 1


def test_placeholder_of_hand_entered_deadlines_is_hidden_and_kept(empty_library: Library) -> None:
    from datetime import date

    from knowledge.deadlines.queries import (
        add_deadline,
        list_deadlines,
        parse_manual_deadline,
    )
    from knowledge.errors import NotFoundError

    manual = parse_manual_deadline("30/09/2030 | Hoàn thành số hoá hồ sơ | Sở Nội vụ | Hải Dương", empty_library.gazetteer)
    deadline = add_deadline(empty_library.engine, manual, added_by="admin:1")
    assert empty_library.documents() == [] and empty_library.document_count() == 0
    with pytest.raises(NotFoundError):
        empty_library.remove(deadline.document_id)
    assert len(list_deadlines(empty_library.engine, empty_library.gazetteer, today=date(2026, 1, 1))) == 1


def test_postgres_logs_questions_from_supergroups_and_new_accounts(postgres_engine) -> None:  # type: ignore[no-untyped-def]
    library = Library(postgres_engine)
    answer = library.ask("Hải Dương xếp hạng bao nhiêu?", log_as=("telegram", -1001234567890, 6123456789))
    library.close()  # the log is written off the answer path; before the schema goes
    assert answer.question_id is not None
