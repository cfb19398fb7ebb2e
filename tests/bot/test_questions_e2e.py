"""Questions end to end: the real Application over HTTP against the fake Bot API, on the demo base.

Nothing is mocked: updates go through getUpdates (or a webhook POST), the
handlers run the library in worker threads, and the assertions read what the
bot sent to the Bot API (and, for feedback, what it stored).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlmodel import Session, select

from bot.conversation.questions import DELETED_DOCUMENT, SOURCE_USAGE, THANKS
from bot.conversation.replies import UNUSABLE_BUTTON
from bot.memory import ConversationState
from bot.services import Services
from bot.telegram.handlers.errors import SORRY
from bot.telegram.reminder_jobs import run_reminders
from knowledge.answers.answer import NOT_FOUND_MESSAGE
from knowledge.deadlines.queries import ManualDeadline, add_deadline
from knowledge.library import DocumentInput
from knowledge.models import Feedback, QuestionLog
from knowledge.reminders.clock import ManualClock
from tests.bot.conftest import ADMIN, RunningBot, press_on_old_message
from tests.fake_telegram import FakeTelegram

JSON = dict[str, Any]
QUESTION = "Hải Dương xếp hạng chuyển đổi số thứ mấy năm 2023?"
# Several relevant passages, so "Kết quả khác" is offered (QUESTION has one relevant passage).
MULTI = "dịch vụ công trực tuyến Hải Dương"
FOLDED = "hai duong xep hang chuyen doi so thu may nam 2023"
TITLE = "Hải Dương xếp thứ 13/63 về chuyển đổi số"
GROUP = -1001234567890
BOT_NAME = "cdsbot_test_bot"


def buttons(call: JSON) -> list[tuple[str, str]]:
    markup = call.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


def button(call: JSON, label: str) -> str:
    return next(data for text, data in buttons(call) if label in text)


def mention(text: str) -> list[JSON]:
    start = text.index(f"@{BOT_NAME}")
    return [{"type": "mention", "offset": start, "length": len(BOT_NAME) + 1}]


# --------------------------------------------------------------------------- asking


async def test_private_question_is_answered_with_key_figure_bold_and_citation(bot: RunningBot) -> None:
    reply = await bot.reply_to(QUESTION, user_id=42)
    assert reply["parse_mode"] == "HTML"
    assert "<b>thứ 13/63</b>" in reply["text"] or "<b>13/63</b>" in reply["text"]
    assert TITLE in reply["text"] and "14/11/2023" in reply["text"]
    labels = [label for label, _ in buttons(reply)]
    # One relevant passage: no "Kết quả khác" to page through filler.
    assert any("Nguồn" in label for label in labels) and not any("Kết quả khác" in label for label in labels)
    assert "👍" in labels and "👎" in labels
    with Session(bot.library.engine) as session:
        [logged] = session.exec(select(QuestionLog)).all()
    assert (logged.channel, logged.chat_id, logged.user_id, logged.found) == ("telegram", 42, 42, True)


async def test_question_without_diacritics_gets_the_same_answer(bot: RunningBot) -> None:
    with_marks = await bot.reply_to(QUESTION, user_id=42)
    without = await bot.reply_to(FOLDED, user_id=43)
    assert without["text"] == with_marks["text"]


async def test_group_message_is_answered_only_when_the_bot_is_mentioned(bot: RunningBot, tg: FakeTelegram) -> None:
    tg.send_message(QUESTION, user_id=7, chat_id=GROUP, chat_type="supergroup")
    text = f"@{BOT_NAME} {QUESTION}"
    reply = await bot.reply_to(text, user_id=7, chat_id=GROUP, chat_type="supergroup", entities=mention(text))
    assert TITLE in reply["text"]
    assert len(tg.calls("sendMessage")) == 1, "the unaddressed message must not be answered"
    assert tg.last_bot_message(GROUP)["reply_to_message"]["text"] == text
    with Session(bot.library.engine) as session:
        [logged] = session.exec(select(QuestionLog)).all()
    assert logged.question == QUESTION


async def test_reply_to_the_bot_in_a_group_is_a_question(bot: RunningBot) -> None:
    await bot.reply_to(f"/hoi {QUESTION}", user_id=7, chat_id=GROUP, chat_type="group")
    reply = await bot.reply_to(FOLDED, user_id=8, chat_id=GROUP, chat_type="group", reply_to_bot=True)
    assert TITLE in reply["text"]


async def test_reply_to_a_no_information_answer_in_a_group_is_a_question(bot: RunningBot) -> None:
    unknown = "/hoi Thời tiết ở Đà Lạt hôm nay thế nào?"
    not_found = await bot.reply_to(unknown, user_id=7, chat_id=GROUP, chat_type="group")
    assert NOT_FOUND_MESSAGE in not_found["text"]
    reply = await bot.reply_to(QUESTION, user_id=8, chat_id=GROUP, chat_type="group", reply_to_bot=True)
    assert TITLE in reply["text"]


async def test_a_team_replying_ok_to_a_reminder_gets_no_answer(bot: RunningBot, tg: FakeTelegram) -> None:
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    clock = ManualClock(datetime(2030, 3, 5, 8, 0, tzinfo=tz))
    bot.services.clock = clock
    tg.chat_admins[GROUP] = [7]
    deadline = ManualDeadline(due=date(2030, 3, 12), task="Nộp báo cáo chuyển đổi số", agency=None, provinces=())
    add_deadline(bot.library.engine, deadline, added_by="test")
    await bot.reply_to("/dangky tất cả", user_id=7, chat_id=GROUP, chat_type="supergroup")
    policy = bot.services.policy
    await run_reminders(bot.app.bot, bot.library.engine, policy, bot.library.gazetteer, clock.now())
    reminder = next(m for m in tg.bot_messages if "Nộp báo cáo chuyển đổi số" in m["text"] and "Nhắc" in m["text"])
    sent = len(tg.calls("sendMessage"))
    ok = {
        "message_id": 99_001,
        "from": {"id": 8, "is_bot": False, "first_name": "Test"},
        "chat": reminder["chat"],
        "date": int(time.time()),
        "text": "ok",
        "reply_to_message": reminder,
    }
    tg.push_update({"message": ok})
    answer = await bot.reply_to(f"/hoi {QUESTION}", user_id=7, chat_id=GROUP, chat_type="supergroup")
    assert TITLE in answer["text"]
    await asyncio.sleep(0.3)  # time for a wrong "no information" answer to the "ok" to arrive
    assert len(tg.calls("sendMessage")) == sent + 1
    with Session(bot.library.engine) as session:
        assert [q.question for q in session.exec(select(QuestionLog)).all()] == [QUESTION]


async def test_hoi_command_in_a_group_answers_also_when_addressed_to_the_bot(bot: RunningBot) -> None:
    reply = await bot.reply_to(f"/hoi {QUESTION}", user_id=7, chat_id=GROUP, chat_type="supergroup")
    assert TITLE in reply["text"]
    reply = await bot.reply_to(f"/hoi@{BOT_NAME} {FOLDED}", user_id=7, chat_id=GROUP, chat_type="supergroup")
    assert TITLE in reply["text"]
    usage = await bot.reply_to("/hoi", user_id=7, chat_id=GROUP, chat_type="supergroup")
    assert "/hoi" in usage["text"] and "ví dụ" in usage["text"]


async def test_commands_for_other_bots_in_a_group_are_left_alone(bot: RunningBot, tg: FakeTelegram) -> None:
    tg.send_message("/lenhla@other_bot", user_id=7, chat_id=GROUP, chat_type="supergroup")
    reply = await bot.reply_to(f"/lenhla@{BOT_NAME}", user_id=7, chat_id=GROUP, chat_type="supergroup")
    assert "/help" in reply["text"]
    assert len(tg.calls("sendMessage")) == 1


async def test_unanswerable_question_says_so_and_offers_questions_that_work(bot: RunningBot) -> None:
    reply = await bot.reply_to("Thời tiết ở Đà Lạt hôm nay thế nào?")
    assert "chưa có thông tin" in reply["text"]
    assert "ví dụ" in reply["text"] and reply["text"].count("• ") >= 2
    assert not buttons(reply)


async def test_document_html_arrives_escaped(bot: RunningBot) -> None:
    result = bot.library.ingest(
        DocumentInput(
            text=(
                "Tỉnh Lạng Sơn có chỉ số <b>DTI</b> năm 2024 xếp thứ 21/63 & tăng 5 bậc "
                "<script>alert('x')</script> so với năm trước."
            ),
            title="Lạng Sơn <b>tăng hạng</b> & <script>",
            added_by="test",
        )
    )
    assert result.status == "added"
    reply = await bot.reply_to("Lạng Sơn xếp thứ mấy về DTI năm 2024?")
    text = reply["text"]
    assert "&lt;script&gt;" in text and "&amp;" in text and "&lt;b&gt;" in text
    assert "<script>" not in text and "<b>DTI</b>" not in text


# --------------------------------------------------------------------------- buttons


async def test_source_button_sends_the_whole_passage(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(QUESTION)
    answer_message = tg.last_bot_message(42)
    tg.send_callback(button(reply, "Nguồn"), message=answer_message, user_id=42)
    await tg.wait_for("answerCallbackQuery")
    [_, passage] = await tg.wait_for("sendMessage", count=2)
    assert passage["parse_mode"] == "HTML"
    assert "cao hơn 1 bậc so với năm 2021" in passage["text"] and TITLE in passage["text"]


async def test_more_results_button_edits_the_answer_to_the_next_citation(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(MULTI)
    answer_message = tg.last_bot_message(42)
    tg.send_callback(button(reply, "Kết quả khác"), message=answer_message, user_id=42)
    [edit] = await tg.wait_for("editMessageText")
    assert edit["message_id"] == answer_message["message_id"]
    assert "[2]" in edit["text"] and "[1]" not in edit["text"]
    assert any("Kết quả trước" in label for label, _ in buttons(edit))


async def test_thumbs_up_is_stored_once_per_user_and_the_last_vote_wins(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(QUESTION)
    answer_message = tg.last_bot_message(42)
    tg.send_callback(button(reply, "👍"), message=answer_message, user_id=42)
    [thanks] = await tg.wait_for("answerCallbackQuery")
    assert thanks["text"] == THANKS
    with Session(bot.library.engine) as session:
        [vote] = session.exec(select(Feedback)).all()
        [question] = session.exec(select(QuestionLog)).all()
    assert (vote.question_id, vote.user_id, vote.helpful) == (question.id, 42, True)

    tg.send_callback(button(reply, "👎"), message=answer_message, user_id=42)
    await tg.wait_for("answerCallbackQuery", count=2)
    tg.send_callback(button(reply, "👍"), message=answer_message, user_id=43)
    await tg.wait_for("answerCallbackQuery", count=3)
    with Session(bot.library.engine) as session:
        votes = sorted((v.user_id, v.helpful) for v in session.exec(select(Feedback)).all())
    assert votes == [(42, False), (43, True)]


async def test_buttons_still_work_after_a_restart(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(QUESTION)
    answer_message = tg.last_bot_message(42)
    bot.services.memory = ConversationState(per_minute=0)  # what a restart loses; the question log survives
    tg.send_callback(button(reply, "Nguồn"), message=answer_message, user_id=42)
    [_, passage] = await tg.wait_for("sendMessage", count=2)
    assert TITLE in passage["text"]


def cited_document(bot: RunningBot) -> int:
    """The document the last logged answer came from."""
    with Session(bot.library.engine) as session:
        question = session.exec(select(QuestionLog).order_by(QuestionLog.id.desc())).first()  # type: ignore[union-attr]
        assert question is not None and question.top_document_id is not None
        return question.top_document_id


async def test_source_button_of_a_document_removed_since_says_it_was_deleted(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(QUESTION)
    answer_message = tg.last_bot_message(42)
    bot.library.remove(cited_document(bot))  # e.g. `cdsbot docs remove` in another process: this cache still has it
    tg.send_callback(button(reply, "Nguồn"), message=answer_message, user_id=42)
    [_, notice] = await tg.wait_for("sendMessage", count=2)
    assert notice["text"] == DELETED_DOCUMENT  # instead of the removed passage


async def test_source_button_after_a_restart_and_a_removal_says_it_was_deleted(
    bot: RunningBot, tg: FakeTelegram
) -> None:
    reply = await bot.reply_to(QUESTION)
    answer_message = tg.last_bot_message(42)
    bot.library.remove(cited_document(bot))
    bot.services.memory = ConversationState(per_minute=0)  # a restart: the answer must be rebuilt from the question log
    tg.send_callback(button(reply, "Nguồn"), message=answer_message, user_id=42)
    [_, notice] = await tg.wait_for("sendMessage", count=2)
    assert notice["text"] == DELETED_DOCUMENT


async def test_more_results_button_to_a_removed_citation_says_it_was_deleted(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(MULTI)
    answer_message = tg.last_bot_message(42)
    [_qid, next_citation] = button(reply, "Kết quả khác").split(":")[1:]
    answer = bot.services.memory.recall(int(_qid))
    assert answer is not None
    bot.library.remove(answer.citations[int(next_citation)].document_id)
    tg.send_callback(button(reply, "Kết quả khác"), message=answer_message, user_id=42)
    [_, notice] = await tg.wait_for("sendMessage", count=2)
    assert notice["text"] == DELETED_DOCUMENT and not tg.calls("editMessageText")


async def test_removal_through_the_bot_clears_the_answer_cache(bot: RunningBot, tg: FakeTelegram) -> None:
    await bot.reply_to(QUESTION)
    question_id = int(button(tg.last_bot_message(42), "Nguồn").split(":")[1])
    assert bot.services.memory.recall(question_id) is not None
    removed = cited_document(bot)
    press_on_old_message(tg, f"tl:ok:{removed}", tg.last_bot_message(42), user_id=ADMIN)
    await tg.wait_for("answerCallbackQuery")
    for _ in range(200):
        if bot.services.memory.recall(question_id) is None:
            break
        await asyncio.sleep(0.02)
    assert bot.services.memory.recall(question_id) is None
    assert removed not in {d.id for d in bot.library.documents()}


async def test_more_results_button_under_an_old_message_edits_it(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(MULTI)
    answer_message = tg.last_bot_message(42)
    press_on_old_message(tg, button(reply, "Kết quả khác"), answer_message, user_id=42)
    [edit] = await tg.wait_for("editMessageText")
    assert (edit["chat_id"], edit["message_id"]) == (42, answer_message["message_id"])
    assert "[2]" in edit["text"]


async def test_source_button_under_an_old_message_sends_the_passage(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(QUESTION)
    press_on_old_message(tg, button(reply, "Nguồn"), tg.last_bot_message(42), user_id=42)
    [_, passage] = await tg.wait_for("sendMessage", count=2)
    assert passage["chat_id"] == 42 and TITLE in passage["text"]


async def test_button_pressed_too_late_still_does_its_work_without_an_apology(
    bot: RunningBot, tg: FakeTelegram
) -> None:
    reply = await bot.reply_to(MULTI)
    tg.fail_next(
        "answerCallbackQuery",
        error_code=400,
        description="Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    tg.send_callback(button(reply, "Kết quả khác"), message=tg.last_bot_message(42), user_id=42)
    [edit] = await tg.wait_for("editMessageText")
    assert "[2]" in edit["text"]
    assert [r.status for r in tg.requests_for("answerCallbackQuery")] == [400]
    assert not any(SORRY in m["text"] for m in tg.calls("sendMessage"))
    assert not bot.errors


async def test_button_is_acknowledged_before_the_answer_changes(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to(MULTI)
    tg.send_callback(button(reply, "Kết quả khác"), message=tg.last_bot_message(42), user_id=42)
    await tg.wait_for("editMessageText")
    methods = [r.method for r in tg.requests if r.method in ("answerCallbackQuery", "editMessageText")]
    assert methods == ["answerCallbackQuery", "editMessageText"]


@pytest.mark.parametrize("data", ["nut-la:1", "src:²:0", "more:1", "dl:done:99999999999999999999", "tl:ok:abc"])
async def test_unknown_or_forged_button_is_answered_as_no_longer_usable(
    bot: RunningBot, tg: FakeTelegram, data: str
) -> None:
    await bot.reply_to(QUESTION)
    tg.send_callback(data, message=tg.last_bot_message(42), user_id=ADMIN)
    [answer] = await tg.wait_for("answerCallbackQuery")
    assert answer["text"] == UNUSABLE_BUTTON
    assert len(tg.calls("sendMessage")) == 1 and not tg.calls("editMessageText")


async def test_document_list_pages_with_buttons(bot: RunningBot, tg: FakeTelegram, services: Services) -> None:
    services.library.ingest(
        DocumentInput(text="Bắc Ninh sơ kết chuyển đổi số quý I năm 2024 tại các xã, phường.", added_by="test")
    )
    first = await bot.reply_to("/tailieu")
    assert "trang 1/2" in first["text"] and "#1" in first["text"] and "#6" not in first["text"]
    tg.send_callback(button(first, "▶"), message=tg.last_bot_message(42), user_id=42)
    [edit] = await tg.wait_for("editMessageText")
    assert "trang 2/2" in edit["text"] and [label for label, _ in buttons(edit)] == ["◀"]


# --------------------------------------------------------------------------- other updates


async def test_start_and_help_describe_the_base_and_every_command(bot: RunningBot) -> None:
    start = await bot.reply_to("/start")
    assert "<b>5</b> tài liệu" in start["text"] and "Hải Dương" in start["text"]
    help_ = await bot.reply_to("/trogiup")
    for command in ("/start", "/hoi", "/tailieu", "/nguon", "/thongke", "/help"):
        assert command in help_["text"]


async def test_unknown_command_and_sticker_get_a_short_helpful_answer(bot: RunningBot, tg: FakeTelegram) -> None:
    reply = await bot.reply_to("/abc")
    assert "/abc" in reply["text"] and "/help" in reply["text"]
    tg.send_sticker("🔥", user_id=42)
    tg.send_photo(user_id=42)
    [_, sticker, photo] = await tg.wait_for("sendMessage", count=3)
    assert "văn bản" in sticker["text"] and "văn bản" in photo["text"]


async def test_inline_query_returns_articles(bot: RunningBot, tg: FakeTelegram) -> None:
    tg.send_inline_query(FOLDED, user_id=42)
    [answer] = await tg.wait_for("answerInlineQuery")
    first = answer["results"][0]
    assert first["type"] == "article" and first["title"].startswith(TITLE)
    assert "13/63" in first["description"]
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML" and "<b>thứ 13/63</b>" in content["message_text"]


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("²", SOURCE_USAGE),  # "²".isdigit() is True, int("²") fails
        ("99999999999999999999", SOURCE_USAGE),  # more than SQLite's 64-bit integers hold
        ("999999999999999999", "Không có tài liệu số 999999999999999999."),
    ],
)
async def test_nguon_with_an_id_that_is_not_a_document_number(
    bot: RunningBot, tg: FakeTelegram, caplog: pytest.LogCaptureFixture, argument: str, expected: str
) -> None:
    reply = await bot.reply_to(f"/nguon {argument}")
    assert expected in reply["text"]
    await asyncio.sleep(0.1)
    assert len(tg.calls("sendMessage")) == 1  # no apology after it
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_statistics_for_admins_only(bot: RunningBot) -> None:
    await bot.reply_to(QUESTION, user_id=42)
    await bot.reply_to("Thời tiết ở Đà Lạt hôm nay thế nào?", user_id=42)
    refused = await bot.reply_to("/thongke", user_id=42)
    assert "quản trị viên" in refused["text"] and "Tổng" not in refused["text"]
    report = await bot.reply_to("/thongke", user_id=ADMIN)
    assert "Tổng: 2 câu hỏi, 1 câu chưa có câu trả lời" in report["text"]
    assert "Thời tiết ở Đà Lạt" in report["text"]


async def test_rate_limit_answers_politely(tg: FakeTelegram, services: Services) -> None:
    services.settings.rate_limit_per_minute = 2
    services = Services(settings=services.settings, library=services.library, clock=services.clock)
    running = RunningBot(tg, services)
    await running.start_polling()
    try:
        for _ in range(2):
            assert TITLE in (await running.reply_to(QUESTION))["text"]
        throttled = await running.reply_to(QUESTION)
        assert "hỏi hơi nhanh" in throttled["text"] and "2 câu mỗi phút" in throttled["text"]
        other_user = await running.reply_to(QUESTION, user_id=43)
        assert TITLE in other_user["text"]
    finally:
        await running.stop()
    assert not running.errors


# --------------------------------------------------------------------------- Telegram faults


async def test_flood_control_429_is_waited_out_and_the_answer_delivered(bot: RunningBot, tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    tg.send_message(QUESTION, user_id=42)
    calls = await tg.wait_for("sendMessage", count=2, timeout=10)
    assert [r.status for r in tg.requests_for("sendMessage")] == [429, 200]
    assert TITLE in calls[1]["text"] and time.monotonic() - started >= 1


async def test_blocked_bot_is_logged_not_retried(
    bot: RunningBot, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    tg.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO, logger="bot"):
        tg.send_message(QUESTION, user_id=42)
        await tg.wait_for("sendMessage")
        reply = await bot.reply_to(QUESTION, user_id=43)
    assert TITLE in reply["text"]
    assert [r.status for r in tg.requests_for("sendMessage")] == [403, 200]
    assert "blocked" in caplog.text


# --------------------------------------------------------------------------- webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def update_json(text: str, *, update_id: int, user_id: int = 42) -> JSON:
    user = {"id": user_id, "is_bot": False, "first_name": "Test"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "date": int(time.time()),
            "text": text,
        },
    }


async def test_webhook_answers_updates_with_the_secret_and_rejects_others(tg: FakeTelegram, services: Services) -> None:
    running = RunningBot(tg, services)
    port = free_port()
    await running.app.initialize()
    await running.app.start()
    try:
        assert running.app.updater is not None
        await running.app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            secret_token="s3cret",
            webhook_url="https://bot.example.vn/hook",
        )
        assert tg.webhook is not None and tg.webhook["secret_token"] == "s3cret"
        url = f"http://127.0.0.1:{port}/hook"
        async with aiohttp.ClientSession() as session:
            async with session.post(
                url, json=update_json(FOLDED, update_id=1), headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as response:
                assert response.status == 403
            async with session.post(url, json=update_json("/start", update_id=2, user_id=5)) as response:
                assert response.status == 403
            async with session.post(
                url, json=update_json(QUESTION, update_id=3), headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            ) as response:
                assert response.status == 200
        [reply] = await tg.wait_for("sendMessage")
        assert reply["chat_id"] == 42 and TITLE in reply["text"]
        await asyncio.sleep(0.2)
        assert len(tg.calls("sendMessage")) == 1, "rejected updates must not be answered"
    finally:
        await running.stop()
    assert not running.errors
