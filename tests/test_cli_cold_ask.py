"""A cold `cdsbot ask` (bot.cli.cold_ask, knowledge/answers/saved_base.py) prints what the full path prints.

The cold path reads the SQLite base and the saved index without SQLAlchemy; it
must answer exactly as the full path (``main(..., cold_start=False)``) does,
and step aside, before printing anything, whenever the full start has work to
do. tests/test_architecture.py checks what it imports.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import build_parser, cold_ask, main

pytestmark = pytest.mark.usefixtures("restore_root_logging")

ROOT = Path(__file__).resolve().parent.parent
DEMO_QUESTIONS = [json.loads(line)["q"] for line in (ROOT / "bench" / "demo_questions.jsonl").read_text("utf-8").splitlines()]
# Passages, progress facts (a ranking, a trend, a comparison), a document number, no diacritics, not in the base.
QUESTIONS = [
    *DEMO_QUESTIONS[::4],
    "Tỉnh nào xếp hạng chuyển đổi số cao nhất?",
    "Hải Dương qua các năm",
    "So sánh Hải Dương và Vĩnh Phúc về chuyển đổi số",
    "to cong nghe so cong dong quang tri",
    "Giá cổ phiếu VNM hôm nay bao nhiêu?",
]


@pytest.fixture
def demo_env(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CDSBOT_DATABASE_URL", "CDSBOT_TIMEZONE", "CDSBOT_REMINDER_TIME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("CDSBOT_DEMO", "1")
    monkeypatch.chdir(demo_dir)  # no stray .env
    return demo_dir


def _cold(*argv: str) -> int | None:
    return cold_ask(build_parser().parse_args(["ask", *argv]))


def _printed(capsys: pytest.CaptureFixture[str], argv: list[str], *, cold_start: bool) -> tuple[int, str, str]:
    status = main(argv, cold_start=cold_start)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("question", QUESTIONS)
def test_cold_and_full_ask_print_the_same(demo_env: Path, question: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["ask", question], ["ask", "--json", "-k", "5", question]):
        full = _printed(capsys, argv, cold_start=False)
        cold = _printed(capsys, argv, cold_start=True)
        assert cold == full
        assert full[0] == 0 and full[1].strip()


def test_the_usual_start_answers_on_the_cold_path(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Otherwise the comparison above could pass with nothing answered cold.
    assert _cold(DEMO_QUESTIONS[0]) == 0
    assert _cold("--json", "Giá cổ phiếu VNM hôm nay bao nhiêu?") == 0
    assert _cold("Tỉnh nào xếp hạng chuyển đổi số cao nhất?") == 0
    out = capsys.readouterr().out
    assert "13/63" in out and '"found": false' in out


def test_an_unanswered_question_gets_the_bots_examples_on_the_cold_path(
    demo_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cold("Giá cổ phiếu VNM hôm nay bao nhiêu?") == 0
    out = capsys.readouterr().out
    assert "chưa có thông tin" in out and "Bạn có thể hỏi, ví dụ:" in out and "Chuyển đổi số ở" in out


def test_examples_from_the_question_log_are_the_same_on_both_paths(
    demo_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import open_library

    library = open_library(demo_env)
    for channel, question in [("telegram", "hai duong xep hang bao nhieu"), ("telegram", "Hải Dương xếp hạng bao nhiêu?"),
                              ("terminal", "Hải Dương xếp hạng bao nhiêu?"), ("cli", "Vĩnh Phúc có gì mới?")]:
        library.ask(question, log_as=(channel, 1, 1))
    library.close()
    library.engine.dispose()
    argv = ["ask", "Giá cổ phiếu VNM hôm nay bao nhiêu?"]
    full = _printed(capsys, argv, cold_start=False)
    assert _printed(capsys, argv, cold_start=True) == full
    assert "• Hải Dương xếp hạng bao nhiêu?" in full[1]  # the most asked spelling, people's channels only
    assert _cold(*argv[1:]) == 0


def test_questions_from_stdin_and_bad_input_print_the_same_on_both_paths(
    demo_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    lines = f"{DEMO_QUESTIONS[0]}\n?\n\nGiá cổ phiếu VNM hôm nay bao nhiêu?\n"
    printed = []
    for cold_start in (False, True):
        monkeypatch.setattr("sys.stdin", io.StringIO(lines))
        printed.append(_printed(capsys, ["ask", "--json", "-"], cold_start=cold_start))
    assert printed[0] == printed[1]
    assert printed[0][0] == 2 and "Câu hỏi trống" in printed[0][2]
    assert [json.loads(line)["found"] for line in printed[0][1].splitlines()] == [True, False]
    assert _cold("?") == 2


def test_a_first_start_loads_the_demo_then_the_next_ask_is_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "1")
    monkeypatch.chdir(tmp_path)
    assert _cold(DEMO_QUESTIONS[0]) is None  # no database yet
    assert main(["ask", DEMO_QUESTIONS[0]]) == 0
    first = capsys.readouterr().out
    assert "13/63" in first
    assert _cold(DEMO_QUESTIONS[0]) == 0
    assert capsys.readouterr().out == first


def test_an_empty_base_without_the_demo_answers_through_the_full_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "Hải Dương xếp hạng bao nhiêu?"]) == 0
    assert "chưa có thông tin" in capsys.readouterr().out
    assert _cold("--json", "Hải Dương xếp hạng bao nhiêu?") is None  # an empty base saves no index
    assert main(["ask", "--json", "Hải Dương xếp hạng bao nhiêu?"]) == 0
    assert json.loads(capsys.readouterr().out)["found"] is False


def _sql(data_dir: Path, statement: str) -> None:
    with sqlite3.connect(data_dir / "cdsbot.sqlite3") as connection:
        connection.execute(statement)


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE alembic_version SET version_num = '0001'",
        "UPDATE meta SET value = 'old' WHERE key = 'facts_version'",
        "UPDATE meta SET value = 'old' WHERE key = 'sentence_terms_version'",
        "UPDATE meta SET value = 'another-database' WHERE key = 'database_id'",
        "DELETE FROM passage WHERE id = (SELECT min(id) FROM passage)",
        "DELETE FROM meta WHERE key = 'demo_loaded'",
    ],
    ids=["old-schema", "stale-facts", "stale-sentence-terms", "index-of-another-database", "passage-removed", "demo-unclaimed"],
)
def test_work_for_the_full_start_sends_the_ask_there(demo_env: Path, change: str) -> None:
    _sql(demo_env, change)
    assert _cold(DEMO_QUESTIONS[0]) is None


def test_a_stale_index_is_brought_up_to_date_by_the_full_path(
    demo_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sql(demo_env, "DELETE FROM passage WHERE id = (SELECT min(id) FROM passage)")
    assert main(["ask", DEMO_QUESTIONS[0]]) == 0  # syncs the index and saves it
    capsys.readouterr()
    assert _cold(DEMO_QUESTIONS[0]) == 0


def test_a_missing_index_cache_takes_the_full_path(demo_env: Path) -> None:
    (demo_env / "index" / "manifest.json").unlink()
    assert _cold(DEMO_QUESTIONS[0]) is None


def test_a_postgresql_url_takes_the_full_path(demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens there: the cold path must not even try to connect.
    monkeypatch.setenv("CDSBOT_DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    assert _cold(DEMO_QUESTIONS[0]) is None


def test_a_setting_that_is_not_plainly_valid_takes_the_full_path(
    demo_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDSBOT_TIMEZONE", "Mars/Base")
    assert _cold(DEMO_QUESTIONS[0]) is None
    assert main(["ask", DEMO_QUESTIONS[0]]) == 2
    assert "CDSBOT_TIMEZONE=Mars/Base không hợp lệ" in capsys.readouterr().err
