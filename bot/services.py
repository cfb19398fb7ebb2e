"""What every front end uses, built once from the settings: the library, the clock, the process memory.

The composition root (``bot.cli.main``) builds one :class:`Services`; the
Telegram application, the terminal chat and the CLI commands receive it.
Tests swap the clock for a ``ManualClock`` by passing it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.memory import ConversationState, PendingEdits
from knowledge.reminders.clock import Clock, ReminderPolicy, SystemClock

# The library (SQLAlchemy, the parse worker, OCR) is imported by open_library: a
# cold `cdsbot ask` builds Services over bot.plain_settings.PlainSettings and
# knowledge.answers.saved_base.SavedBase to offer the bot's example questions.
if TYPE_CHECKING:
    from bot.config import Settings
    from knowledge.library import Library


@dataclass
class Services:
    """Settings, the library and per-process state, typed."""

    settings: Settings
    library: Library
    clock: Clock = field(default_factory=SystemClock)
    memory: ConversationState = field(init=False)
    pending: PendingEdits = field(default_factory=PendingEdits)

    def __post_init__(self) -> None:
        self.memory = ConversationState(per_minute=self.settings.rate_limit_per_minute)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @cached_property
    def policy(self) -> ReminderPolicy:
        """The reminder rules the settings describe (CDSBOT_REMINDER_LEAD_DAYS, _TIME, CDSBOT_TIMEZONE)."""
        return ReminderPolicy(
            lead_days=tuple(self.settings.reminder_lead_days),
            send_time=self.settings.reminder_time,
            tz=self.tz,
            admin_ids=frozenset(self.settings.admin_ids),
        )

    def today(self) -> date:
        """Today in the configured time zone (deadlines are calendar dates there)."""
        return self.clock.now().astimezone(self.tz).date()


def open_library(settings: Settings, *, load_demo: bool | None = None) -> Library:
    """Open the database and the index; load the demo base on a first start if wanted.

    ``load_demo`` None follows CDSBOT_DEMO (unset counts as yes: a first
    `cdsbot ask` answers from the demo); callers that add real documents or
    serve officials pass their own decision.
    """
    from knowledge.db import make_engine
    from knowledge.documents.ocr import OcrReader
    from knowledge.documents.worker import ParseWorker
    from knowledge.library import Library

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    library = Library(
        engine,
        index_dir=settings.index_dir,
        parse_worker=ParseWorker(settings.parse_limits),
        ocr=OcrReader(max_pages=settings.ocr_max_pages),
    )
    if load_demo if load_demo is not None else settings.demo is not False:
        library.load_demo_once()
    return library
