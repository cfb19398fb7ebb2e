"""``cdsbot run``: clear startup errors, and the real process serving by polling and by webhook.

The serving tests start ``python -m bot.cli run`` as a child process pointed
at the fake Bot API through CDSBOT_TELEGRAM_API_URL, exactly how a province
would point it at its own telegram-bot-api server, then stop it with a signal
as systemd or Docker would.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.commands import all_commands
from bot.config import Settings
from bot.services import open_library
from bot.telegram.runner import announce_base, run_bot, token_problem
from knowledge.library import Library
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "hai duong xep hang chuyen doi so thu may nam 2023"


def settings_with_token(token: str | None, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        demo=False,
        telegram_bot_token=SecretStr(token) if token is not None else None,
    )


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, "Thiếu TELEGRAM_BOT_TOKEN"), ("", "Thiếu TELEGRAM_BOT_TOKEN"), ("abc", "không đúng định dạng"),
     ("123456:", "không đúng định dạng"), ("12a:xyz", "không đúng định dạng")],
)
def test_missing_or_malformed_token_is_one_line_and_exit_code_2(
    token: str | None, expected: str, tmp_path: Path, empty_library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_bot(settings_with_token(token, tmp_path), empty_library) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in captured.err and captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_well_formed_token_passes_the_check(tmp_path: Path) -> None:
    assert token_problem(settings_with_token("123456789:AAH-x_9", tmp_path)) is None


def test_cli_run_without_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("CDSBOT_TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Thiếu TELEGRAM_BOT_TOKEN") and "Traceback" not in err


def test_run_removes_a_demo_only_base_unless_demo_is_asked_for(
    demo_library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = Settings(_env_file=None, data_dir=tmp_path, demo=True)  # type: ignore[call-arg]
    announce_base(kept, demo_library)
    assert capsys.readouterr().err == "" and demo_library.document_count() == 5
    unset = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    announce_base(unset, demo_library)
    err = capsys.readouterr().err
    assert "Đã gỡ 5 tài liệu mẫu" in err and "cdsbot ingest" in err
    assert demo_library.document_count() == 0
    assert not demo_library.ask("Hải Dương xếp hạng bao nhiêu?").found


def test_run_on_an_empty_base_tells_how_to_add_documents(
    empty_library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    announce_base(Settings(_env_file=None, data_dir=tmp_path, demo=False), empty_library)  # type: ignore[call-arg]
    err = capsys.readouterr().err
    assert "chưa có tài liệu nào" in err and "cdsbot ingest" in err and "CDSBOT_DEMO=1" in err
    assert empty_library.document_count() == 0


def test_cli_run_does_not_load_the_demo_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CDSBOT_DEMO", raising=False)
    assert main(["run"]) == 2  # stops at the malformed token, after opening the base
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", demo=False)  # type: ignore[call-arg]
    library = open_library(settings)
    assert library.document_count() == 0
    library.engine.dispose()


# --------------------------------------------------------------------------- the real process


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


def child_env(tg: FakeTelegram, data_dir: Path, token: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDSBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token or tg.token,
        CDSBOT_TELEGRAM_API_URL=tg.base_url,
        CDSBOT_TELEGRAM_FILE_URL=tg.base_file_url,
        CDSBOT_DATA_DIR=str(data_dir),
        # These runs serve the demo base on purpose: only an explicit 1 keeps it under `run`.
        CDSBOT_DEMO="1",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


async def start_child(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", *args,
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def stop_child(process: asyncio.subprocess.Process, signum: int) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signum)
    _, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_run_polls_registers_commands_answers_and_saves_index_on_stop(
    tg: FakeTelegram, demo_dir: Path, tmp_path: Path
) -> None:
    shutil.rmtree(demo_dir / "index")
    process = await start_child(child_env(tg, demo_dir), tmp_path)
    try:
        [commands] = await tg.wait_for("setMyCommands", timeout=30)
        assert [c["command"] for c in commands["commands"]] == [c for c, _ in all_commands()]
        tg.send_message(QUESTION, user_id=42)
        [reply] = await tg.wait_for("sendMessage", timeout=15)
        assert "13/63" in reply["text"] and reply["parse_mode"] == "HTML"
    finally:
        code, err = await stop_child(process, signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in err
    assert (demo_dir / "index" / "manifest.json").exists()


async def test_sigint_during_a_long_upload_stops_within_seconds_and_the_admin_hears_why(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    env = child_env(tg, tmp_path / "data", CDSBOT_ADMIN_IDS="42")
    process = await start_child(env, tmp_path)
    sentence = "Sở Khoa học và Công nghệ tỉnh Vĩnh Phúc triển khai {} nền tảng số cho người dân năm 2025. "
    try:
        await tg.wait_for("setMyCommands", timeout=30)
        tg.send_document("".join(sentence.format(i) for i in range(40_000)).encode(), "rat-dai.txt", user_id=42)
        [progress] = await tg.wait_for("editMessageText", timeout=30)  # "⏳ Đang phân tích…"
        await asyncio.sleep(1.0)  # the worker is parsing (this file takes far longer than the test)
        stopped_at = time.monotonic()
    finally:
        code, err = await stop_child(process, signal.SIGINT)
    assert time.monotonic() - stopped_at < 10
    assert code == 0, err
    final = tg.get_message(42, progress["message_id"])
    assert final is not None and final["text"].startswith("❌") and "Bot đang dừng" in final["text"], final


async def test_run_with_rejected_token_says_so_in_one_line(tg: FakeTelegram, demo_dir: Path, tmp_path: Path) -> None:
    process = await start_child(child_env(tg, demo_dir, token="999:revoked"), tmp_path)
    _, err_bytes = await asyncio.wait_for(process.communicate(), 30)
    err = err_bytes.decode()
    assert process.returncode == 2
    assert "Telegram từ chối TELEGRAM_BOT_TOKEN" in err and "Traceback" not in err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_listening(port: int, timeout: float = 15) -> None:
    """PTB may call setWebhook a moment before its web server accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            await writer.wait_closed()
            return


async def test_run_webhook_checks_the_secret_on_every_update(tg: FakeTelegram, demo_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = child_env(tg, demo_dir, CDSBOT_WEBHOOK_SECRET="s3cret")
    process = await start_child(
        env, tmp_path, "--webhook-url", "https://bot.example.vn/cdsbot/hook", "--port", str(port), "--listen", "127.0.0.1"
    )
    try:
        [hook] = await tg.wait_for("setWebhook", timeout=30)
        assert hook["url"] == "https://bot.example.vn/cdsbot/hook" and hook["secret_token"] == "s3cret"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "from": {"id": 42, "is_bot": False, "first_name": "Test"},
                "chat": {"id": 42, "type": "private", "first_name": "Test"},
                "date": int(time.time()),
                "text": QUESTION,
            },
        }
        url = f"http://127.0.0.1:{port}/cdsbot/hook"
        await wait_listening(port)
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}) as r:
                assert r.status == 403
            async with session.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as r:
                assert r.status == 200
        [reply] = await tg.wait_for("sendMessage", timeout=15)
        assert "13/63" in reply["text"]
    finally:
        code, err = await stop_child(process, signal.SIGTERM)
    assert code == 0, err
    assert len(tg.calls("sendMessage")) == 1


async def test_webhook_url_refused_by_telegram_is_one_line(tg: FakeTelegram, demo_dir: Path, tmp_path: Path) -> None:
    process = await start_child(
        child_env(tg, demo_dir), tmp_path, "--webhook-url", "http://bot.example.vn/hook", "--port", str(free_port())
    )
    _, err_bytes = await asyncio.wait_for(process.communicate(), 30)
    err = err_bytes.decode()
    assert process.returncode == 1
    assert "Telegram báo lỗi khi khởi động bot" in err and "https" in err.lower() and "Traceback" not in err
