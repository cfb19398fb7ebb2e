"""Deadline commands and reminders end to end: a real PTB Application over HTTP against the fake Bot API.

The reminder tick is driven by a ManualClock put in ``Services.clock`` and
called directly (``run_reminders``), so two weeks pass in a second; one test
lets the real JobQueue run it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes

from bot.commands import all_commands
from bot.config import Settings
from bot.services import Services
from bot.telegram.context import CdsApplication, CdsContext
from bot.telegram.app import register_handlers
from bot.telegram.reminder_jobs import (
    JOB_NAME,
    TickReport,
    run_reminders,
    schedule_reminders,
)
from knowledge.db import make_engine
from knowledge.library import Library
from knowledge.models import Deadline, DeadlineCompletion, Document
from knowledge.reminders.clock import ManualClock
from knowledge.reminders.ledger import ledger_rows
from knowledge.reminders.subscriptions import get_subscription
from tests.bot.conftest import press_on_old_message
from tests.fake_telegram import FakeTelegram

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 3, 2, 7, 0, tzinfo=TZ)  # a Monday, an hour before reminders go out
ADMIN = 900
USER = 42
GROUP = -1001234567890
GROUP_ADMIN = 7
GROUP_MEMBER = 8
JSON = dict[str, Any]
LEAD7 = "⏰ <b>Nhắc hạn chót: còn 7 ngày</b>"
LEAD1 = "⏰ <b>Nhắc hạn chót: ngày mai đến hạn</b>"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cdsbot.sqlite3'}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.chat_admins[GROUP] = [GROUP_ADMIN]
        yield fake


def make_services(tmp_path: Path, db_url: str, clock: ManualClock) -> Services:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        demo=False,
        admin_ids=frozenset({ADMIN}),
        timezone="Asia/Ho_Chi_Minh",
    )
    services = Services(settings=settings, library=Library(make_engine(db_url)))
    services.clock = clock
    return services


class Bot:
    """One bot process: its services and Application, and the errors its handlers raised."""

    def __init__(self, tg: FakeTelegram, services: Services) -> None:
        self.services = services
        self.errors: list[BaseException] = []
        self.app = (
            ApplicationBuilder()
            .application_class(CdsApplication, kwargs={"services": services})
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .context_types(ContextTypes(context=CdsContext))
            .rate_limiter(AIORateLimiter(max_retries=2))
            .build()
        )
        assert isinstance(self.app, CdsApplication)
        register_handlers(self.app)
        # Tests drive the tick by hand; the one that wants the JobQueue schedules it again.
        for job in self.app.job_queue.get_jobs_by_name(JOB_NAME):  # type: ignore[union-attr]
            job.schedule_removal()
        self.app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: CdsContext) -> None:
        assert context.error is not None
        self.errors.append(context.error)

    @property
    def engine(self) -> Engine:
        return self.services.library.engine

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)

    async def stop(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        self.services.library.engine.dispose()
        assert not self.errors, self.errors

    async def tick(self) -> TickReport:
        clock = self.services.clock
        return await run_reminders(
            self.app.bot,
            self.engine,
            self.services.policy,
            self.services.library.gazetteer,
            clock.now(),
        )


@pytest.fixture
async def bot(tg: FakeTelegram, tmp_path: Path, db_url: str, clock: ManualClock) -> AsyncIterator[Bot]:
    process = Bot(tg, make_services(tmp_path, db_url, clock))
    await process.start()
    yield process
    await process.stop()


def add_deadlines(engine: Engine, *rows: tuple[date, str, str]) -> list[int]:
    """A directive with deadlines (due, provinces, task); their ids."""
    with Session(engine) as session:
        document = Document(
            title="Chỉ thị <thử> về chuyển đổi số",
            source="https://example.gov.vn/chi-thi",
            published=date(2026, 2, 1),
            content_hash=uuid.uuid4().hex,
            provinces="",
        )
        session.add(document)
        session.flush()
        assert document.id is not None
        rows_ = [
            Deadline(
                document_id=document.id,
                due=due,
                precision="day",
                task=task,
                agency="Sở Khoa học và Công nghệ",
                provinces=provinces,
                quote=f"Sở Khoa học và Công nghệ phải {task} trước ngày {due:%d/%m/%Y}.",
            )
            for due, provinces, task in rows
        ]
        session.add_all(rows_)
        session.commit()
        return [d.id for d in rows_ if d.id is not None]


def messages_to(tg: FakeTelegram, chat_id: int) -> list[JSON]:
    return [m for m in tg.calls("sendMessage") if m.get("chat_id") == chat_id]


async def command(tg: FakeTelegram, text: str, *, user_id: int = USER, chat_id: int | None = None) -> JSON:
    """Send a command and return the bot's reply to it."""
    before = len(tg.calls("sendMessage"))
    if chat_id is None:
        tg.send_message(text, user_id=user_id)
    else:
        tg.send_message(text, user_id=user_id, chat_id=chat_id, chat_type="supergroup")
    replies = await tg.wait_for("sendMessage", count=before + 1)
    return replies[before]


async def press(tg: FakeTelegram, data: str, message: JSON, *, user_id: int) -> JSON:
    """Press an inline button and return the answerCallbackQuery call."""
    before = len(tg.calls("answerCallbackQuery"))
    tg.send_callback(data, message=message, user_id=user_id)
    answers = await tg.wait_for("answerCallbackQuery", count=before + 1)
    return answers[before]


def bot_message(tg: FakeTelegram, call: JSON) -> JSON:
    """The Message the fake stored for a sendMessage call (to press its buttons)."""
    return next(m for m in reversed(tg.bot_messages) if m["chat"]["id"] == call["chat_id"] and m["text"] == call["text"])


# --------------------------------------------------------------------------- subscribing


async def test_subscribe_then_exactly_the_expected_reminders_arrive(
    tg: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "Hải Dương", "hoàn thành cổng dịch vụ công"))
    add_deadlines(bot.engine, (date(2026, 3, 12), "Quảng Trị", "việc của tỉnh khác"))
    reply = await command(tg, "/dangky Hải Phòng")
    assert "Đã đăng ký" in reply["text"] and "Hải Dương" not in reply["text"]
    subscribed = len(messages_to(tg, USER))
    arrivals: list[tuple[datetime, str]] = []
    for _ in range(24 * 14 + 2):  # two weeks and an hour, hour by hour
        await bot.tick()
        for call in messages_to(tg, USER)[subscribed + len(arrivals) :]:
            arrivals.append((clock.now(), call["text"].split("\n")[0]))
        clock.advance(timedelta(hours=1))
    monday_8 = lambda day: datetime(2026, 3, day, 8, 0, tzinfo=TZ)  # noqa: E731
    assert arrivals == [
        (monday_8(2), "🗓 <b>Hạn chót tuần 10/2026</b>"),
        (monday_8(5), "⏰ <b>Nhắc hạn chót: còn 7 ngày</b>"),
        (monday_8(9), "🗓 <b>Hạn chót tuần 11/2026</b>"),
        (monday_8(11), "⏰ <b>Nhắc hạn chót: ngày mai đến hạn</b>"),
        (monday_8(12), "⏰ <b>Hôm nay là hạn chót</b>"),
        (monday_8(16), "🗓 <b>Hạn chót tuần 12/2026</b>"),
    ]
    reminder = messages_to(tg, USER)[subscribed + 1]
    assert "hoàn thành cổng dịch vụ công" in reminder["text"]
    assert "Chỉ thị &lt;thử&gt;" in reminder["text"]  # document text is escaped
    buttons = reminder["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [f"dl:done:{deadline}", f"dl:todo:{deadline}"]
    assert "quá hạn" in messages_to(tg, USER)[-1]["text"].lower()  # the overdue item in the last digest


async def test_dangky_alone_shows_the_subscription(tg: FakeTelegram, bot: Bot) -> None:
    assert "chưa đăng ký" in (await command(tg, "/dangky"))["text"]
    await command(tg, "/dangky hai duong dịch vụ công nhắc 3,0")
    shown = (await command(tg, "/dangky"))["text"]
    assert "Hải Dương (nay thuộc TP. Hải Phòng)" in shown
    assert "dịch vụ công" in shown and "3 ngày và đúng ngày hạn" in shown
    assert "Đã huỷ" in (await command(tg, "/huydangky"))["text"]
    assert "chưa đăng ký" in (await command(tg, "/dangky"))["text"]


async def test_only_group_admins_subscribe_a_group(tg: FakeTelegram, bot: Bot) -> None:
    refused = await command(tg, "/dangky tất cả", user_id=GROUP_MEMBER, chat_id=GROUP)
    assert "chỉ quản trị viên của nhóm" in refused["text"]
    assert get_subscription(bot.engine, GROUP) is None
    accepted = await command(tg, "/dangky tất cả", user_id=GROUP_ADMIN, chat_id=GROUP)
    assert "Đã đăng ký nhắc hạn chót cho nhóm này" in accepted["text"]
    assert [c["user_id"] for c in tg.calls("getChatMember")] == [GROUP_MEMBER, GROUP_ADMIN]
    subscription = get_subscription(bot.engine, GROUP)
    assert subscription is not None and subscription.chat_type == "supergroup"
    refused = await command(tg, "/huydangky", user_id=GROUP_MEMBER, chat_id=GROUP)
    assert "chỉ quản trị viên của nhóm" in refused["text"]


# --------------------------------------------------------------------------- completion


async def test_done_button_stops_reminders_for_that_team_and_shows_progress(
    tg: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo số liệu"))
    await command(tg, "/dangky tất cả")
    await command(tg, "/dangky tất cả", user_id=GROUP_ADMIN, chat_id=GROUP)
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))  # lead7, a Thursday: no digest
    report = await bot.tick()
    assert report.sent == 4  # this week's digest and the lead7 reminder, for each chat
    reminder = next(m for m in messages_to(tg, USER) if "còn 7 ngày" in m["text"])
    answer = await press(tg, f"dl:done:{deadline}", bot_message(tg, reminder), user_id=USER)
    assert "Đã ghi nhận: đã hoàn thành" in answer["text"]
    [edit] = await tg.wait_for("editMessageReplyMarkup")
    assert edit["reply_markup"]["inline_keyboard"][0][0]["text"].endswith("✓")
    with Session(bot.engine) as session:
        [done] = session.exec(select(DeadlineCompletion)).all()
    assert (done.chat_id, done.user_id, done.done) == (USER, USER, True)

    clock.set(datetime(2026, 3, 11, 8, 0, tzinfo=TZ))  # lead1
    before = {USER: len(messages_to(tg, USER)), GROUP: len(messages_to(tg, GROUP))}
    await bot.tick()
    assert len(messages_to(tg, USER)) == before[USER]
    assert [m["text"].split("\n")[0] for m in messages_to(tg, GROUP)[before[GROUP] :]] == [
        "⏰ <b>Nhắc hạn chót: ngày mai đến hạn</b>",
        "🗓 <b>Hạn chót tuần 11/2026</b>",  # Monday's digest, missed without ticks; nothing left for USER's
    ]
    listing = await command(tg, "/hanchot", user_id=GROUP_MEMBER, chat_id=GROUP)
    assert "báo cáo số liệu" in listing["text"] and "1/2 đơn vị đăng ký đã báo hoàn thành" in listing["text"]


async def test_not_done_keeps_the_reminders_coming(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo số liệu"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    await bot.tick()
    reminder = next(m for m in messages_to(tg, USER) if "còn 7 ngày" in m["text"])
    answer = await press(tg, f"dl:todo:{deadline}", bot_message(tg, reminder), user_id=USER)
    assert "chưa xong" in answer["text"]
    clock.set(datetime(2026, 3, 11, 8, 0, tzinfo=TZ))
    before = len(messages_to(tg, USER))
    await bot.tick()
    assert any(m["text"].startswith(LEAD1) for m in messages_to(tg, USER)[before:])


async def test_done_button_under_an_old_reminder_is_recorded(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo số liệu"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    await bot.tick()
    reminder = bot_message(tg, next(m for m in messages_to(tg, USER) if m["text"].startswith(LEAD7)))
    sent = len(tg.calls("sendMessage"))
    press_on_old_message(tg, f"dl:done:{deadline}", reminder, user_id=USER)
    [answer] = await tg.wait_for("answerCallbackQuery")
    assert "Đã ghi nhận: đã hoàn thành" in answer["text"]
    [edit] = await tg.wait_for("editMessageReplyMarkup")
    assert (edit["chat_id"], edit["message_id"]) == (USER, reminder["message_id"])
    assert edit["reply_markup"]["inline_keyboard"][0][0]["text"].endswith("✓")
    with Session(bot.engine) as session:
        [done] = session.exec(select(DeadlineCompletion)).all()
    assert (done.deadline_id, done.chat_id, done.done) == (deadline, USER, True)
    assert len(tg.calls("sendMessage")) == sent  # no apology
    assert not bot.errors


async def test_long_reminder_arrives_in_parts_with_the_buttons_under_the_last(
    tg: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    task = "hoàn thành báo cáo chuyển đổi số của từng xã " * 120  # about 5 500 characters
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", task.strip()))
    await command(tg, "/dangky tất cả")
    before = len(messages_to(tg, USER))
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    report = await bot.tick()
    assert (report.sent, report.failed) == (2, 0)
    sent = messages_to(tg, USER)[before:]
    start = next(i for i, m in enumerate(sent) if m["text"].startswith(LEAD7))
    first, last = sent[start], sent[start + 1]
    assert "reply_markup" not in first
    assert [b["callback_data"] for b in last["reply_markup"]["inline_keyboard"][0]] == [
        f"dl:done:{deadline}",
        f"dl:todo:{deadline}",
    ]
    assert "bấm «Đã hoàn thành»" in last["text"]
    assert all(r.status == 200 for r in tg.requests_for("sendMessage"))


async def test_very_long_agency_and_source_are_shortened_in_the_reminder(
    tg: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo số liệu"))
    with Session(bot.engine) as session:
        row = session.get(Deadline, deadline)
        assert row is not None
        document = session.get(Document, row.document_id)
        assert document is not None
        row.agency = "Sở Khoa học và Công nghệ " * 200
        document.source = "Cổng thông tin điện tử tỉnh " * 200
        session.add_all([row, document])
        session.commit()
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    assert (await bot.tick()).sent == 2
    [reminder] = [m for m in messages_to(tg, USER) if m["text"].startswith(LEAD7)]
    assert "reply_markup" in reminder and len(reminder["text"]) < 1500
    agency = next(line for line in reminder["text"].split("\n") if line.startswith("🏛"))
    assert agency.endswith("…") and len(agency) <= 210
    assert "Cổng thông tin điện tử tỉnh" in reminder["text"]


# --------------------------------------------------------------------------- Telegram faults and restarts


async def test_blocked_chat_is_deactivated_and_admins_see_why(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    tg.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked by the user")
    report = await bot.tick()
    assert report.deactivated == [USER]
    assert (report.sent, report.failed) == (0, 2)  # lead7 refused; the digest not even tried
    assert len(tg.requests_for("sendMessage")) == 2  # the /dangky reply and the refused reminder
    subscription = get_subscription(bot.engine, USER)
    assert subscription is not None and not subscription.active
    assert subscription.deactivated_reason == "forbidden: Forbidden: bot was blocked by the user"
    clock.set(datetime(2026, 3, 11, 8, 0, tzinfo=TZ))
    before = len(tg.calls("sendMessage"))
    assert (await bot.tick()).sent == 1
    [admin_digest] = tg.calls("sendMessage")[before:]  # nothing more for the blocked chat
    assert admin_digest["chat_id"] == ADMIN and "bot bị chặn" in admin_digest["text"]
    overview = await command(tg, "/dsdangky", user_id=ADMIN)
    assert "bot bị chặn" in overview["text"]
    assert "Chỉ quản trị viên" in (await command(tg, "/dsdangky", user_id=USER))["text"]


async def test_reminder_refused_as_bad_html_is_sent_once_as_plain_text(
    tg: FakeTelegram, bot: Bot, clock: ManualClock
) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo <KH&CN>"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    tg.fail_next("sendMessage", error_code=400, description="Bad Request: can't parse entities: Unsupported start tag")
    report = await bot.tick()
    assert (report.sent, report.failed) == (2, 0)
    refused, reminder = [r.params for r in tg.requests_for("sendMessage") if "Nhắc hạn chót: còn 7" in r.params["text"]]
    assert refused["parse_mode"] == "HTML" and "parse_mode" not in reminder
    assert "📌 báo cáo <KH&CN>" in reminder["text"]  # the same words, without the markup
    assert [b["callback_data"] for b in reminder["reply_markup"]["inline_keyboard"][0]][0] == f"dl:done:{deadline}"
    assert [r.status for r in ledger_rows(bot.engine, USER) if r.deadline_id == deadline] == ["sent"]
    assert (await bot.tick()).sent == 0


async def test_network_error_is_retried_on_the_next_tick(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    tg.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
    first = await bot.tick()
    assert (first.sent, first.retried) == (0, 2)
    clock.advance(timedelta(minutes=1))
    second = await bot.tick()
    assert (second.sent, second.retried) == (2, 0)
    assert (await bot.tick()).sent == 0
    delivered = [r for r in tg.requests_for("sendMessage") if r.status == 200 and r.params["chat_id"] == USER]
    assert sum(r.params["text"].startswith(LEAD7) for r in delivered) == 1


async def test_flood_control_is_waited_out_and_sent_once(
    tg: FakeTelegram, bot: Bot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 otherwise warns when RetryAfter is built
    add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1)
    assert (await bot.tick()).sent == 2
    delivered = [r for r in tg.requests_for("sendMessage") if r.status == 200 and r.params["text"].startswith(LEAD7)]
    assert len(delivered) == 1


async def test_restart_in_the_middle_loses_nothing_and_repeats_nothing(
    tg: FakeTelegram, tmp_path: Path, db_url: str, clock: ManualClock
) -> None:
    first = Bot(tg, make_services(tmp_path, db_url, clock))
    await first.start()
    add_deadlines(first.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=TZ))
    assert (await first.tick()).sent == 2  # digest + lead7
    await first.stop()

    # Down from Thursday to the next Wednesday afternoon: the Monday digest and
    # lead1 fell due meanwhile, and go out once when the new process starts.
    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=TZ))
    second = Bot(tg, make_services(tmp_path, db_url, clock))
    await second.start()
    before = len(messages_to(tg, USER))
    assert (await second.tick()).sent == 2
    assert (await second.tick()).sent == 0
    headers = [m["text"].split("\n")[0] for m in messages_to(tg, USER)[before:]]
    assert sorted(headers) == sorted(["🗓 <b>Hạn chót tuần 11/2026</b>", "⏰ <b>Nhắc hạn chót: ngày mai đến hạn</b>"])
    await second.stop()


async def test_job_queue_runs_the_tick(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    schedule_reminders(bot.app, interval=0.2, first=0.05)
    await tg.wait_for("sendMessage", predicate=lambda m: "còn 7 ngày" in m.get("text", ""), timeout=5)


# --------------------------------------------------------------------------- the list and admin edits


async def test_hanchot_lists_upcoming_and_overdue_for_a_province(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    add_deadlines(
        bot.engine,
        (date(2026, 2, 20), "Hải Dương", "việc đã quá hạn"),
        (date(2026, 3, 20), "Hải Dương", "việc sắp tới"),
        (date(2026, 3, 21), "Quảng Trị", "việc tỉnh khác"),
    )
    text = (await command(tg, "/hanchot hai phong"))["text"]
    assert "việc sắp tới" in text and "việc đã quá hạn" in text and "việc tỉnh khác" not in text
    assert text.index("Sắp đến hạn") < text.index("việc sắp tới") < text.index("Đã quá hạn") < text.index("việc đã quá hạn")
    assert "https://example.gov.vn/chi-thi" in text and "trước ngày 20/03/2026" in text
    assert "Không nhận ra" in (await command(tg, "/hanchot Atlantis"))["text"]


async def test_admin_adds_and_deletes_a_deadline_by_hand(tg: FakeTelegram, bot: Bot) -> None:
    refused = await command(tg, "/hanchot_them 30/09/2026 | Hoàn thành cổng DVC | Sở KH&CN | Hải Phòng")
    assert "Chỉ quản trị viên" in refused["text"]
    added = await command(tg, "/hanchot_them 30/09/2026 | Hoàn thành cổng DVC | Sở KH&CN | Hải Phòng", user_id=ADMIN)
    assert "Đã thêm hạn chót" in added["text"] and "Sở KH&amp;CN" in added["text"]
    with Session(bot.engine) as session:
        [deadline] = session.exec(select(Deadline)).all()
    assert (deadline.due, deadline.provinces, deadline.added_by) == (date(2026, 9, 30), "Hải Phòng", f"telegram:{ADMIN}")
    listing = await command(tg, "/hanchot", user_id=ADMIN)
    [[delete_button]] = listing["reply_markup"]["inline_keyboard"]
    assert delete_button["callback_data"] == f"dl:del:{deadline.id}"
    assert "reply_markup" not in await command(tg, "/hanchot")  # no delete buttons for others

    await press(tg, delete_button["callback_data"], bot_message(tg, listing), user_id=ADMIN)
    [confirm] = await tg.wait_for("sendMessage", predicate=lambda m: m["text"].startswith("Xoá hạn chót"))
    ok = confirm["reply_markup"]["inline_keyboard"][0][0]
    assert ok["callback_data"] == f"dl:delok:{deadline.id}"
    refused_press = await press(tg, ok["callback_data"], bot_message(tg, confirm), user_id=USER)
    assert refused_press.get("show_alert") is True
    await press(tg, ok["callback_data"], bot_message(tg, confirm), user_id=ADMIN)
    [edited] = await tg.wait_for("editMessageText")
    assert "Đã xoá hạn chót" in edited["text"]
    with Session(bot.engine) as session:
        assert session.exec(select(Deadline)).all() == []


async def test_editing_the_hanchot_them_message_does_not_add_the_deadline_again(tg: FakeTelegram, bot: Bot) -> None:
    text = "/hanchot_them 30/09/2026 | Hoàn thành cổng DVC | Sở KH&CN | Hải Phòng"
    update = tg.send_message(text, user_id=ADMIN)
    await tg.wait_for("sendMessage")
    edited = {**update["message"], "text": text + " ", "edit_date": int(time.time())}
    tg.push_update({"edited_message": edited})
    listing = await command(tg, "/hanchot", user_id=ADMIN)  # handled after the edit
    assert listing["text"].count("Hoàn thành cổng DVC") == 1
    with Session(bot.engine) as session:
        assert len(session.exec(select(Deadline)).all()) == 1
    assert len(tg.calls("sendMessage")) == 2  # the confirmation and the list, nothing for the edit


async def test_admin_edits_a_deadline(tg: FakeTelegram, bot: Bot) -> None:
    [deadline] = add_deadlines(bot.engine, (date(2026, 3, 20), "", "việc trích sai"))
    reply = await command(tg, f"/hanchot_sua {deadline} 25/03/2026 | việc đúng | UBND tỉnh | Quảng Trị", user_id=ADMIN)
    assert "Đã sửa" in reply["text"] and "việc đúng" in reply["text"]
    with Session(bot.engine) as session:
        row = session.get(Deadline, deadline)
        assert row is not None and (row.due, row.task, row.provinces) == (date(2026, 3, 25), "việc đúng", "Quảng Trị")


def test_commands_are_valid_telegram_commands() -> None:
    import re

    for name, description in all_commands():
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name) and 1 <= len(description) <= 256


async def test_a_reminder_that_timed_out_is_not_sent_again(tg: FakeTelegram, bot: Bot, clock: ManualClock) -> None:
    from telegram import Bot as TelegramBot
    from telegram.request import HTTPXRequest

    add_deadlines(bot.engine, (date(2026, 3, 12), "", "báo cáo"))
    await command(tg, "/dangky tất cả")
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=TZ))
    before = len(tg.calls("sendMessage"))
    tg.delay_next("sendMessage", 0.6)  # Telegram delivers it, but after the bot stopped waiting
    impatient = TelegramBot(tg.token, base_url=tg.base_url, request=HTTPXRequest(read_timeout=0.2))
    async with impatient:
        policy = bot.services.policy
        first = await run_reminders(impatient, bot.engine, policy, bot.services.library.gazetteer, clock.now())
        assert first.retried == 0
        clock.advance(timedelta(minutes=1))
        await run_reminders(impatient, bot.engine, policy, bot.services.library.gazetteer, clock.now())
    delivered = [c for c in tg.calls("sendMessage")[before:] if c["chat_id"] == USER and c["text"].startswith(LEAD7)]
    assert len(delivered) == 1
