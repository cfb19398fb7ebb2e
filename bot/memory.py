"""Per-process memory of the conversation: recent answers, rate-limit windows, cached examples, pending admin edits.

Nothing here is the source of truth (the database is); losing it on a restart
costs a user one "Câu hỏi này đã cũ" or an admin one repeated /thaythe.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from knowledge.answers.answer import Answer

ANSWER_CACHE_SIZE = 512
EXAMPLES_TTL_SECONDS = 600.0
RATE_WINDOW_SECONDS = 60.0
PENDING_SECONDS = 600.0

PendingKind = Literal["replace", "edit"]


class SlidingWindow:
    """At most ``limit`` events per user in any ``window`` seconds.

    A sliding window rather than a per-minute counter, so a burst at the end
    of one minute and the start of the next is still a burst.
    """

    def __init__(self, limit: int, window: float = RATE_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, user_id: int, now: float) -> float:
        """Record an event and return 0, or return the seconds to wait (nothing recorded)."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            events = self._events.setdefault(user_id, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(0.1, events[0] + self.window - now)
            events.append(now)
            if len(self._events) > 10_000:
                self._forget_idle(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, e in self._events.items() if not e or e[-1] <= now - self.window]:
            del self._events[user_id]


class ConversationState:
    """Per-process memory: recent answers (for buttons), rate-limit windows, cached examples.

    Lives on ``Services.memory`` and is shared by concurrently running
    handlers (``concurrent_updates``) and their worker threads, hence the lock.
    """

    def __init__(self, *, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.rate = SlidingWindow(per_minute)
        self._answers: OrderedDict[int, Answer] = OrderedDict()
        self._examples: tuple[float, list[str]] | None = None
        self._lock = threading.Lock()

    def remember(self, answer: Answer) -> None:
        if answer.question_id is None:
            return
        with self._lock:
            self._answers[answer.question_id] = answer
            self._answers.move_to_end(answer.question_id)
            while len(self._answers) > ANSWER_CACHE_SIZE:
                self._answers.popitem(last=False)

    def recall(self, question_id: int) -> Answer | None:
        with self._lock:
            answer = self._answers.get(question_id)
            if answer is not None:
                self._answers.move_to_end(question_id)
            return answer

    def cached_examples(self) -> list[str] | None:
        with self._lock:
            if self._examples and self.clock() - self._examples[0] < EXAMPLES_TTL_SECONDS:
                return list(self._examples[1])
            return None

    def store_examples(self, examples: list[str]) -> None:
        with self._lock:
            self._examples = (self.clock(), list(examples))

    def forget_examples(self) -> None:
        with self._lock:
            self._examples = None

    def forget_answers(self) -> None:
        """After a removal or a replacement: cached answers (and examples) may cite passages that are gone."""
        with self._lock:
            self._answers.clear()
            self._examples = None


@dataclass(frozen=True)
class Pending:
    """What an admin's next message in a chat is expected to be."""

    kind: PendingKind
    document_id: int
    expires_at: float


class PendingEdits:
    """Admins' pending /thaythe files and corrections, keyed by (chat, user), expiring after PENDING_SECONDS."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._table: dict[tuple[int, int], Pending] = {}
        self._lock = threading.Lock()

    def expect(self, chat_id: int, user_id: int, kind: PendingKind, document_id: int) -> None:
        with self._lock:
            self._table[(chat_id, user_id)] = Pending(kind, document_id, self._clock() + PENDING_SECONDS)

    def expected(self, chat_id: int, user_id: int, kind: PendingKind) -> Pending | None:
        with self._lock:
            pending = self._table.get((chat_id, user_id))
            if pending is None or pending.kind != kind:
                return None
            if pending.expires_at < self._clock():
                del self._table[(chat_id, user_id)]
                return None
            return pending

    def forget(self, chat_id: int, user_id: int) -> None:
        with self._lock:
            self._table.pop((chat_id, user_id), None)
