"""``cdsbot chat``: talk to the bot in the terminal, no Telegram token needed.

It goes through ``bot.conversation.router`` exactly like the Telegram
handlers, so every command answers the same way: questions, /start, /help,
/tailieu, /nguon 3, /thongke, /hanchot, /dangky, /admin, /xoa, /tiendo…
Replies are the same :class:`Reply` objects Telegram gets, rendered by
``bot.render.terminal``: plain text, bold in ANSI on a terminal (never when
piped or when NO_COLOR is set). Buttons are shown as ``[a] Nguồn  [b] Kết
quả khác``: letters, so they never look like the citation numbers ``[1]``;
typing the letter presses the button. A chart (/tiendo) is written to a PNG
file in the data folder and its path printed.

The person at the terminal runs the machine and already holds the database,
so they are an admin here (/xoa, /hanchot_them, /thongke…). Their chat is
the "terminal" chat (``LOCAL_CHAT_TYPE``): /dangky there only filters its
/hanchot, since no reminder can be sent to a terminal.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.conversation import questions, router
from bot.conversation.replies import Asker, ButtonResult, Keyboard, Reply
from bot.render.chart import Chart, chart_caption, draw_chart
from bot.render.terminal import to_terminal, wants_ansi
from bot.services import Services
from index.text import fold
from knowledge.library import Library
from knowledge.reminders.subscriptions import LOCAL_CHAT_TYPE

# User id 0 and chat id 0 stand for the operator (Telegram never uses 0).
TERMINAL_USER = Asker(
    channel="terminal",
    chat_id=0,
    user_id=0,
    is_admin=True,
    user_name="cdsbot chat",
    chat_type=LOCAL_CHAT_TYPE,
    chat_title="cdsbot chat",
)
HISTORY_FILE = "chat_history"
HISTORY_LINES = 1000
QUIT = {"/thoat", "/quit", "/exit", "thoat", "exit", "quit"}
_KEYS = string.ascii_lowercase


def buttons_line(buttons: Keyboard) -> tuple[str, dict[str, str]]:
    """The buttons as ``[a] label  [b] label`` and what each letter presses."""
    flat = [button for row in buttons for button in row][: len(_KEYS)]
    keys = {_KEYS[n]: data for n, (_, data) in enumerate(flat)}
    line = "  ".join(f"[{_KEYS[n]}] {label}" for n, (label, _) in enumerate(flat))
    return line, keys


def write_chart(folder: Path, chart: Chart) -> Path:
    """Draw the chart into ``folder`` and return the file's path (a terminal cannot show a photo)."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", fold(chart.province.lower())).strip("-")
    path = folder / f"tiendo-{slug}-{chart.indicator}.png"
    path.write_bytes(draw_chart(chart))
    return path


class _Terminal:
    """One chat session: what is printed, and which letters press which buttons."""

    def __init__(self, services: Services, stdout: TextIO) -> None:
        self.services = services
        self.stdout = stdout
        self.ansi = wants_ansi(stdout)
        self.pending: dict[str, str] = {}

    def print(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def show(self, reply: Reply, *, keep_buttons: bool = False) -> None:
        """Print a reply; its buttons become the pressable ones.

        A message sent by a button without buttons of its own (the whole
        passage) leaves the earlier buttons pressable, as in Telegram.
        """
        self.print(to_terminal(reply.body, ansi=self.ansi))
        if reply.buttons:
            line, self.pending = buttons_line(reply.buttons)
            self.print(line)
        elif not keep_buttons:
            self.pending = {}
        if reply.chart is not None:
            self.show_chart(reply.chart)
        self.print()

    def show_chart(self, chart: Chart) -> None:
        path = write_chart(self.services.settings.data_dir / "charts", chart)
        caption = to_terminal(chart_caption(chart), ansi=self.ansi)
        self.print(f"{caption} — cdsbot chat không hiện được ảnh, biểu đồ đã được lưu thành tệp PNG:")
        self.print(f"Biểu đồ: {path}")

    def pressed(self, result: ButtonResult) -> None:
        if result.toast:
            self.print(f"({result.toast})")
        if result.buttons is not None:
            line, self.pending = buttons_line(result.buttons)
            self.print(line)
        if result.chart is not None:
            self.show_chart(result.chart)
            self.print()
        if result.reply is not None:
            self.show(result.reply, keep_buttons=not result.edit)


@contextmanager
def line_editing(history: Path) -> Iterator[None]:
    """Line editing and a history kept between sessions, as in a shell.

    The history holds questions only the operator asked on this machine, so
    it is written beside the database, readable by its owner only.
    """
    try:
        import readline
    except ImportError:  # Python built without it: plain input() still works.
        yield
        return
    readline.set_history_length(HISTORY_LINES)
    try:
        readline.read_history_file(history)
    except OSError:
        pass  # First run, or an unreadable file: start empty.
    try:
        yield
    finally:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
            history.chmod(0o600)
        except OSError:
            pass  # A read-only data folder loses the history, never the chat.


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
    terminal = _Terminal(services, stdout)
    terminal.show(questions.start(services))
    terminal.print("Gõ câu hỏi, một lệnh (/help) hoặc chữ cái của nút; /thoat để thoát.\n")
    if not interactive:
        return _converse(services, terminal, read=stdin.readline)
    with line_editing(Path(settings.data_dir) / HISTORY_FILE):
        # input() on a terminal goes through readline: arrows, Ctrl-R, history.
        return _converse(services, terminal, read=lambda: input("Bạn › ") + "\n")


def _converse(services: Services, terminal: _Terminal, *, read: Callable[[], str]) -> int:
    while True:
        try:
            line = read()
        except EOFError:
            return 0
        except KeyboardInterrupt:
            terminal.print()
            return 0
        if not line:
            return 0
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            return 0
        pressed = terminal.pending.get(line.lower())
        if pressed is not None:
            terminal.pressed(router.press(services, pressed, TERMINAL_USER))
            continue
        terminal.show(router.respond(services, line, TERMINAL_USER))
