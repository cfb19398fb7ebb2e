"""`cdsbot ingest FOLDER` on several worker processes: same report, same base, failures said in Vietnamese."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import IngestBar, main
from knowledge.db import make_engine
from tests.knowledge.documents.test_bulk import long_text, plan_text, stored_rows, write_folder

pytestmark = pytest.mark.usefixtures("restore_root_logging")


def ingest(data_dir: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    return main(["ingest", *args])


def test_one_worker_and_two_workers_report_and_store_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    write_folder(folder)
    assert ingest(tmp_path / "one", monkeypatch, str(folder), "--jobs", "1") == 1  # the damaged and empty files
    one_report = capsys.readouterr().out
    assert ingest(tmp_path / "two", monkeypatch, str(folder), "--jobs", "2") == 1
    two_report = capsys.readouterr().out
    assert one_report == two_report
    assert "[13/13]" in one_report and "bỏ qua — Tài liệu đã có" in one_report and "LỖI — " in one_report
    one, two = (make_engine(f"sqlite:///{tmp_path / d / 'cdsbot.sqlite3'}") for d in ("one", "two"))
    try:
        assert stored_rows(one) == stored_rows(two)
        assert len(stored_rows(one)["documents"]) == 10
    finally:
        one.dispose()
        two.dispose()


def test_a_file_that_hits_a_limit_mid_folder_fails_alone_in_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "1.txt").write_text(plan_text(1), encoding="utf-8")
    (folder / "2-slow.txt").write_text(long_text(40_000), encoding="utf-8")
    (folder / "3.txt").write_text(plan_text(3), encoding="utf-8")
    monkeypatch.setenv("CDSBOT_PARSE_TIMEOUT_SECONDS", "1.5")
    assert ingest(tmp_path / "data", monkeypatch, str(folder), "--jobs", "2") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[1/3]") and "đã thêm" in lines[0]
    assert lines[1].startswith("[2/3]") and "LỖI — Phân tích tài liệu quá 1,5 giây" in lines[1]
    assert lines[2].startswith("[3/3]") and "đã thêm" in lines[2]
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'cdsbot.sqlite3'}")
    try:
        rows = stored_rows(engine)
    finally:
        engine.dispose()
    assert [r[5] for r in rows["documents"]] == ["1.txt", "3.txt"]  # nothing of the slow file
    assert {r[0] for r in rows["passages"]} == {r[4] for r in rows["documents"]}


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "1.txt").write_text(plan_text(1), encoding="utf-8")
    assert ingest(tmp_path / "data", monkeypatch, str(folder)) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("[1/1]") and captured.err == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_documents_done_and_passages_on_a_terminal() -> None:
    terminal = Terminal()
    bar = IngestBar(3, terminal)
    bar.step(4)
    bar.step(0)
    bar.clear()
    bar.step(2)
    bar.finish()
    screen = terminal.getvalue()
    assert "1/3 tệp, 4 đoạn" in screen and "3/3 tệp, 6 đoạn" in screen
    assert "\r\033[K" in screen and screen.endswith("\n")
