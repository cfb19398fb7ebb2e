"""Where time comes from and when reminders are due: the clock, the policy, lead kinds.

Time comes from a :class:`Clock` so tests can move it; every function takes
``now`` (timezone-aware) rather than reading the system time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

# --------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------


class Clock(Protocol):
    """Where "now" comes from: the system in production, a hand-moved clock in tests."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True)
class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class ManualClock:
    """A clock that moves only when told to, so tests can let days pass in microseconds."""

    current: datetime

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current = self.current + delta
        return self.current

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware datetime")
        self.current = instant


def iso_week(day: date) -> str:
    """ "2026-W48": the ISO week a digest belongs to (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders are due; built from the settings by the bot."""

    lead_days: tuple[int, ...] = (7, 1, 0)
    send_time: time = time(8, 0)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # A reminder missed while the bot was down still goes out unless the
    # deadline passed more than this many days ago: by then it is noise.
    stale_after_days: int = 7
    digest_horizon_days: int = 30
    # How far back "overdue" reaches in digests and /hanchot: directives from
    # years ago are full of deadlines nobody will report on any more.
    overdue_window_days: int = 30
    claim_timeout: timedelta = timedelta(hours=1)
    admin_ids: frozenset[int] = frozenset()

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.tz)

    def at(self, day: date) -> datetime:
        """The instant reminders for ``day`` go out."""
        return datetime.combine(day, self.send_time, tzinfo=self.tz)


def lead_kind(lead: int) -> str:
    """Ledger kind of a lead time: "lead7", "lead1"; the due day itself is "due"."""
    return "due" if lead == 0 else f"lead{lead}"


def kind_lead(kind: str) -> int | None:
    """Inverse of :func:`lead_kind`; None for digests."""
    if kind == "due":
        return 0
    m = re.fullmatch(r"lead(\d+)", kind)
    return int(m.group(1)) if m else None
