"""Admins add, correct, replace and remove documents from Telegram.

- A file sent in a private chat by an admin is downloaded (after checking its
  size against our limit and Telegram's 20 MB bot limit), parsed and stored
  in a worker thread; one progress message is edited as the work goes on and
  ends as the summary, with buttons to remove or correct the document.
  Anyone else's file gets a polite refusal and is never downloaded.
- A private message from an admin that is only an http(s) link is fetched and
  ingested as a news page with the link as its source. Everyone else's links
  are questions, so that filter checks the admin list before matching.
- ``/xoa ID`` removes a document after a confirm button; ``/thaythe ID`` makes
  the admin's next upload replace that document (same id, deadlines carried
  over or retired); ``/admin`` shows an admin all of this.

Buttons carry their state in callback data (``tl:<action>:<id>``); the two
things that wait for the admin's next message (a replacement upload, a
correction) live in ``services.pending`` (``bot.memory.PendingEdits``), keyed
by chat and user, and expire after ``PENDING_SECONDS``.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
import mimetypes
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlmodel import Session
from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import uploads
from bot.conversation import UNUSABLE_BUTTON
from bot.ids import parse_id
from bot.memory import PENDING_SECONDS
from bot.render.html import format_date, source_html
from bot.services import Services
from bot.telegram.context import CdsApplication, CdsContext, run_blocking
from bot.telegram.sending import (
    ReplyMarkup,
    answer_callback,
    command_argument,
    edit_html,
    reply_html,
    send_html,
)
from bot.uploads import (
    UploadInputError,
    UploadMetadata,
    check_upload_size,
    fetch_page,
    link_in,
    parse_caption,
)
from knowledge.deadlines.labels import due_label
from knowledge.deadlines.queries import DeadlineView, deadlines_between, view_of
from knowledge.documents.demo import DEMO_REMOVED, store_real_document
from knowledge.documents.links import strip_credentials
from knowledge.documents.parsers import SUPPORTED_EXTENSIONS
from knowledge.documents.revisions import (
    Revision,
    likely_previous_version,
    replace_document,
    supersede,
    update_metadata,
)
from knowledge.documents.store import IngestResult
from knowledge.errors import NotFoundError, UserFacingError

log = logging.getLogger(__name__)


DEADLINES_SHOWN = 5
_TASK_CHARS = 120
_CHAT_ACTION_EVERY = 4.5  # Telegram shows a chat action for about 5 seconds
_PREFIX = "tl:"
_EDIT_MARKER = "✏️ Sửa tài liệu #"
_EDIT_MARKER_RE = re.compile(r"^✏️ Sửa tài liệu #([0-9]{1,18})")

ADMINS_ONLY = "Chỉ quản trị viên của bot mới dùng được lệnh này."
STORE_FAILED = "Đã có lỗi khi lưu tài liệu nên không có gì được lưu. Hãy gửi lại sau ít phút."
NOT_ADMIN_UPLOAD = (
    "Cảm ơn bạn đã gửi tài liệu! Hiện chỉ quản trị viên mới thêm được tài liệu vào cơ sở dữ liệu, "
    "nên bot không lưu tệp này. Bạn vẫn có thể đặt câu hỏi như bình thường."
)
NOTHING_STORED = "Không có gì được lưu."
USAGE_XOA = "Cú pháp: /xoa ID — số tài liệu xem trong /tailieu."
USAGE_THAYTHE = "Cú pháp: /thaythe ID rồi gửi tệp bản sửa — số tài liệu xem trong /tailieu."


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


def _correction_target(services: Services, message: Message) -> int | None:
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        match = _EDIT_MARKER_RE.match(replied.text or "")
        if match:
            return parse_id(match.group(1))
    if message.from_user is None:
        return None
    pending = services.pending.expected(message.chat.id, message.from_user.id, "edit")
    if pending is not None and uploads.is_metadata_text(message.text):
        return pending.document_id
    return None


# ------------------------------------------------------------------ rendering
def admin_help_html() -> str:
    """What an admin can do, for /admin."""
    formats = ", ".join(sorted(e for e in SUPPORTED_EXTENSIONS if e != ".markdown"))
    return "\n".join(
        [
            "<b>Quản trị viên có thể:</b>",
            f"📎 Gửi tệp ({html.escape(formats)}) trong trò chuyện riêng với bot để thêm tài liệu.",
            "Chú thích của tệp (không bắt buộc), mỗi dòng một mục, thứ tự tuỳ ý:",
            "<code>tiêu đề: …</code>",
            "<code>nguồn: …</code>",
            "<code>ngày: dd/mm/yyyy</code>",
            "<code>tỉnh: Hải Dương, Bắc Ninh</code>",
            "Mục nào không ghi, bot tự nhận ra từ nội dung.",
            "🔗 Gửi đường dẫn http(s) tới một bài báo: bot tải bài và lưu, nguồn là đường dẫn đó.",
            "📚 /tailieu — danh sách tài liệu; /nguon ID — xem một tài liệu.",
            "🗑 /xoa ID — xoá một tài liệu (có nút xác nhận).",
            "🔁 /thaythe ID — gửi tệp ngay sau lệnh để thay tài liệu bằng bản sửa (giữ số tài liệu, "
            "hạn chót còn trong bản mới được giữ lại).",
            "⏰ /hanchot_them, /hanchot_sua — thêm, sửa hạn chót; /dsdangky — các nhóm đăng ký nhắc.",
            "📊 /thongke — thống kê câu hỏi.",
            "Tệp tối đa 20 MB (giới hạn tải tệp của Telegram cho bot).",
        ]
    )


def _deadline_line(view: DeadlineView) -> str:
    task = view.task if len(view.task) <= _TASK_CHARS else view.task[: _TASK_CHARS - 1] + "…"
    return f"• {html.escape(due_label(view))} — {html.escape(task)}"


def _metadata_lines(
    title: str | None, published: date | None, provinces: Sequence[str], source: str | None
) -> list[str]:
    return [
        f"<b>{html.escape(title or 'Không có tiêu đề')}</b>",
        f"🗓 Ngày đăng: {format_date(published)}",
        f"📍 Tỉnh: {html.escape(', '.join(provinces)) if provinces else 'không nhận ra tỉnh nào'}",
        f"🔗 Nguồn: {source_html(source) if source else 'không rõ'}",
    ]


def summary_html(result: IngestResult, *, heading: str, deadlines: Sequence[DeadlineView] | None = None) -> str:
    """What the bot understood of a stored document: metadata, passages, the first deadlines.

    ``deadlines`` are the document's deadlines when ``result`` does not carry
    them (a superseding document's come from the database); by default, the
    ones the ingest extracted.
    """
    lines = [heading, "", *_metadata_lines(result.title, result.published, result.provinces, result.source)]
    lines.append(f"📄 {result.passages} đoạn")
    # issue 8: recurring task-table rows are no dated deadline; counted on their own line below.
    recurring = [d for d in result.deadlines if d.recurrence]
    if deadlines is None:
        deadlines = [view_of(d) for d in result.deadlines if not d.recurrence]
    deadlines = sorted(deadlines, key=lambda d: d.due)
    if deadlines:
        lines.append(f"⏰ {len(deadlines)} hạn chót:")
        lines.extend(_deadline_line(d) for d in deadlines[:DEADLINES_SHOWN])
        if len(deadlines) > DEADLINES_SHOWN:
            lines.append(f"… và {len(deadlines) - DEADLINES_SHOWN} hạn khác (xem /hanchot).")
    else:
        lines.append("⏰ Không thấy hạn chót nào.")
    if recurring:
        lines.append(f"🔁 {len(recurring)} nhiệm vụ định kỳ (thường xuyên, hằng năm, hằng quý…): không nhắc hạn.")
    # issue 8: header fields or table cells that could not be read
    lines.extend(f"⚠️ {html.escape(warning)}" for warning in result.warnings)
    return "\n".join(lines)


def _document_buttons(document_id: int, previous: tuple[int, str] | None = None) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton("🗑 Xoá tài liệu này", callback_data=f"{_PREFIX}del:{document_id}")],
        [InlineKeyboardButton("✏️ Sửa tiêu đề/ngày/tỉnh", callback_data=f"{_PREFIX}edit:{document_id}")],
    ]
    if previous is not None:
        old_id, old_title = previous
        label = old_title if len(old_title) <= 30 else old_title[:29] + "…"
        rows.append(
            [
                InlineKeyboardButton(
                    f"🔁 Đây là bản sửa của #{old_id} «{label}»", callback_data=f"{_PREFIX}sup:{old_id}:{document_id}"
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def _failure_html(message: str) -> str:
    return f"❌ {html.escape(message)}\n{NOTHING_STORED}"


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
            await _show(bot, chat_id, progress, _failure_html(STORE_FAILED))
        raise


async def _reply(message: Message, text: str, markup: ReplyMarkup = None) -> Message | None:
    return await reply_html(message, text, markup, quote=False)


async def _show(
    bot: Bot,
    chat_id: int,
    progress: MaybeInaccessibleMessage | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Turn a message (progress, confirmation) into ``text``; without one (its sending timed out), send ``text``."""
    if progress is None:
        await send_html(bot, chat_id, text, markup)
    else:
        await edit_html(bot, progress, text, markup)


def _document_id(argument: str) -> int | None:
    return parse_id(argument.strip().lstrip("#"))


def _document_deadlines(services: Services, document_id: int) -> list[DeadlineView]:
    """A stored document's deadlines, plan horizons included as at ingest (runs in a worker thread)."""
    # deadline_queries selects by date only; filtering a few hundred rows here is cheap.
    with Session(services.library.engine) as session:
        views = deadlines_between(session, None, None, include_horizons=True)
    return [view for view in views if view.document_id == document_id]


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


def _added_by(user_id: int) -> str:
    return f"telegram:{user_id}"


async def _previous_version(services: Services, document_id: int) -> tuple[int, str] | None:
    previous = await run_blocking(likely_previous_version, services.library, document_id)
    return (previous.id, previous.title) if previous is not None and previous.id is not None else None


async def _finish(
    context: CdsContext,
    chat_id: int,
    progress: Message | None,
    result: IngestResult,
    *,
    heading: str,
    demo_removed: int = 0,
) -> None:
    """Turn the progress message into the outcome: the summary with buttons, or why nothing was stored."""
    services = context.services
    if result.status == "added" and result.document_id is not None:
        previous = await _previous_version(services, result.document_id)
        text, markup = summary_html(result, heading=heading), _document_buttons(result.document_id, previous)
        if demo_removed:
            text += "\n\n🧹 " + html.escape(DEMO_REMOVED.format(n=demo_removed))
    elif result.status == "duplicate":
        text, markup = f"ℹ️ {html.escape(result.error or 'Tài liệu đã có trong cơ sở dữ liệu.')}", None
    else:
        text, markup = _failure_html(result.error or "Không đọc được tài liệu."), None
    await _show(context.bot, chat_id, progress, text, markup)


def _revision_heading(revision: Revision) -> str:
    result = revision.result
    return (
        f"✅ Đã thay tài liệu #{result.document_id} bằng bản mới. Hạn chót: giữ lại {revision.kept_deadlines}, "
        f"bỏ {revision.retired_deadlines}."
    )


# ------------------------------------------------------------------ handlers
async def on_admin(update: Update, context: CdsContext) -> None:
    """/admin: what an admin can do; others learn their user id (to be added as admins)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    if user is None or not context.services.is_admin(user.id):
        user_id = f" Mã người dùng của bạn: <code>{user.id}</code>." if user else ""
        await _reply(message, html.escape(ADMINS_ONLY) + user_id)
        return
    await _reply(message, admin_help_html())


async def on_document(update: Update, context: CdsContext) -> None:
    """A file in a private chat: an admin's is added to the base, anyone else's is politely refused."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.document is not None
    services = context.services
    if user is None or not services.is_admin(user.id):
        await _reply(message, html.escape(NOT_ADMIN_UPLOAD))
        return
    document = message.document
    name = _file_name(document.file_name, document.mime_type)
    try:
        metadata = parse_caption(message.caption, services.library.gazetteer)
        check_upload_size(document.file_size, services.settings.max_upload_bytes)
    except UploadInputError as exc:
        log.info("upload refused before download: %s", exc.detail)
        await _reply(message, _failure_html(exc.user_message))
        return
    replacing = services.pending.expected(message.chat.id, user.id, "replace")
    chat_id = message.chat.id
    progress = await _reply(message, f"⏳ Đang tải «{html.escape(name)}»…")
    async with _busy(context.bot, chat_id, ChatAction.UPLOAD_DOCUMENT):
        try:
            telegram_file = await document.get_file()
            data = bytes(await telegram_file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("download of %s failed: %s", name, exc)
            failure = _failure_html("Không tải được tệp từ Telegram. Hãy gửi lại sau ít phút.")
            await _show(context.bot, chat_id, progress, failure)
            return
    if progress is not None:
        await edit_html(context.bot, progress, f"⏳ Đang phân tích «{html.escape(name)}»…")
    if replacing is not None:
        services.pending.forget(message.chat.id, user.id)
    ocr_progress = _ocr_progress(context.bot, progress, asyncio.get_running_loop())
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
                user.id,
                replacing.document_id if replacing else None,
                ocr_progress,
            ),
        )
    if isinstance(outcome, Revision):
        services.memory.forget_answers()
        await _finish(context, chat_id, progress, outcome.result, heading=_revision_heading(outcome))
    else:
        heading = f"✅ Đã lưu tài liệu #{outcome.document_id}"
        await _finish(context, chat_id, progress, outcome, heading=heading, demo_removed=demo_removed)


# --- issue 8: OCR progress, edited in place in the "Đang phân tích" message ---
_OCR_EDIT_TIMEOUT = 10.0


def _ocr_progress(
    bot: Bot, progress: Message | None, loop: asyncio.AbstractEventLoop
) -> Callable[[int, int], None] | None:
    """A callback for the worker thread: "Đang nhận dạng chữ: trang 3/12" after each page."""
    if progress is None:
        return None

    def report(page: int, pages: int) -> None:
        text = f"⏳ Đang nhận dạng chữ: trang {page}/{pages}"
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
    user_id: int,
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
        added_by=_added_by(user_id),
        max_bytes=services.settings.max_upload_bytes,
    )


async def on_link(update: Update, context: CdsContext) -> None:
    """An admin's message that is only a link: fetch the page and add its article."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    url = link_in(message.text)
    assert url is not None
    services = context.services
    chat_id = message.chat.id
    progress = await _reply(message, "⏳ Đang tải trang web…")
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
            await _show(context.bot, chat_id, progress, _failure_html(exc.user_message))
            return
        if progress is not None:
            await edit_html(context.bot, progress, "⏳ Đang phân tích trang web…")
        async with _ends_with_a_reason(context.bot, chat_id, progress):
            result, demo_removed = await run_blocking(
                store_real_document,
                services.library,
                functools.partial(
                    services.library.ingest_bytes,
                    page.data,
                    _page_file_name(page.url),
                    source=strip_credentials(url),
                    added_by=_added_by(user.id),
                    max_bytes=services.settings.max_upload_bytes,
                ),
            )
    heading = f"✅ Đã lưu bài viết #{result.document_id}"
    await _finish(context, chat_id, progress, result, heading=heading, demo_removed=demo_removed)


async def on_correction(update: Update, context: CdsContext) -> None:
    """An admin's ``tiêu đề: …`` / ``ngày: …`` / ``tỉnh: …`` lines correcting a stored document."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    document_id = _correction_target(services, message)
    assert document_id is not None
    try:
        metadata = parse_caption(message.text, services.library.gazetteer)
        if metadata.is_empty:
            raise UploadInputError(
                "Không thấy mục nào cần sửa.\n" + uploads.CAPTION_HELP, "correction without metadata lines"
            )
        document = await run_blocking(
            update_metadata,
            services.library,
            document_id,
            title=metadata.title,
            source=metadata.source,
            published=metadata.published,
            provinces=list(metadata.provinces) or None,
        )
    except UserFacingError as exc:
        await _reply(message, f"❌ {html.escape(exc.user_message)}")
        return
    services.pending.forget(message.chat.id, user.id)
    lines = [f"✏️ Đã sửa tài liệu #{document_id}:", ""]
    lines += _metadata_lines(document.title, document.published, document.province_list, document.source)
    await _reply(message, "\n".join(lines), _document_buttons(document_id))


async def on_remove_command(update: Update, context: CdsContext) -> None:
    """/xoa ID: ask to confirm removing a document."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    if user is None or not context.services.is_admin(user.id):
        await _reply(message, html.escape(ADMINS_ONLY))
        return
    document_id = _document_id(command_argument(message))
    if document_id is None:
        await _reply(message, html.escape(USAGE_XOA))
        return
    await _ask_to_remove(context, message.chat.id, document_id)


async def _ask_to_remove(context: CdsContext, chat_id: int, document_id: int) -> None:
    """Send the confirm buttons, naming the document so the admin sees what they remove."""
    try:
        document, passages = await run_blocking(context.services.library.document, document_id)
    except NotFoundError as exc:
        await send_html(context.bot, chat_id, html.escape(exc.user_message))
        return
    confirm = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 Xoá", callback_data=f"{_PREFIX}ok:{document_id}"),
                InlineKeyboardButton("Giữ lại", callback_data=f"{_PREFIX}keep:{document_id}"),
            ]
        ]
    )
    await send_html(
        context.bot,
        chat_id,
        f"Xoá tài liệu #{document_id} «{html.escape(document.title)}»? {len(passages)} đoạn và các hạn chót "
        "của tài liệu cũng bị xoá.",
        confirm,
    )


async def on_replace_command(update: Update, context: CdsContext) -> None:
    """/thaythe ID: the admin's next upload in this chat replaces that document."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    services = context.services
    if user is None or not services.is_admin(user.id):
        await _reply(message, html.escape(ADMINS_ONLY))
        return
    document_id = _document_id(command_argument(message))
    if document_id is None:
        services.pending.forget(message.chat.id, user.id)
        await _reply(message, html.escape(USAGE_THAYTHE))
        return
    try:
        document, _ = await run_blocking(services.library.document, document_id)
    except NotFoundError as exc:
        await _reply(message, html.escape(exc.user_message))
        return
    services.pending.expect(message.chat.id, user.id, "replace", document_id)
    minutes = int(PENDING_SECONDS // 60)
    await _reply(
        message,
        f"🔁 Hãy gửi tệp bản sửa của tài liệu #{document_id} «{html.escape(document.title)}» trong {minutes} phút "
        "tới. Bản cũ sẽ được thay, số tài liệu giữ nguyên.",
    )


async def on_button(update: Update, context: CdsContext) -> None:
    """Xoá (ask, confirm, keep), Sửa, and "đây là bản sửa của #…" under a document."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    if not services.is_admin(query.from_user.id):
        await answer_callback(query, ADMINS_ONLY, show_alert=True)
        return
    action, *ids = query.data.removeprefix(_PREFIX).split(":")
    parsed = [parse_id(i) for i in ids]
    numbers = [n for n in parsed if n is not None]
    if len(numbers) != len(parsed) or len(numbers) != (2 if action == "sup" else 1):
        await answer_callback(query, UNUSABLE_BUTTON)
        return
    await answer_callback(query)
    # query.message may be an InaccessibleMessage (a button under an old message):
    # it is addressed by chat and message id, never through its shortcuts.
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    try:
        if action == "del":
            await _ask_to_remove(context, chat_id, numbers[0])
        elif action == "ok":
            document = await run_blocking(services.library.remove, numbers[0])
            services.memory.forget_answers()
            removed = f"🗑 Đã xoá tài liệu #{numbers[0]} «{html.escape(document.title)}»."
            await _show(context.bot, chat_id, message, removed)
        elif action == "keep":
            await _show(context.bot, chat_id, message, f"Đã giữ lại tài liệu #{numbers[0]}.")
        elif action == "edit":
            await _ask_for_correction(query, context, chat_id, numbers[0])
        elif action == "sup":
            old_id, new_id = numbers[0], numbers[1]
            revision = await run_blocking(supersede, services.library, old_id, new_id)
            services.memory.forget_answers()
            # supersede reports no deadlines: those kept moved onto the new document, so read them there.
            deadlines = await run_blocking(_document_deadlines, services, new_id)
            heading = (
                f"✅ Tài liệu #{new_id} đã thay tài liệu #{old_id} (đã xoá bản cũ). Hạn chót: giữ lại "
                f"{revision.kept_deadlines}, bỏ {revision.retired_deadlines}."
            )
            summary = summary_html(revision.result, heading=heading, deadlines=deadlines)
            await _show(context.bot, chat_id, message, summary, _document_buttons(new_id))
    except UserFacingError as exc:
        await send_html(context.bot, chat_id, f"❌ {html.escape(exc.user_message)}")


async def _ask_for_correction(query: CallbackQuery, context: CdsContext, chat_id: int, document_id: int) -> None:
    document, _ = await run_blocking(context.services.library.document, document_id)
    context.services.pending.expect(chat_id, query.from_user.id, "edit", document_id)
    await send_html(
        context.bot,
        chat_id,
        f"{_EDIT_MARKER}{document_id} «{html.escape(document.title)}»\n"
        "Trả lời tin nhắn này, mỗi dòng một mục cần sửa:\n"
        "<code>tiêu đề: …</code>\n<code>nguồn: …</code>\n<code>ngày: dd/mm/yyyy</code>\n<code>tỉnh: …</code>",
        ForceReply(input_field_placeholder="tiêu đề: …"),
    )


def register(application: CdsApplication) -> None:
    """Add this module's handlers; registered before the questions' catch-all text handler.

    The link and correction handlers match only admins' messages, so for
    everyone else a link or a "ngày: …" line stays a question.
    """
    services = application.services
    new_messages = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE & new_messages
    admin_text = private & filters.TEXT & ~filters.COMMAND & _FromAdmin(services)
    application.add_handlers(
        [
            CommandHandler("admin", on_admin, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("xoa", on_remove_command, filters=new_messages),  # type: ignore[arg-type]
            CommandHandler("thaythe", on_replace_command, filters=new_messages),  # type: ignore[arg-type]
            MessageHandler(private & filters.Document.ALL, on_document),  # type: ignore[arg-type]
            MessageHandler(admin_text & _Correction(services), on_correction),  # type: ignore[arg-type]
            MessageHandler(admin_text & _OnlyLink(), on_link),  # type: ignore[arg-type]
            CallbackQueryHandler(
                on_button,  # type: ignore[arg-type]
                pattern=rf"^{_PREFIX}(?:del|ok|keep|edit|sup):[0-9]{{1,18}}(?::[0-9]{{1,18}})?$",
            ),
        ]
    )
