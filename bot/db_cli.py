"""``cdsbot db``: upgrade the schema, show its revision, write a new migration."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings


def add_db_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="lược đồ cơ sở dữ liệu: nâng cấp, xem phiên bản, tạo bản di chuyển mới")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="nâng cấp lược đồ lên phiên bản mới nhất (bot cũng tự làm khi khởi động)")
    db_sub.add_parser("current", help="in phiên bản lược đồ của cơ sở dữ liệu và phiên bản mới nhất")
    revision = db_sub.add_parser("revision", help="(cho lập trình viên) tạo bản di chuyển mới từ models.py")
    revision.add_argument("-m", "--message", required=True, help="mô tả ngắn, tiếng Anh")
    revision.add_argument("--empty", action="store_true", help="tệp trống để tự viết (ví dụ chuyển dữ liệu)")


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    """Runs before the library opens: ``db current`` must not upgrade what it reports on."""
    from knowledge.db import (
        current_revision,
        head_revision,
        make_engine,
        new_revision,
        upgrade_schema,
    )

    if args.db_command == "revision":
        path = new_revision(args.message, autogenerate=not args.empty)
        print(f"Đã tạo {path}; hãy đọc lại trước khi commit.")
        return 0
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url, upgrade=False)
    try:
        if args.db_command == "upgrade":
            upgrade_schema(engine)
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    head = head_revision()
    state = "mới nhất" if current == head else f"cần nâng cấp lên {head} (cdsbot db upgrade)"
    print(f"Phiên bản lược đồ: {current or 'chưa có'} — {state}.")
    return 0
