"""The Bot API helpers every handler uses, over HTTP against the fake Bot API with a real PTB ``Bot``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InaccessibleMessage
from telegram.request import HTTPXRequest

from bot.ids import parse_id
from bot.telegram.sending import edit_html, send_html
from tests.fake_telegram import FakeTelegram

JSON = dict[str, Any]
READ_TIMEOUT = 0.3


class SlowFakeTelegram(FakeTelegram):
    """Answers the first call of the method named in ``slow`` only after the bot stopped waiting.

    The call still takes effect, as on Telegram: a timeout says nothing
    about whether the message was sent.
    """

    slow = ""

    async def _api_sendMessage(self, params: JSON) -> JSON:
        await self._slow_down("sendMessage")
        return await super()._api_sendMessage(params)

    async def _api_editMessageText(self, params: JSON) -> JSON | bool:
        await self._slow_down("editMessageText")
        return await super()._api_editMessageText(params)

    async def _slow_down(self, method: str) -> None:
        if method == self.slow and len(self.calls(method)) == 1:
            await asyncio.sleep(READ_TIMEOUT * 2)


@pytest.fixture
async def slow_tg() -> AsyncIterator[SlowFakeTelegram]:
    async with SlowFakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(slow_tg: SlowFakeTelegram) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=READ_TIMEOUT)
    async with Bot(slow_tg.token, base_url=slow_tg.base_url, request=request) as bot:
        yield bot


async def test_a_send_that_timed_out_is_not_sent_twice(slow_tg: SlowFakeTelegram, bot: Bot) -> None:
    slow_tg.slow = "sendMessage"
    assert await send_html(bot, 42, "Xin chào") is None
    await asyncio.sleep(READ_TIMEOUT * 2)  # the slow send lands meanwhile
    assert len(slow_tg.calls("sendMessage")) == 1
    assert [m["text"] for m in slow_tg.bot_messages] == ["Xin chào"]


async def test_an_edit_that_timed_out_is_tried_again(slow_tg: SlowFakeTelegram, bot: Bot) -> None:
    sent = await send_html(bot, 42, "trang 1")
    assert sent is not None
    slow_tg.slow = "editMessageText"
    # An old message's button carries only the chat and the message id.
    await edit_html(bot, InaccessibleMessage(sent.chat, sent.message_id), "trang 2")
    assert len(slow_tg.calls("editMessageText")) == 2
    assert slow_tg.last_bot_message(42)["text"] == "trang 2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("007", 7),
        ("999999999999999999", 999999999999999999),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("٣", None),  # an Arabic-Indic three: int() reads it, nobody types it as an id
        ("9999999999999999999", None),  # 19 digits may not fit SQLite's 64-bit integers
        ("", None),
        ("-1", None),
        (" 1", None),
    ],
)
def test_only_ascii_ids_that_fit_the_database_are_ids(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected
