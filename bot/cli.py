"""The ``cdsbot`` command: ask, ingest, docs, eval, chat, deadlines, run.

Only the standard library is imported at module level. The settings (pydantic),
the database (sqlalchemy), the index (numpy, scipy), the document parsers and
python-telegram-bot are imported by the command that needs them, after the
arguments are parsed: ``cdsbot --help`` loads none of them, ``ask`` never loads
the parsers or Telegram, ``ingest`` never loads Telegram
(``tests/test_architecture.py`` and ``bench/startup.py`` keep it that way).
On the usual start ``ask`` loads neither the settings library nor the
database layer at all: :func:`cold_ask` answers from the SQLite file and the
saved index with the standard library, and steps aside for the full path
whenever that one has work to do.
Exit status: 0 done; 1 an operation failed (a file could not be added, a
document id names nothing); 2 bad input (a bad option, an empty question, a
missing question file, an invalid setting). Errors are one Vietnamese line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot.db_cli import add_db_parser, cmd_db

if TYPE_CHECKING:
    from bot.config import Settings
    from knowledge.answers.answer import Answer
    from knowledge.errors import UserFacingError
    from knowledge.library import IngestResult, Library

log = logging.getLogger("cdsbot")


def answer_json(answer: Answer) -> dict[str, object]:
    """The machine-readable answer; other tools rely on these keys."""
    return {
        "question": answer.question,
        "found": answer.found,
        "answer": answer.text,
        "citations": [
            {
                "document_id": c.document_id,
                "title": c.title,
                "source": c.source,
                "published": c.published.isoformat() if c.published else None,
                "passage_id": c.passage_id,
                "snippet": c.snippet,
                "passage": c.passage,
                "score": c.score,
            }
            for c in answer.citations
        ],
    }


def ingest_json(path: str, result: IngestResult) -> dict[str, object]:
    return {
        "path": path,
        "document_id": result.document_id,
        "title": result.title,
        "passages": result.passages,
        "status": result.status,
        "error": result.error if result.status != "added" else None,
        "published": result.published.isoformat() if result.published else None,
        "provinces": list(result.provinces),
        "deadlines": len(result.deadlines),
        "number": result.number,
        "doc_type": result.doc_type,
        "issuer": result.issuer,
        "warnings": list(result.warnings),
    }


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------- commands
EMPTY_QUESTION = "Câu hỏi trống: hãy gõ một câu có chữ, ví dụ: cdsbot ask \"Hải Dương xếp hạng bao nhiêu?\""


def cmd_ask(library: Library, args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.render.html import answer_plain

    questions: Iterator[str]
    if args.question == "-":
        questions = (line.strip() for line in sys.stdin if line.strip())
    else:
        questions = iter([args.question])
    status = 0
    for question in questions:
        if library.reader.read(question).is_empty:
            # "", "?" or "3" asks nothing: bad input, not a question the base failed to answer.
            print(f"{EMPTY_QUESTION} (nhận được: {question!r})" if question else EMPTY_QUESTION, file=sys.stderr)
            status = 2
            continue
        # Not logged: statistics count people's questions, not scripts'.
        answer = library.ask(question, k=args.k)
        if not answer.found and not args.json:
            answer = replace(answer, suggestions=tuple(_examples(settings, library)))
        if args.json:
            _print_json(answer_json(answer))
        else:
            print(answer_plain(answer, bold=sys.stdout.isatty()))
            print()
    return status


def cold_ask(args: argparse.Namespace) -> int | None:
    """``cdsbot ask`` on the usual start, without SQLAlchemy, pydantic or Alembic; None: take the full path.

    The usual start is plainly valid settings (``bot.plain_settings``) and a
    SQLite base whose schema, derived data and saved index are current
    (``knowledge.answers.saved_base``). Then :func:`cmd_ask` runs over that
    base exactly as over the library. Anything else (a first start, a stale
    index, PostgreSQL, a setting to report as wrong) returns None before
    anything is printed, and ``main`` carries on as it always has.
    """
    from bot.plain_settings import read_plain_settings

    settings = read_plain_settings()
    database = settings.sqlite_path if settings is not None else None
    if settings is None or database is None:
        return None
    from bot.logs import configure_logging, libraries_log_to_file
    from knowledge.answers.saved_base import SavedBase

    configure_logging(settings, verbose=args.verbose, serving=False)  # type: ignore[arg-type]
    libraries_log_to_file(settings.data_dir / "cdsbot.log")
    base = SavedBase.open(database, settings.index_dir, demo_may_load=settings.demo is not False)
    if base is None:
        return None
    try:
        return cmd_ask(base, args, settings)  # type: ignore[arg-type]
    finally:
        base.close()


def _examples(settings: Settings, library: Library) -> list[str]:
    """Questions the base does answer, as the bot offers them (imported late: it pulls in Telegram)."""
    from bot.conversation import examples
    from bot.services import Services

    return examples(Services(settings, library))


def _files(paths: Sequence[str]) -> Iterator[Path]:
    from knowledge.documents.parsers import SUPPORTED_EXTENSIONS

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)
        else:
            yield path


def _read_failure(exc: OSError) -> str:
    """Why a file could not be read, in Vietnamese (the OS says it in English)."""
    reasons = {
        errno.ENOENT: "không có tệp này",
        errno.EACCES: "không có quyền đọc tệp",
        errno.EPERM: "không có quyền đọc tệp",
        errno.EISDIR: "đây là thư mục",
    }
    return f"Không đọc được tệp: {reasons.get(exc.errno or 0, 'lỗi hệ thống khi đọc')}."


def cmd_ingest(library: Library, args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from knowledge.documents.bulk import BulkIngest
    from knowledge.documents.demo import DEMO_REMOVED
    from knowledge.documents.metadata import parse_user_date
    from knowledge.documents.parsers import SUPPORTED_EXTENSIONS

    published = None
    if args.published:
        published = parse_user_date(args.published)
        if published is None:
            print(f"Ngày không hợp lệ: {args.published} (dùng YYYY-MM-DD hoặc dd/mm/yyyy).", file=sys.stderr)
            return 2
    failed = False
    files = list(_files(args.paths))
    if not files:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        print(f"Không có tệp nào để thêm trong {', '.join(args.paths)} (hỗ trợ: {supported}).", file=sys.stderr)
        return 2
    # Files are prepared on `--jobs` worker processes (both cores by default) and stored here, in order.
    jobs = args.jobs or os.cpu_count() or 1
    bulk = BulkIngest(library, limits=settings.parse_limits, jobs=min(jobs, len(files)))
    bar = IngestBar(len(files), sys.stderr)
    outcomes = bulk.run(
        files,
        ocr_progress=_ocr_bar,  # scans are OCR'd page by page
        title=args.title,
        source=args.source,
        published=published,
        added_by="cli",
        max_bytes=settings.max_upload_bytes,
    )
    for number, outcome in enumerate(outcomes, start=1):
        result = outcome.result
        if outcome.read_error is not None:
            result = replace(result, error=_read_failure(outcome.read_error))
        bar.clear()
        if outcome.demo_removed:
            print(DEMO_REMOVED.format(n=outcome.demo_removed), file=sys.stderr)
        failed |= result.status == "error"
        if args.json:
            _print_json(ingest_json(str(outcome.path), result))
        else:
            print(_ingest_line(number, len(files), str(outcome.path), result), flush=bar.shown)
            for warning in result.warnings:  # issue 8: what could not be read, said in Vietnamese
                print(f"    cảnh báo: {warning}", flush=bar.shown)
        bar.step(result.passages if result.status == "added" else 0)
    bar.finish()
    library.save_index()
    return 1 if failed else 0


class IngestBar:
    """Documents done/total and passages added, redrawn on one stderr line; only when stderr is a terminal.

    stdout stays the per-file report (or JSON with --json), so a redirected or
    piped run prints exactly what it always did.
    """

    def __init__(self, total: int, stream: TextIO, width: int = 24) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.shown = stream.isatty()
        self.done = 0
        self.passages = 0

    def step(self, passages: int) -> None:
        self.done += 1
        self.passages += passages
        if not self.shown:
            return
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rĐang thêm tài liệu: [{bar}] {self.done}/{self.total} tệp, {self.passages} đoạn")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar before a report line takes its place."""
        if self.shown and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def finish(self) -> None:
        if self.shown and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _ocr_bar(page: int, pages: int) -> None:
    """The OCR progress bar on stderr (stdout stays the report, or JSON with --json)."""
    width = 20
    filled = width * page // max(pages, 1)
    line = f"Đang nhận dạng chữ: trang {page}/{pages} [{'#' * filled}{'-' * (width - filled)}]"
    if sys.stderr.isatty():
        print(f"\r{line}", end="\n" if page == pages else "", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _ingest_line(number: int, total: int, path: str, result: IngestResult) -> str:
    prefix = f"[{number}/{total}] {path}: "
    if result.status == "added":
        when = result.published.strftime("%d/%m/%Y") if result.published else "không rõ ngày"
        provinces = ", ".join(result.provinces) or "không rõ tỉnh"
        return (
            f"{prefix}đã thêm #{result.document_id} «{result.title}» ({when}; {provinces}; "
            f"{result.passages} đoạn; {len(result.deadlines)} hạn chót)"
        )
    if result.status == "duplicate":
        return f"{prefix}bỏ qua — {result.error}"
    return f"{prefix}LỖI — {result.error}"


def cmd_docs(library: Library, args: argparse.Namespace) -> int:
    from knowledge.errors import UserFacingError

    if args.docs_command == "remove":
        try:
            document = library.remove(args.id)
        except UserFacingError as exc:
            print(exc.user_message, file=sys.stderr)
            return 1
        library.save_index()
        print(f"Đã xoá tài liệu #{args.id} «{document.title}».")
        return 0
    docs = library.documents()
    if args.json:
        _print_json(
            [
                {
                    "id": d.id,
                    "title": d.title,
                    "source": d.source,
                    "published": d.published.isoformat() if d.published else None,
                    "provinces": list(d.provinces),
                    "passages": d.passages,
                    "added_by": d.added_by,
                    "number": d.number,
                    "doc_type": d.doc_type,
                    "issuer": d.issuer,
                }
                for d in docs
            ]
        )
        return 0
    if not docs:
        print("Cơ sở dữ liệu chưa có tài liệu nào.")
    for d in docs:
        when = d.published.strftime("%d/%m/%Y") if d.published else "—"
        print(f"#{d.id:<5} {when:<10}  {d.passages:>3} đoạn  {d.title}")
    return 0


def cmd_eval(library: Library, args: argparse.Namespace) -> int:
    from knowledge.answers.evaluation import EvalFileError, evaluate_file

    try:
        report = evaluate_file(library, Path(args.file), k=max(args.k, 3))
    except EvalFileError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    if args.json:
        _print_json(report.as_dict())
    else:
        print(report.summary())
        if args.verbose:
            for line in report.details():
                print(line)
    return 0


# ------------------------------------------------------------------ parser
# argparse's own messages, in Vietnamese (the rest of a message is the option's name).
_ARGPARSE_MESSAGES = (
    ("the following arguments are required:", "thiếu đối số bắt buộc:"),
    ("unrecognized arguments:", "không nhận ra đối số:"),
    ("invalid choice:", "lựa chọn không hợp lệ:"),
    ("choose from", "chọn một trong"),
    ("expected one argument", "cần một giá trị"),
    ("invalid int value:", "không phải số nguyên:"),
    ("argument ", "tham số "),
)


class VietnameseArgumentParser(argparse.ArgumentParser):
    """Bad options end with a Vietnamese line and exit status 2, like every other bad input."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        for english, vietnamese in _ARGPARSE_MESSAGES:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


def positive_int(value: str) -> int:
    """A count of citations: 1 or more ("-k 0" used to become 1 without a word)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cần một số nguyên dương, nhận được {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"cần một số nguyên dương (từ 1 trở lên), nhận được {number}")
    return number


def _version() -> str:
    # importlib.metadata (with email and zipfile behind it) is a tenth of a cold
    # start: loaded by --version only, never to build the parser.
    from importlib import metadata

    try:
        return metadata.version("cdsbot")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "chưa cài đặt"


class _VersionAction(argparse.Action):
    """argparse's "version" action, with the version looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"cdsbot {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(
        prog="cdsbot",
        description="Trợ lý hỏi đáp về chuyển đổi số, có trích dẫn nguồn và nhắc hạn chót.",
        epilog="Mã thoát: 0 thành công; 1 thao tác thất bại; 2 dữ liệu vào không hợp lệ.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    parser.add_argument("--version", action=_VersionAction, help="in phiên bản rồi thoát")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=VietnameseArgumentParser)

    ask = sub.add_parser("ask", help="hỏi một câu (hoặc '-' để đọc từng dòng từ stdin)")
    ask.add_argument("question", help="câu hỏi, trong ngoặc kép; '-' để đọc mỗi dòng stdin là một câu")
    ask.add_argument("--json", action="store_true", help="in JSON (JSON Lines khi đọc stdin)")
    # 3 is knowledge.answers.ask.DEFAULT_K; importing it here would load the database for --help.
    ask.add_argument("-k", type=positive_int, default=3, help="số trích dẫn, từ 1 trở lên (mặc định 3)")

    ingest = sub.add_parser("ingest", help="thêm tài liệu (tệp hoặc thư mục)")
    ingest.add_argument("paths", nargs="+", help="tệp hoặc thư mục (.txt, .md, .html, .pdf, .docx)")
    ingest.add_argument("--json", action="store_true", help="in mỗi tệp một dòng JSON")
    ingest.add_argument("--title", help="tiêu đề, thay cho tiêu đề đọc được từ tệp")
    ingest.add_argument("--source", help="nguồn (tên báo, cổng thông tin hoặc URL)")
    ingest.add_argument("--published", help="ngày đăng: YYYY-MM-DD hoặc dd/mm/yyyy")
    ingest.add_argument(
        "--jobs", type=positive_int, default=None, help="số tiến trình phân tích tệp song song (mặc định: số lõi CPU)"
    )

    docs = sub.add_parser("docs", help="liệt kê hoặc xoá tài liệu")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True, parser_class=VietnameseArgumentParser)
    docs_list = docs_sub.add_parser("list", help="liệt kê tài liệu, mới nhất trước")
    docs_list.add_argument("--json", action="store_true", help="in JSON")
    docs_remove = docs_sub.add_parser("remove", help="xoá một tài liệu cùng các đoạn và hạn chót của nó")
    docs_remove.add_argument("id", type=int, help="mã tài liệu (cột # của docs list)")

    evaluation = sub.add_parser("eval", help="đánh giá trên tệp câu hỏi JSONL")
    evaluation.add_argument("file", help='tệp JSON Lines: mỗi dòng {"q": …, "doc": …, "any": […]}')
    evaluation.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    evaluation.add_argument("-k", type=positive_int, default=3, help="số trích dẫn xét cho hit@3 (tối thiểu 3)")
    evaluation.add_argument("--details", dest="verbose", action="store_true", help="in từng câu hỏi, đúng hay sai")

    run = sub.add_parser("run", help="chạy bot Telegram (long polling, hoặc webhook với --webhook-url)")
    run.add_argument("--webhook-url", help="URL công khai để Telegram gửi cập nhật (bật chế độ webhook)")
    run.add_argument("--port", type=int, default=8443, help="cổng lắng nghe webhook (mặc định 8443)")
    run.add_argument("--listen", default="0.0.0.0", help="địa chỉ lắng nghe webhook")

    sub.add_parser("chat", help="trò chuyện với bot ngay trong terminal, không cần token")

    deadlines = sub.add_parser("deadlines", help="liệt kê hạn chót trích từ văn bản chỉ đạo")
    deadlines.add_argument("--json", action="store_true", help="in JSON")
    deadlines.add_argument("--all", action="store_true", help="kể cả hạn đã qua")
    deadlines.add_argument("--province", help="chỉ hạn chót của tỉnh này")
    add_db_parser(sub)
    deadlines.add_argument(
        "--recurring", action="store_true", help="nhiệm vụ định kỳ (thường xuyên, hằng năm, hằng quý), không nhắc hạn"
    )

    progress = sub.add_parser("progress", help="số liệu chỉ số chuyển đổi số theo tỉnh, kỳ mới nhất trước")
    progress.add_argument("--json", action="store_true", help="in JSON")
    progress.add_argument("--province", help="chỉ số liệu của tỉnh này (tên cũ hoặc mới, có dấu hay không)")
    progress.add_argument("--indicator", help="chỉ một chỉ số, ví dụ dti_rank")
    return parser


def main(argv: Sequence[str] | None = None, *, cold_start: bool = True) -> int:
    """Run one command; ``cold_start=False`` sends ``ask`` down the full path (tests compare the two)."""
    # Opt in to python-telegram-bot's timedelta durations now rather than on its schedule.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if cold_start and args.command == "ask":
        from knowledge.errors import UserFacingError

        try:
            answered = cold_ask(args)
        except BrokenPipeError:
            return _reader_left()
        except UserFacingError as exc:
            return _failed(exc)
        if answered is not None:
            return answered
    from pydantic import ValidationError

    from bot.config import Settings, settings_error
    from bot.logs import configure_logging

    try:
        settings = Settings()
    except ValidationError as exc:
        print(settings_error(exc), file=sys.stderr)
        return 2
    configure_logging(settings, verbose=args.verbose, serving=args.command == "run")
    if args.command != "run":
        # pypdf and friends warn about damaged files; the user gets our one clean line instead.
        from bot.logs import libraries_log_to_file

        libraries_log_to_file(settings.data_dir / "cdsbot.log")
    from knowledge.errors import UserFacingError

    try:
        if args.command == "db":
            return cmd_db(settings, args)
        return _dispatch(parser, args, settings)
    except BrokenPipeError:
        return _reader_left()
    except UserFacingError as exc:
        return _failed(exc)


def _reader_left() -> int:
    """`cdsbot ask … | head`: the reader left; stop quietly, like any Unix tool."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _failed(exc: UserFacingError) -> int:
    """An operation failed for a reason the user can act on: their line on stderr, the detail in the log."""
    log.info("failed: %s", exc.detail or exc.user_message)
    print(exc.user_message, file=sys.stderr)
    return 1


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import open_library

    # The demo is for trying `ask` and `chat`: never loaded to be mixed with real
    # documents (`ingest`), and served to officials only when asked for (CDSBOT_DEMO=1).
    load_demo = {"ingest": False, "run": settings.demo is True}.get(args.command)
    library = open_library(settings, load_demo=load_demo)
    try:
        return _run_command(parser, library, args, settings)
    finally:
        library.close()  # writes the question log still queued; stops a pending index merge


def _run_command(
    parser: argparse.ArgumentParser, library: Library, args: argparse.Namespace, settings: Settings
) -> int:
    if args.command == "ask":
        return cmd_ask(library, args, settings)
    if args.command == "ingest":
        return cmd_ingest(library, args, settings)
    if args.command == "docs":
        return cmd_docs(library, args)
    if args.command == "eval":
        return cmd_eval(library, args)
    if args.command == "run":
        from bot.telegram.runner import run_bot

        return run_bot(settings, library, webhook_url=args.webhook_url, port=args.port, listen=args.listen)
    if args.command == "chat":
        from bot.terminal_chat import run_chat

        return run_chat(settings, library)
    if args.command == "deadlines":
        from bot.deadlines_cli import cmd_deadlines

        return cmd_deadlines(library, args, settings)
    if args.command == "progress":
        from bot.progress_cli import cmd_progress

        return cmd_progress(library, args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
