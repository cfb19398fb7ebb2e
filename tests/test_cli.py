"""The `cdsbot` command end to end, on temporary data dirs (the demo base or an empty one)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main


pytestmark = pytest.mark.usefixtures("restore_root_logging")


@pytest.fixture
def demo_env(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("CDSBOT_DEMO", "1")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    return demo_dir


@pytest.fixture
def empty_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    return tmp_path


def test_ask_prints_snippet_then_citation(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Hải Dương xếp hạng bao nhiêu?"]) == 0
    out = capsys.readouterr().out
    assert "**13/63**" in out or "**thứ 13/63**" in out
    assert "Nguồn:" in out and "14/11/2023" in out and "đoạn" in out


def test_ask_json_has_the_contract_keys(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "-k", "2", "hai duong xep hang bao nhieu"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"question", "found", "answer", "citations"}
    assert data["found"] is True and "13/63" in data["answer"]
    # Only relevant citations: the other Hải Dương article says nothing about rankings.
    assert len(data["citations"]) == 1
    first = data["citations"][0]
    assert set(first) == {"document_id", "title", "source", "published", "passage_id", "snippet", "passage", "score"}
    assert first["published"] == "2023-11-14" and first["snippet"] in first["passage"]


def test_ask_json_reads_questions_from_stdin_as_json_lines(
    demo_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Hải Dương xếp hạng bao nhiêu?\n\nThời tiết Hà Nội ngày mai?\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["found"] for line in lines] == [True, False]
    assert lines[1]["citations"] == []


def test_refusal_is_plain_vietnamese(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "Giá cổ phiếu VNM hôm nay bao nhiêu?"])
    assert "chưa có thông tin" in capsys.readouterr().out


def test_ingest_json_reports_each_file_and_fails_on_any_error(
    empty_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = empty_env / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Hà Giang phủ sóng mạng LAN\n\nĐến nay 100% các sở, ban, ngành của tỉnh Hà Giang đã có mạng LAN và "
        "kết nối Internet, 80% cơ quan cấp tỉnh dùng chữ ký số cá nhân trong xử lý văn bản hằng ngày.",
        encoding="utf-8",
    )
    (folder / "empty.txt").write_bytes(b"")
    assert main(["ingest", "--json", "--source", "Báo Hà Giang", str(folder)]) == 1
    rows = {Path(r["path"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["a.txt"]["status"] == "added" and rows["a.txt"]["passages"] == 1
    assert rows["a.txt"]["document_id"] is not None and rows["a.txt"]["error"] is None
    assert rows["empty.txt"]["status"] == "error" and rows["empty.txt"]["document_id"] is None
    assert "rỗng" in rows["empty.txt"]["error"]
    assert set(rows["a.txt"]) >= {"path", "document_id", "title", "passages", "status", "error"}

    assert main(["ingest", "--json", str(folder / "a.txt")]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "duplicate"

    assert main(["ask", "--json", "ha giang bao nhieu co quan co mang lan"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["found"] and answer["citations"][0]["source"] == "Báo Hà Giang"


def test_docs_list_and_remove(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "list", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert len(docs) == 5 and all(d["added_by"] == "demo" for d in docs)
    target = docs[0]["id"]
    assert main(["docs", "remove", str(target)]) == 0
    assert "Đã xoá" in capsys.readouterr().out
    main(["docs", "list", "--json"])
    assert target not in [d["id"] for d in json.loads(capsys.readouterr().out)]
    assert main(["docs", "remove", "99999"]) == 1


def test_eval_prints_hit_rates(demo_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in [
                {"q": "Hải Dương xếp hạng bao nhiêu?", "doc": "x", "any": ["13/63"]},
                {"q": "Thời tiết Hà Nội ngày mai thế nào?", "doc": None, "any": []},
            ]
        ),
        encoding="utf-8",
    )
    assert main(["eval", str(questions)]) == 0
    out = capsys.readouterr().out
    assert "hit@1 1.000" in out and "refusal accuracy 1.000" in out


def test_refusal_offers_questions_the_base_answers(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "Giá vàng hôm nay bao nhiêu?"])
    out = capsys.readouterr().out
    assert "Bạn có thể hỏi" in out
    suggestion = next(line for line in out.splitlines() if line.strip().startswith("•")).strip("• ").strip()
    assert main(["ask", "--json", suggestion]) == 0
    assert json.loads(capsys.readouterr().out)["found"] is True


def test_a_bare_number_is_not_a_question(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Câu hỏi trống" in captured.err


def test_ingest_into_a_fresh_data_dir_does_not_load_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CDSBOT_DEMO", raising=False)
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    document = tmp_path / "bac-ninh.txt"
    document.write_text("Bắc Ninh sơ kết chuyển đổi số\n\nBắc Ninh số hóa 98% hồ sơ trong quý I năm 2024.", encoding="utf-8")
    assert main(["ingest", str(document)]) == 0
    capsys.readouterr()
    assert main(["docs", "list", "--json"]) == 0
    assert [d["added_by"] for d in json.loads(capsys.readouterr().out)] == ["cli"]


def test_ingest_into_a_demo_only_base_removes_the_demo_and_says_so(
    demo_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "bac-ninh.txt"
    document.write_text("Bắc Ninh sơ kết chuyển đổi số\n\nBắc Ninh số hóa 98% hồ sơ trong quý I năm 2024.", encoding="utf-8")
    assert main(["ingest", "--json", str(document)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "added"
    assert "Đã gỡ 5 tài liệu mẫu" in captured.err
    assert main(["docs", "list", "--json"]) == 0
    assert [d["added_by"] for d in json.loads(capsys.readouterr().out)] == ["cli"]


def test_fresh_machine_ask_answers_from_the_demo_marked_as_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CDSBOT_DEMO", raising=False)
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    assert main(["ask", "Hải Dương xếp hạng bao nhiêu?"]) == 0
    out = capsys.readouterr().out
    assert "13/63" in out and "(dữ liệu mẫu)" in out


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("question", ["", "?", "   "])
def test_empty_question_is_bad_input_not_an_unanswered_question(
    empty_env: Path, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", question]) == 2
    captured = capsys.readouterr()
    assert "Câu hỏi trống" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("k", ["0", "-1", "ba"])
def test_citation_count_below_one_is_refused(empty_env: Path, k: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "-k", k, "Hải Dương xếp hạng bao nhiêu?"])
    assert exit_.value.code == 2
    assert "lỗi: tham số -k: cần một số nguyên dương" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Không tìm thấy tệp câu hỏi"),
        ("{không phải json", "Dòng 1 của"),
        ('{"q": "Hải Dương xếp hạng bao nhiêu?"}\n{"doc": null}', 'Dòng 2 của'),
        ("", "không có câu hỏi nào"),
    ],
)
def test_eval_bad_question_file_is_one_vietnamese_line(
    empty_env: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = empty_env / "questions.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("CDSBOT_TIMEZONE", "Mars/Base", "múi giờ IANA"),
        ("CDSBOT_REMINDER_TIME", "25:99", "giờ dạng HH:MM"),
        ("CDSBOT_REMINDER_LEAD_DAYS", "7,-1", "số ngày không âm"),
    ],
)
def test_bad_setting_names_the_variable_in_vietnamese(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, hint: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["docs", "list"]) == 2
    err = capsys.readouterr().err
    assert f"Cấu hình không hợp lệ: {variable}={value} không hợp lệ" in err and hint in err
    assert "reminder_time" not in err and "Traceback" not in err


def test_ingest_of_a_folder_without_documents_says_so(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = empty_env / "emptydir"
    folder.mkdir()
    (folder / "notes.xyz").write_text("không phải tài liệu", encoding="utf-8")
    assert main(["ingest", str(folder)]) == 2
    assert "Không có tệp nào để thêm" in capsys.readouterr().err


def test_ingest_of_a_missing_file_gives_the_reason_in_vietnamese(
    empty_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(empty_env / "khong-co.txt")]) == 1
    out = capsys.readouterr().out
    assert "Không đọc được tệp: không có tệp này." in out and "No such file" not in out


def test_damaged_pdf_warnings_go_to_the_log_not_the_terminal(
    empty_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 200)
    writer.write(buffer)
    damaged = empty_env / "hong.pdf"
    damaged.write_bytes(buffer.getvalue()[:-60])  # no %%EOF marker: pypdf warns, then fails
    assert main(["ingest", str(damaged)]) == 1
    captured = capsys.readouterr()
    assert "LỖI — Tệp PDF bị hỏng" in captured.out
    assert "WARNING" not in captured.err and "pypdf" not in captured.err


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("cdsbot ")


def test_every_option_has_help_text() -> None:
    import argparse

    from bot.cli import build_parser

    def walk(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.Action]]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    yield from ((f"{name} {n}", a) for n, a in walk(child))
            else:
                yield action.dest, action

    missing = [name for name, action in walk(build_parser()) if not action.help]
    assert missing == []


def test_bot_token_never_reaches_the_logs(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.logs import RedactingFormatter

    token = "123456:SECRET-token-value"
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter([token]))
    logger = logging.getLogger("test.redaction")
    logger.propagate = False  # only our handler: others set up by earlier tests do not redact
    logger.addHandler(handler)
    try:
        logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"Invalid token {token}")
        except RuntimeError:
            logger.exception("start failed")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert token not in err and "/bot***/getMe" in err and "Invalid token ***" in err


def test_unknown_time_zone_is_refused_at_start_with_a_message(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDSBOT_TIMEZONE", "Asia/Hanoi_typo")
    assert main(["docs", "list"]) == 2
    err = capsys.readouterr().err
    assert "Cấu hình không hợp lệ" in err and "CDSBOT_TIMEZONE" in err
