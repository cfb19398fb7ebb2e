"""`cdsbot chat` end to end: lines typed on stdin through `bot.cli.main(["chat"])`, what the operator reads on stdout.

Every command of the bot answers here through the same conversation as in
Telegram; buttons are letters ([a], [b]) that the operator types.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.config import Settings
from bot.render.rich import bold, text
from bot.render.terminal import to_terminal, wants_ansi
from bot.services import Services, open_library
from bot.terminal_chat import run_chat
from knowledge.models import Document, Subscription
from knowledge.reminders.ledger import claim_due_reminders

# Soon enough to be listed by /hanchot and reminded of today, whatever day the tests run.
DUE = (datetime.now(UTC) + timedelta(days=3)).strftime("%d/%m/%Y")
ADD_DEADLINE = f"/hanchot_them {DUE} | Hoàn thành cổng <b>dịch vụ công</b> | Sở KH&CN | Hải Phòng"


pytestmark = pytest.mark.usefixtures("restore_root_logging")


@pytest.fixture
def chat_env(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("CDSBOT_DEMO", "1")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return demo_dir


def chat(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *lines: str) -> str:
    """Type ``lines`` into `cdsbot chat` and return everything it printed after its welcome."""
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    return out.split("/thoat để thoát.", 1)[1]


def test_hanchot_lists_a_deadline_added_in_chat_with_its_delete_button(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, "/hanchot", ADD_DEADLINE, "/hanchot")
    empty, added, listed = out.strip().split("\n\n", 2)
    assert empty == "Không có hạn chót nào sắp tới hoặc mới quá hạn."
    assert "✅ Đã thêm hạn chót:" in added
    # What the operator typed is shown as typed: neither escaped nor read as markup.
    assert "📌 Hoàn thành cổng <b>dịch vụ công</b>" in listed and "&lt;" not in out
    assert f"{DUE}" in listed and "🏛 Sở KH&CN" in listed and "📄 Do quản trị viên nhập" in listed
    assert "📅 Hạn chót" in listed and "Sắp đến hạn (1):" in listed
    assert "[a] 🗑 #" in listed
    assert "\033[" not in out  # not a terminal: no ANSI


def test_dangky_filters_hanchot_and_huydangky_stops_it(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(
        monkeypatch, capsys, ADD_DEADLINE, "/dangky", "/dangky Ninh Thuận", "/hanchot", "/dangky Hải Phòng",
        "/hanchot", "/huydangky", "/huydangky", "/dangky",
    )
    assert "Cuộc trò chuyện này chưa đăng ký nhận nhắc hạn chót." in out
    assert "✅ Đã đăng ký nhắc hạn chót cho bạn." in out and "📍 Tỉnh/thành: Ninh Thuận" in out
    assert "đăng ký chỉ lọc /hanchot" in out
    assert "Không có hạn chót nào sắp tới hoặc mới quá hạn — theo đăng ký của cuộc trò chuyện này." in out
    assert "📅 Hạn chót — theo đăng ký của cuộc trò chuyện này" in out
    assert "🔕 Đã huỷ nhận nhắc hạn chót. Đăng ký lại: /dangky" in out
    assert "Cuộc trò chuyện này không đăng ký nhận nhắc hạn chót." in out
    assert out.rstrip().endswith("/dangky tất cả — nhận nhắc mọi hạn chót.")


def test_dsdangky_shows_the_chat_subscription_and_no_reminder_is_ever_claimed_for_it(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, ADD_DEADLINE, "/dangky tất cả nhắc 0", "/dsdangky")
    assert "Đăng ký nhắc hạn chót (1/1 đang hoạt động)" in out
    assert "• cdsbot chat (0) — mọi tỉnh — 🔔" in out
    settings = Settings(_env_file=None, data_dir=chat_env, demo=False)  # type: ignore[call-arg]
    library = open_library(settings, load_demo=False)
    services = Services(settings=settings, library=library)
    with Session(library.engine) as session:
        [subscription] = session.exec(select(Subscription)).all()
    assert subscription.chat_type == "terminal" and subscription.active
    # Noon on the due day, a reminder day for every subscription: still nothing for the terminal chat.
    due = datetime.strptime(DUE, "%d/%m/%Y").date()
    noon = datetime.combine(due, time(12), tzinfo=services.tz)
    batch = claim_due_reminders(library.engine, services.policy, library.gazetteer, noon)
    assert [claim.chat_id for claim in batch.claims] == []
    library.engine.dispose()


def test_admin_in_chat_says_what_the_operator_can_do_here(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, "/admin", "/thaythe 1")
    assert "Trong cdsbot chat, bạn (người vận hành máy chủ) là quản trị viên và có thể:" in out
    assert "🗑 /xoa ID" in out and "/hanchot_them" in out and "Không làm được trong cdsbot chat:" in out
    assert "cdsbot ingest tệp-hoặc-thư-mục" in out
    assert "🔁 Trong cdsbot chat không gửi được tệp: thay tài liệu #1" in out


def test_xoa_asks_then_the_letter_of_the_button_removes_the_document(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, "/xoa", "/xoa 2", "b", "/xoa 2", "a", "a", "/nguon 2")
    assert "Cú pháp: /xoa ID — số tài liệu xem trong /tailieu." in out
    assert "Xoá tài liệu #2 «Hải Dương yêu cầu gỡ vướng" in out and "[a] 🗑 Xoá  [b] Giữ lại" in out
    assert "Đã giữ lại tài liệu #2." in out
    assert "🗑 Đã xoá tài liệu #2 «Hải Dương yêu cầu gỡ vướng" in out
    # After the removal the message lost its buttons: "a" is a question again, not a second press.
    assert out.count("🗑 Đã xoá tài liệu #2") == 1
    assert "Không có tài liệu số 2" in out
    library = open_library(Settings(_env_file=None, data_dir=chat_env, demo=False), load_demo=False)  # type: ignore[call-arg]
    with Session(library.engine) as session:
        assert session.get(Document, 2) is None and session.get(Document, 1) is not None
    library.engine.dispose()


def test_a_deadline_button_pressed_by_letter_deletes_it(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = chat(monkeypatch, capsys, ADD_DEADLINE, "a", "a", "/hanchot")
    assert "Xoá hạn chót #" in out and "«Hoàn thành cổng <b>dịch vụ công</b>»?" in out
    assert "🗑 Đã xoá hạn chót #" in out
    assert out.rstrip().endswith("Không có hạn chót nào sắp tới hoặc mới quá hạn.")


def test_help_in_chat_lists_every_command_and_none_is_telegram_only(
    chat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.commands import all_commands

    commands = [f"/{name}" for name, _ in all_commands() if name not in ("start", "help", "trogiup")]
    out = chat(monkeypatch, capsys, *commands)
    assert "chỉ dùng được trong Telegram" not in out and "Tôi chưa hiểu lệnh" not in out


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bold_is_ansi_on_a_terminal_unless_no_color(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    settings = Settings(_env_file=None, data_dir=demo_dir, demo=False)  # type: ignore[call-arg]
    library = open_library(settings, load_demo=False)
    stdout = _Tty()
    run_chat(settings, library, stdin=io.StringIO("Hải Dương xếp hạng chuyển đổi số thứ mấy năm 2023?\n"), stdout=stdout)
    answer = stdout.getvalue().split("/thoat để thoát.", 1)[1]
    assert re.search("\033\\[1m[^\033]*13/63[^\033]*\033\\[0m", answer) and "<b>" not in answer
    assert wants_ansi(_Tty()) and not wants_ansi(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_ansi(_Tty())
    assert to_terminal(text("Xếp ") + bold("13/63"), ansi=False) == "Xếp 13/63"
    library.engine.dispose()
