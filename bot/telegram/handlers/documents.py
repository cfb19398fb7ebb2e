"""Admins add and correct documents from Telegram: files, links and correction lines (the Telegram-only inputs).

- A file sent in a private chat by an admin is downloaded (after checking its
  size against our limit and Telegram's 20 MB bot limit), parsed and stored
  in a worker thread; one progress message is edited as the work goes on and
  ends as the summary, with buttons to remove or correct the document.
  Anyone else's file gets a polite refusal and is never downloaded.
- A private message from an admin that is only an http(s) link is fetched and
  ingested as a news page with the link as its source. Everyone else's links
  are questions, so that filter checks the admin list before matching.
- An admin's ``tiêu đề: …`` lines answering "Sửa tiêu đề/ngày/tỉnh" correct a document.

What the bot says (progress, summaries, failures) and every command and
button (/admin, /xoa, /thaythe, Xoá, Sửa…) live in ``bot.conversation.documents``;
this module only receives what Telegram alone can carry and delivers the replies.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import mimetypes
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import filters

from bot.conversation import documents
from bot.conversation.replies import Asker, Reply, say
from bot.services import Services
from bot.telegram.context import CdsContext, run_blocking
from bot.telegram.delivery import asker_of, keyboard, send
from bot.telegram.sending import edit_html, send_html
from bot.uploads import (
    UploadInputError,
    UploadMetadata,
    check_upload_size,
    fetch_page,
    link_in,
    parse_caption,
)
from knowledge.documents.demo import store_real_document
from knowledge.documents.links import strip_credentials
from knowledge.documents.revisions import Revision, replace_document
from knowledge.documents.store import IngestResult

log = logging.getLogger(__name__)

_CHAT_ACTION_EVERY = 4.5  # Telegram shows a chat action for about 5 seconds


# ------------------------------------------------------------------ filters
class _FromAdmin(filters.MessageFilter):
    """Messages whose sender is one of the bot's admins (checked per message, from the settings)."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="FromAdmin")
        self._services = services

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and self._services.is_admin(message.from_user.id)


class _OnlyLink(filters.MessageFilter):
    """Messages that are nothing but one http(s) link."""

    def filter(self, message: Message) -> bool:
        return link_in(message.text) is not None


class _Correction(filters.MessageFilter):
    """An admin's answer to "Sửa tiêu đề/ngày/tỉnh": a reply to the prompt, or metadata lines while one is open."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="Correction")
        self._services = services

    def filter(self, message: Message) -> bool:
        return _correction_target(self._services, message) is not None


def _admin_text(services: Services) -> filters.BaseFilter:
    return (
        filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & _FromAdmin(services)
    )


def correction_filter(services: Services) -> filters.BaseFilter:
    """An admin's private correction lines (everyone else's "ngày: …" stays a question)."""
    return _admin_text(services) & _Correction(services)


def link_filter(services: Services) -> filters.BaseFilter:
    """An admin's private message that is only a link (everyone else's link is a question)."""
    return _admin_text(services) & _OnlyLink()


def _correction_target(services: Services, message: Message) -> int | None:
    if message.from_user is None:
        return None
    replied = message.reply_to_message
    from_bot = replied is not None and replied.from_user is not None and replied.from_user.is_bot
    asker = Asker(channel="telegram", chat_id=message.chat.id, user_id=message.from_user.id)
    return documents.correction_target(
        services, asker, message.text, replied.text if from_bot and replied is not None else None
    )


# ------------------------------------------------------------------ helpers
@asynccontextmanager
async def _busy(bot: Bot, chat_id: int, action: str) -> AsyncIterator[None]:
    """Show "đang gửi tệp…" / "đang nhập…" in the chat for as long as the work takes."""

    async def keep_showing() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id, action)
            except TelegramError as exc:  # cosmetic: never fail an upload over it
                log.debug("chat action failed: %s", exc)
            await asyncio.sleep(_CHAT_ACTION_EVERY)

    task = asyncio.create_task(keep_showing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def _ends_with_a_reason(bot: Bot, chat_id: int, progress: Message | None) -> AsyncIterator[None]:
    """An unexpected error while storing still turns "⏳ Đang phân tích…" into a reason.

    The error then goes on to the bot's error handler, which logs it.
    """
    try:
        yield
    except Exception:
        with suppress(TelegramError):
            await _show(bot, chat_id, progress, documents.failure(documents.STORE_FAILED))
        raise


async def _show(bot: Bot, chat_id: int, progress: MaybeInaccessibleMessage | None, reply: Reply) -> None:
    """Turn the progress message into ``reply``; without one (its sending timed out), send ``reply``."""
    markup: InlineKeyboardMarkup | None = keyboard(reply.buttons)
    if progress is None:
        await send_html(bot, chat_id, reply.html, markup)
    else:
        await edit_html(bot, progress, reply.html, markup)


async def _say(context: CdsContext, message: Message, reply: Reply) -> Message | None:
    return await send(context, message, reply, quote=False)


def _file_name(name: str | None, mime_type: str | None) -> str:
    """The uploaded file's name; a nameless file is named from its MIME type so its format is known."""
    if name:
        return name
    extension = mimetypes.guess_extension(mime_type or "") or ""
    return f"tai-lieu{extension}"


def _page_file_name(url: str) -> str:
    """A file name for a fetched page, for the document list ("chuyen-doi-so.html")."""
    parts = urlsplit(url)
    stem = PurePosixPath(parts.path).stem or (parts.hostname or "trang-web")
    return f"{stem[:80]}.html"


# ------------------------------------------------------------------ handlers
async def on_document(update: Update, context: CdsContext) -> None:
    """A file in a private chat: an admin's is added to the base, anyone else's is politely refused."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.document is not None
    services = context.services
    if user is None or not services.is_admin(user.id):
        await _say(context, message, say(documents.NOT_ADMIN_UPLOAD))
        return
    document = message.document
    name = _file_name(document.file_name, document.mime_type)
    try:
        metadata = parse_caption(message.caption, services.library.gazetteer)
        check_upload_size(document.file_size, services.settings.max_upload_bytes)
    except UploadInputError as exc:
        log.info("upload refused before download: %s", exc.detail)
        await _say(context, message, documents.failure(exc.user_message))
        return
    replacing = services.pending.expected(message.chat.id, user.id, "replace")
    chat_id = message.chat.id
    progress = await _say(context, message, documents.progress(f"Đang tải «{name}»…"))
    async with _busy(context.bot, chat_id, ChatAction.UPLOAD_DOCUMENT):
        try:
            telegram_file = await document.get_file()
            data = bytes(await telegram_file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("download of %s failed: %s", name, exc)
            failure = documents.failure("Không tải được tệp từ Telegram. Hãy gửi lại sau ít phút.")
            await _show(context.bot, chat_id, progress, failure)
            return
    if progress is not None:
        await edit_html(context.bot, progress, documents.progress(f"Đang phân tích «{name}»…").html)
    if replacing is not None:
        services.pending.forget(message.chat.id, user.id)
    ocr_progress = _ocr_progress(context.bot, progress, asyncio.get_running_loop())
    asker = await asker_of(update, context)
    async with (
        _busy(context.bot, message.chat.id, ChatAction.TYPING),
        _ends_with_a_reason(context.bot, chat_id, progress),
    ):
        # A first real document replaces the demo base (knowledge/documents/demo.py).
        outcome, demo_removed = await run_blocking(
            store_real_document,
            services.library,
            functools.partial(
                _store_upload,
                services,
                data,
                name,
                metadata,
                asker,
                replacing.document_id if replacing else None,
                ocr_progress,
            ),
        )
    reply = await run_blocking(documents.upload_outcome, services, outcome, demo_removed=demo_removed)
    await _show(context.bot, chat_id, progress, reply)


# --- issue 8: OCR progress, edited in place in the "Đang phân tích" message ---
_OCR_EDIT_TIMEOUT = 10.0


def _ocr_progress(
    bot: Bot, progress: Message | None, loop: asyncio.AbstractEventLoop
) -> Callable[[int, int], None] | None:
    """A callback for the worker thread: "Đang nhận dạng chữ: trang 3/12" after each page."""
    if progress is None:
        return None

    def report(page: int, pages: int) -> None:
        text = documents.progress(f"Đang nhận dạng chữ: trang {page}/{pages}").html
        future = asyncio.run_coroutine_threadsafe(edit_html(bot, progress, text), loop)
        try:
            # Waiting keeps the edits in page order; OCR takes seconds per page anyway.
            future.result(timeout=_OCR_EDIT_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - cosmetic: a failed edit never fails the upload
            log.debug("ocr progress edit failed: %s", exc)

    return report


def _store_upload(
    services: Services,
    data: bytes,
    name: str,
    metadata: UploadMetadata,
    asker: Asker,
    replacing: int | None,
    ocr_progress: Callable[[int, int], None] | None = None,
) -> IngestResult | Revision:
    """Parse and store an upload (in a worker thread): a new document, or a revision of ``replacing``."""
    provinces = list(metadata.provinces) or None
    store: Callable[..., IngestResult | Revision] = (
        functools.partial(replace_document, services.library, replacing)
        if replacing is not None
        else functools.partial(services.library.ingest_bytes, progress=ocr_progress)
    )
    return store(
        data,
        name,
        title=metadata.title,
        source=metadata.source,
        published=metadata.published,
        provinces=provinces,
        added_by=documents.added_by(asker),
        max_bytes=services.settings.max_upload_bytes,
    )


async def on_link(update: Update, context: CdsContext) -> None:
    """An admin's message that is only a link: fetch the page and add its article."""
    message = update.effective_message
    assert message is not None
    url = link_in(message.text)
    assert url is not None
    services = context.services
    chat_id = message.chat.id
    asker = await asker_of(update, context)
    progress = await _say(context, message, documents.progress("Đang tải trang web…"))
    timeout = services.settings.link_timeout_seconds
    async with _busy(context.bot, chat_id, ChatAction.TYPING):
        try:
            page = await fetch_page(
                url,
                max_bytes=services.settings.max_upload_bytes,
                timeout=timeout,
                ports=services.settings.link_ports,
                allow_loopback=services.settings.allow_loopback_links,
            )
        except UploadInputError as exc:
            log.info("link refused: %s", exc.detail)
            await _show(context.bot, chat_id, progress, documents.failure(exc.user_message))
            return
        if progress is not None:
            await edit_html(context.bot, progress, documents.progress("Đang phân tích trang web…").html)
        async with _ends_with_a_reason(context.bot, chat_id, progress):
            result, demo_removed = await run_blocking(
                store_real_document,
                services.library,
                functools.partial(
                    services.library.ingest_bytes,
                    page.data,
                    _page_file_name(page.url),
                    source=strip_credentials(url),
                    added_by=documents.added_by(asker),
                    max_bytes=services.settings.max_upload_bytes,
                ),
            )
    reply = await run_blocking(
        documents.upload_outcome, services, result, what="bài viết", demo_removed=demo_removed
    )
    await _show(context.bot, chat_id, progress, reply)


async def on_correction(update: Update, context: CdsContext) -> None:
    """An admin's ``tiêu đề: …`` / ``ngày: …`` / ``tỉnh: …`` lines correcting a stored document."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    document_id = _correction_target(services, message)
    assert document_id is not None
    asker = await asker_of(update, context)
    reply = await run_blocking(documents.correct, services, document_id, message.text, asker)
    await _say(context, message, reply)
