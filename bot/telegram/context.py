"""The typed PTB Application and handler context, and the one way handlers run blocking work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services

T = TypeVar("T")


class CdsApplication(Application):  # type: ignore[type-arg]
    """The PTB Application carrying our services."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services


class CdsContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Handler context with typed access to the services."""

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, CdsApplication)
        return application.services


async def run_blocking(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run synchronous work (underthesea, BM25, SQL) off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)
