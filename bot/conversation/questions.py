"""Questions and browsing: asking, /start, /help, /tailieu, /nguon, /thongke, and the buttons under them.

Every function is synchronous (library calls, SQL): Telegram runs them with
``bot.telegram.context.run_blocking``; the terminal calls them directly.
Replies are styled text (``bot.render.rich``): no markup is written here, so
document text can never inject any.

Buttons carry their state in callback data (Telegram allows 64 bytes):
``src:<question_id>:<n>`` the whole passage of citation n,
``more:<question_id>:<n>`` citation n in place of the current one,
``fb:<question_id>:<1|0>`` a 👍/👎, ``docs:<page>`` and ``doc:<id>:<page>``
the paginated lists. A question id is enough to find the citations again:
from a small in-memory cache, or by asking the logged question once more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from bot.commands import all_commands
from bot.conversation.replies import (
    UNUSABLE_BUTTON,
    Asker,
    Button,
    ButtonResult,
    InlineArticle,
    Keyboard,
    Reply,
    say,
)
from bot.ids import parse_id
from bot.render.answers import (
    answer_rich,
    format_date,
    not_found_rich,
    passage_rich,
    shorten,
    source_rich,
)
from bot.render.html import TELEGRAM_LIMIT
from bot.render.rich import Rich, bold, text
from bot.services import Services
from knowledge.answers.answer import NOT_FOUND_MESSAGE, Answer
from knowledge.answers.freshness import answered_passage_removed, existing_passages
from knowledge.answers.statistics import (
    popular_questions,
    question_key,
    question_text,
    record_feedback,
    usage_report,
)
from knowledge.documents.titles import shorten_title
from knowledge.errors import NotFoundError

ANSWER_CITATIONS = 5
DOCUMENTS_PER_PAGE = 5
EXAMPLES = 3
MAX_QUESTION_CHARS = 1000
# Room left under Telegram's 4096 characters for the header of a document page.
_PAGE_BUDGET = TELEGRAM_LIMIT - 600
_MAX_PROVINCES_SHOWN = 12

THANKS = "Cảm ơn góp ý!"
STALE = "Câu hỏi này đã cũ, vui lòng hỏi lại."
DELETED_DOCUMENT = "Tài liệu này đã bị xoá."
NOT_ADMIN = "Xin lỗi, lệnh /thongke chỉ dành cho quản trị viên."
ASK_USAGE = (
    "Bạn muốn hỏi gì? Gõ câu hỏi sau lệnh, ví dụ:\n"
    "/hoi Hải Dương xếp hạng chuyển đổi số thứ mấy năm 2023?"
)
SOURCE_USAGE = "Cách dùng: /nguon ID, ví dụ /nguon 3. Gõ /tailieu để xem mã các tài liệu."
NON_TEXT = "Tôi chỉ đọc được tin nhắn văn bản. Hãy gõ câu hỏi của bạn"
_ASK_PROMPT = ASK_USAGE.split("\n", 1)[0]
# Callback data prefixes of the buttons under an answer (see answer_buttons).
_ANSWER_BUTTONS = ("src:", "more:", "fb:")


# -------------------------------------------------------------- questions
def ask(services: Services, question: str, asker: Asker) -> Reply:
    """Answer a question: the best citation with buttons, or "no info" with examples that work."""
    question = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not question or services.library.reader.read(question).is_empty:
        return say(ASK_USAGE)
    state = services.memory
    if asker.user_id is not None and not asker.is_admin:
        wait = state.rate.admit(asker.user_id, state.clock())
        if wait:
            return say(throttled_message(services.settings.rate_limit_per_minute, wait))
    answer = services.library.ask(
        question, k=ANSWER_CITATIONS, log_as=(asker.channel, asker.chat_id, asker.user_id)
    )
    if not answer.found or not answer.citations:
        return Reply(not_found_rich(examples(services)))
    state.remember(answer)
    return Reply(answer_rich(answer, first_citation=0), answer_buttons(answer, 0))


def is_answer(text: str | None, callback_data: Iterable[str]) -> bool:
    """Whether a message the bot sent answers a question, so that replying to it in a group asks another one.

    Answers carry the Nguồn / Kết quả khác / 👍 buttons; a "no information"
    answer and the /hoi prompt have none and are known by their text.
    Everything else the bot posts (reminders, lists, confirmations) is not:
    a team replying "ok" to a reminder is talking to each other.
    """
    if any(data.startswith(_ANSWER_BUTTONS) for data in callback_data):
        return True
    return (text or "").startswith((NOT_FOUND_MESSAGE, _ASK_PROMPT))


def throttled_message(per_minute: int, wait: float) -> str:
    return (
        f"Bạn đang hỏi hơi nhanh 🙂 Mỗi người được hỏi tối đa {per_minute} câu mỗi phút. "
        f"Vui lòng chờ khoảng {math.ceil(wait)} giây rồi hỏi tiếp."
    )


def answer_buttons(answer: Answer, shown: int) -> Keyboard:
    """Nguồn / Kết quả khác for the citation shown, then 👍 / 👎 for the answer."""
    qid = answer.question_id
    if qid is None:
        return []
    if answer.summary:  # progress (issue 9): one Nguồn button per cited passage
        sources: list[Button] = [(f"📄 [{n + 1}]", f"src:{qid}:{n}") for n in range(min(len(answer.citations), 5))]
        return [sources, [("👍", f"fb:{qid}:1"), ("👎", f"fb:{qid}:0")]]
    row: list[Button] = [("📄 Nguồn", f"src:{qid}:{shown}")]
    if shown > 0:
        row.append(("◀ Kết quả trước", f"more:{qid}:{shown - 1}"))
    if shown + 1 < len(answer.citations):
        row.append(("Kết quả khác ▶", f"more:{qid}:{shown + 1}"))
    return [row, [("👍", f"fb:{qid}:1"), ("👎", f"fb:{qid}:0")]]


def examples(services: Services, limit: int = EXAMPLES) -> list[str]:
    """Questions the base does answer: the most asked ones, then ones built from documents' provinces.

    Each built question is tried before it is offered, so a suggestion never
    leads to another "no info". Cached for a few minutes: a miss should not
    cost a dozen searches.
    """
    state = services.memory
    cached = state.cached_examples()
    if cached is not None:
        return cached[:limit]
    library = services.library
    chosen: list[str] = []
    seen: set[str] = set()

    def offer(question: str) -> None:
        key = question_key(question)
        if key and key not in seen and len(chosen) < limit:
            seen.add(key)
            chosen.append(question)

    for question in popular_questions(library.engine, limit=limit):
        offer(question)
    provinces_seen: set[str] = set()
    for document in library.documents(limit=20):
        if len(chosen) >= limit:
            break
        province = next((p for p in document.provinces if p not in provinces_seen), None)
        if province is None:
            continue
        provinces_seen.add(province)
        candidate = f"Chuyển đổi số ở {province} đạt kết quả gì?"
        trial = library.ask(candidate, k=1)
        if trial.found and trial.citations and trial.citations[0].document_id == document.id:
            offer(candidate)
    state.store_examples(chosen)
    return chosen


def press(services: Services, data: str, asker: Asker) -> ButtonResult:
    """What a button under an answer or a list does, from its callback data."""
    kind, _, rest = data.partition(":")
    parsed = [parse_id(part) for part in rest.split(":")] if rest else []
    numbers = [n for n in parsed if n is not None]
    if len(numbers) != len(parsed):
        return ButtonResult(toast=UNUSABLE_BUTTON)
    if kind == "docs" and len(numbers) == 1:
        return ButtonResult(reply=documents_page(services, numbers[0]), edit=True)
    if kind == "doc" and len(numbers) == 2:
        return ButtonResult(reply=document_page(services, numbers[0], numbers[1]), edit=True)
    if kind == "fb" and len(numbers) == 2:
        stored = record_feedback(
            services.library.engine,
            question_id=numbers[0],
            user_id=asker.user_id if asker.user_id is not None else 0,
            helpful=bool(numbers[1]),
        )
        return ButtonResult(toast=THANKS if stored else STALE)
    if kind in ("src", "more") and len(numbers) == 2:
        answer = _answer_for(services, numbers[0])
        n = numbers[1]
        engine = services.library.engine
        if answer is None:
            return ButtonResult(toast=DELETED_DOCUMENT if answered_passage_removed(engine, numbers[0]) else STALE)
        if not 0 <= n < len(answer.citations):
            return ButtonResult(toast=STALE)
        # The cache (or another process) may still hold a passage removed since: never show it.
        if answer.citations[n].passage_id not in existing_passages(engine, [answer.citations[n].passage_id]):
            return ButtonResult(toast=DELETED_DOCUMENT)
        if kind == "src":
            return ButtonResult(reply=Reply(passage_rich(answer.citations[n], n + 1)))
        return ButtonResult(
            reply=Reply(answer_rich(answer, first_citation=n), answer_buttons(answer, n)), edit=True
        )
    return ButtonResult(toast=UNUSABLE_BUTTON)


def _answer_for(services: Services, question_id: int) -> Answer | None:
    """The answer a button refers to: cached, or asked again from the question log (after a restart)."""
    state = services.memory
    answer = state.recall(question_id)
    if answer is not None:
        return answer
    text = question_text(services.library.engine, question_id)
    if text is None or answered_passage_removed(services.library.engine, question_id):
        return None  # asked again, it would cite something else than the message shows
    answer = services.library.ask(text, k=ANSWER_CITATIONS)
    if not answer.found:
        return None
    answer = replace(answer, question_id=question_id)
    state.remember(answer)
    return answer


def inline_articles(services: Services, query: str, limit: int = ANSWER_CITATIONS) -> list[InlineArticle]:
    """The top citations as inline results, each message a complete answer.

    Inline queries arrive as the user types, so they are neither logged
    (the log would fill with half-typed prefixes) nor rate limited.
    """
    query = " ".join(query.split())[:MAX_QUESTION_CHARS]
    if len(query) < 3:
        return []
    answer = services.library.ask(query, k=limit)
    if not answer.found:
        return []
    if answer.summary:  # progress (issue 9): one message holds every figure and its sources
        return [
            InlineArticle(
                id=f"f{answer.citations[0].passage_id}",
                title=_shorten(answer.summary.split("\n", 1)[0], 200),
                description=_shorten(" ".join(answer.summary.split("\n")[1:3]), 200),
                body=answer_rich(answer),
            )
        ]
    articles = []
    for n, citation in enumerate(answer.citations):
        articles.append(
            InlineArticle(
                id=f"p{citation.passage_id}",
                title=shorten_title(citation.title, 200),
                description=_shorten(citation.snippet, 200),
                body=answer_rich(answer, first_citation=n),
            )
        )
    return articles


# --------------------------------------------------------------- commands
def start(services: Services, *, bot_username: str | None = None) -> Reply:
    """What the bot knows: how many documents, which provinces, and questions to try."""
    library = services.library
    count = library.document_count()
    provinces = library.provinces_covered()
    lines: list[Rich | str] = [
        "👋 Xin chào! Tôi là " + bold("trợ lý chuyển đổi số") + ". Tôi trả lời câu hỏi về chuyển đổi số "
        "từ các bài viết và văn bản chỉ đạo đã được nạp, kèm trích dẫn nguồn.",
        "",
    ]
    if count == 0:
        lines.append("Cơ sở dữ liệu chưa có tài liệu nào; quản trị viên cần thêm tài liệu trước.")
        return Reply(Rich.lines(lines))
    known = "📚 Cơ sở dữ liệu có " + bold(str(count)) + " tài liệu"
    if provinces:
        shown = ", ".join(provinces[:_MAX_PROVINCES_SHOWN])
        more = f" và {len(provinces) - _MAX_PROVINCES_SHOWN} tỉnh/thành khác" if len(provinces) > _MAX_PROVINCES_SHOWN else ""
        known = known + f" về {len(provinces)} tỉnh/thành: {shown}{more}"
    lines.append(known + ".")
    questions = examples(services)
    if questions:
        lines += ["", "Bạn có thể hỏi, ví dụ:", *(f"• {q}" for q in questions)]
    lines += ["", _how_to_ask(bot_username), "Gõ /help để xem các lệnh, /tailieu để xem danh sách tài liệu."]
    return Reply(Rich.lines(lines))


def help_reply(*, bot_username: str | None = None) -> Reply:
    """Every command the bot registers, and the ways to ask."""
    lines: list[Rich | str] = [bold("Các lệnh")]
    lines += [f"/{command} — {description}" for command, description in all_commands()]
    lines += ["", _how_to_ask(bot_username)]
    if bot_username:
        lines.append(f"Ở bất kỳ cuộc trò chuyện nào, gõ @{bot_username} câu hỏi để chèn câu trả lời.")
    return Reply(Rich.lines(lines))


def _how_to_ask(bot_username: str | None) -> str:
    mention = f"nhắc @{bot_username}" if bot_username else "nhắc tên bot"
    return (
        "Trong trò chuyện riêng, cứ gõ câu hỏi. "
        f"Trong nhóm, dùng /hoi câu hỏi, {mention} hoặc trả lời (reply) một câu trả lời của bot."
    )


def documents_page(services: Services, page: int = 0) -> Reply:
    """One page of the documents, newest first, with ◀ ▶."""
    library = services.library
    total = library.document_count()
    if total == 0:
        return say("Cơ sở dữ liệu chưa có tài liệu nào.")
    pages = math.ceil(total / DOCUMENTS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    documents = library.documents(offset=page * DOCUMENTS_PER_PAGE, limit=DOCUMENTS_PER_PAGE)
    lines: list[Rich | str] = ["📚 " + bold("Tài liệu trong cơ sở dữ liệu") + f" ({total}) — trang {page + 1}/{pages}", ""]
    for d in documents:
        lines.append(bold(f"#{d.id}") + f" {d.title}")
        lines.append(f"    🗓 {format_date(d.published)} · {d.passages} đoạn")
    if documents:
        lines += ["", f"Gõ /nguon ID để xem một tài liệu, ví dụ /nguon {documents[0].id}."]
    return Reply(Rich.lines(lines), _pager(page, pages, lambda p: f"docs:{p}"))


def documents_command(services: Services, args: str, asker: Asker | None = None) -> Reply:
    """/tailieu [trang]: the page asked for, the first one when the argument is not a page number."""
    page = parse_id(args.strip())
    return documents_page(services, page - 1 if page is not None else 0)


def source_command(services: Services, args: str, asker: Asker | None = None) -> Reply:
    """/nguon ID: parse the id or say how to use the command."""
    document_id = parse_id(args.strip().lstrip("#"))
    if document_id is None:
        return say(SOURCE_USAGE)
    return document_page(services, document_id, 0)


def document_page(services: Services, document_id: int, page: int = 0) -> Reply:
    """One document's metadata and a page of its passages, with ◀ ▶."""
    try:
        document, passages = services.library.document(document_id)
    except NotFoundError as exc:
        return say(f"{exc.user_message} Gõ /tailieu để xem danh sách tài liệu.")
    header: list[Rich | str] = [
        "📄 " + bold(document.title),
        f"Mã tài liệu: #{document.id} · {format_date(document.published)}",
    ]
    if document.source:
        header.append("Nguồn: " + source_rich(document.source))
    if document.province_list:
        header.append("Tỉnh/thành: " + ", ".join(document.province_list))
    blocks = [_passage_block(p.position, p.text) for p in passages]
    pages = _pack(blocks, _PAGE_BUDGET - len(Rich.lines(header).plain) - 1)
    page = min(max(page, 0), len(pages) - 1) if pages else 0
    header.append(f"{len(passages)} đoạn — trang {page + 1}/{max(len(pages), 1)}")
    body = pages[page] if pages else []
    return Reply(
        Rich.lines(header) + "\n\n" + text("\n\n").join(body),
        _pager(page, len(pages), lambda p: f"doc:{document_id}:{p}"),
    )


def _passage_block(position: int, passage: str) -> Rich:
    return bold(f"Đoạn {position + 1}") + "\n" + passage


def _pack(blocks: list[Rich], budget: int) -> list[list[Rich]]:
    """Group passages into pages under a character budget; an over-long passage is cut."""
    pages: list[list[Rich]] = []
    current: list[Rich] = []
    used = 0
    for block in blocks:
        if len(block.plain) > budget:
            block = _cut_block(block, budget)
        if current and used + len(block.plain) + 2 > budget:
            pages.append(current)
            current, used = [], 0
        current.append(block)
        used += len(block.plain) + 2
    if current:
        pages.append(current)
    return pages


def _cut_block(block: Rich, budget: int) -> Rich:
    """A passage cut at a space under ``budget`` characters; its bold heading (the first span) is kept whole."""
    heading, *rest = block.spans
    passage = "".join(span.text for span in rest)
    room = budget - len(heading.text) - 2
    cut = passage.rfind(" ", 0, room)
    return Rich((heading,)) + text(passage[: cut if cut > 0 else room] + " …")


def _pager(page: int, pages: int, data: Callable[[int], str]) -> Keyboard:
    row: list[Button] = []
    if page > 0:
        row.append(("◀", data(page - 1)))
    if page + 1 < pages:
        row.append(("▶", data(page + 1)))
    return [row] if row else []


def statistics(services: Services, asker: Asker, *, days: int = 7) -> Reply:
    """/thongke for admins: questions per day, the most asked, the recent ones without an answer."""
    if not asker.is_admin:
        return say(NOT_ADMIN)
    report = usage_report(services.library.engine, tz=services.tz, days=days)
    unanswered = sum(d.unanswered for d in report.days)
    lines: list[Rich | str] = [
        "📊 " + bold(f"Thống kê {days} ngày qua"),
        f"Tổng: {report.total} câu hỏi, {unanswered} câu chưa có câu trả lời.",
        # Only people's questions are counted; an admin's `cdsbot chat` tries are named as such.
        *([f"(trong đó {report.from_terminal} câu thử trong cdsbot chat)"] if report.from_terminal else []),
        f"Đánh giá: 👍 {report.helpful} · 👎 {report.unhelpful}",
        "",
        bold("Theo ngày"),
    ]
    lines += [f"{_day(d.day)}: {d.asked} câu" + (f" ({d.unanswered} chưa trả lời)" if d.unanswered else "") for d in report.days]
    lines += ["", bold("Hỏi nhiều nhất")]
    if report.top_questions:
        lines += [f"{i}. {_shorten(q, 120)} — {n} lần" for i, (q, n) in enumerate(report.top_questions, 1)]
    else:
        lines.append("Chưa có câu hỏi nào.")
    lines += ["", bold("Câu hỏi chưa có câu trả lời gần đây")]
    if report.unanswered:
        lines += [f"• {when:%d/%m %H:%M} — {_shorten(q, 120)}" for when, q in report.unanswered]
    else:
        lines.append("Không có.")
    return Reply(Rich.lines(lines))


def _day(value: date) -> str:
    return value.strftime("%d/%m")


def _shorten(value: str, limit: int) -> str:
    return shorten(" ".join(value.split()), limit)


def unknown_command(command: str) -> Reply:
    return say(f"Tôi chưa hiểu lệnh {command}. Gõ /help để xem các lệnh, hoặc cứ gõ câu hỏi của bạn.")


def non_text(services: Services) -> Reply:
    """Stickers, photos, voice…: say what the bot reads, with one question to copy."""
    questions = examples(services, 1)
    hint = f", ví dụ: «{questions[0]}»" if questions else ""
    return say(f"{NON_TEXT}{hint}.")
