"""Fixtures for the bot: the demo library on a fresh SQLite copy, the fake Bot API, a running Application.

The Application is the real one from ``bot.app.build_application`` (every
module's handlers, the rate limiter, the error handler), pointed at the fake
server through the same settings an operator would use for a self-hosted Bot
API server. The lifecycle is driven by hand: ``run_polling`` would install
signal handlers and close the test's event loop.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.services import Services
from bot.telegram.app import build_application
from bot.telegram.context import CdsApplication, CdsContext
from knowledge.library import Library
from tests.fake_telegram import FakeTelegram

ADMIN = 900
JSON = dict[str, Any]
_old_presses = itertools.count(1)


def bot_settings(tg: FakeTelegram, data_dir: Path, **overrides: Any) -> Settings:
    """Settings as an operator would write them, pointed at the fake server; no .env read."""
    values: dict[str, Any] = {
        "telegram_bot_token": tg.token,
        "telegram_api_url": tg.base_url,
        "telegram_file_url": tg.base_file_url,
        "data_dir": data_dir,
        "demo": False,
        "admin_ids": frozenset({ADMIN}),
        "rate_limit_per_minute": 20,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class RunningBot:
    """One bot process against the fake: its Application, services, and the errors its handlers raised."""

    def __init__(self, tg: FakeTelegram, services: Services) -> None:
        self.tg = tg
        self.services = services
        self.errors: list[BaseException] = []
        self.app: CdsApplication = build_application(services)
        self.app.add_error_handler(self._record_error)  # type: ignore[arg-type]

    async def _record_error(self, update: object, context: CdsContext) -> None:
        assert context.error is not None
        self.errors.append(context.error)

    @property
    def library(self) -> Library:
        return self.services.library

    async def start_polling(self) -> None:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)

    async def stop(self) -> None:
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def reply_to(self, text: str, *, user_id: int = 42, **kwargs: Any) -> JSON:
        """Send a message as a user and return the bot's next sendMessage to that chat."""
        chat_id = kwargs.get("chat_id") or user_id
        before = len([c for c in self.tg.calls("sendMessage") if c.get("chat_id") == chat_id])
        self.tg.send_message(text, user_id=user_id, **kwargs)
        calls = await self.tg.wait_for(
            "sendMessage", count=before + 1, predicate=lambda p: p.get("chat_id") == chat_id
        )
        return calls[before]


def press_on_old_message(tg: FakeTelegram, data: str, message: JSON, *, user_id: int) -> None:
    """Press a button under a message Telegram no longer shows the bot (an old one).

    The query then carries an InaccessibleMessage: only the chat, the message
    id and a zero date, and PTB's ``query.edit_message_text`` style shortcuts
    raise TypeError on it.
    """
    tg.push_update(
        {
            "callback_query": {
                "id": f"old-{next(_old_presses)}",
                "from": {"id": user_id, "is_bot": False, "first_name": "Test"},
                "message": {"chat": message["chat"], "message_id": message["message_id"], "date": 0},
                "chat_instance": "1",
                "data": data,
            }
        }
    )


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def services(tg: FakeTelegram, tmp_path: Path, demo_library: Library) -> Services:
    return Services(settings=bot_settings(tg, tmp_path / "data"), library=demo_library)


@pytest.fixture
async def bot(tg: FakeTelegram, services: Services) -> AsyncIterator[RunningBot]:
    running = RunningBot(tg, services)
    await running.start_polling()
    yield running
    await running.stop()
    assert not running.errors, running.errors
