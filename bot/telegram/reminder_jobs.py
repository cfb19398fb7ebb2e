"""The reminder scheduler tick: claim what is due, send it, record the outcome.

PTB's JobQueue (APScheduler 3) only wakes us once a minute; what is due comes
from the database (knowledge/reminders/), so a restart, a missed tick or a
second bot process changes nothing about what gets sent. Telegram faults map
onto the ledger:

- sent → the claim is marked sent (with the message id);
- ``RetryAfter`` is waited out by the ``AIORateLimiter``; if it still fails,
  like a network error, the claim is released and the next tick retries;
- ``Forbidden`` (bot blocked, removed from the group) or "chat not found" →
  the subscription is deactivated with the reason, which admins see in
  /dsdangky and the weekly admin digest;
- ``ChatMigrated`` (group upgraded to supergroup) → the subscription and its
  ledger move to the new id and the next tick sends there;
- any other ``BadRequest`` would fail forever, so the claim is marked failed.

The reminder and digest texts come from ``bot.render.deadlines`` as styled
text and become Telegram HTML through ``bot.render.html.to_html``, which
escapes every piece of document text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Job

from bot.render.deadlines import completion_buttons, digest_rich, reminder_rich
from bot.render.html import split_message, to_html
from bot.render.telegram_html import is_entity_error, plain_text
from bot.telegram.context import CdsApplication, CdsContext, run_blocking
from bot.telegram.delivery import keyboard
from bot.telegram.sending import may_have_arrived
from knowledge.provinces import Gazetteer
from knowledge.reminders.clock import ReminderPolicy
from knowledge.reminders.ledger import (
    ReminderClaim,
    claim_due_reminders,
    mark_sent,
    release_claim,
)
from knowledge.reminders.subscriptions import (
    REASON_CHAT_NOT_FOUND,
    REASON_FORBIDDEN,
    deactivate,
    move_chat,
)

log = logging.getLogger(__name__)

JOB_NAME = "cds-reminders"
TICK_SECONDS = 60
CALLBACK_DONE = "dl:done:"
CALLBACK_NOT_DONE = "dl:todo:"
MAX_QUOTE_CHARS = 400
MAX_AGENCY_CHARS = 200
MAX_DIGEST_ITEMS = 20

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------


@dataclass
class TickReport:
    """What one tick did, for the log and for tests."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deactivated: list[int] = field(default_factory=list)


async def _send(bot: Bot, claim: ReminderClaim, policy: ReminderPolicy, today: date) -> int:
    """Send a claim's message, split under Telegram's limit; returns the id of the last part (with the buttons).

    Not through ``bot.telegram.sending``: its faults must reach :func:`deliver`,
    which records them in the ledger.
    """
    if claim.deadline is not None:
        text = to_html(reminder_rich(claim.deadline, today))
        markup: InlineKeyboardMarkup | None = keyboard(completion_buttons(claim.deadline.id))
    else:
        assert claim.digest is not None
        digest = digest_rich(
            claim.digest, today, for_admins=claim.kind.startswith("admin-"), horizon_days=policy.digest_horizon_days
        )
        text, markup = to_html(digest), None
    parts = split_message(text)
    message_id = 0
    for number, part in enumerate(parts, start=1):
        reply_markup = markup if number == len(parts) else None
        try:
            sent = await bot.send_message(
                claim.chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            if not is_entity_error(exc.message):
                raise
            # A reminder unread is worse than a reminder without bold: send the same words as plain text.
            log.warning("Telegram refused reminder %s HTML (%s); sending it as plain text", claim.kind, exc.message)
            sent = await bot.send_message(
                claim.chat_id,
                plain_text(part),
                reply_markup=reply_markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        message_id = sent.message_id
    return message_id


async def deliver(
    bot: Bot, engine: Engine, policy: ReminderPolicy, claim: ReminderClaim, now: datetime, report: TickReport
) -> None:
    """Send one claimed reminder and record what Telegram said (see the module docstring)."""
    today = policy.local(now).date()
    try:
        message_id = await _send(bot, claim, policy, today)
    except Forbidden as exc:
        log.info("chat %s refuses messages (%s); deactivating its subscription", claim.chat_id, exc.message)
        await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
        if await run_blocking(deactivate, engine, claim.chat_id, f"{REASON_FORBIDDEN}: {exc.message}", now):
            report.deactivated.append(claim.chat_id)
        report.failed += 1
    except ChatMigrated as exc:
        log.info("chat %s migrated to %s", claim.chat_id, exc.new_chat_id)
        await run_blocking(release_claim, engine, claim.ledger_id)
        await run_blocking(move_chat, engine, claim.chat_id, exc.new_chat_id, now)
        report.retried += 1
    except RetryAfter as exc:
        log.warning("flood control persisted for chat %s (%s); retrying next tick", claim.chat_id, exc.message)
        await run_blocking(release_claim, engine, claim.ledger_id)
        report.retried += 1
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
            if await run_blocking(deactivate, engine, claim.chat_id, f"{REASON_CHAT_NOT_FOUND}: {exc.message}", now):
                report.deactivated.append(claim.chat_id)
        else:
            # The message itself is wrong; sending it again would fail again.
            log.error("Telegram refused reminder %s for chat %s: %s", claim.kind, claim.chat_id, exc.message)
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
        report.failed += 1
    except TimedOut as exc:
        if may_have_arrived(exc):
            # Telegram may well have delivered it: at most once beats twice.
            log.warning("%s to chat %s timed out and was probably delivered; not sending again", claim.kind, claim.chat_id)
            await run_blocking(mark_sent, engine, claim.ledger_id, now=now)
            report.sent += 1
        else:
            await run_blocking(release_claim, engine, claim.ledger_id)
            report.retried += 1
    except (NetworkError, TelegramError) as exc:
        log.warning("could not send %s to chat %s (%s); retrying next tick", claim.kind, claim.chat_id, exc)
        await run_blocking(release_claim, engine, claim.ledger_id)
        report.retried += 1
    else:
        await run_blocking(mark_sent, engine, claim.ledger_id, now=now, message_id=message_id)
        report.sent += 1


async def run_reminders(
    bot: Bot, engine: Engine, policy: ReminderPolicy, gazetteer: Gazetteer, now: datetime
) -> TickReport:
    """One tick: claim batch after batch of subscriptions, sending each batch's claims."""
    report = TickReport()
    after = 0
    while True:
        batch = await run_blocking(claim_due_reminders, engine, policy, gazetteer, now, after=after)
        for claim in batch.claims:
            if claim.chat_id in report.deactivated:
                # Telegram just refused this chat; the rest of its claims would be refused too.
                await run_blocking(mark_sent, engine, claim.ledger_id, now=now, status="failed")
                report.failed += 1
                continue
            await deliver(bot, engine, policy, claim, now, report)
        if batch.next_after is None:
            break
        after = batch.next_after
    if report.sent or report.retried or report.failed:
        log.info(
            "reminders: %d sent, %d to retry, %d failed, %d chats deactivated",
            report.sent,
            report.retried,
            report.failed,
            len(report.deactivated),
        )
    return report


async def reminder_job(context: CdsContext) -> None:
    """The JobQueue callback: run one tick with the application's services."""
    services = context.services
    await run_reminders(
        context.bot,
        services.library.engine,
        services.policy,
        services.library.gazetteer,
        services.clock.now(),
    )


def schedule_reminders(
    application: CdsApplication, *, interval: float = TICK_SECONDS, first: float = 1
) -> Job[CdsContext] | None:  # type: ignore[type-var]
    """Wake the reminder tick every ``interval`` seconds, starting ``first`` seconds after start.

    Late or missed runs are simply coalesced: the ledger, not APScheduler's
    misfire handling, decides what is still owed.
    """
    if application.job_queue is None:
        log.warning("python-telegram-bot[job-queue] is not installed: deadline reminders are off")
        return None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    return application.job_queue.run_repeating(
        reminder_job,  # type: ignore[arg-type]
        interval=interval,
        first=first,
        name=JOB_NAME,
        job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
