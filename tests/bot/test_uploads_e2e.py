"""Admins add documents through Telegram: the real Application against the fake Bot API server.

Every test drives the bot the way Telegram would (an uploaded file, a link,
a button press) and checks what the admin saw and what the database holds.
Files come from tests.knowledge.documents.test_upload_inputs.py, links from a small
aiohttp server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import Session

from bot.config import Settings
from bot.services import Services
from bot.telegram.app import build_application
from bot.telegram.context import CdsApplication, CdsContext
from knowledge.documents.worker import ParseLimits, ParseWorker
from knowledge.library import Library
from knowledge.models import Document
from tests.bot.conftest import press_on_old_message
from tests.fake_telegram import FakeTelegram
from tests.knowledge.documents.test_upload_inputs import (
    BAD_UPLOADS,
    GOOD_UPLOADS,
    HTML_PAGE,
    TXT_TEXT,
    Upload,
    row_counts,
)

ADMIN = 900
USER = 42
JSON = dict[str, Any]
MB = 1024 * 1024
FINAL_MARKS = ("✅", "❌", "ℹ️")


# ------------------------------------------------------------------ the running bot
@dataclass
class UploadBot:
    """The real Application polling the fake server, and the errors its handlers raised."""

    tg: FakeTelegram
    services: Services
    app: CdsApplication
    errors: list[BaseException] = field(default_factory=list)

    @property
    def library(self) -> Library:
        return self.services.library

    async def outcome(self, chat_id: int, after: int, timeout: float = 15.0) -> JSON:
        """The first bot message sent after index ``after`` that reached a final state (after edits)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for sent in self.tg.bot_messages[after:]:
                current = self.tg.get_message(sent["chat"]["id"], sent["message_id"]) or sent
                if current["chat"]["id"] == chat_id and current.get("text", "").startswith(FINAL_MARKS):
                    return current
            if loop.time() > deadline:
                texts = [m.get("text") for m in self.tg.bot_messages[after:]]
                raise AssertionError(f"no final message in chat {chat_id}; bot sent {texts}")
            await asyncio.sleep(0.02)

    async def upload(self, data: bytes, name: str, *, user_id: int = ADMIN, caption: str | None = None) -> JSON:
        """Send a file as ``user_id`` and return the bot's final word on it."""
        after = len(self.tg.bot_messages)
        self.tg.send_document(data, name, user_id=user_id, caption=caption)
        return await self.outcome(user_id, after)

    async def reply_to(self, text: str, *, user_id: int = USER, reply_to_bot: bool = False) -> JSON:
        """Send a text message and return the bot's next message to that chat."""
        after = len(self.tg.bot_messages)
        self.tg.send_message(text, user_id=user_id, reply_to_bot=reply_to_bot)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not [m for m in self.tg.bot_messages[after:] if m["chat"]["id"] == user_id]:
            assert loop.time() < deadline, f"no reply to {text!r}"
            await asyncio.sleep(0.02)
        return next(m for m in self.tg.bot_messages[after:] if m["chat"]["id"] == user_id)

    async def press(self, data: str, message: JSON, *, user_id: int = ADMIN, then_shows: bool = True) -> None:
        """Press a button; wait for the bot's answer and, when ``then_shows``, the message or edit after it."""
        answers, sent, edits = (
            len(self.tg.calls("answerCallbackQuery")),
            len(self.tg.bot_messages),
            len(self.tg.calls("editMessageText")),
        )
        self.tg.send_callback(data, message=message, user_id=user_id)
        await self.tg.wait_for("answerCallbackQuery", count=answers + 1)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while then_shows and len(self.tg.bot_messages) == sent and len(self.tg.calls("editMessageText")) == edits:
            assert loop.time() < deadline, f"nothing shown after pressing {data}"
            await asyncio.sleep(0.02)


def plain(html_text: str) -> str:
    """What the reader sees: the HTML tags (highlights, links) removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def buttons(message: JSON) -> list[tuple[str, str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def button(message: JSON, starts: str) -> str:
    return next(data for _, data in buttons(message) if data.startswith(starts))


StartBot = Callable[..., Awaitable[UploadBot]]


@pytest.fixture
async def start_bot(tmp_path: Path, empty_library: Library) -> AsyncIterator[StartBot]:
    """Start the bot on an empty base; keyword arguments override settings."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> UploadBot:
            tg = await stack.enter_async_context(FakeTelegram())
            values: dict[str, Any] = {
                "telegram_bot_token": tg.token,
                "telegram_api_url": tg.base_url,
                "telegram_file_url": tg.base_file_url,
                "data_dir": tmp_path / "data",
                "demo": False,
                "admin_ids": frozenset({ADMIN}),
                # The page server below runs on 127.0.0.1 on a random port.
                "allow_loopback_links": True,
                "link_ports": "*",
                **overrides,
            }
            settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
            services = Services(settings, empty_library)
            app = build_application(services)
            bot = UploadBot(tg, services, app)

            async def record(update: object, context: CdsContext) -> None:
                assert context.error is not None
                bot.errors.append(context.error)

            app.add_error_handler(record)  # type: ignore[arg-type]
            await stack.enter_async_context(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            stack.push_async_callback(app.stop)
            stack.push_async_callback(app.updater.stop)
            return bot

        yield start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[UploadBot]:
    running = await start_bot()
    yield running
    assert not running.errors, running.errors


# ------------------------------------------------------------------ uploads that work
@pytest.mark.parametrize("upload", GOOD_UPLOADS, ids=lambda u: u.filename)
async def test_admin_upload_is_summarised_and_then_answers_questions(bot: UploadBot, upload: Upload) -> None:
    reply = await bot.upload(upload.data, upload.filename)
    assert reply["text"].startswith("✅ Đã lưu tài liệu #1"), reply["text"]
    assert "đoạn" in reply["text"] and "Ngày đăng" in reply["text"]
    assert [label for label, _ in buttons(reply)] == ["🗑 Xoá tài liệu này", "✏️ Sửa tiêu đề/ngày/tỉnh"]
    answer = plain((await bot.reply_to(upload.question))["text"])
    assert upload.answer_words in answer and "#1, đoạn" in answer, answer


async def test_first_upload_into_a_demo_only_base_removes_the_demo_and_says_so(
    start_bot: StartBot, empty_library: Library
) -> None:
    empty_library.load_demo_once()
    bot = await start_bot()
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert reply["text"].startswith("✅ Đã lưu tài liệu #6"), reply["text"]
    assert "Đã gỡ 5 tài liệu mẫu" in reply["text"]
    assert [d.added_by for d in empty_library.documents()] == [f"telegram:{ADMIN}"]
    refused = plain((await bot.reply_to("Hải Dương xếp hạng bao nhiêu?"))["text"])
    assert "13/63" not in refused


async def test_failed_upload_into_a_demo_only_base_keeps_the_demo(start_bot: StartBot, empty_library: Library) -> None:
    empty_library.load_demo_once()
    bot = await start_bot()
    reply = await bot.upload(b"", "rong.txt")
    assert reply["text"].startswith("❌") and "tài liệu mẫu" not in reply["text"]
    assert empty_library.document_count() == 5


async def test_progress_is_one_message_edited_while_the_chat_shows_activity(bot: UploadBot) -> None:
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    [progress] = [m for m in bot.tg.bot_messages if m["chat"]["id"] == ADMIN]
    assert progress["message_id"] == reply["message_id"]
    edits = [c["text"] for c in bot.tg.calls("editMessageText")]
    assert edits[0].startswith("⏳ Đang phân tích") and edits[-1].startswith("✅ Đã lưu")
    actions = {c["action"] for c in bot.tg.calls("sendChatAction")}
    assert "upload_document" in actions
    assert len(bot.tg.calls("getFile")) == 1


async def test_summary_lists_metadata_and_deadlines(bot: UploadBot) -> None:
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    text = reply["text"]
    assert "Lạng Sơn cấp 12.345 chứng thư chữ ký số cho người dân" in text
    assert "📍 Tỉnh: Lạng Sơn" in text
    assert "⏰ 1 hạn chót:" in text and "30/06/2026 — " in text


async def test_caption_sets_title_date_source_and_provinces(bot: UploadBot) -> None:
    caption = "ngay: 05/01/2025\nTiêu đề: Chữ ký số cho dân\ntỉnh: Cao Bằng\nnguồn: Sở KH&CN Lạng Sơn"
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt", caption=caption)
    assert "<b>Chữ ký số cho dân</b>" in reply["text"] and "05/01/2025" in reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None
        assert (document.title, str(document.published), document.provinces, document.source) == (
            "Chữ ký số cho dân",
            "2025-01-05",
            "Cao Bằng",
            "Sở KH&CN Lạng Sơn",
        )
        assert document.added_by == f"telegram:{ADMIN}"


async def test_same_content_twice_is_recognised(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    before = row_counts(bot.library)
    reply = await bot.upload(TXT_TEXT.replace("\n\n", "\n\n\n").encode(), "ban-sao.txt")
    assert reply["text"] == (
        "ℹ️ Tài liệu đã có trong cơ sở dữ liệu: #1 «Lạng Sơn cấp 12.345 chứng thư chữ ký số cho người dân»."
    )
    assert row_counts(bot.library) == before


# ------------------------------------------------------------------ who may upload
async def test_non_admin_upload_is_refused_without_downloading(bot: UploadBot) -> None:
    after = len(bot.tg.bot_messages)
    bot.tg.send_document(TXT_TEXT.encode(), "chu-ky-so.txt", user_id=USER)
    [refusal] = await bot.tg.wait_for("sendMessage")
    assert "chỉ quản trị viên mới thêm được tài liệu" in refusal["text"]
    assert len(bot.tg.bot_messages) == after + 1
    assert bot.tg.calls("getFile") == [] and row_counts(bot.library) == (0, 0, 0)


async def test_admin_command_shows_what_admins_can_do(bot: UploadBot) -> None:
    reply = await bot.reply_to("/admin", user_id=ADMIN)
    for words in ("tiêu đề:", "ngày: dd/mm/yyyy", "/xoa ID", "/thaythe ID", "đường dẫn"):
        assert words in reply["text"]
    refusal = await bot.reply_to("/admin", user_id=USER)
    assert "Chỉ quản trị viên" in refusal["text"] and str(USER) in refusal["text"]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(("name", "filename", "data", "words"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
async def test_bad_file_is_explained_and_nothing_is_stored(
    bot: UploadBot, name: str, filename: str, data: bytes, words: str
) -> None:
    reply = await bot.upload(data, filename)
    assert reply["text"].startswith("❌") and words in reply["text"], reply["text"]
    assert "Không có gì được lưu." in reply["text"]
    assert row_counts(bot.library) == (0, 0, 0)
    still_answering = await bot.reply_to("Hải Dương xếp hạng bao nhiêu?")
    assert still_answering["text"]


async def test_file_over_the_configured_limit_is_not_downloaded(start_bot: StartBot) -> None:
    bot = await start_bot(max_upload_mb=1)
    reply = await bot.upload(b"a" * (MB + MB // 2), "lon.txt")
    assert reply["text"].startswith("❌ Tệp quá lớn (1,5 MB), giới hạn là 1 MB.")
    assert bot.tg.calls("getFile") == [] and row_counts(bot.library) == (0, 0, 0)


async def test_file_over_telegrams_limit_is_not_downloaded_even_if_settings_allow(start_bot: StartBot) -> None:
    bot = await start_bot(max_upload_mb=50)
    reply = await bot.upload(b"a" * (21 * MB), "rat-lon.txt")
    assert "Telegram chỉ cho bot tải tệp tới 20 MB" in reply["text"]
    assert bot.tg.calls("getFile") == [] and row_counts(bot.library) == (0, 0, 0)
    assert not bot.errors


async def test_nul_in_caption_and_file_name_is_dropped_and_the_upload_finishes(bot: UploadBot) -> None:
    caption = "tiêu đề: Chữ ký số\x00 cho dân\nnguồn: Sở\x00 KH&CN"
    reply = await bot.upload(TXT_TEXT.encode(), "chu\x00-ky-so.txt", caption=caption)
    assert reply["text"].startswith("✅"), reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None
        assert (document.title, document.source, document.filename) == (
            "Chữ ký số cho dân",
            "Sở KH&CN",
            "chu-ky-so.txt",
        )
    assert not bot.errors


async def test_an_upload_over_the_time_limit_ends_with_the_reason_while_the_bot_keeps_answering(
    bot: UploadBot,
) -> None:
    bot.library.parse_worker = ParseWorker(ParseLimits(seconds=4))
    sentence = "Sở Khoa học và Công nghệ tỉnh Vĩnh Phúc triển khai {} nền tảng số cho người dân năm 2025. "
    data = "".join(sentence.format(i) for i in range(30_000)).encode()
    after = len(bot.tg.bot_messages)
    bot.tg.send_document(data, "rat-dai.txt", user_id=ADMIN)
    await bot.tg.wait_for("editMessageText")  # "⏳ Đang phân tích…": the child is parsing
    await bot.reply_to("Hải Dương xếp hạng bao nhiêu?")
    progress = [bot.tg.get_message(m["chat"]["id"], m["message_id"]) for m in bot.tg.bot_messages[after:]]
    assert not any(m and m["chat"]["id"] == ADMIN and m["text"].startswith(FINAL_MARKS) for m in progress)
    outcome = await bot.outcome(ADMIN, after, timeout=60)
    assert outcome["text"].startswith("❌") and "quá 4 giây" in outcome["text"], outcome["text"]
    assert row_counts(bot.library) == (0, 0, 0)


async def test_an_unexpected_failure_while_storing_still_ends_the_progress_message(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await start_bot()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(bot.library, "commit", broken)
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert reply["text"].startswith("❌") and "không có gì được lưu" in reply["text"], reply["text"]
    for _ in range(100):  # the error handler runs just after the progress message is edited
        if bot.errors:
            break
        await asyncio.sleep(0.05)
    assert [type(e) for e in bot.errors] == [RuntimeError]  # and the error handler still logged it


async def test_caption_with_an_impossible_date_stores_nothing(bot: UploadBot) -> None:
    reply = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt", caption="tiêu đề: Chữ ký số\nngày: 31/02/2024")
    assert "Ngày «31/02/2024» không hợp lệ" in reply["text"] and "Không có gì được lưu." in reply["text"]
    assert bot.tg.calls("getFile") == [] and row_counts(bot.library) == (0, 0, 0)


# ------------------------------------------------------------------ remove
async def test_remove_button_asks_to_confirm_then_removes_from_database_and_index(bot: UploadBot) -> None:
    summary = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    await bot.press(button(summary, "tl:del:"), summary)
    confirm = bot.tg.last_bot_message(ADMIN)
    assert confirm["text"].startswith("Xoá tài liệu #1 «Lạng Sơn cấp 12.345")
    assert row_counts(bot.library)[0] == 1
    await bot.press(button(confirm, "tl:ok:"), confirm)
    assert bot.tg.last_bot_message(ADMIN)["text"].startswith("🗑 Đã xoá tài liệu #1")
    assert row_counts(bot.library) == (0, 0, 0) and len(bot.library.index) == 0
    assert not bot.library.ask("Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?").found


async def test_remove_command_keeps_the_document_when_the_admin_changes_their_mind(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    before = row_counts(bot.library)
    confirm = await bot.reply_to("/xoa 1", user_id=ADMIN)
    assert [label for label, _ in buttons(confirm)] == ["🗑 Xoá", "Giữ lại"]
    await bot.press(button(confirm, "tl:keep:"), confirm)
    assert bot.tg.last_bot_message(ADMIN)["text"] == "Đã giữ lại tài liệu #1."
    assert row_counts(bot.library) == before


async def test_remove_command_with_a_wrong_id_or_from_a_non_admin(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert "Cú pháp: /xoa ID" in (await bot.reply_to("/xoa abc", user_id=ADMIN))["text"]
    assert (await bot.reply_to("/xoa 77", user_id=ADMIN))["text"] == "Không có tài liệu số 77."
    assert "Chỉ quản trị viên" in (await bot.reply_to("/xoa 1", user_id=USER))["text"]
    assert row_counts(bot.library)[0] == 1


async def test_keep_button_under_an_old_confirmation_still_answers(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    confirm = await bot.reply_to("/xoa 1", user_id=ADMIN)
    press_on_old_message(bot.tg, button(confirm, "tl:keep:"), confirm, user_id=ADMIN)
    [edit] = await bot.tg.wait_for("editMessageText", predicate=lambda c: c["message_id"] == confirm["message_id"])
    assert edit["text"] == "Đã giữ lại tài liệu #1."
    assert row_counts(bot.library)[0] == 1


async def test_non_admin_cannot_press_an_admins_remove_button(bot: UploadBot) -> None:
    summary = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    await bot.press("tl:ok:1", summary, user_id=USER, then_shows=False)
    [answer] = [c for c in bot.tg.calls("answerCallbackQuery") if c.get("show_alert")]
    assert "Chỉ quản trị viên" in answer["text"] and row_counts(bot.library)[0] == 1


# ------------------------------------------------------------------ corrections
async def test_correction_reply_updates_title_date_and_provinces(bot: UploadBot) -> None:
    summary = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    await bot.press(button(summary, "tl:edit:"), summary)
    prompt = bot.tg.last_bot_message(ADMIN)
    assert prompt["text"].startswith("✏️ Sửa tài liệu #1") and prompt.get("reply_markup") is None
    reply = await bot.reply_to(
        "tiêu đề: Chữ ký số Lạng Sơn 2024\nngày: 20/12/2024\ntỉnh: Lạng Sơn, Cao Bằng", user_id=ADMIN, reply_to_bot=True
    )
    assert reply["text"].startswith("✏️ Đã sửa tài liệu #1") and "20/12/2024" in reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None
        assert (document.title, str(document.published), document.provinces) == (
            "Chữ ký số Lạng Sơn 2024",
            "2024-12-20",
            "Lạng Sơn,Cao Bằng",
        )


async def test_correction_with_an_impossible_date_changes_nothing(bot: UploadBot) -> None:
    summary = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    await bot.press(button(summary, "tl:edit:"), summary)
    reply = await bot.reply_to("ngày: 30/02/2024", user_id=ADMIN)
    assert "không hợp lệ" in reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None and document.published is None


async def test_correction_with_a_very_long_source_is_confirmed_with_it_shortened(bot: UploadBot) -> None:
    summary = await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    await bot.press(button(summary, "tl:edit:"), summary)
    source = "Cổng thông tin điện tử tỉnh Lạng Sơn " * 110  # about 4 000 characters
    reply = await bot.reply_to(f"nguồn: {source.strip()}", user_id=ADMIN, reply_to_bot=True)
    assert reply["text"].startswith("✏️ Đã sửa tài liệu #1")
    shown = next(line for line in reply["text"].split("\n") if line.startswith("🔗 Nguồn:"))
    assert shown.endswith("…") and len(shown) < 300
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None and document.source == source.strip()


async def test_metadata_lines_from_a_non_admin_are_just_a_question(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "chu-ky-so.txt")
    reply = await bot.reply_to("tiêu đề: Lạng Sơn chữ ký số")
    assert not reply["text"].startswith("✏️")


# ------------------------------------------------------------------ revisions
REVISED = TXT_TEXT.replace("12.345", "23.456").encode()


async def test_replace_command_makes_the_next_upload_a_revision(bot: UploadBot) -> None:
    await bot.upload(TXT_TEXT.encode(), "v1.txt")
    prompt = await bot.reply_to("/thaythe 1", user_id=ADMIN)
    assert prompt["text"].startswith("🔁 Hãy gửi tệp bản sửa của tài liệu #1")
    reply = await bot.upload(REVISED, "v2.txt")
    assert reply["text"].startswith("✅ Đã thay tài liệu #1 bằng bản mới. Hạn chót: giữ lại 1, bỏ 0.")
    documents, _, deadlines = row_counts(bot.library)
    assert (documents, deadlines) == (1, 1)
    answer = plain((await bot.reply_to("Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?"))["text"])
    assert "23.456" in answer and "12.345" not in answer


async def test_upload_with_the_same_title_offers_to_replace_the_old_version(bot: UploadBot) -> None:
    caption = "tiêu đề: Lạng Sơn cấp chữ ký số cho người dân"
    await bot.upload(TXT_TEXT.encode(), "v1.txt", caption=caption)
    summary = await bot.upload(REVISED, "v2.txt", caption=caption)
    assert summary["text"].startswith("✅ Đã lưu tài liệu #2")
    await bot.press(button(summary, "tl:sup:1:2"), summary)
    assert bot.tg.last_bot_message(ADMIN)["text"].startswith("✅ Tài liệu #2 đã thay tài liệu #1")
    documents, _, deadlines = row_counts(bot.library)
    assert (documents, deadlines) == (1, 1)


async def test_superseding_summary_lists_the_deadlines_it_kept(bot: UploadBot) -> None:
    caption = "tiêu đề: Lạng Sơn cấp chữ ký số cho người dân"
    await bot.upload(TXT_TEXT.encode(), "v1.txt", caption=caption)
    summary = await bot.upload(REVISED, "v2.txt", caption=caption)
    await bot.press(button(summary, "tl:sup:1:2"), summary)
    text = bot.tg.last_bot_message(ADMIN)["text"]
    assert "Hạn chót: giữ lại 1, bỏ 0." in text
    assert "⏰ 1 hạn chót:" in text and "30/06/2026 — " in text
    assert "Không thấy hạn chót nào" not in text


# ------------------------------------------------------------------ links
@dataclass
class PageServer:
    """News pages on 127.0.0.1, and the paths the bot asked for."""

    base: str
    hits: list[str]


@pytest.fixture
async def pages() -> AsyncIterator[PageServer]:
    hits: list[str] = []

    async def article(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text=HTML_PAGE, content_type="text/html", charset="utf-8")

    async def missing(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(status=404, text="Not found", content_type="text/html")

    async def slow(request: web.Request) -> web.Response:
        hits.append(request.path)
        await asyncio.sleep(5)
        return web.Response(text=HTML_PAGE, content_type="text/html")

    async def pdf(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"%PDF-1.4 ...", content_type="application/pdf")

    async def huge(request: web.Request) -> web.StreamResponse:
        hits.append(request.path)
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"<p>" + b"x" * 64 * 1024 + b"</p>")
        return response

    app = web.Application()
    app.router.add_get("/tin-tuc/thanh-toan.html", article)
    app.router.add_get("/khong-co", missing)
    app.router.add_get("/cham", slow)
    app.router.add_get("/van-ban.pdf", pdf)
    app.router.add_get("/rat-lon", huge)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield PageServer(f"http://127.0.0.1:{port}", hits)
    await runner.cleanup()


async def send_link(bot: UploadBot, url: str, *, user_id: int = ADMIN) -> JSON:
    after = len(bot.tg.bot_messages)
    bot.tg.send_message(url, user_id=user_id)
    return await bot.outcome(user_id, after)


async def test_admin_link_is_fetched_and_stored_with_the_url_as_source(bot: UploadBot, pages: PageServer) -> None:
    url = f"{pages.base}/tin-tuc/thanh-toan.html"
    reply = await send_link(bot, url)
    assert reply["text"].startswith("✅ Đã lưu bài viết #1"), reply["text"]
    assert "Điện Biên mở 250 điểm thanh toán không dùng tiền mặt" in reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None and document.source == url and document.filename == "thanh-toan.html"
    answer = plain((await bot.reply_to("Điện Biên có bao nhiêu điểm thanh toán không dùng tiền mặt?"))["text"])
    assert "250 điểm" in answer and "#1, đoạn" in answer


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/khong-co", "lỗi 404"),
        ("/van-ban.pdf", "không trỏ tới một trang web (loại nội dung: application/pdf)"),
        ("/cham", "không phản hồi sau 0,5 giây"),
        ("/rat-lon", "Trang web quá lớn (trên 1 MB)"),
    ],
    ids=["404", "not html", "timeout", "too big"],
)
async def test_bad_link_is_explained_and_nothing_is_stored(
    start_bot: StartBot, pages: PageServer, path: str, words: str
) -> None:
    bot = await start_bot(max_upload_mb=1, link_timeout_seconds=0.5)
    reply = await send_link(bot, f"{pages.base}{path}")
    assert reply["text"].startswith("❌") and words in reply["text"], reply["text"]
    assert row_counts(bot.library) == (0, 0, 0) and not bot.errors
    assert (await bot.reply_to("Hải Dương xếp hạng bao nhiêu?"))["text"]


async def test_unreachable_link_is_explained(bot: UploadBot) -> None:
    reply = await send_link(bot, "http://127.0.0.1:9/bai-viet")
    assert "Không kết nối được tới trang web" in reply["text"] and row_counts(bot.library) == (0, 0, 0)


async def test_link_to_this_server_is_refused_unless_the_test_switch_is_on(
    start_bot: StartBot, pages: PageServer
) -> None:
    bot = await start_bot(allow_loopback_links=False)
    reply = await send_link(bot, f"{pages.base}/tin-tuc/thanh-toan.html")
    assert reply["text"].startswith("❌") and "địa chỉ nội bộ" in reply["text"], reply["text"]
    assert pages.hits == [] and row_counts(bot.library) == (0, 0, 0) and not bot.errors


async def test_credentials_in_a_link_are_never_stored_or_shown(bot: UploadBot, pages: PageServer) -> None:
    url = pages.base.replace("http://", "http://lan:matkhau@") + "/tin-tuc/thanh-toan.html"
    reply = await send_link(bot, url)
    assert reply["text"].startswith("✅ Đã lưu bài viết #1"), reply["text"]
    with Session(bot.library.engine) as session:
        document = session.get(Document, 1)
        assert document is not None and document.source == f"{pages.base}/tin-tuc/thanh-toan.html"
    answer = await bot.reply_to("Điện Biên có bao nhiêu điểm thanh toán không dùng tiền mặt?")
    assert "matkhau" not in reply["text"] and "matkhau" not in answer["text"]


async def test_non_admin_link_is_a_question_and_is_not_fetched(bot: UploadBot, pages: PageServer) -> None:
    reply = await bot.reply_to(f"{pages.base}/tin-tuc/thanh-toan.html")
    assert not reply["text"].startswith(("✅", "⏳"))
    assert pages.hits == [] and row_counts(bot.library) == (0, 0, 0)
