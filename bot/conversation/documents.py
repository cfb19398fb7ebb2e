"""Admins' document commands and buttons: /admin, /xoa, /thaythe, corrections, and what an upload reports.

Buttons carry their state in callback data (``tl:<action>:<id>``); the two
things that wait for the admin's next message (a replacement upload, a
correction) live in ``services.pending`` (``bot.memory.PendingEdits``), keyed
by chat and user, and expire after ``PENDING_SECONDS``.

Receiving the file or the link itself is the front end's job (Telegram
downloads it; the terminal has ``cdsbot ingest``); what the bot then says
about it is built here, so every front end reports an upload the same way.

In ``cdsbot chat`` the person at the terminal is the machine's operator, an
admin (see ``bot.terminal_chat``): /xoa and its buttons work there, /thaythe
and uploads point to Telegram or ``cdsbot ingest``, since no file can be sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot import uploads
from bot.conversation.replies import (
    ADMINS_ONLY,
    UNUSABLE_BUTTON,
    Asker,
    ButtonResult,
    Keyboard,
    Reply,
    say,
)
from bot.ids import parse_id
from bot.memory import PENDING_SECONDS
from bot.render.answers import format_date, shorten, source_rich
from bot.render.rich import Rich, bold, code, text
from bot.services import Services
from bot.uploads import UploadInputError, parse_caption
from knowledge.deadlines.labels import due_label
from knowledge.deadlines.queries import DeadlineView, deadlines_of_document, view_of
from knowledge.documents.demo import DEMO_REMOVED
from knowledge.documents.parsers import SUPPORTED_EXTENSIONS
from knowledge.documents.revisions import (
    Revision,
    likely_previous_version,
    supersede,
    update_metadata,
)
from knowledge.documents.store import IngestResult
from knowledge.errors import NotFoundError, UserFacingError

NOT_ADMIN_UPLOAD = (
    "Cảm ơn bạn đã gửi tài liệu! Hiện chỉ quản trị viên mới thêm được tài liệu vào cơ sở dữ liệu, "
    "nên bot không lưu tệp này. Bạn vẫn có thể đặt câu hỏi như bình thường."
)
NOTHING_STORED = "Không có gì được lưu."
STORE_FAILED = "Đã có lỗi khi lưu tài liệu nên không có gì được lưu. Hãy gửi lại sau ít phút."
USAGE_XOA = "Cú pháp: /xoa ID — số tài liệu xem trong /tailieu."
USAGE_THAYTHE = "Cú pháp: /thaythe ID rồi gửi tệp bản sửa — số tài liệu xem trong /tailieu."
DEADLINES_SHOWN = 5
PREFIX = "tl:"
EDIT_MARKER = "✏️ Sửa tài liệu #"
_EDIT_MARKER_RE = re.compile(r"^✏️ Sửa tài liệu #([0-9]{1,18})")
_TASK_CHARS = 120
# The channel of `cdsbot chat` (knowledge.answers.statistics counts its questions apart).
TERMINAL = "terminal"


# ------------------------------------------------------------------ what the bot says
def admin_help(services: Services, args: str, asker: Asker) -> Reply:
    """/admin: what an admin can do here; others learn their user id (to be added as admins)."""
    if not asker.is_admin:
        user_id = text(" Mã người dùng của bạn: ") + code(str(asker.user_id)) + "." if asker.user_id else Rich()
        return Reply(text(ADMINS_ONLY) + user_id)
    formats = ", ".join(sorted(e for e in SUPPORTED_EXTENSIONS if e != ".markdown"))
    if asker.channel == TERMINAL:
        return Reply(Rich.lines(_admin_in_terminal(formats)))
    lines: list[Rich | str] = [
        bold("Quản trị viên có thể:"),
        f"📎 Gửi tệp ({formats}) trong trò chuyện riêng với bot để thêm tài liệu.",
        "Chú thích của tệp (không bắt buộc), mỗi dòng một mục, thứ tự tuỳ ý:",
        code("tiêu đề: …"),
        code("nguồn: …"),
        code("ngày: dd/mm/yyyy"),
        code("tỉnh: Hải Dương, Bắc Ninh"),
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
    return Reply(Rich.lines(lines))


def _admin_in_terminal(formats: str) -> list[Rich | str]:
    """/admin in `cdsbot chat`: the operator's commands here, and what needs the command line or Telegram."""
    return [
        bold("Trong cdsbot chat, bạn (người vận hành máy chủ) là quản trị viên và có thể:"),
        "📚 /tailieu — danh sách tài liệu; /nguon ID — xem một tài liệu.",
        "🗑 /xoa ID — xoá một tài liệu (bấm chữ cái của nút để xác nhận).",
        "✏️ Sau khi bấm nút «Sửa tiêu đề/ngày/tỉnh», gõ một dòng " + code("tiêu đề: …") + ", "
        + code("ngày: dd/mm/yyyy") + " hoặc " + code("tỉnh: …") + ".",
        "⏰ /hanchot, /hanchot_them, /hanchot_sua — xem, thêm, sửa hạn chót; /dsdangky — các nhóm đăng ký nhắc.",
        "🔔 /dangky, /huydangky — bộ lọc /hanchot của cdsbot chat (tin nhắc chỉ gửi qua Telegram).",
        "📈 /tiendo tỉnh, /xephang — tiến độ và xếp hạng; biểu đồ được lưu thành tệp PNG.",
        "📊 /thongke — thống kê câu hỏi.",
        bold("Không làm được trong cdsbot chat:"),
        f"📎 Thêm tài liệu ({formats}): chạy " + code("cdsbot ingest tệp-hoặc-thư-mục") + " ở dòng lệnh,"
        " hoặc gửi tệp, đường dẫn cho bot trong Telegram.",
        "🔁 /thaythe: gửi tệp bản sửa trong Telegram; hoặc /xoa ở đây rồi " + code("cdsbot ingest") + " bản mới.",
    ]


def _deadline_line(view: DeadlineView) -> str:
    return f"• {due_label(view)} — {shorten(view.task, _TASK_CHARS)}"


def _metadata_lines(title: str | None, published: date | None, provinces: Sequence[str], source: str | None) -> list[Rich | str]:
    return [
        bold(title or "Không có tiêu đề"),
        f"🗓 Ngày đăng: {format_date(published)}",
        f"📍 Tỉnh: {', '.join(provinces) if provinces else 'không nhận ra tỉnh nào'}",
        "🔗 Nguồn: " + (source_rich(source) if source else text("không rõ")),
    ]


def summary(result: IngestResult, *, heading: str, deadlines: Sequence[DeadlineView] | None = None) -> Rich:
    """What the bot understood of a stored document: metadata, passages, the first deadlines.

    ``deadlines`` are the document's deadlines when ``result`` does not carry
    them (a superseding document's come from the database); by default, the
    ones the ingest extracted.
    """
    lines: list[Rich | str] = [heading, "", *_metadata_lines(result.title, result.published, result.provinces, result.source)]
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
    lines.extend(f"⚠️ {warning}" for warning in result.warnings)
    return Rich.lines(lines)


def document_buttons(document_id: int, previous: tuple[int, str] | None = None) -> Keyboard:
    rows: Keyboard = [
        [("🗑 Xoá tài liệu này", f"{PREFIX}del:{document_id}")],
        [("✏️ Sửa tiêu đề/ngày/tỉnh", f"{PREFIX}edit:{document_id}")],
    ]
    if previous is not None:
        old_id, old_title = previous
        rows.append([(f"🔁 Đây là bản sửa của #{old_id} «{shorten(old_title, 30)}»", f"{PREFIX}sup:{old_id}:{document_id}")])
    return rows


def added_by(asker: Asker) -> str:
    """Who added a document or a deadline, as the database records it ("telegram:42", "terminal:0")."""
    return f"{asker.channel}:{asker.user_id}"


def failure(message: str) -> Reply:
    """Why an upload stored nothing."""
    return say(f"❌ {message}\n{NOTHING_STORED}")


def progress(message: str) -> Reply:
    """A progress line ("⏳ Đang tải «x.pdf»…") shown while an upload is worked on."""
    return say(f"⏳ {message}")


def upload_outcome(
    services: Services, outcome: IngestResult | Revision, *, what: str = "tài liệu", demo_removed: int = 0
) -> Reply:
    """The end of an upload: the summary with buttons, or why nothing was stored.

    Looks up a likely previous version in the database, to offer "this
    replaces #…"; a replacement forgets cached answers, which may cite it.
    """
    if isinstance(outcome, Revision):
        services.memory.forget_answers()
        result = outcome.result
        heading = (
            f"✅ Đã thay tài liệu #{result.document_id} bằng bản mới. Hạn chót: giữ lại {outcome.kept_deadlines}, "
            f"bỏ {outcome.retired_deadlines}."
        )
    else:
        result, heading = outcome, f"✅ Đã lưu {what} #{outcome.document_id}"
    if result.status == "added" and result.document_id is not None:
        previous = likely_previous_version(services.library, result.document_id)
        known = (previous.id, previous.title) if previous is not None and previous.id is not None else None
        body = summary(result, heading=heading)
        if demo_removed:
            body = body + "\n\n🧹 " + DEMO_REMOVED.format(n=demo_removed)
        return Reply(body, document_buttons(result.document_id, known))
    if result.status == "duplicate":
        return say(f"ℹ️ {result.error or 'Tài liệu đã có trong cơ sở dữ liệu.'}")
    return failure(result.error or "Không đọc được tài liệu.")


# ------------------------------------------------------------------ commands
def _document_id(argument: str) -> int | None:
    return parse_id(argument.strip().lstrip("#"))


def remove_command(services: Services, args: str, asker: Asker) -> Reply:
    """/xoa ID: ask to confirm removing a document."""
    if not asker.is_admin:
        return say(ADMINS_ONLY)
    document_id = _document_id(args)
    if document_id is None:
        return say(USAGE_XOA)
    return _ask_to_remove(services, document_id)


def _ask_to_remove(services: Services, document_id: int) -> Reply:
    """The confirm buttons, naming the document so the admin sees what they remove."""
    try:
        document, passages = services.library.document(document_id)
    except NotFoundError as exc:
        return say(exc.user_message)
    confirm = [[("🗑 Xoá", f"{PREFIX}ok:{document_id}"), ("Giữ lại", f"{PREFIX}keep:{document_id}")]]
    question = (
        f"Xoá tài liệu #{document_id} «{document.title}»? {len(passages)} đoạn và các hạn chót "
        "của tài liệu cũng bị xoá."
    )
    return say(question, confirm)


def replace_command(services: Services, args: str, asker: Asker) -> Reply:
    """/thaythe ID: the admin's next upload in this chat replaces that document."""
    if not asker.is_admin:
        return say(ADMINS_ONLY)
    assert asker.chat_id is not None and asker.user_id is not None
    document_id = _document_id(args)
    if document_id is None:
        services.pending.forget(asker.chat_id, asker.user_id)
        return say(USAGE_THAYTHE)
    try:
        document, _ = services.library.document(document_id)
    except NotFoundError as exc:
        return say(exc.user_message)
    if asker.channel == TERMINAL:
        return say(
            f"🔁 Trong cdsbot chat không gửi được tệp: thay tài liệu #{document_id} «{document.title}» bằng "
            "Telegram (/thaythe rồi gửi tệp) hoặc xoá nó (/xoa) rồi chạy cdsbot ingest với bản mới."
        )
    services.pending.expect(asker.chat_id, asker.user_id, "replace", document_id)
    minutes = int(PENDING_SECONDS // 60)
    return say(
        f"🔁 Hãy gửi tệp bản sửa của tài liệu #{document_id} «{document.title}» trong {minutes} phút "
        "tới. Bản cũ sẽ được thay, số tài liệu giữ nguyên."
    )


def correction_target(services: Services, asker: Asker, message: str | None, replied_to: str | None) -> int | None:
    """The document an admin's message corrects: a reply to the prompt, or metadata lines while one is open."""
    if replied_to is not None:
        match = _EDIT_MARKER_RE.match(replied_to)
        if match:
            return parse_id(match.group(1))
    if asker.chat_id is None or asker.user_id is None:
        return None
    pending = services.pending.expected(asker.chat_id, asker.user_id, "edit")
    if pending is not None and uploads.is_metadata_text(message):
        return pending.document_id
    return None


def correct(services: Services, document_id: int, message: str, asker: Asker) -> Reply:
    """An admin's ``tiêu đề: …`` / ``ngày: …`` / ``tỉnh: …`` lines correcting a stored document."""
    try:
        metadata = parse_caption(message, services.library.gazetteer)
        if metadata.is_empty:
            raise UploadInputError("Không thấy mục nào cần sửa.\n" + uploads.CAPTION_HELP, "correction without metadata lines")
        document = update_metadata(
            services.library,
            document_id,
            title=metadata.title,
            source=metadata.source,
            published=metadata.published,
            provinces=list(metadata.provinces) or None,
        )
    except UserFacingError as exc:
        return say(f"❌ {exc.user_message}")
    if asker.chat_id is not None and asker.user_id is not None:
        services.pending.forget(asker.chat_id, asker.user_id)
    lines: list[Rich | str] = [f"✏️ Đã sửa tài liệu #{document_id}:", ""]
    lines += _metadata_lines(document.title, document.published, document.province_list, document.source)
    return Reply(Rich.lines(lines), document_buttons(document_id))


# ------------------------------------------------------------------ buttons
def press_button(services: Services, data: str, asker: Asker) -> ButtonResult:
    """Xoá (ask, confirm, keep), Sửa, and "đây là bản sửa của #…" under a document."""
    if not asker.is_admin:
        return ButtonResult(toast=ADMINS_ONLY, alert=True)
    action, *ids = data.removeprefix(PREFIX).split(":")
    parsed = [parse_id(i) for i in ids]
    numbers = [n for n in parsed if n is not None]
    if len(numbers) != len(parsed) or len(numbers) != (2 if action == "sup" else 1):
        return ButtonResult(toast=UNUSABLE_BUTTON)
    try:
        if action == "del":
            return ButtonResult(reply=_ask_to_remove(services, numbers[0]))
        if action == "ok":
            document = services.library.remove(numbers[0])
            services.memory.forget_answers()
            return ButtonResult(reply=say(f"🗑 Đã xoá tài liệu #{numbers[0]} «{document.title}»."), edit=True)
        if action == "keep":
            return ButtonResult(reply=say(f"Đã giữ lại tài liệu #{numbers[0]}."), edit=True)
        if action == "edit":
            return ButtonResult(reply=_ask_for_correction(services, asker, numbers[0]))
        if action == "sup":
            old_id, new_id = numbers
            revision = supersede(services.library, old_id, new_id)
            services.memory.forget_answers()
            # supersede reports no deadlines: those kept moved onto the new document, so read them there.
            deadlines = deadlines_of_document(services.library.engine, new_id)
            heading = (
                f"✅ Tài liệu #{new_id} đã thay tài liệu #{old_id} (đã xoá bản cũ). Hạn chót: giữ lại "
                f"{revision.kept_deadlines}, bỏ {revision.retired_deadlines}."
            )
            body = summary(revision.result, heading=heading, deadlines=deadlines)
            return ButtonResult(reply=Reply(body, document_buttons(new_id)), edit=True)
    except UserFacingError as exc:
        return ButtonResult(reply=say(f"❌ {exc.user_message}"))
    return ButtonResult(toast=UNUSABLE_BUTTON)


def _ask_for_correction(services: Services, asker: Asker, document_id: int) -> Reply:
    document, _ = services.library.document(document_id)
    if asker.chat_id is not None and asker.user_id is not None:
        services.pending.expect(asker.chat_id, asker.user_id, "edit", document_id)
    lines: list[Rich | str] = [
        f"{EDIT_MARKER}{document_id} «{document.title}»",
        "Trả lời tin nhắn này, mỗi dòng một mục cần sửa:",
        code("tiêu đề: …"),
        code("nguồn: …"),
        code("ngày: dd/mm/yyyy"),
        code("tỉnh: …"),
    ]
    return Reply(Rich.lines(lines), reply_prompt="tiêu đề: …")
