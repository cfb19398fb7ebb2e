"""``cdsbot chat``: talk to the bot in the terminal, no Telegram token needed.

It goes through ``bot.conversation`` exactly like the Telegram handlers, so
questions, /start, /help, /tailieu, /nguon 3 and /thongke answer the same way.
Buttons are shown numbered: typing the number presses the button.
"""

from __future__ import annotations

import html
import re
import sys
from typing import TextIO

from bot import conversation
from bot.config import Settings
from bot.conversation import Asker, Keyboard, Reply
from bot.services import Services
from knowledge.library import Library

# The person at the terminal already holds the database, so /thongke is theirs;
# user id 0 stands for them in the feedback table.
TERMINAL_USER = Asker(channel="terminal", chat_id=None, user_id=0, is_admin=True)
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
    flat = [button for row in buttons for button in row]
    line = "  ".join(f"[{n}] {label}" for n, (label, _) in enumerate(flat, start=1))
    return line, [data for _, data in flat]


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
        """Print a reply; its buttons become the numbered ones.

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
    print("Gõ câu hỏi, một lệnh (/help) hoặc số của nút; /thoat để thoát.\n", file=stdout, flush=True)
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
        if line.isdigit() and pending and 1 <= int(line) <= len(pending):
            result = conversation.press(services, pending[int(line) - 1], TERMINAL_USER)
            if result.toast:
                print(f"({result.toast})", file=stdout, flush=True)
            if result.reply is not None:
                show(result.reply, keep_buttons=not result.edit)
            continue
        show(conversation.respond(services, line, TERMINAL_USER))
