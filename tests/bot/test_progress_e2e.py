"""/tiendo, its buttons, /xephang and progress questions end to end: the real Application against the fake Bot API.

The base holds the test articles (three provinces, two years each); the
assertions read what the bot sent, including the chart's bytes.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.conversation.progress import tiendo
from bot.render.chart import chart_figure
from bot.services import Services
from bot.terminal_chat import run_chat
from knowledge.library import Library
from tests.bot.conftest import RunningBot, bot_settings
from tests.fake_telegram import FakeTelegram
from tests.knowledge.progress import articles

JSON = dict[str, Any]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def library(empty_library: Library) -> Library:
    articles.load(empty_library)
    return empty_library


@pytest.fixture
async def progress_bot(tg: FakeTelegram, tmp_path: Path, library: Library) -> AsyncIterator[RunningBot]:
    running = RunningBot(tg, Services(settings=bot_settings(tg, tmp_path / "data"), library=library))
    await running.start_polling()
    yield running
    await running.stop()
    assert not running.errors, running.errors


def buttons(call: JSON) -> list[tuple[str, str]]:
    markup = call.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


async def test_tiendo_sends_the_card_then_a_png_chart(progress_bot: RunningBot, tg: FakeTelegram) -> None:
    card = await progress_bot.reply_to("/tiendo binh dinh", user_id=42)
    text = card["text"]
    assert "Bình Định (nay thuộc tỉnh Gia Lai)" in text
    assert "Xếp hạng DTI</b>: 16/63 — năm 2023 [1] (↑ 9 bậc so với năm 2022)" in text
    assert "58,1%" in text and "+16,6 điểm % so với năm 2022" in text
    assert "Bình Định tăng 9 bậc về chuyển đổi số" in text and "#" in text
    labels = [label for label, _ in buttons(card)]
    assert any("Xếp hạng DTI" in label for label in labels) and any("Hồ sơ trực tuyến" in label for label in labels)
    [photo_call] = await tg.wait_for("sendPhoto")
    assert photo_call["chat_id"] == 42 and "Bình Định" in photo_call["caption"]
    [png] = tg.sent_photos(42)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5000


async def test_indicator_button_sends_that_indicators_chart(progress_bot: RunningBot, tg: FakeTelegram) -> None:
    card = await progress_bot.reply_to("/tiendo Bình Định", user_id=42)
    await tg.wait_for("sendPhoto")
    data = next(d for label, d in buttons(card) if "Hồ sơ trực tuyến" in label)
    assert len(data.encode()) <= 64
    tg.send_callback(data, message=_message(tg, card), user_id=42)
    calls = await tg.wait_for("sendPhoto", count=2)
    assert "hồ sơ" in calls[1]["caption"].lower()
    first, second = tg.sent_photos(42)
    assert second.startswith(PNG_SIGNATURE) and second != first


def _message(tg: FakeTelegram, call: JSON) -> JSON:
    return next(m for m in tg.bot_messages if m.get("text") == call["text"])


async def test_tiendo_unknown_province_and_no_facts(progress_bot: RunningBot, tg: FakeTelegram) -> None:
    unknown = await progress_bot.reply_to("/tiendo Hà Tây", user_id=42)
    assert "Không nhận ra tỉnh/thành phố «Hà Tây»." in unknown["text"]
    empty = await progress_bot.reply_to("/tiendo Cà Mau", user_id=42)
    assert "Chưa có số liệu" in empty["text"] and "/hoi" in empty["text"]
    usage = await progress_bot.reply_to("/tiendo", user_id=42)
    assert "/tiendo" in usage["text"]
    assert tg.calls("sendPhoto") == []


async def test_xephang_ranks_every_province_each_cited(progress_bot: RunningBot) -> None:
    reply = await progress_bot.reply_to("/xephang hồ sơ trực tuyến", user_id=42)
    lines = reply["text"].splitlines()
    ranked = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert [line.split(":")[0] for line in ranked] == [
        "1. Hải Dương (nay thuộc TP. Hải Phòng)", "2. Lào Cai", "3. Bình Định (nay thuộc tỉnh Gia Lai)",
    ]
    assert all(line.rstrip().endswith(("[1]", "[2]", "[3]")) for line in ranked)
    assert "trong các tài liệu hiện có" in reply["text"]
    dti = await progress_bot.reply_to("/xephang", user_id=42)
    assert "1. Hải Dương (nay thuộc TP. Hải Phòng): 13/63" in dti["text"]
    bad = await progress_bot.reply_to("/xephang thời tiết", user_id=42)
    assert "Không nhận ra chỉ số" in bad["text"]


async def test_ranking_question_is_answered_from_facts_with_source_buttons(
    progress_bot: RunningBot, tg: FakeTelegram
) -> None:
    reply = await progress_bot.reply_to("Tỉnh nào xếp hạng chuyển đổi số thấp nhất?", user_id=42)
    assert reply["text"].splitlines()[1].startswith("1. Lào Cai: 21/63")
    assert "📄 [1]" in reply["text"] and "Lào Cai: kết quả chuyển đổi số năm 2023" in reply["text"]
    source = next(d for label, d in buttons(reply) if label == "📄 [1]")
    tg.send_callback(source, message=_message(tg, reply), user_id=42)
    calls = await tg.wait_for("sendMessage", count=2)
    assert "Năm 2023, Lào Cai xếp thứ 21/63 về chuyển đổi số." in calls[1]["text"]


def test_chat_writes_the_chart_to_a_file_and_shows_the_path(library: Library, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "chat", demo=False)  # type: ignore[call-arg]
    out = io.StringIO()
    run_chat(settings, library, stdin=io.StringIO("/tiendo Lào Cai\n/xephang\n"), stdout=out)
    text = out.getvalue()
    path_line = next(line for line in text.splitlines() if line.startswith("Biểu đồ: "))
    chart = Path(path_line.removeprefix("Biểu đồ: "))
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert "Xếp hạng DTI: 21/63 — năm 2023 [1] (↑ 9 bậc so với năm 2022)" in text
    assert "3. Lào Cai: 21/63" in text


def test_rank_chart_has_its_axis_inverted_and_vietnamese_labels(library: Library, tmp_path: Path) -> None:
    services = Services(settings=Settings(_env_file=None, data_dir=tmp_path, demo=False), library=library)  # type: ignore[call-arg]
    chart = tiendo(services, "Bình Định").chart
    assert chart is not None and chart.indicator == "dti_rank" and chart.points == (("2022", 25.0), ("2023", 16.0))
    axes = chart_figure(chart).axes[0]
    assert axes.yaxis_inverted()
    assert axes.get_ylabel() == "Thứ hạng (trên 63 tỉnh, thành)" and axes.get_xlabel() == "Kỳ số liệu"


def test_rate_chart_draws_the_provinces_rates_as_lines(library: Library, tmp_path: Path) -> None:
    services = Services(settings=Settings(_env_file=None, data_dir=tmp_path, demo=False), library=library)  # type: ignore[call-arg]
    chart = tiendo(services, "Bình Định", indicator="online_dossier_rate").chart
    assert chart is not None and [key for key, _ in chart.others] == ["online_payment_rate"]
    axes = chart_figure(chart).axes[0]
    assert not axes.yaxis_inverted() and len(axes.get_lines()) == 2
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["Hồ sơ trực tuyến", "Thanh toán trực tuyến"]


async def test_inline_progress_question_offers_one_complete_answer(progress_bot: RunningBot, tg: FakeTelegram) -> None:
    tg.send_inline_query("tinh nao co ty le ho so truc tuyen cao nhat", user_id=42)
    [call] = await tg.wait_for("answerInlineQuery")
    [article] = call["results"]
    text = article["input_message_content"]["message_text"]
    assert "1. Hải Dương (nay thuộc TP. Hải Phòng): 87,4%" in text and "📄 [3]" in text


async def test_comparison_and_trend_questions_through_telegram(progress_bot: RunningBot) -> None:
    compared = await progress_bot.reply_to("so sanh Binh Dinh va Lao Cai ve xep hang chuyen doi so", user_id=42)
    assert "Bình Định (nay thuộc tỉnh Gia Lai): 16/63 — năm 2023 [1]" in compared["text"]
    assert "Lào Cai: 21/63 — năm 2023 [2]" in compared["text"]
    trend = await progress_bot.reply_to("Lào Cai tiến bộ thế nào qua các năm?", user_id=43)
    assert "năm 2022: 30/63" in trend["text"] and "năm 2023: 21/63" in trend["text"]
    assert "↑ 9 bậc so với năm 2022" in trend["text"]
    assert "📄 [1] <i>Lào Cai đẩy mạnh dịch vụ công trực tuyến</i>" in trend["text"]


def test_tiendo_for_the_whole_country(library: Library, tmp_path: Path) -> None:
    body = "Năm 2023, cả nước có 80.000 tổ công nghệ số cộng đồng."
    article = f"---\ntitle: Toàn quốc\npublished: 2023-12-30\n---\n\n{body}\n"
    assert library.ingest_bytes(article.encode(), "ca-nuoc.md").status == "added"
    services = Services(settings=Settings(_env_file=None, data_dir=tmp_path, demo=False), library=library)  # type: ignore[call-arg]
    result = tiendo(services, "ca nuoc")
    assert "Tiến độ chuyển đổi số — Cả nước" in result.html and "80.000" in result.html
