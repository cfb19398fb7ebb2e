"""`cdsbot chat` on a real terminal (a pseudo-terminal): arrow keys recall earlier lines, across sessions."""

from __future__ import annotations

import codecs
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "hai duong xep hang bao nhieu"
UP = "\x1b[A"

pytest.importorskip("readline")


class Terminal:
    """`cdsbot chat` attached to a pseudo-terminal, so it sees a tty as an operator's shell would give it."""

    def __init__(self, data_dir: Path) -> None:
        self.master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CDSBOT_", "TELEGRAM_"))}
        env |= {
            "CDSBOT_DATA_DIR": str(data_dir),
            "CDSBOT_DEMO": "1",
            "PYTHONPATH": str(ROOT),
            "TERM": "xterm",
            "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main(['chat']))"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=data_dir,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_for(self, needle: str, *, count: int = 1, timeout: float = 300) -> None:
        """Read the screen until `needle` has appeared `count` times."""
        deadline = time.monotonic() + timeout
        while self.seen.count(needle) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"{needle!r} ×{count} never shown; the screen was:\n{self.seen[-2000:]}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # The child closed the terminal.
                    chunk = b""
                if not chunk:
                    assert self.seen.count(needle) >= count, f"chat ended; the screen was:\n{self.seen[-2000:]}"
                self.seen += self.decoder.decode(chunk)

    def close(self) -> int:
        self.type("/thoat\r")
        code = self.process.wait(timeout=60)
        os.close(self.master)
        return code


def test_up_arrow_recalls_the_last_question_and_history_survives_a_restart(tmp_path: Path) -> None:
    first = Terminal(tmp_path)
    try:
        first.wait_for("Bạn › ")
        first.type(QUESTION + "\r")
        first.wait_for("13/63")
        first.wait_for("Bạn › ", count=2)
        first.type(UP + "\r")  # The same question again, without retyping it.
        first.wait_for("13/63", count=2)
    finally:
        assert first.close() == 0
    history = tmp_path / "chat_history"
    assert QUESTION in history.read_text(encoding="utf-8")
    assert history.stat().st_mode & 0o077 == 0  # The operator's questions are theirs alone.

    second = Terminal(tmp_path)
    try:
        second.wait_for("Bạn › ")
        second.type(UP + UP + "\r")  # Remembered from the first session, before its /thoat.
        second.wait_for("13/63")
    finally:
        assert second.close() == 0
