"""`cdsbot deadlines` on a temporary data directory with directives ingested through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

HAI_DUONG = """Chỉ thị về đẩy mạnh chuyển đổi số tỉnh Hải Dương

Ngày 3/6/2024, UBND tỉnh Hải Dương yêu cầu Sở Thông tin và Truyền thông hoàn thành cổng dịch vụ công trước ngày 30/6/2024.

Sở Nội vụ phải báo cáo kết quả chuyển đổi số trước ngày 31/12/2099.
"""

QUANG_TRI = """Kế hoạch chuyển đổi số tỉnh Quảng Trị

UBND tỉnh Quảng Trị giao Sở Tài chính hoàn thành số hóa hồ sơ trước ngày 15/9/2099.
"""

KEYS = {"id", "document_id", "due", "precision", "task", "agency", "provinces", "quote"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir holding two directives, one per province."""
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    (tmp_path / "hai-duong.txt").write_text(HAI_DUONG, encoding="utf-8")
    (tmp_path / "quang-tri.txt").write_text(QUANG_TRI, encoding="utf-8")
    assert main(["ingest", "--published", "2024-06-03", "hai-duong.txt"]) == 0
    assert main(["ingest", "--published", "2024-06-03", "quang-tri.txt"]) == 0
    return tmp_path / "data"


def deadlines(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["deadlines", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_exactly_the_documented_keys_and_only_future_deadlines(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = deadlines(capsys)
    assert all(set(row) == KEYS for row in rows)
    assert [(row["due"], row["precision"]) for row in rows] == [("2099-09-15", "day"), ("2099-12-31", "day")]
    reporting = rows[1]
    assert reporting["task"] == "báo cáo kết quả chuyển đổi số"
    assert reporting["agency"] == "Sở Nội vụ"
    assert reporting["provinces"] == ["Hải Dương"]
    assert reporting["quote"] == "Sở Nội vụ phải báo cáo kết quả chuyển đổi số trước ngày 31/12/2099."
    assert isinstance(reporting["id"], int) and isinstance(reporting["document_id"], int)


def test_all_includes_past_deadlines(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = deadlines(capsys, "--all")
    assert [row["due"] for row in rows] == ["2024-06-30", "2099-09-15", "2099-12-31"]
    assert rows[0]["agency"] == "Sở Thông tin và Truyền thông"


def test_province_filter_accepts_any_spelling_and_new_names(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert [row["due"] for row in deadlines(capsys, "--province", "hai duong")] == ["2099-12-31"]
    # Hải Dương is part of Hải Phòng since 1/7/2025.
    assert [row["due"] for row in deadlines(capsys, "--all", "--province", "TP. Hải Phòng")] == [
        "2024-06-30",
        "2099-12-31",
    ]
    assert [row["provinces"] for row in deadlines(capsys, "--province", "Quảng Trị")] == [["Quảng Trị"]]
    assert deadlines(capsys, "--province", "Hà Giang") == []


def test_unknown_province_is_an_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "--province", "Atlantis"]) == 2
    assert "Atlantis" in capsys.readouterr().err


def test_table_lists_one_line_per_deadline(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["deadlines"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "31/12/2099" in lines[1] and "Sở Nội vụ" in lines[1] and "Hải Dương" in lines[1]


def test_removing_a_document_removes_its_deadlines(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document_id = deadlines(capsys, "--province", "Quảng Trị")[0]["document_id"]
    assert main(["docs", "remove", str(document_id)]) == 0
    assert [row["due"] for row in deadlines(capsys)] == ["2099-12-31"]
