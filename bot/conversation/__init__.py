"""The conversation, independent of Telegram: a question, command or button in, a reply out.

Telegram handlers and the terminal chat (``cdsbot chat``) both go through
here, so what a newcomer tries in the terminal is what officials get in
Telegram. ``questions``, ``documents`` and ``deadlines`` answer their
commands and buttons; ``router`` dispatches a typed line or a button; and
``replies`` holds what goes out (styled text, buttons), which ``bot.render``
turns into Telegram HTML or terminal text.
"""

from bot.conversation.questions import examples

__all__ = ["examples"]  # `cdsbot ask` offers the bot's examples after a miss (bot.cli)
