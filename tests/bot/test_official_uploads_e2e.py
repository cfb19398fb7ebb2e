"""Official documents uploaded through Telegram (issue 8): scans with OCR progress, plans with task tables."""

from __future__ import annotations

import pytest

from knowledge.documents.ocr import OcrReader
from tests.bot.test_uploads_e2e import ADMIN, StartBot, UploadBot, bot, start_bot  # noqa: F401 - fixtures
from tests.knowledge.documents.official_samples import SCANNED_PLAN, scanned_pdf

needs_tesseract = pytest.mark.skipif(not OcrReader().available(), reason="tesseract-ocr-vie not installed")


@needs_tesseract
async def test_scan_upload_shows_page_progress_in_place_then_the_summary(bot: UploadBot) -> None:
    bot.library.ocr = OcrReader()
    reply = await bot.upload(scanned_pdf([SCANNED_PLAN, SCANNED_PLAN[:5]]), "scan.pdf")
    assert reply["text"].startswith("✅ Đã lưu tài liệu #1"), reply["text"]
    assert "Kế hoạch 77/KH-UBND" in reply["text"]
    edits = [c["text"] for c in bot.tg.calls("editMessageText") if c["message_id"] == reply["message_id"]]
    assert "⏳ Đang nhận dạng chữ: trang 1/2" in edits and "⏳ Đang nhận dạng chữ: trang 2/2" in edits
    assert edits.index("⏳ Đang nhận dạng chữ: trang 1/2") < edits.index("⏳ Đang nhận dạng chữ: trang 2/2")


async def test_plan_upload_summary_counts_recurring_tasks_apart_and_shows_warnings(bot: UploadBot) -> None:
    from tests.knowledge.documents.official_samples import plan_docx

    reply = await bot.upload(plan_docx(), "ke-hoach.docx")
    text = reply["text"]
    assert "Kế hoạch 215/KH-UBND: Triển khai chuyển đổi số" in text
    assert "⏰ 5 hạn chót:" in text and "🔁 2 nhiệm vụ định kỳ" in text
    assert "⚠️ Bảng nhiệm vụ, dòng 8: thời hạn «Sau khi có hướng dẫn của Bộ»" in text
