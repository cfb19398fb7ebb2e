"""``cdsbot chat``: talk to the bot in the terminal, no Telegram token needed.

It goes through ``bot.conversation`` exactly like the Telegram handlers, so
questions, /start, /help, /tailieu, /nguon 3 and /thongke answer the same way.
Buttons are shown as letters ([a], [b]) so they never look like citation numbers; typing the letter presses the button.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import TextIO

from bot import conversation, progress_view
from bot.config import Settings
from bot.conversation import Asker, Keyboard, Reply
from bot.progress_view import ProgressReply
from bot.services import Services
from index.text import fold
from knowledge.library import Library

# The person at the terminal already holds the database, so /thongke is theirs;
# user id 0 stands for them in the feedback table.
TERMINAL_USER = Asker(channel="terminal", chat_id=None, user_id=0, is_admin=True)
_KEYS = "abcdefghijklmnopqrstuvwxyz"
QUIT = {"/thoat", "/quit", "/exit", "thoat", "exit", "quit"}

_LINK_RE = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")


def html_to_text(text: str, *, bold: bool = False) -> str:
    """Telegram HTML as terminal text: tags dropped (bold as ANSI if wanted), entities unescaped."""
    text = _LINK_RE.sub(lambda m: m.group(2), text)
    if bold:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return html.unescape(_TAG_RE.sub("", text))


def _buttons_line(buttons: Keyboard) -> tuple[str, list[str]]:
    """Buttons as ``[a] Nguồn  [b] Kết quả khác``: letters, so they never look like citation numbers ``[1]``."""
    flat = [button for row in buttons for button in row][: len(_KEYS)]
    line = "  ".join(f"[{_KEYS[n]}] {label}" for n, (label, _) in enumerate(flat))
    return line, [data for _, data in flat]


def _button_index(line: str, pending: list[str]) -> int | None:
    """Which shown button a typed letter presses, if any."""
    key = line.lower()
    if len(key) == 1 and key in _KEYS[: len(pending)]:
        return _KEYS.index(key)
    return None


def run_chat(
    settings: Settings,
    library: Library,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Read lines until EOF or /thoat; answer each through the conversation."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    services = Services(settings=settings, library=library)
    pending: list[str] = []

    def show(reply: Reply, *, keep_buttons: bool = False) -> None:
        """Print a reply; its buttons become the pressable ones.

        A message sent by a button without buttons of its own (the whole
        passage) leaves the answer's buttons pressable, as in Telegram.
        """
        nonlocal pending
        print(html_to_text(reply.html, bold=interactive), file=stdout)
        if reply.buttons:
            line, pending = _buttons_line(reply.buttons)
            print(line, file=stdout)
        elif not keep_buttons:
            pending = []
        print(file=stdout, flush=True)

    show(conversation.start(services))
    print("Gõ câu hỏi, một lệnh (/help) hoặc chữ cái của nút; /thoat để thoát.\n", file=stdout, flush=True)
    while True:
        if interactive:
            print("Bạn › ", end="", file=stdout, flush=True)
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            print(file=stdout)
            return 0
        if not line:
            return 0
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            return 0
        # progress (issue 9): /tiendo, /xephang and the card's buttons; charts go to files.
        index = _button_index(line, pending)
        pressed = pending[index] if index is not None else None
        progress_result = _progress(services, line, pressed)
        if progress_result is not None:
            if pressed is None or progress_result.chart is None:
                show(progress_result.reply, keep_buttons=pressed is not None)
            if progress_result.chart is not None:
                path = write_chart(settings.data_dir / "charts", progress_result.chart)
                print(f"Biểu đồ: {path}\n", file=stdout, flush=True)
            continue
        if pressed is not None:
            result = conversation.press(services, pressed, TERMINAL_USER)
            if result.toast:
                print(f"({result.toast})", file=stdout, flush=True)
            if result.reply is not None:
                show(result.reply, keep_buttons=not result.edit)
            continue
        show(conversation.respond(services, line, TERMINAL_USER))


# --- progress (issue 9) ---
def _progress(services: Services, line: str, pressed: str | None) -> ProgressReply | None:
    """The progress reply for /tiendo, /xephang or a card button; None for anything else."""
    if pressed is not None:
        if pressed.startswith(progress_view.BUTTON_PREFIX):
            return progress_view.press_indicator(services, pressed)
        return None
    head, _, args = line.partition(" ")
    command = head.split("@", 1)[0].lower()
    if command == "/tiendo":
        return progress_view.tiendo(services, args)
    if command == "/xephang":
        return ProgressReply(progress_view.xephang(services, args))
    return None


def write_chart(folder: Path, chart: progress_view.Chart) -> Path:
    """Draw the chart into ``folder`` and return the file's path (the terminal cannot show a photo)."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", fold(chart.province.lower())).strip("-")
    path = folder / f"tiendo-{slug}-{chart.indicator}.png"
    path.write_bytes(progress_view.draw_chart(chart))
    return path
