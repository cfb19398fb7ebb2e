"""A scanned PDF uploaded through Telegram (issue 8): OCR progress is edited into one message."""

from __future__ import annotations

import pytest

from knowledge.documents.ocr import OcrReader
from tests.bot.test_uploads_e2e import ADMIN, StartBot, UploadBot, bot, start_bot  # noqa: F401 - fixtures
from tests.knowledge.documents.official_samples import SCANNED_PLAN, scanned_pdf

pytestmark = pytest.mark.skipif(not OcrReader().available(), reason="tesseract-ocr-vie not installed")


async def test_scan_upload_shows_page_progress_in_place_then_the_summary(bot: UploadBot) -> None:
    bot.library.ocr = OcrReader()
    reply = await bot.upload(scanned_pdf([SCANNED_PLAN, SCANNED_PLAN[:5]]), "scan.pdf")
    assert reply["text"].startswith("✅ Đã lưu tài liệu #1"), reply["text"]
    assert "Kế hoạch 77/KH-UBND" in reply["text"]
    edits = [c["text"] for c in bot.tg.calls("editMessageText") if c["message_id"] == reply["message_id"]]
    assert "⏳ Đang nhận dạng chữ: trang 1/2" in edits and "⏳ Đang nhận dạng chữ: trang 2/2" in edits
    assert edits.index("⏳ Đang nhận dạng chữ: trang 1/2") < edits.index("⏳ Đang nhận dạng chữ: trang 2/2")
