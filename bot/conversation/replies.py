"""What the conversation hands a front end: who asked, and the reply to deliver (text, buttons, notices, a chart)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.render.chart import Chart
from bot.render.html import split_message, to_html
from bot.render.rich import Rich, text

Button = tuple[str, str]
Keyboard = list[list[Button]]

# Said by every part of the conversation: one wording each.
ADMINS_ONLY = "Chỉ quản trị viên của bot mới dùng được lệnh này."
UNUSABLE_BUTTON = "Nút này không còn dùng được."
# Telegram chat types whose members are a team (reminders to a group reach all of them).
GROUP_CHAT_TYPES = ("group", "supergroup")


@dataclass(frozen=True)
class Asker:
    """Who is asking and through what: for the question log, the rate limit and permissions.

    ``may_manage_chat`` is what the front end found out about the chat: in a
    Telegram group only the group's admins (or the bot's) may (un)subscribe
    it; a private chat or the terminal manages itself.
    """

    channel: str
    chat_id: int | None = None
    user_id: int | None = None
    is_admin: bool = False
    user_name: str | None = None
    chat_type: str = "private"
    chat_title: str | None = None
    may_manage_chat: bool = True

    @property
    def in_group(self) -> bool:
        return self.chat_type in GROUP_CHAT_TYPES


@dataclass(frozen=True)
class Reply:
    """A message to show: styled text, buttons as (label, callback data) rows, maybe a reply prompt or a chart.

    ``reply_prompt`` asks the front end to make the user's next message a
    reply to this one (Telegram's ForceReply) with that placeholder.
    ``chart`` is drawn after the message: a photo in Telegram, a PNG file in
    the terminal.
    """

    body: Rich
    buttons: Keyboard = field(default_factory=list)
    reply_prompt: str | None = None
    chart: Chart | None = None

    @property
    def html(self) -> str:
        """The body as Telegram HTML."""
        return to_html(self.body)

    @property
    def parts(self) -> list[str]:
        """The message as Telegram HTML cut under Telegram's length limit; buttons go under the last part."""
        return split_message(self.html)


def say(message: str | Rich, buttons: Keyboard | None = None) -> Reply:
    """A reply from plain or styled text."""
    return Reply(text(message) if isinstance(message, str) else message, buttons or [])


@dataclass(frozen=True)
class ButtonResult:
    """What pressing a button does.

    ``toast`` is the short notice on the button (``alert`` makes it a dialog);
    ``reply`` is a message to send, or to put in place of the pressed one when
    ``edit``; ``buttons`` alone replaces the pressed message's buttons;
    ``chart`` is a chart to show without any message (an indicator button).
    """

    toast: str | None = None
    reply: Reply | None = None
    edit: bool = False
    buttons: Keyboard | None = None
    alert: bool = False
    chart: Chart | None = None


@dataclass(frozen=True)
class InlineArticle:
    """One result of an inline query (``@bot câu hỏi`` typed in any chat)."""

    id: str
    title: str
    description: str
    body: Rich

    @property
    def html(self) -> str:
        """The first part of the message as Telegram HTML (an inline result is one message)."""
        return split_message(to_html(self.body))[0]
