"""`cdsbot` on official documents (issue 8): header fields in JSON, recurring tasks, warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.knowledge.documents.official_samples import CITING_NEWS_MD, plan_docx


pytestmark = pytest.mark.usefixtures("restore_root_logging")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    plan, news = tmp_path / "ke-hoach.docx", tmp_path / "tin.md"
    plan.write_bytes(plan_docx())
    news.write_text(CITING_NEWS_MD, encoding="utf-8")
    return plan, news


def test_ingest_and_docs_list_json_carry_number_type_and_issuer(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--json", *map(str, files)]) == 0
    plan, news = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (plan["number"], plan["doc_type"], plan["issuer"]) == ("215/KH-UBND", "Kế hoạch", "ỦY BAN NHÂN DÂN TỈNH BẮC NINH")
    assert plan["published"] == "2026-03-12" and plan["warnings"]
    assert (news["number"], news["doc_type"], news["issuer"]) == (None, None, None)
    assert main(["docs", "list", "--json"]) == 0
    listed = {d["title"]: d for d in json.loads(capsys.readouterr().out)}
    assert listed[plan["title"]]["number"] == "215/KH-UBND"
    assert listed[news["title"]]["issuer"] is None


def test_ingest_prints_warnings_in_vietnamese(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(files[0])]) == 0
    out = capsys.readouterr().out
    assert "cảnh báo: Bảng nhiệm vụ, dòng 8: thời hạn «Sau khi có hướng dẫn của Bộ»" in out


def test_deadlines_recurring_lists_recurring_tasks_apart(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(files[0])]) == 0
    capsys.readouterr()
    assert main(["deadlines", "--recurring", "--json"]) == 0
    tasks = json.loads(capsys.readouterr().out)
    assert {(t["recurrence"], t["agency"]) for t in tasks} == {
        ("continuous", "Văn phòng UBND tỉnh"),
        ("quarterly", "Sở Khoa học và Công nghệ"),
    }
    assert main(["deadlines", "--recurring"]) == 0
    assert "hằng quý" in capsys.readouterr().out
    assert main(["deadlines", "--all", "--json"]) == 0
    assert "Thường xuyên" not in " ".join(d["quote"] for d in json.loads(capsys.readouterr().out))


def test_ask_cites_official_document_by_type_number_and_date(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(files[0])]) == 0
    capsys.readouterr()
    assert main(["ask", "Kế hoạch 215 giao Sở Nội vụ bồi dưỡng cán bộ an toàn thông tin khi nào?"]) == 0
    out = capsys.readouterr().out
    assert "[1] Kế hoạch 215/KH-UBND, 12/03/2026 — Triển khai chuyển đổi số" in out


def test_ingest_shows_ocr_progress_and_cites_the_scan_as_ocr(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.documents.ocr import OcrReader
    from tests.knowledge.documents.official_samples import SCANNED_PLAN, scanned_pdf

    if not OcrReader().available():
        pytest.skip("tesseract-ocr-vie not installed")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf([SCANNED_PLAN, SCANNED_PLAN[:4]]))
    assert main(["ingest", "--json", str(scan)]) == 0
    captured = capsys.readouterr()
    assert "Đang nhận dạng chữ: trang 1/2" in captured.err and "trang 2/2 [####################]" in captured.err
    assert json.loads(captured.out)["number"] == "77/KH-UBND"
    assert main(["ask", "học bạ số trường trung học phổ thông Hà Nam"]) == 0
    assert "bản quét, chữ được nhận dạng tự động" in capsys.readouterr().out


def test_scan_over_the_page_limit_setting_is_refused(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge.documents.ocr import OcrReader
    from tests.knowledge.documents.official_samples import scanned_pdf

    if not OcrReader().available():
        pytest.skip("tesseract-ocr-vie not installed")
    monkeypatch.setenv("CDSBOT_OCR_MAX_PAGES", "2")
    scan = tmp_path / "dai.pdf"
    scan.write_bytes(scanned_pdf([["Trang"]] * 3))
    assert main(["ingest", "--json", str(scan)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "error" and "3 trang, vượt giới hạn nhận dạng chữ 2 trang" in report["error"]
