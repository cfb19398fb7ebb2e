"""The demo base: true sources, marked answers, and it gives way to the first real document."""

from __future__ import annotations

import functools
from importlib import resources

from knowledge.answers.answer import SAMPLE_MARK
from knowledge.documents.demo import holds_only_demo, remove_demo, store_real_document
from knowledge.library import DocumentInput, Library

REAL = DocumentInput(
    text="Bắc Ninh sơ kết chuyển đổi số\n\nSở Khoa học và Công nghệ tỉnh Bắc Ninh báo cáo 98% hồ sơ được "
    "số hóa trong quý I năm 2024.",
    added_by="cli",
)


def test_every_demo_article_names_its_real_source_and_date() -> None:
    folder = resources.files("knowledge") / "demo"
    files = [entry for entry in folder.iterdir() if entry.name.endswith(".md")]
    assert len(files) == 5
    for entry in files:
        header = entry.read_text(encoding="utf-8").split("---")[1]
        fields = dict(line.split(": ", 1) for line in header.strip().splitlines() if ": " in line)
        assert fields.get("published") and fields.get("source"), entry.name
        assert "minh hoạ" not in fields["source"] and "cdsbot" not in fields["source"], entry.name


def test_answer_from_the_demo_is_marked_as_sample(demo_library: Library) -> None:
    answer = demo_library.ask("Hải Dương xếp hạng bao nhiêu?")
    assert answer.found and answer.citations[0].sample
    assert answer.text.endswith(SAMPLE_MARK)


def test_answer_from_a_real_document_is_not_marked(empty_library: Library) -> None:
    empty_library.ingest(REAL)
    answer = empty_library.ask("Bắc Ninh số hóa bao nhiêu phần trăm hồ sơ?")
    assert answer.found and not answer.citations[0].sample and SAMPLE_MARK not in answer.text


def test_first_real_document_removes_the_demo(demo_library: Library) -> None:
    assert holds_only_demo(demo_library)
    result, removed = store_real_document(demo_library, functools.partial(demo_library.ingest, REAL))
    assert result.status == "added" and removed == 5
    assert demo_library.document_count() == 1 and not holds_only_demo(demo_library)
    assert not demo_library.ask("Hải Dương xếp hạng bao nhiêu?").found
    # Remembered: the demo does not come back on the next start.
    assert demo_library.load_demo_once() == []


def test_a_failed_upload_keeps_the_demo(demo_library: Library) -> None:
    empty = DocumentInput(text="   ", added_by="cli")
    result, removed = store_real_document(demo_library, functools.partial(demo_library.ingest, empty))
    assert result.status == "error" and removed == 0 and demo_library.document_count() == 5


def test_demo_mixed_with_real_documents_is_left_alone(demo_library: Library) -> None:
    demo_library.ingest(REAL)
    assert not holds_only_demo(demo_library)
    assert remove_demo(demo_library) == 5 and demo_library.document_count() == 1
