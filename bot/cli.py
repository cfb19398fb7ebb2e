"""The ``cdsbot`` command: ask, ingest, docs, eval, chat, deadlines, run."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from bot.logs import configure_logging
from bot.render import answer_plain
from bot.services import open_library
from knowledge.answers.answer import Answer
from knowledge.documents.metadata import parse_user_date
from knowledge.documents.parsers import SUPPORTED_EXTENSIONS
from knowledge.errors import UserFacingError
from knowledge.library import DEFAULT_K, IngestResult, Library

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
    }


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------- commands
def cmd_ask(library: Library, args: argparse.Namespace, settings: Settings) -> int:
    questions: Iterator[str]
    if args.question == "-":
        questions = (line.strip() for line in sys.stdin if line.strip())
    else:
        questions = iter([args.question])
    for question in questions:
        answer = library.ask(question, k=args.k, log_as=("cli", None, None))
        if not answer.found and not args.json:
            answer = replace(answer, suggestions=tuple(_examples(settings, library)))
        if args.json:
            _print_json(answer_json(answer))
        else:
            print(answer_plain(answer, bold=sys.stdout.isatty()))
            print()
    return 0


def _examples(settings: Settings, library: Library) -> list[str]:
    """Questions the base does answer, as the bot offers them (imported late: it pulls in Telegram)."""
    from bot.app import Services
    from bot.conversation import examples

    return examples(Services(settings, library))


def _files(paths: Sequence[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)
        else:
            yield path


def cmd_ingest(library: Library, args: argparse.Namespace, settings: Settings) -> int:
    published = None
    if args.published:
        published = parse_user_date(args.published)
        if published is None:
            print(f"Ngày không hợp lệ: {args.published} (dùng YYYY-MM-DD hoặc dd/mm/yyyy).", file=sys.stderr)
            return 2
    failed = False
    files = list(_files(args.paths))
    for number, path in enumerate(files, start=1):
        try:
            data = path.read_bytes()
        except OSError as exc:
            result = IngestResult(status="error", error=f"Không đọc được tệp: {exc.strerror or exc}.")
        else:
            result = library.ingest_bytes(
                data,
                path.name,
                title=args.title,
                source=args.source,
                published=published,
                added_by="cli",
                max_bytes=settings.max_upload_bytes,
            )
        failed |= result.status == "error"
        if args.json:
            _print_json(ingest_json(str(path), result))
        else:
            print(_ingest_line(number, len(files), str(path), result))
    library.save_index()
    return 1 if failed else 0


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
    from knowledge.answers.evaluation import evaluate_file

    report = evaluate_file(library, Path(args.file), k=max(args.k, 3))
    if args.json:
        _print_json(report.as_dict())
    else:
        print(report.summary())
        if args.verbose:
            for line in report.details():
                print(line)
    return 0


# ------------------------------------------------------------------ parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdsbot",
        description="Trợ lý hỏi đáp về chuyển đổi số, có trích dẫn nguồn và nhắc hạn chót.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="hỏi một câu (hoặc '-' để đọc từng dòng từ stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="in JSON (JSON Lines khi đọc stdin)")
    ask.add_argument("-k", type=int, default=DEFAULT_K, help="số trích dẫn (mặc định 3)")

    ingest = sub.add_parser("ingest", help="thêm tài liệu (tệp hoặc thư mục)")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--json", action="store_true")
    ingest.add_argument("--title")
    ingest.add_argument("--source")
    ingest.add_argument("--published", help="YYYY-MM-DD")

    docs = sub.add_parser("docs", help="liệt kê hoặc xoá tài liệu")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    docs_list = docs_sub.add_parser("list")
    docs_list.add_argument("--json", action="store_true")
    docs_remove = docs_sub.add_parser("remove")
    docs_remove.add_argument("id", type=int)

    evaluation = sub.add_parser("eval", help="đánh giá trên tệp câu hỏi JSONL")
    evaluation.add_argument("file")
    evaluation.add_argument("--json", action="store_true")
    evaluation.add_argument("-k", type=int, default=3)
    evaluation.add_argument("--details", dest="verbose", action="store_true")

    run = sub.add_parser("run", help="chạy bot Telegram (long polling, hoặc webhook với --webhook-url)")
    run.add_argument("--webhook-url", help="URL công khai để Telegram gửi cập nhật (bật chế độ webhook)")
    run.add_argument("--port", type=int, default=8443, help="cổng lắng nghe webhook (mặc định 8443)")
    run.add_argument("--listen", default="0.0.0.0", help="địa chỉ lắng nghe webhook")

    sub.add_parser("chat", help="trò chuyện với bot ngay trong terminal, không cần token")

    deadlines = sub.add_parser("deadlines", help="liệt kê hạn chót trích từ văn bản chỉ đạo")
    deadlines.add_argument("--json", action="store_true")
    deadlines.add_argument("--all", action="store_true", help="kể cả hạn đã qua")
    deadlines.add_argument("--province", help="chỉ hạn chót của tỉnh này")

    # progress (issue 9)
    progress = sub.add_parser("progress", help="số liệu chỉ số chuyển đổi số theo tỉnh, kỳ mới nhất trước")
    progress.add_argument("--json", action="store_true")
    progress.add_argument("--province", help="chỉ số liệu của tỉnh này (tên cũ hoặc mới, có dấu hay không)")
    progress.add_argument("--indicator", help="chỉ một chỉ số, ví dụ dti_rank")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to python-telegram-bot's timedelta durations now rather than on its schedule.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"Cấu hình không hợp lệ: {exc.errors()[0]['loc']} — {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    configure_logging(settings, verbose=args.verbose, serving=args.command == "run")
    library = open_library(settings)
    if args.command == "ask":
        return cmd_ask(library, args, settings)
    if args.command == "ingest":
        return cmd_ingest(library, args, settings)
    if args.command == "docs":
        return cmd_docs(library, args)
    if args.command == "eval":
        return cmd_eval(library, args)
    if args.command == "run":
        from bot.runner import run_bot

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
