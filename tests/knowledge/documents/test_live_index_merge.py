"""Uploads leave the index in several segments; once they pause, a background merge leaves one, answers unchanged."""

from __future__ import annotations

import time

from knowledge.library import DocumentInput, Library

PROVINCES = ["Hải Dương", "Ninh Thuận", "Vĩnh Phúc", "Quảng Trị", "Hà Giang", "Bắc Ninh", "Lào Cai"]


def _upload(library: Library, i: int) -> None:
    province = PROVINCES[i % len(PROVINCES)]
    text = (
        f"Năm 202{i % 5}, {province} có {100 + i} thủ tục hành chính được cung cấp trực tuyến toàn trình. "
        f"Tỷ lệ hồ sơ trực tuyến của {province} đạt {40 + i}% trong 6 tháng đầu năm, bản tin {i}."
    )
    assert library.ingest(DocumentInput(text=text, title=f"Chuyển đổi số {province} số {i}")).status == "added"


def _wait_for_one_segment(library: Library, timeout_s: float = 30.0) -> int:
    deadline = time.monotonic() + timeout_s
    while library.index.segment_count > 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    return library.index.segment_count


def test_uploads_leave_several_segments_without_the_background_merge(empty_library: Library) -> None:
    empty_library.live.merge_after_s = None
    for i in range(12):
        _upload(empty_library, i)
    time.sleep(0.2)
    assert empty_library.index.segment_count > 1


def test_segments_are_merged_in_the_background_once_uploads_pause(empty_library: Library) -> None:
    empty_library.live.merge_after_s = 0.05
    for i in range(12):
        _upload(empty_library, i)
    assert _wait_for_one_segment(empty_library) == 1


def test_merging_changes_no_answer(empty_library: Library) -> None:
    empty_library.live.merge_after_s = None
    for i in range(12):
        _upload(empty_library, i)
    empty_library.remove(empty_library.documents()[-1].id)
    questions = ["Tỷ lệ hồ sơ trực tuyến của Vĩnh Phúc là bao nhiêu?", "quang tri co bao nhieu thu tuc truc tuyen"]
    before = [empty_library.ask(q) for q in questions]
    assert empty_library.index.segment_count > 1
    # What a start does with a saved index of several segments: merge it once the base is quiet.
    empty_library.live.merge_after_s = 0.05
    empty_library.sync()
    assert _wait_for_one_segment(empty_library) == 1
    assert [empty_library.ask(q) for q in questions] == before
    assert all(a.found for a in before)


def test_close_cancels_a_pending_merge(empty_library: Library) -> None:
    empty_library.live.merge_after_s = 3600
    for i in range(3):
        _upload(empty_library, i)
    empty_library.close()
    assert empty_library.live._merge_timer is None  # noqa: SLF001 - nothing left running after close
