"""The conversation without Telegram: commands, pagination, buttons, rate limit, statistics, terminal chat."""

from __future__ import annotations

import argparse
import io
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.conversation import questions as conversation
from bot.conversation import router
from bot.cli import cmd_ask
from bot.commands import all_commands
from bot.config import Settings
from bot.conversation.replies import Asker
from bot.memory import SlidingWindow
from bot.render.html import TELEGRAM_LIMIT
from bot.services import Services
from bot.terminal_chat import run_chat
from knowledge.answers.statistics import popular_questions, usage_report
from knowledge.library import DocumentInput, Library
from knowledge.models import Feedback, QuestionLog

QUESTION = "Hải Dương xếp hạng chuyển đổi số thứ mấy năm 2023?"
# Has several relevant passages, so "Kết quả khác" has something to show (QUESTION has one).
MULTI = "dịch vụ công trực tuyến Hải Dương"
USER = Asker(channel="telegram", chat_id=42, user_id=42)
ADMIN = Asker(channel="telegram", chat_id=900, user_id=900, is_admin=True)


@pytest.fixture
def services(tmp_path: Path, demo_library: Library) -> Services:
    settings = Settings(_env_file=None, data_dir=tmp_path, demo=False, admin_ids=frozenset({900}))  # type: ignore[call-arg]
    return Services(settings=settings, library=demo_library)


def add_newer_document(library: Library) -> int:
    """A sixth document, newer than the demo's five, so the list needs a second page."""
    result = library.ingest(
        DocumentInput(
            text="Tỉnh Bắc Ninh sơ kết chuyển đổi số\n\nSở Khoa học và Công nghệ tỉnh Bắc Ninh báo cáo "
            "tiến độ chuyển đổi số của các xã, phường trong quý I năm 2024.",
            published=date(2024, 4, 2),
            added_by="test",
        )
    )
    assert result.document_id is not None
    return result.document_id


def log_question(library: Library, question: str, found: bool, asked_at: datetime, channel: str = "telegram") -> None:
    with Session(library.engine) as session:
        session.add(QuestionLog(question=question, found=found, asked_at=asked_at, channel=channel))
        session.commit()


# --------------------------------------------------------------------------- commands


def test_start_counts_documents_and_provinces_and_offers_answerable_examples(services: Services) -> None:
    reply = conversation.start(services, bot_username="cdsbot_test_bot")
    assert "<b>5</b> tài liệu về 4 tỉnh/thành" in reply.html and "Vĩnh Phúc" in reply.html
    assert "@cdsbot_test_bot" in reply.html
    examples = conversation.examples(services)
    assert len(examples) == 3
    for example in examples:
        assert example in reply.html
        assert services.library.ask(example).found


def test_examples_prefer_the_most_asked_answered_questions(services: Services) -> None:
    now = datetime.now(timezone.utc)
    for question, found in [(QUESTION, True), ("hai duong xep hang chuyen doi so thu may nam 2023", True),
                            ("Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?", True),
                            ("thời tiết hôm nay", False), ("thời tiết hôm nay", False)]:
        log_question(services.library, question, found, now)
    assert popular_questions(services.library.engine, limit=2) == [
        QUESTION,
        "Vĩnh Phúc có bao nhiêu tổ công nghệ số cộng đồng?",
    ]
    assert conversation.examples(services)[:2] == popular_questions(services.library.engine, limit=2)


def test_help_lists_every_registered_command(services: Services) -> None:
    reply = conversation.help_reply()
    for command, _ in all_commands():
        assert f"/{command} —" in reply.html


def test_documents_are_paginated_newest_first(services: Services) -> None:
    newest = add_newer_document(services.library)
    first = conversation.documents_page(services, 0)
    assert "trang 1/2" in first.html
    assert first.html.index(f"#{newest}") < first.html.index("#1") < first.html.index("#2") < first.html.index("#4")
    assert first.buttons == [[("▶", "docs:1")]]
    last = conversation.documents_page(services, 99)
    assert "trang 2/2" in last.html and last.buttons == [[("◀", "docs:0")]]
    assert "#5" in last.html and "#1" not in last.html


def test_document_passages_are_paginated_under_telegram_limit(services: Services) -> None:
    paragraph = (
        "Sở Khoa học và Công nghệ tỉnh Bắc Ninh báo cáo tiến độ chuyển đổi số quý {n} năm 2025 & "
        "đề xuất giải pháp <mới> cho các xã, phường trong tỉnh. " * 6
    )
    text = "\n\n".join(paragraph.format(n=n) for n in range(1, 25))
    result = services.library.ingest(DocumentInput(text=text, title="Báo cáo <dài> & chi tiết", added_by="test"))
    assert result.status == "added" and result.document_id is not None and result.passages > 4
    first = conversation.document_page(services, result.document_id, 0)
    assert "Báo cáo &lt;dài&gt; &amp; chi tiết" in first.html and "&lt;mới&gt;" in first.html
    assert first.buttons == [[("▶", f"doc:{result.document_id}:1")]]
    pages = int(first.html.split("trang 1/")[1].split()[0])
    assert pages > 1
    seen = 0
    for page in range(pages):
        reply = conversation.document_page(services, result.document_id, page)
        assert len(reply.parts) == 1 and len(reply.html) <= TELEGRAM_LIMIT
        seen += reply.html.count("<b>Đoạn ")
    assert seen == result.passages


def test_source_command_explains_usage_and_unknown_ids(services: Services) -> None:
    assert "Cách dùng: /nguon ID" in conversation.source_command(services, "abc").html
    assert "Không có tài liệu số 999" in conversation.source_command(services, "999").html
    assert "Mã tài liệu: #3" in conversation.source_command(services, "#3").html


def test_respond_routes_commands_and_questions(services: Services) -> None:
    assert "<b>Các lệnh</b>" in router.respond(services, "/trogiup", USER).html
    add_newer_document(services.library)
    assert "trang 2/2" in router.respond(services, "/tailieu 2", USER).html
    assert "13/63" in router.respond(services, f"/hoi@cdsbot_test_bot {QUESTION}", USER).html
    assert "Tôi chưa hiểu lệnh /khong_co" in router.respond(services, "/khong_co", USER).html
    assert "quản trị viên" in router.respond(services, "/thongke", USER).html


# --------------------------------------------------------------------------- answers and buttons


def test_answer_buttons_fit_telegram_callback_limit(services: Services) -> None:
    answer = services.library.ask(QUESTION, k=conversation.ANSWER_CITATIONS)
    # Question ids grow for years; even a 64-bit one keeps the data under 64 bytes.
    answer = replace(answer, question_id=2**63 - 1)
    for shown in range(len(answer.citations)):
        data = [d for row in conversation.answer_buttons(answer, shown) for _, d in row]
        assert data and all(len(d.encode()) <= 64 for d in data)


def test_more_and_source_buttons_follow_the_citations(services: Services) -> None:
    several = conversation.ask(services, MULTI, USER)
    more = conversation.press(services, f"more:{int(several.buttons[0][0][1].split(':')[1])}:1", USER)
    assert more.edit and more.reply is not None and "[2]" in more.reply.html
    reply = conversation.ask(services, QUESTION, USER)
    qid = int(reply.buttons[0][0][1].split(":")[1])
    source = conversation.press(services, f"src:{qid}:0", USER)
    assert not source.edit and source.reply is not None
    assert "cao hơn 1 bậc so với năm 2021. Theo trụ cột" in source.reply.html
    assert conversation.press(services, f"src:{qid}:99", USER).toast == conversation.STALE
    assert conversation.press(services, "src:123456:0", USER).toast == conversation.STALE
    assert conversation.press(services, "fb:123456:1", USER).toast == conversation.STALE
    assert conversation.press(services, "src:x:y", USER).toast


def test_feedback_last_vote_wins(services: Services) -> None:
    reply = conversation.ask(services, QUESTION, USER)
    qid = int(reply.buttons[0][0][1].split(":")[1])
    assert conversation.press(services, f"fb:{qid}:1", USER).toast == conversation.THANKS
    assert conversation.press(services, f"fb:{qid}:0", USER).toast == conversation.THANKS
    with Session(services.library.engine) as session:
        votes = session.exec(select(Feedback)).all()
    assert [(v.question_id, v.user_id, v.helpful) for v in votes] == [(qid, 42, False)]


def test_rate_limit_is_a_sliding_window_per_user() -> None:
    window = SlidingWindow(limit=2, window=60)
    assert window.admit(1, 0.0) == 0 and window.admit(1, 10.0) == 0
    assert window.admit(1, 30.0) == pytest.approx(30.0)
    assert window.admit(2, 30.0) == 0
    assert window.admit(1, 60.5) == 0  # the first question left the window
    assert window.admit(1, 61.0) > 0
    assert SlidingWindow(limit=0).admit(1, 0.0) == 0  # 0 switches the limit off


def test_rate_limited_question_is_not_logged(services: Services) -> None:
    services.settings.rate_limit_per_minute = 1
    services = Services(settings=services.settings, library=services.library)
    conversation.ask(services, QUESTION, USER)
    throttled = conversation.ask(services, QUESTION, USER)
    assert "tối đa 1 câu mỗi phút" in throttled.html
    assert "13/63" in conversation.ask(services, QUESTION, ADMIN).html
    with Session(services.library.engine) as session:
        assert len(session.exec(select(QuestionLog)).all()) == 2


def test_inline_articles_are_complete_answers(services: Services) -> None:
    assert "<b>thứ 13/63</b>" in conversation.inline_articles(services, QUESTION)[0].html
    articles = conversation.inline_articles(services, MULTI)
    assert len(articles) >= 2 and len({a.id for a in articles}) == len(articles)
    assert "[1]" in articles[0].html and "[2]" in articles[1].html
    assert conversation.inline_articles(services, "ab") == []
    with Session(services.library.engine) as session:
        assert session.exec(select(QuestionLog)).all() == []


# --------------------------------------------------------------------------- statistics


def test_usage_report_counts_local_days_and_merges_spellings(services: Services) -> None:
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    library = services.library
    # 17:30 UTC is already the next day in Vietnam.
    log_question(library, QUESTION, True, datetime(2025, 3, 1, 17, 30, tzinfo=timezone.utc))
    log_question(library, "hai duong xep hang chuyen doi so thu may nam 2023", True, datetime(2025, 3, 1, 16, 0, tzinfo=timezone.utc))
    log_question(library, "thời tiết", False, datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc))
    log_question(library, "cũ quá", False, datetime(2025, 2, 1, 2, 0, tzinfo=timezone.utc))
    report = usage_report(library.engine, tz=tz, days=3, now=datetime(2025, 3, 3, 5, 0, tzinfo=timezone.utc))
    assert [(d.day.day, d.asked, d.unanswered) for d in report.days] == [(1, 1, 0), (2, 1, 0), (3, 1, 1)]
    assert report.top_questions[0] == (QUESTION, 2)
    assert [q for _, q in report.unanswered] == ["thời tiết", "cũ quá"]


def test_statistics_reply_for_admin(services: Services) -> None:
    conversation.ask(services, QUESTION, USER)
    conversation.ask(services, "Thời tiết ở Đà Lạt hôm nay thế nào?", USER)
    html = conversation.statistics(services, ADMIN).html
    assert "Tổng: 2 câu hỏi, 1 câu chưa có câu trả lời." in html
    assert f"1. {QUESTION} — 1 lần" in html


def test_statistics_and_suggestions_ignore_script_questions(services: Services) -> None:
    now = datetime.now(timezone.utc)
    for channel in ("cli", "eval", "bench"):
        for _ in range(3):
            log_question(services.library, "Câu hỏi thử của lập trình viên về Vĩnh Phúc", True, now, channel=channel)
        log_question(services.library, "câu thử không có đáp án", False, now, channel=channel)
    log_question(services.library, QUESTION, True, now)
    report = usage_report(services.library.engine, tz=ZoneInfo("Asia/Ho_Chi_Minh"), days=1)
    assert report.total == 1 and report.top_questions == ((QUESTION, 1),) and report.unanswered == ()
    assert popular_questions(services.library.engine, limit=3) == [QUESTION]


def test_cli_ask_is_not_counted_in_statistics(services: Services, tmp_path: Path) -> None:
    args = argparse.Namespace(question=QUESTION, k=3, json=True)
    assert cmd_ask(services.library, args, services.settings) == 0
    with Session(services.library.engine) as session:
        assert session.exec(select(QuestionLog)).all() == []


@pytest.mark.parametrize("question", ["?", "3", "  ...  "])
def test_a_question_without_words_gets_the_usage_and_is_not_counted(services: Services, question: str) -> None:
    reply = conversation.ask(services, question, USER)
    assert reply.body.plain == conversation.ASK_USAGE
    with Session(services.library.engine) as session:
        assert session.exec(select(QuestionLog)).all() == []


def test_statistics_mark_questions_typed_in_terminal_chat(services: Services) -> None:
    now = datetime.now(timezone.utc)
    log_question(services.library, QUESTION, True, now)
    log_question(services.library, QUESTION, True, now, channel="terminal")
    html = conversation.statistics(services, ADMIN).html
    assert "Tổng: 2 câu hỏi" in html and "(trong đó 1 câu thử trong cdsbot chat)" in html


# --------------------------------------------------------------------------- terminal chat


def test_terminal_chat_goes_through_the_conversation(services: Services) -> None:
    stdin = io.StringIO(f"/tailieu\n/nguon 3\n{MULTI}\nb\na\nd\n/thoat\nkhông đọc tới đây\n")
    stdout = io.StringIO()
    assert run_chat(services.settings, services.library, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "5 tài liệu" in out  # the welcome is /start
    assert "trang 1/1" in out and "Mã tài liệu: #3" in out
    assert "dịch vụ công trực tuyến" in out and "<b>" not in out
    assert "[b] Kết quả khác ▶" in out and "📄 [2]" in out
    assert "(Cảm ơn góp ý!)" in out
    with Session(services.library.engine) as session:
        [logged] = session.exec(select(QuestionLog)).all()
        [vote] = session.exec(select(Feedback)).all()
    assert logged.channel == "terminal" and vote.question_id == logged.id
