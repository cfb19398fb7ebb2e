"""Proves tests/fake_telegram.py is faithful enough to drive a *real* PTB Application.

Every bot test builds on this fake, so these tests pin the wire-level behaviour
PTB depends on (form decoding, long polling, error mapping, file download,
teardown) rather than bot features.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.fake_telegram import FakeTelegram, UploadedFile

POLL_TIMEOUT = 10  # long poll like production; teardown must still be fast


# --------------------------------------------------------------------------- handlers


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])
    await update.effective_message.reply_text("menu", reply_markup=keyboard)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer("pong")
    await query.edit_message_text(f"pressed {query.data}")


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    document = update.effective_message.document
    data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
    await update.effective_message.reply_text(f"{document.file_name}:{len(data)}:{bytes(data[:5]).decode()}")


async def _sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(f"sticker {update.effective_message.sticker.emoji}")


async def _inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    await query.answer(
        [InlineQueryResultArticle("1", "Result", InputTextMessageContent(f"about {query.query}"))]
    )


def _build(tg: FakeTelegram, *, rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(MessageHandler(filters.Document.ALL, _document))
    app.add_handler(MessageHandler(filters.Sticker.ALL, _sticker))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(InlineQueryHandler(_inline))
    return app


async def _run(app: Application) -> None:
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)


async def _halt(app: Application) -> None:
    await app.updater.stop()
    await app.stop()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def app(tg: FakeTelegram) -> AsyncIterator[Application]:
    application = _build(tg)
    async with application:
        await _run(application)
        yield application
        await _halt(application)


# --------------------------------------------------------------------------- end-to-end through the Application


async def test_private_message_is_echoed_to_the_right_chat(tg: FakeTelegram, app: Application) -> None:
    tg.send_message("xin chào", user_id=42)
    [reply] = await tg.wait_for("sendMessage")
    assert reply["chat_id"] == 42
    assert reply["text"] == "xin chào"
    sent = tg.last_bot_message(42)
    assert sent["from"]["id"] == app.bot.id
    assert sent["chat"] == {"id": 42, "type": "private", "first_name": "Test"}


async def test_get_me_and_bootstrap_calls(tg: FakeTelegram, app: Application) -> None:
    assert app.bot.username == "cdsbot_test_bot"
    assert app.bot.can_join_groups is True
    assert tg.calls("getMe") and tg.calls("deleteWebhook")


async def test_group_command_reply_markup_arrives_decoded(tg: FakeTelegram, app: Application) -> None:
    tg.send_message("/start@cdsbot_test_bot", user_id=7, chat_id=-1001234567890, chat_type="supergroup")
    [reply] = await tg.wait_for("sendMessage")
    assert reply["chat_id"] == -1001234567890
    assert reply["reply_markup"] == {"inline_keyboard": [[{"text": "Ping", "callback_data": "ping"}]]}
    # reply_text() replies to the triggering message; the fake resolves it.
    assert tg.last_bot_message()["reply_to_message"]["text"] == "/start@cdsbot_test_bot"


async def test_callback_query_is_answered_and_message_edited(tg: FakeTelegram, app: Application) -> None:
    tg.send_message("/start", user_id=5)
    await tg.wait_for("sendMessage")
    menu = tg.last_bot_message(5)
    update = tg.send_callback("ping", message=menu, user_id=5)

    [answer] = await tg.wait_for("answerCallbackQuery")
    assert answer["callback_query_id"] == update["callback_query"]["id"]
    assert answer["text"] == "pong"
    [edit] = await tg.wait_for("editMessageText")
    assert (edit["chat_id"], edit["message_id"], edit["text"]) == (5, menu["message_id"], "pressed ping")
    assert tg.last_bot_message(5)["text"] == "pressed ping"


async def test_document_download_through_handler_and_directly(tg: FakeTelegram, app: Application) -> None:
    content = b"%PDF-1.7 fake report " * 100
    update = tg.send_document(content, "bao_cao.pdf", user_id=9, caption="xem giúp")
    [reply] = await tg.wait_for("sendMessage")
    assert reply["text"] == f"bao_cao.pdf:{len(content)}:%PDF-"

    file_id = update["message"]["document"]["file_id"]
    data = await (await app.bot.get_file(file_id)).download_as_bytearray()
    assert bytes(data) == content


async def test_sticker_and_inline_query(tg: FakeTelegram, app: Application) -> None:
    tg.send_sticker("🔥", user_id=3)
    [reply] = await tg.wait_for("sendMessage")
    assert reply["text"] == "sticker 🔥"

    tg.send_inline_query("nghị định 13", user_id=3)
    [answer] = await tg.wait_for("answerInlineQuery")
    assert answer["results"][0]["input_message_content"]["message_text"] == "about nghị định 13"


async def test_wait_for_timeout_reports_recorded_calls(tg: FakeTelegram, app: Application) -> None:
    tg.send_message("hi", user_id=1)
    await tg.wait_for("sendMessage")
    with pytest.raises(AssertionError, match=r"(?s)expected 1 sendPhoto.*sendMessage \[200\]"):
        await tg.wait_for("sendPhoto", timeout=0.2)


async def test_429_is_retried_by_rate_limiter(tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (PTBDeprecationWarning -> error under our filterwarnings) when
    # RetryAfter.retry_after is read as int; opting into timedelta avoids it.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1)
    application = _build(tg, rate_limiter=AIORateLimiter(max_retries=2))
    async with application:
        await _run(application)
        tg.send_message("lần nữa", user_id=77)
        calls = await tg.wait_for("sendMessage", count=2, timeout=10)
        await _halt(application)
    assert [c["text"] for c in calls] == ["lần nữa", "lần nữa"]
    assert [r.status for r in tg.requests_for("sendMessage")] == [429, 200]
    assert tg.requests_for("sendMessage")[0].response["parameters"] == {"retry_after": 1}


async def test_403_raises_forbidden(tg: FakeTelegram, app: Application) -> None:
    tg.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(chat_id=55, text="reminder")
    # Only the next call fails.
    await app.bot.send_message(chat_id=55, text="reminder")
    assert [r.status for r in tg.requests_for("sendMessage")] == [403, 200]


async def test_telegram_validation_errors_surface_as_bad_request(tg: FakeTelegram, app: Application) -> None:
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await app.bot.send_message(chat_id=1, text="a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)find end tag"):
        await app.bot.send_message(chat_id=1, text="<b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await app.bot.send_message(chat_id=1, text="x" * 4097)
    ok = await app.bot.send_message(chat_id=1, text="<b>đậm</b> &amp; <a href='https://x.vn'>link</a>", parse_mode="HTML")
    assert ok.text.startswith("<b>")
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await app.bot.edit_message_text(ok.text, chat_id=1, message_id=ok.message_id, parse_mode="HTML")
    assert await app.bot.delete_message(chat_id=1, message_id=ok.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await app.bot.delete_message(chat_id=1, message_id=ok.message_id)


async def test_bot_can_upload_a_document_and_read_it_back(tg: FakeTelegram, app: Application) -> None:
    message = await app.bot.send_document(chat_id=8, document=b"csv,data\n1,2\n", filename="tiendo.csv", caption="báo cáo")
    [call] = tg.calls("sendDocument")
    assert isinstance(call["document"], UploadedFile)
    assert call["document"].file_name == "tiendo.csv"
    assert call["caption"] == "báo cáo"
    assert message.document.file_name == "tiendo.csv"
    data = await (await app.bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(data) == b"csv,data\n1,2\n"


async def test_chat_members_and_admins(tg: FakeTelegram, app: Application) -> None:
    tg.chat_admins[-100] = [11, 12]
    admins = await app.bot.get_chat_administrators(-100)
    assert [(a.user.id, a.status) for a in admins] == [(11, "creator"), (12, "administrator")]
    assert (await app.bot.get_chat_member(-100, 13)).status == "member"
    assert (await app.bot.get_chat_member(-100, 12)).can_delete_messages is True
    with pytest.raises(BadRequest, match="(?i)private chat"):
        await app.bot.get_chat_administrators(42)


async def test_commands_roundtrip(tg: FakeTelegram, app: Application) -> None:
    await app.bot.set_my_commands([("hoi", "Đặt câu hỏi"), ("nhacnho", "Nhắc hạn")])
    commands = await app.bot.get_my_commands()
    assert [c.command for c in commands] == ["hoi", "nhacnho"]
    assert tg.calls("setMyCommands")[0]["commands"][0] == {"command": "hoi", "description": "Đặt câu hỏi"}


async def test_drop_pending_updates_on_start(tg: FakeTelegram) -> None:
    tg.send_message("stale", user_id=2)
    application = _build(tg)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT, drop_pending_updates=True)
        tg.send_message("fresh", user_id=2)
        [reply] = await tg.wait_for("sendMessage")
        await _halt(application)
    assert reply["text"] == "fresh"
    assert tg.calls("deleteWebhook")[0]["drop_pending_updates"] is True


async def test_shutdown_does_not_hang() -> None:
    """Hang guard: a held long poll must not keep PTB or aiohttp waiting."""
    fake = FakeTelegram()
    await fake.start()
    application = _build(fake)
    await application.initialize()
    await _run(application)
    fake.send_message("hi", user_id=1)
    await fake.wait_for("sendMessage")
    # Make sure a long poll is currently being held by the server.
    await fake.wait_for("getUpdates", count=2, predicate=lambda p: p.get("timeout") == POLL_TIMEOUT)
    started = time.monotonic()
    await _halt(application)
    await application.shutdown()
    await fake.stop()
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"teardown took {elapsed:.1f}s"


async def test_stop_releases_held_long_poll() -> None:
    """Independently of PTB: a held getUpdates returns at once when the fake stops."""
    fake = FakeTelegram()
    await fake.start()
    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}{fake.token}/getUpdates"
        poll = asyncio.create_task(session.post(url, data={"timeout": "30"}))
        await fake.wait_for("getUpdates")
        started = time.monotonic()
        stopper = asyncio.create_task(fake.stop())
        response = await asyncio.wait_for(poll, 5)
        assert (await response.json()) == {"ok": True, "result": []}
        response.release()
        await stopper
    assert time.monotonic() - started < 3


# --------------------------------------------------------------------------- raw protocol


async def _post(session: aiohttp.ClientSession, url: str, **kwargs: object) -> tuple[int, dict]:
    async with session.post(url, **kwargs) as response:
        return response.status, await response.json()


async def test_get_updates_long_poll_and_offset_semantics(tg: FakeTelegram) -> None:
    api = f"{tg.base_url}{tg.token}"
    async with aiohttp.ClientSession() as session:
        # Returns as soon as an update is queued, long before the timeout.
        started = time.monotonic()
        poll = asyncio.create_task(_post(session, f"{api}/getUpdates", data={"timeout": "20"}))
        await tg.wait_for("getUpdates")
        update = tg.send_message("ping", user_id=4)
        status, body = await asyncio.wait_for(poll, 5)
        assert time.monotonic() - started < 5
        assert status == 200 and body["result"] == [update]

        # Unconfirmed updates are redelivered; offset confirms them.
        _, body = await _post(session, f"{api}/getUpdates", json={"timeout": 0})
        assert body["result"] == [update]
        _, body = await _post(session, f"{api}/getUpdates", data={"offset": str(update["update_id"] + 1)})
        assert body["result"] == [] and tg.pending_updates == []

        # limit and timeout expiry.
        for i in range(3):
            tg.send_message(f"m{i}", user_id=4)
        _, body = await _post(session, f"{api}/getUpdates", params={"limit": "2"})
        assert [u["message"]["text"] for u in body["result"]] == ["m0", "m1"]
        _, body = await _post(session, f"{api}/getUpdates", data={"offset": "-1"})
        assert [u["message"]["text"] for u in body["result"]] == ["m2"]
        started = time.monotonic()
        _, body = await _post(
            session, f"{api}/getUpdates", data={"offset": str(body["result"][0]["update_id"] + 1), "timeout": "1"}
        )
        assert body["result"] == [] and 0.8 < time.monotonic() - started < 3


async def test_newer_get_updates_terminates_older_with_409(tg: FakeTelegram) -> None:
    api = f"{tg.base_url}{tg.token}"
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(_post(session, f"{api}/getUpdates", data={"timeout": "20"}))
        await tg.wait_for("getUpdates")
        _, second = await _post(session, f"{api}/getUpdates", data={"timeout": "0"})
        status, body = await asyncio.wait_for(first, 5)
    assert second == {"ok": True, "result": []}
    assert status == 409 and body["description"].startswith("Conflict: terminated by other getUpdates")


async def test_unknown_method_wrong_token_and_json_body(tg: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as session:
        status, body = await _post(session, f"{tg.base_url}{tg.token}/sendTelepathy", data={"chat_id": "1"})
        assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        assert tg.calls("sendTelepathy") == [{"chat_id": 1}]

        status, body = await _post(session, f"{tg.base_url}999:wrong/getMe")
        assert (status, body["description"]) == (401, "Unauthorized")

        status, body = await _post(
            session,
            f"{tg.base_url}{tg.token}/sendmessage",  # method names are case-insensitive
            json={"chat_id": 3, "text": "123", "reply_markup": {"inline_keyboard": []}},
        )
        assert status == 200 and body["result"]["text"] == "123"
        # Form-encoded "123" text must stay a string, not become an int.
        await _post(session, f"{tg.base_url}{tg.token}/sendMessage", data={"chat_id": "3", "text": "123"})
    assert [c["text"] for c in tg.calls("sendMessage")] == ["123", "123"]
    assert tg.requests_for("sendMessage")[0].method == "sendMessage"


async def test_wrong_token_raises_invalid_token_in_ptb(tg: FakeTelegram) -> None:
    application = (
        ApplicationBuilder().token("999:wrong").base_url(tg.base_url).base_file_url(tg.base_file_url).build()
    )
    with pytest.raises(InvalidToken):
        await application.initialize()
    # Application.shutdown() is a no-op when initialize() failed, but the bot's
    # HTTP clients were already opened; close them or the socket leaks.
    await application.bot.shutdown()
    assert tg.requests_for("getMe")[0].status == 401


def _predicate_text(text: str) -> Callable[[dict], bool]:
    return lambda params: params.get("text") == text


async def test_wait_for_predicate_and_count(tg: FakeTelegram, app: Application) -> None:
    for text in ("a", "b", "c"):
        tg.send_message(text, user_id=6)
    await tg.wait_for("sendMessage", count=3)
    [only_b] = await tg.wait_for("sendMessage", predicate=_predicate_text("b"))
    assert only_b["chat_id"] == 6
