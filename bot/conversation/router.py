"""One way in: a typed line or a pressed button, routed to the command, question or button that answers it.

Telegram registers one handler per command of :data:`COMMANDS` (each calls
the same function) and sends every known button to :func:`press`;
``cdsbot chat`` calls :func:`respond` and :func:`press` for everything. So
every command answers the same way in both, and a command added here works
in both.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.conversation import deadlines, documents, progress, questions
from bot.conversation.replies import Asker, ButtonResult, Reply
from bot.services import Services

Command = Callable[[Services, str, Asker], Reply]

# Every command but /start and /help (they need the bot's @username): name -> (services, arguments, asker) -> Reply.
COMMANDS: dict[str, Command] = {
    "hoi": questions.ask,
    "tailieu": questions.documents_command,
    "nguon": questions.source_command,
    "thongke": lambda services, args, asker: questions.statistics(services, asker),
    "admin": documents.admin_help,
    "xoa": documents.remove_command,
    "thaythe": documents.replace_command,
    "hanchot": deadlines.hanchot,
    "dangky": deadlines.dangky,
    "huydangky": deadlines.huydangky,
    "dsdangky": deadlines.dsdangky,
    "hanchot_them": deadlines.hanchot_them,
    "hanchot_sua": deadlines.hanchot_sua,
    "tiendo": progress.tiendo,
    "xephang": progress.xephang,
}
# Commands whose answer depends on whether the asker may manage the chat (Telegram asks the group).
MANAGING_COMMANDS = frozenset({"dangky", "huydangky"})

_ID = "[0-9]{1,18}"
# Callback data of every button the conversation puts under a message; :func:`press` answers each.
KNOWN_BUTTONS = (
    rf"^(?:(?:src|more|fb|doc):{_ID}:{_ID}|docs:{_ID}"
    rf"|dl:(?:done|todo|del|delok|cancel):{_ID}"
    rf"|tl:(?:del|ok|keep|edit|sup):{_ID}(?::{_ID})?"
    rf"|{progress.BUTTON_PREFIX}[0-9]{{1,2}}:.{{1,60}})$"
)


def respond(services: Services, line: str, asker: Asker, *, bot_username: str | None = None) -> Reply:
    """A line typed by the user: a command, an admin's correction lines, or a question."""
    line = line.strip()
    if not line.startswith("/"):
        if asker.is_admin:
            target = documents.correction_target(services, asker, line, None)
            if target is not None:
                return documents.correct(services, target, line, asker)
        return questions.ask(services, line, asker)
    head, _, args = line[1:].partition(" ")
    command = head.split("@", 1)[0].lower()
    if command == "start":
        return questions.start(services, bot_username=bot_username)
    if command in ("help", "trogiup"):
        return questions.help_reply(bot_username=bot_username)
    answer = COMMANDS.get(command)
    if answer is None:
        return questions.unknown_command("/" + head)
    return answer(services, args.strip(), asker)


def press(services: Services, data: str, asker: Asker) -> ButtonResult:
    """What any button does, from its callback data."""
    if data.startswith(documents.PREFIX):
        return documents.press_button(services, data, asker)
    if data.startswith(deadlines.BUTTON_PREFIXES):
        return deadlines.press_button(services, data, asker)
    if data.startswith(progress.BUTTON_PREFIX):
        return progress.press_indicator(services, data, asker)
    return questions.press(services, data, asker)
