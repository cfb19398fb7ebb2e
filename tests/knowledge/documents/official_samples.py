"""Official documents in the Nghị định 30/2020 layout, written for the tests in our own words.

Each builder returns the bytes an official would receive: a .docx with a
borderless header table and a task table, a Markdown plan with a pipe table,
a text-layer PDF with a drawn table (fpdf2), and a scanned page (Pillow draws
the text with DejaVu Sans, the PDF holds only the picture).
"""

from __future__ import annotations

import io
from pathlib import Path

import docx

PLAN_NUMBER = "215/KH-UBND"
PLAN_SUBJECT = "Triển khai chuyển đổi số trong cơ quan nhà nước năm 2026"

PLAN_INTRO = (
    "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, Ủy ban nhân dân tỉnh Bắc Ninh "
    "ban hành Kế hoạch đưa các dịch vụ hành chính của tỉnh Bắc Ninh lên môi trường số, giảm giấy tờ "
    "cho người dân và doanh nghiệp; mỗi sở, ngành nhận việc theo bảng dưới đây."
)
PLAN_BASIS = "Căn cứ Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ."

TASK_HEADER = ("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành")
TASK_ROWS: tuple[tuple[str, ...], ...] = (
    ("I", "HẠ TẦNG SỐ", "", "", "", ""),
    ("1", "Nâng cấp trung tâm dữ liệu dùng chung của tỉnh", "Sở Khoa học và Công nghệ", "Sở Tài chính",
     "Trung tâm dữ liệu", "30/9/2026"),
    ("2", "Phủ sóng mạng di động thế hệ mới tới mọi thôn", "Sở Khoa học và Công nghệ", "Các doanh nghiệp viễn thông",
     "Báo cáo", "Quý III/2026"),
    ("II", "NHÂN LỰC SỐ", "", "", "", ""),
    ("3", "Tập huấn kỹ năng số cho công chức cấp xã", "Sở Nội vụ", "Ủy ban nhân dân cấp xã", "Lớp tập huấn",
     "Tháng 10/2026"),
    ("4", "Bồi dưỡng cán bộ chuyên trách an toàn thông tin", "Sở Nội vụ", "Công an tỉnh", "Chứng chỉ",
     "Trước 15/11/2026"),
    ("5", "Rà soát và cập nhật kế hoạch năm", "Văn phòng UBND tỉnh", "Các sở, ngành", "Báo cáo",
     "Thường xuyên"),
    ("6", "Báo cáo tiến độ chuyển đổi số", "Sở Khoa học và Công nghệ", "Các sở, ngành", "Báo cáo", "Hằng quý"),
    ("7", "Xây dựng kho dữ liệu mở của tỉnh", "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Kho dữ liệu",
     "2026-2027"),
    ("8", "Chuẩn hóa quy trình tiếp nhận hồ sơ", "Sở Tư pháp", "Các sở, ngành", "Quy trình",
     "Sau khi có hướng dẫn của Bộ"),
)


def _header_table(document: docx.document.Document, left: list[str], right: list[str]) -> None:
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def plan_docx(*, number: bool = True, dated: bool = True, rows: tuple[tuple[str, ...], ...] = TASK_ROWS) -> bytes:
    """The Bắc Ninh plan as a .docx: header table, type and subject, body, task table, closing table."""
    document = docx.Document()
    left = ["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH"] + ([f"Số: {PLAN_NUMBER}"] if number else ["Số:      /KH-UBND"])
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    right.append("Bắc Ninh, ngày 12 tháng 3 năm 2026" if dated else "Bắc Ninh, ngày      tháng 3 năm 2026")
    _header_table(document, left, right)
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph(PLAN_SUBJECT)
    document.add_paragraph(PLAN_BASIS)
    document.add_paragraph(PLAN_INTRO)
    document.add_paragraph("I. NHIỆM VỤ CỤ THỂ")
    table = document.add_table(rows=1 + len(rows), cols=len(TASK_HEADER))
    for cell, value in zip(table.rows[0].cells, TASK_HEADER):
        cell.text = value
    for row, values in zip(table.rows[1:], rows):
        if values[2:] == ("",) * (len(values) - 2):
            merged = row.cells[1].merge(row.cells[-1])
            row.cells[0].text = values[0]
            merged.text = values[1]
            continue
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph(
        "Các sở, ngành báo cáo kết quả thực hiện về Sở Khoa học và Công nghệ để tổng hợp, trình Ủy ban nhân dân tỉnh."
    )
    _header_table(
        document,
        ["Nơi nhận:", "- Bộ Khoa học và Công nghệ;", "- Thường trực Tỉnh ủy;", "- Lưu: VT."],
        ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Hòa"],
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


RESOLUTION_MD = """\
CHÍNH PHỦ

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 03/NQ-CP

Hà Nội, ngày 09 tháng 01 năm 2025

NGHỊ QUYẾT

Ban hành Chương trình hành động về phát triển dữ liệu số quốc gia

CHÍNH PHỦ

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;

Chính phủ giao các bộ, ngành và địa phương thực hiện các nhiệm vụ tại Phụ lục kèm theo Nghị quyết này.

Bộ Tài chính hướng dẫn cơ chế tài chính cho các dự án dữ liệu số trước ngày 30/6/2025.

Nơi nhận:
- Các bộ, cơ quan ngang bộ;
- Lưu: VT.

TM. CHÍNH PHỦ
THỦ TƯỚNG

Nguyễn Minh An

PHỤ LỤC

(Kèm theo Nghị quyết số 03/NQ-CP ngày 09 tháng 01 năm 2025 của Chính phủ)

| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời hạn |
|---|---|---|---|---|
| I | Hoàn thiện thể chế | | | |
| 1 | Xây dựng Danh mục công nghệ chiến lược | Bộ Khoa học và Công nghệ | Các bộ, ngành | 2025 |
| 2 | Sửa đổi quy định về chia sẻ dữ liệu | Bộ Công an | Bộ Tư pháp | Tháng 6/2025 |
| II | Hạ tầng dữ liệu | | | |
| 3 | Đưa Trung tâm dữ liệu quốc gia vào vận hành | Bộ Công an | Bộ Tài chính | Quý II/2025 |
| 4 | Kết nối cơ sở dữ liệu dân cư với các bộ | Bộ Công an | Các bộ, ngành | 30/9/2025 |
| 5 | Theo dõi, đôn đốc thực hiện | Văn phòng Chính phủ | | Hằng năm |
"""

OFFICIAL_LETTER_TXT = """\
TỈNH ỦY QUẢNG NINH
VĂN PHÒNG

Số 402-CV/VPTU
V/v đôn đốc triển khai nền tảng họp trực tuyến

ĐẢNG CỘNG SẢN VIỆT NAM

Quảng Ninh, ngày 05 tháng 5 năm 2025

Kính gửi: Các huyện ủy, thị ủy, thành ủy.

Văn phòng Tỉnh ủy đề nghị các cấp ủy hoàn thành việc cài đặt nền tảng họp trực tuyến cho mọi chi bộ, \
kết nối với hệ thống của tỉnh và cử cán bộ đầu mối phụ trách kỹ thuật trước ngày 30/6/2025.

Nơi nhận:
- Như trên,
- Lưu VP.

K/T CHÁNH VĂN PHÒNG
PHÓ CHÁNH VĂN PHÒNG

Trần Thị Mai
"""

CITING_NEWS_MD = """\
# Quảng Ninh sơ kết nền tảng họp trực tuyến

Ngày 20/6/2025, Văn phòng Tỉnh ủy Quảng Ninh sơ kết việc thực hiện Công văn số 402-CV/VPTU về nền tảng \
họp trực tuyến. Theo báo cáo, đã có 95% chi bộ cài đặt nền tảng; các cấp ủy còn lại cần khẩn trương hoàn thành.
"""


def table_pdf(*, continued_on_second_page: bool = False, boxed_header: bool = False) -> bytes:
    """A text-layer PDF (fpdf2, DejaVu Sans) with the header and a drawn task table.

    ``boxed_header``: issuer and number | motto and date drawn as a two-column table with borders.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", dejavu_font_path())
    pdf.add_font("DejaVu", "B", dejavu_font_path().replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    header = ["ỦY BAN NHÂN DÂN TỈNH NINH BÌNH", "Số: 88/KH-UBND", "Ninh Bình, ngày 02 tháng 4 năm 2026"]
    if boxed_header:
        with pdf.table(col_widths=(90, 90), first_row_as_headings=False) as box:
            row = box.row()
            row.cell("ỦY BAN NHÂN DÂN\nTỈNH NINH BÌNH\nSố: 88/KH-UBND")
            row.cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nNinh Bình, ngày 02 tháng 4 năm 2026")
        header = []
    for line in (
        *header,
        "KẾ HOẠCH",
        "Phát triển chính quyền số tỉnh Ninh Bình năm 2026",
    ):
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        7,
        "Để đưa chính quyền số vào vận hành trong năm 2026, Ủy ban nhân dân tỉnh Ninh Bình giao các sở, ngành "
        "thực hiện các nhiệm vụ trong bảng dưới đây, báo cáo kết quả định kỳ về Sở Khoa học và Công nghệ; "
        "các địa phương bố trí cán bộ đầu mối và kinh phí để triển khai đúng tiến độ đã đề ra.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(
        0,
        7,
        "Các cơ quan được giao chủ trì chủ động phối hợp với doanh nghiệp công nghệ, bảo đảm an toàn thông tin "
        "trong suốt quá trình số hóa, chia sẻ dữ liệu qua nền tảng tích hợp của tỉnh thay vì gửi văn bản giấy, "
        "và công khai kết quả thực hiện trên cổng thông tin điện tử của từng cơ quan.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    headings = ("TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành")
    rows = [
        ("1", "Số hóa hồ sơ đất đai", "Sở Nông nghiệp và Môi trường", "31/8/2026"),
        ("2", "Triển khai chữ ký số cho công chức", "Sở Khoa học và Công nghệ", "Quý IV/2026"),
        ("3", "Lập bản đồ số các di tích", "Sở Văn hóa, Thể thao và Du lịch", "2026"),
    ]
    with pdf.table(col_widths=(10, 70, 60, 40), first_row_as_headings=True) as table:
        for values in (headings, *rows[: 2 if continued_on_second_page else 3]):
            row = table.row()
            for value in values:
                row.cell(value)
    if continued_on_second_page:
        pdf.add_page()
        with pdf.table(col_widths=(10, 70, 60, 40), first_row_as_headings=False) as table:
            row = table.row()
            for value in rows[2]:
                row.cell(value)
    return bytes(pdf.output())


def dejavu_font_path() -> str:
    """DejaVu Sans from fonts-dejavu-core, or the copy matplotlib ships."""
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ):
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError("DejaVuSans.ttf: install fonts-dejavu-core")


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A scan: each page is a picture of its lines (Pillow + DejaVu Sans at 150 dpi), no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(dejavu_font_path(), 30)
    images = []
    for lines in pages:
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((90, 120 + 52 * i), line, font=font, fill=0)
        images.append(image.convert("RGB"))
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return buffer.getvalue()


SCANNED_PLAN = [
    "ỦY BAN NHÂN DÂN TỈNH HÀ NAM",
    "Số: 77/KH-UBND",
    "Hà Nam, ngày 15 tháng 5 năm 2026",
    "KẾ HOẠCH",
    "Chuyển đổi số trong trường học năm 2026",
    "Sở Giáo dục và Đào tạo tỉnh Hà Nam chủ trì đưa học bạ số",
    "vào mọi trường trung học phổ thông, bảo đảm dữ liệu học sinh",
    "được cập nhật đầy đủ, hoàn thành trước ngày 30/9/2026.",
]
# What a smudged, skewed scan reads as: letters, but no Vietnamese words.
GIBBERISH_PAGE = ["Xkqz vbrtw plmq hjkt qrstv zzkw", "Wqpt frkz mnbv xxcq ljhg trwq", "Pzqk wvtr kkmz qwrt bvxz"] * 4
