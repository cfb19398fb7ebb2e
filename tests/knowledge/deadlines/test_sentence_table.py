"""Task and agency of deadlines on real-shaped directive sentences (sentence_table.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bench.deadline_accuracy import accuracy
from knowledge.deadlines.extract import (
    UNREADABLE_TASK,
    extract_deadlines,
    readable_task,
)


def test_table_has_at_least_forty_sentences_and_ninety_percent_of_each() -> None:
    from tests.knowledge.deadlines.sentence_table import TABLE

    assert len(TABLE) >= 40
    task, agency, misses = accuracy()
    assert task >= 0.9 and agency >= 0.9, "\n".join(misses)


def only(sentence: str, published: date = date(2024, 3, 1)) -> tuple[str, str | None]:
    [match] = extract_deadlines(sentence, published)
    return match.task, match.agency


def test_term_clause_takes_the_task_from_the_clause_before() -> None:
    task, agency = only(
        "Công an tỉnh chủ trì kết nối hệ thống một cửa với CSDL quốc gia về dân cư; "
        "thời hạn là chậm nhất ngày 15 tháng 10 năm 2024."
    )
    assert task == "chủ trì kết nối hệ thống một cửa với CSDL quốc gia về dân cư" and agency == "Công an tỉnh"


def test_who_ordered_is_not_who_acts() -> None:
    task, agency = only(
        "Theo chỉ đạo của Ban Cán sự Đảng UBND tỉnh, Sở Nội vụ phải trong tháng 12 sắp xếp biên chế.",
        date(2023, 11, 14),
    )
    assert agency == "Sở Nội vụ" and task == "sắp xếp biên chế"


def test_agency_list_is_kept_whole() -> None:
    task, agency = only("UBND các huyện, thành, thị kiện toàn ban chỉ đạo trước ngày 30/6/2024.")
    assert agency == "UBND các huyện, thành, thị" and task == "kiện toàn ban chỉ đạo"


def test_members_of_a_list_subject_stay_in_the_agency() -> None:
    task, agency = only("Các sở, ngành thành viên rà soát kế hoạch của đơn vị mình trước ngày 15/4/2024.")
    assert agency == "Các sở, ngành thành viên" and task == "rà soát kế hoạch của đơn vị mình"


def test_announcement_before_a_colon_is_not_part_of_the_task() -> None:
    task, _ = only(
        "Bí thư cũng chốt mốc: muộn nhất đầu tháng 1/2024, Trung tâm Dữ liệu tỉnh phải đi vào sử dụng.",
        date(2023, 11, 14),
    )
    assert task == "Trung tâm Dữ liệu tỉnh phải đi vào sử dụng" and ":," not in task


def test_transfer_is_not_an_order() -> None:
    task, agency = only("Sở TT&TT phải hoàn thành việc chuyển giao hệ thống thư công vụ chậm nhất là ngày 15/4/2024.")
    assert agency == "Sở TT&TT" and task == "hoàn thành việc chuyển giao hệ thống thư công vụ"


def test_unreadable_task_keeps_the_quote_and_says_so() -> None:
    [match] = extract_deadlines("Thời hạn hoàn thành: trước ngày 30/9/2024.", date(2024, 3, 1))
    assert match.task == UNREADABLE_TASK and match.quote == "Thời hạn hoàn thành: trước ngày 30/9/2024."


@pytest.mark.parametrize("fragment", ["thời hạn là", "trước đây", "thành, thị kiện toàn", "x", ""])
def test_fragments_are_not_tasks(fragment: str) -> None:
    assert not readable_task(fragment)
