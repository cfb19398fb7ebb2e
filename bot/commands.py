"""Every command the bot answers, with its Vietnamese description: /help, set_my_commands and the README read this.

The handlers register exactly these names; a guard-rail test checks that the
registered handlers and this table agree, so /help never lies.
"""

from __future__ import annotations

QUESTION_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Giới thiệu bot và câu hỏi mẫu"),
    ("hoi", "Đặt câu hỏi (trong nhóm: /hoi câu hỏi)"),
    ("tailieu", "Danh sách tài liệu trong cơ sở dữ liệu"),
    ("nguon", "Xem một tài liệu và các đoạn của nó: /nguon ID"),
    ("thongke", "Thống kê câu hỏi (quản trị viên)"),
    ("help", "Danh sách lệnh"),
    ("trogiup", "Danh sách lệnh"),
)

DOCUMENT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("admin", "Quản trị: thêm, sửa, xoá tài liệu"),
    ("xoa", "Quản trị: xoá một tài liệu: /xoa ID"),
    ("thaythe", "Quản trị: thay một tài liệu bằng bản sửa: /thaythe ID"),
)

DEADLINE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("hanchot", "Hạn chót sắp tới và quá hạn (có thể ghi tên tỉnh)"),
    ("dangky", "Đăng ký nhận nhắc hạn chót theo tỉnh, chủ đề"),
    ("huydangky", "Huỷ nhận nhắc hạn chót"),
    ("hanchot_them", "Quản trị: thêm hạn chót"),
    ("hanchot_sua", "Quản trị: sửa hạn chót"),
    ("dsdangky", "Quản trị: các nhóm đăng ký nhắc hạn"),
)


PROGRESS_COMMANDS: tuple[tuple[str, str], ...] = (
    ("tiendo", "Tiến độ chuyển đổi số của một tỉnh, kèm biểu đồ: /tiendo Hải Dương"),
    ("xephang", "Xếp hạng các tỉnh theo một chỉ số: /xephang [chỉ số]"),
)


def all_commands() -> list[tuple[str, str]]:
    """(command, Vietnamese description) for set_my_commands and /help."""
    return [*QUESTION_COMMANDS, *DOCUMENT_COMMANDS, *DEADLINE_COMMANDS, *PROGRESS_COMMANDS]
