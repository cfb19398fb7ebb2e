"""Uploaded files of every supported format become clean Vietnamese text.

Every fixture is built here, in code: the bytes a real admin would upload
(legacy encodings, Word files, PDFs, saved web pages) and the bytes an
unlucky or hostile upload could contain.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from collections.abc import Callable

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from knowledge.documents.parsers import (
    SUPPORTED_EXTENSIONS,
    ParsedText,
    ParseError,
    parse_document,
)

VIETNAMESE = "Chuyển đổi số là nhiệm vụ trọng tâm của tỉnh Hải Dương trong giai đoạn 2021-2025."
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


# ---------------------------------------------------------------- builders


def to_cp1258(text: str) -> bytes:
    """Encode the way Windows-1258 does: shaped letter, then a combining tone mark.

    cp1258 has â, ê, ơ, ư... as single bytes but no precomposed "ể", and no
    combining circumflex, so plain NFD is not encodable either.
    """
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in _TONE_MARKS)
        shape = "".join(c for c in decomposed if c not in _TONE_MARKS)
        out += (unicodedata.normalize("NFC", shape) + tone).encode("cp1258")
    return bytes(out)


def make_docx(*, title: str | None = None, author: str | None = None) -> bytes:
    document = docx.Document()
    document.add_heading("Kế hoạch chuyển đổi số năm 2023", level=1)
    document.add_paragraph(VIETNAMESE)
    rows = [
        ("Nhiệm vụ", "Thời hạn"),
        ("Trung tâm điều hành", "30/6/2023"),
        ("An ninh mạng", "Quý III/2023"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    for row, (task, deadline) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = task, deadline
    document.add_paragraph("Các sở, ngành   báo cáo kết quả\u00a0trước ngày 15/12/2023.")
    if title is not None:
        document.core_properties.title = title
    if author is not None:
        document.core_properties.author = author
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_string(line: str, codes: dict[str, int]) -> bytes:
    out = bytearray()
    for char in line:
        if char in "()\\":
            out += b"\\"
        out.append(codes.get(char, ord(char)))
    return bytes(out)


def make_pdf(pages: list[list[str]], *, title: str | None = None) -> bytes:
    """A PDF written by hand, one text line per entry, Helvetica.

    Standard fonts cannot draw Vietnamese, but text extraction only needs to
    know which character a code stands for: the font's /Differences give
    every non-ASCII character a "uniXXXX" glyph name, as real PDFs do.
    """
    chars = sorted({c for lines in pages for line in lines for c in line if ord(c) > 126})
    assert len(chars) <= 128, "one byte per character"
    codes = {char: 128 + i for i, char in enumerate(chars)}
    differences = " ".join(f"/uni{ord(c):04X}" for c in chars)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # pages, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [128 " + differences.encode() + b"] >> >>",
    ]
    kids = []
    for lines in pages:
        body = b" ".join(b"(" + _pdf_string(line, codes) + b") Tj T*" for line in lines)
        stream = b"BT /F1 11 Tf 14 TL 50 800 Td " + body + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    trailer_extra = b""
    if title is not None:
        utf16 = (b"\xfe\xff" + title.encode("utf-16-be")).hex().encode()
        objects.append(b"<< /Title <" + utf16 + b"> >>")
        trailer_extra = b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + trailer_extra
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str, algorithm: str = "RC4-128") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


NEWS_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Hải Dương đẩy mạnh chuyển đổi số - Cổng thông tin điện tử tỉnh Hải Dương</title>
<meta property="og:title" content="Hải Dương đẩy mạnh chuyển đổi số">
<meta property="og:url" content="https://haiduong.gov.vn/tin-tuc/chuyen-doi-so.html">
<meta property="article:published_time" content="2023-03-27T17:33:00+07:00">
</head><body>
<header><nav class="menu"><ul>
<li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/lien-he">Liên hệ</a></li>
</ul></nav></header>
<div class="container"><aside><h3>Tin mới nhất</h3><ul>
<li><a href="/a1">Vĩnh Phúc thành lập 1.239 tổ công nghệ số cộng đồng</a></li></ul></aside>
<div class="detail-content">
<div class="detail-title">Hải Dương đẩy mạnh chuyển đổi số</div>
<div class="detail-sapo"><b>Chiều 27/3, UBND tỉnh yêu cầu khẩn trương khắc phục hạn chế
trong 3 dự án thành phần về chuyển đổi số.</b></div>
<div class="detail-body">
<p>Để triển khai hiệu quả Nghị quyết 06-NQ/TU về chuyển đổi số giai đoạn 2021-2025,
Sở Thông tin và Truyền thông được giao xử lý những tồn tại trong xây dựng hạ tầng
công nghệ thông tin.</p>
<p>UBND tỉnh yêu cầu hoàn thành Trung tâm Giám sát điều hành thông minh trước ngày
30/6/2023; tỷ lệ hồ sơ xử lý trực tuyến toàn trình phải đạt tối thiểu 50%.</p>
</div>
<div class="box-related"><div>Tin liên quan</div>
<a href="/r1">Hải Dương đứng thứ 13/63 về xếp hạng chuyển đổi số</a></div>
<div id="comments" class="comments"><h3>Ý kiến bạn đọc</h3>
<div class="comment"><b>Nguyễn Văn Hùng</b>: Mong tỉnh sớm hoàn thành trung tâm điều hành,
người dân rất kỳ vọng vào dịch vụ công trực tuyến.</div></div>
</div></div>
<footer><p>Bản quyền © 2023 Cổng thông tin điện tử tỉnh Hải Dương.
Ghi rõ nguồn khi phát hành lại thông tin.</p></footer>
</body></html>"""


def assert_clean(result: ParsedText) -> None:
    """The shape every parser promises."""
    assert result.text == unicodedata.normalize("NFC", result.text)
    assert result.text.strip() == result.text
    assert "\n\n\n" not in result.text
    assert "  " not in result.text
    assert all(line == line.strip() for line in result.text.split("\n"))


def parse_error(data: bytes, filename: str, **kwargs: int) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_document(data, filename, **kwargs)
    return caught.value


# ---------------------------------------------------------------- dispatch


def test_supported_extensions_are_the_documented_ones() -> None:
    assert SUPPORTED_EXTENSIONS == {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}


def test_oversized_file_is_rejected_with_sizes_in_megabytes() -> None:
    error = parse_error(b"x" * (3 * 1024 * 1024), "a.txt", max_bytes=2 * 1024 * 1024)
    assert error.user_message == "Tệp quá lớn (3 MB), giới hạn là 2 MB."


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n "])
def test_empty_or_blank_file_is_rejected(data: bytes) -> None:
    assert parse_error(data, "a.txt").user_message.startswith("Tệp rỗng")


def test_unknown_extension_lists_the_supported_ones() -> None:
    message = parse_error(b"xin chao", "bao-cao.xyz").user_message
    assert "không được hỗ trợ" in message
    assert all(extension in message for extension in SUPPORTED_EXTENSIONS)


def test_old_word_format_gets_a_conversion_hint() -> None:
    assert ".docx" in parse_error(b"\xd0\xcf\x11\xe0 word", "cong-van.doc").user_message


def test_extension_is_case_insensitive() -> None:
    assert parse_document(VIETNAMESE.encode(), "BAO-CAO.TXT").text == VIETNAMESE


# ---------------------------------------------------------------- txt


def test_utf8_text_keeps_vietnamese_and_paragraphs() -> None:
    data = f"Tiêu đề\r\n\r\n{VIETNAMESE}\r\nDòng thứ hai   có  khoảng trắng.\n\n\n\nHết.".encode()
    result = parse_document(data, "a.txt")
    assert result.text == f"Tiêu đề\n\n{VIETNAMESE}\n\nDòng thứ hai có khoảng trắng.\n\nHết."
    assert result.encoding == "utf-8"
    assert_clean(result)


def test_decomposed_text_is_nfc_normalized() -> None:
    result = parse_document(unicodedata.normalize("NFD", VIETNAMESE).encode(), "a.txt")
    assert result.text == VIETNAMESE


def test_hard_wrapped_paragraphs_are_joined() -> None:
    data = (
        "Sở Thông tin và Truyền thông tổ chức hội nghị tập huấn kỹ năng\n"
        "số cho cán bộ cấp xã trên địa bàn tỉnh trong tháng 5 năm 2023.\n"
        "\n"
        "Nhiệm vụ:\n"
        "- Rà soát hạ tầng.\n"
        "- Báo cáo kết quả.\n"
    ).encode()
    paragraphs = parse_document(data, "a.txt").text.split("\n\n")
    assert paragraphs[0].startswith("Sở Thông tin") and paragraphs[0].endswith("tháng 5 năm 2023.")
    assert paragraphs[1:] == ["Nhiệm vụ:", "- Rà soát hạ tầng.", "- Báo cáo kết quả."]


def test_utf8_with_bom() -> None:
    result = parse_document(b"\xef\xbb\xbf" + VIETNAMESE.encode(), "a.txt")
    assert (result.text, result.encoding) == (VIETNAMESE, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(codec: str) -> None:
    result = parse_document(VIETNAMESE.encode(codec), "a.txt")
    assert result.text == VIETNAMESE
    assert result.encoding is not None and result.encoding.startswith("utf-16")


def test_windows_1258_is_decoded_and_composed() -> None:
    data = to_cp1258(f"Chuyển đổi số\n\n{VIETNAMESE}")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = parse_document(data, "a.txt")
    assert result.text == f"Chuyển đổi số\n\n{VIETNAMESE}"
    assert result.encoding == "cp1258"


@pytest.mark.parametrize(
    ("legacy", "expected", "encoding"),
    [
        (
            "ViÖt Nam ®Èy m¹nh chuyÓn ®æi sè. Th«ng tin vµ TruyÒn th«ng.",
            "Việt Nam đẩy mạnh chuyển đổi số. Thông tin và Truyền thông.",
            "tcvn3",
        ),
        (
            "Vieät Nam ñaåy maïnh chuyeån ñoåi soá. Sôû Thoâng tin vaø Truyeàn thoâng.",
            "Việt Nam đẩy mạnh chuyển đổi số. Sở Thông tin và Truyền thông.",
            "vni",
        ),
    ],
)
def test_legacy_font_encodings_are_converted(legacy: str, expected: str, encoding: str) -> None:
    result = parse_document(legacy.encode("cp1252"), "a.txt")
    assert (result.text, result.encoding) == (expected, encoding)


def test_legacy_font_text_already_saved_as_utf8_is_converted() -> None:
    # What copying from a .VnTime document into a Unicode editor produces.
    result = parse_document("UBND tØnh Hµ Giang: chuyÓn ®æi sè".encode(), "a.txt")
    assert (result.text, result.encoding) == ("UBND tỉnh Hà Giang: chuyển đổi số", "tcvn3")


def test_tcvn3_heading_font_line_is_uppercased() -> None:
    # .VnTimeH draws the lowercase TCVN3 codes as capitals.
    text = parse_document("CHUYÓN ®æI Sè\n\nViÖt Nam".encode("cp1252"), "a.txt").text
    assert text == "CHUYỂN ĐỔI SỐ\n\nViệt Nam"


def test_damaged_legacy_text_asks_for_unikey_conversion() -> None:
    words = "ViÖt Nam ®Èy m¹nh chuyÓn ®æi sè Th«ng tin vµ TruyÒn th«ng".split()
    # Every third word gets a byte no table knows: clearly TCVN3, not convertible.
    damaged = " ".join(w[:1] + "À" + w[1:] if i % 3 == 0 else w for i, w in enumerate(words))
    message = parse_error(damaged.encode("cp1252"), "a.txt").user_message
    assert "TCVN3" in message and "Unikey" in message


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        bytes([1, 2, 3, 0x80, 0x81, 4, 5, 6, 0xFE, 0x10]) * 50,
        b"\x89PNG\r\n\x1a\n" + bytes(200),
    ],
)
def test_binary_file_renamed_txt_is_not_text(data: bytes) -> None:
    assert "không phải văn bản" in parse_error(data, "a.txt").user_message


def test_pdf_renamed_txt_says_what_it_is() -> None:
    assert "PDF" in parse_error(make_pdf([["Hello"]]), "a.txt").user_message


# ---------------------------------------------------------------- markdown


def test_markdown_front_matter_and_syntax() -> None:
    source = """---
title: "Kế hoạch chuyển đổi số"
source: https://haiduong.gov.vn/ke-hoach
published: 27/03/2023
provinces: [Hải Dương, Hà Giang]
author: Sở TT&TT
---

# Tiêu đề trong bài

Đây là **nhiệm vụ trọng tâm** của *tỉnh*, xem [kế hoạch](https://example.vn/kh) và `mã 06`.

## Thời hạn

| Nhiệm vụ | Thời hạn |
|---|---|
| Trung tâm điều hành | 30/6/2023 |

* Rà soát hạ tầng
* Báo cáo kết quả
"""
    result = parse_document(source.encode(), "ke-hoach.md")
    assert result.title == "Kế hoạch chuyển đổi số"
    assert result.meta == {
        "source": "https://haiduong.gov.vn/ke-hoach",
        "published": "27/03/2023",
        "provinces": "Hải Dương, Hà Giang",
        "author": "Sở TT&TT",
    }
    assert result.text.split("\n\n") == [
        "Tiêu đề trong bài",
        "Đây là nhiệm vụ trọng tâm của tỉnh, xem kế hoạch và mã 06.",
        "Thời hạn",
        "Nhiệm vụ | Thời hạn\nTrung tâm điều hành | 30/6/2023",
        "- Rà soát hạ tầng",
        "- Báo cáo kết quả",
    ]
    assert_clean(result)


def test_markdown_title_falls_back_to_first_heading() -> None:
    result = parse_document("Lời nói đầu\n\n# Báo cáo quý I\n\nNội dung.".encode(), "a.markdown")
    assert result.title == "Báo cáo quý I"
    assert result.meta == {}


def test_markdown_block_list_in_front_matter() -> None:
    source = "---\nprovinces:\n  - Hà Giang\n  - Vĩnh Phúc\n---\nNội dung."
    assert parse_document(source.encode(), "a.md").meta == {"provinces": "Hà Giang, Vĩnh Phúc"}


# ---------------------------------------------------------------- html


def test_html_keeps_the_article_and_drops_the_portal() -> None:
    result = parse_document(NEWS_PAGE.encode(), "bai-viet.html")
    assert "UBND tỉnh yêu cầu khẩn trương khắc phục hạn chế" in result.text  # the bold lead
    assert "hoàn thành Trung tâm Giám sát điều hành thông minh trước ngày 30/6/2023" in result.text
    for boilerplate in ("Trang chủ", "Tin mới nhất", "Nguyễn Văn Hùng", "Bản quyền"):
        assert boilerplate not in result.text
    assert result.title == "Hải Dương đẩy mạnh chuyển đổi số"
    assert result.meta["source"] == "https://haiduong.gov.vn/tin-tuc/chuyen-doi-so.html"
    assert result.meta["published"] == "2023-03-27"
    assert result.encoding == "utf-8"
    assert_clean(result)


def test_html_respects_declared_windows_1258_charset() -> None:
    declaration = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    page = NEWS_PAGE.replace('<meta charset="utf-8">', declaration)
    result = parse_document(to_cp1258(page), "bai-viet.htm")
    assert result.encoding == "cp1258"
    assert "Sở Thông tin và Truyền thông được giao" in result.text


def test_html_without_main_text_is_rejected() -> None:
    page = (
        "<html><head><title>Trang chủ</title></head><body><nav><ul>"
        "<li><a href='/'>Trang chủ</a></li>"
        "<li><a href='/tin'>Tin tức</a></li><li><a href='/lh'>Liên hệ</a></li></ul></nav>"
        "<footer>Bản quyền © 2023 Sở Thông tin và Truyền thông</footer></body></html>"
    )
    message = parse_error(page.encode(), "a.html").user_message
    assert message.startswith("Không tìm thấy nội dung chính")


# ---------------------------------------------------------------- docx


def test_docx_paragraphs_tables_and_properties() -> None:
    result = parse_document(make_docx(title="Kế hoạch số 12", author="Văn phòng UBND"), "a.docx")
    assert result.text.split("\n\n") == [
        "Kế hoạch chuyển đổi số năm 2023",
        VIETNAMESE,
        "Nhiệm vụ | Thời hạn\nTrung tâm điều hành | 30/6/2023\nAn ninh mạng | Quý III/2023",
        "Các sở, ngành báo cáo kết quả trước ngày 15/12/2023.",
    ]
    assert result.title == "Kế hoạch số 12"
    assert result.meta == {"author": "Văn phòng UBND"}
    assert_clean(result)


def test_docx_merged_cell_appears_once_per_row() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Sở Thông tin và Truyền thông"
    table.cell(0, 2).text = "chủ trì"
    buffer = io.BytesIO()
    document.save(buffer)
    assert parse_document(buffer.getvalue(), "a.docx").text == "Sở Thông tin và Truyền thông | chủ trì"


def test_docx_typed_in_a_tcvn3_font_is_converted() -> None:
    document = docx.Document()
    document.add_paragraph("UBND tØnh Hµ Giang ®Èy m¹nh chuyÓn ®æi sè")
    buffer = io.BytesIO()
    document.save(buffer)
    result = parse_document(buffer.getvalue(), "a.docx")
    assert (result.text, result.encoding) == ("UBND tỉnh Hà Giang đẩy mạnh chuyển đổi số", "tcvn3")


def test_corrupt_docx_is_rejected() -> None:
    data = make_docx()
    assert "bị hỏng" in parse_error(data[: len(data) // 2], "a.docx").user_message


def test_zip_without_word_document_is_not_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert "bị hỏng" in parse_error(buffer.getvalue(), "a.docx").user_message


def test_docx_with_highly_compressed_member_is_a_zip_bomb() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/image1.png", bytes(12 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    assert "bất thường" in parse_error(buffer.getvalue(), "a.docx").user_message


def test_docx_declaring_a_tiny_size_that_inflates_to_a_huge_one_is_refused() -> None:
    """Declared sizes are not trusted: the member is inflated, and refused, in bounded chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/header1.xml", bytes(200 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    name = b"word/header1.xml"
    local, central = data.index(name), data.rindex(name)
    # "uncompressed size": 22 bytes into the local header (name at 30), 24 into the central entry (name at 46).
    struct.pack_into("<I", data, local - 30 + 22, 203)
    struct.pack_into("<I", data, central - 46 + 24, 203)
    message = parse_error(bytes(data), "a.docx").user_message
    assert "bất thường" in message or "bị hỏng" in message


def test_docx_whose_small_parts_add_up_to_more_than_64_mb_is_refused() -> None:
    """19 headers of 4 MB each: no part looks big, together they would take gigabytes to parse."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for number in range(19):
            archive.writestr(f"word/header{number}.xml", b"<w:p/>" * (4 * 1024 * 1024 // 6))
    assert len(buffer.getvalue()) < 2_000_000
    message = parse_error(buffer.getvalue(), "a.docx").user_message
    assert "bất thường" in message and "64 MB" in message


# ---------------------------------------------------------------- pdf

PDF_PAGE_1 = [
    "QUY ĐỊNH CHUNG",
    "Điều 1. Sở Thông tin và Truyền thông chủ trì triển khai kế hoạch",
    "chuyển đổi số của tỉnh, phối hợp với các sở, ngành và địa phương",
    "hoàn thành nhiệm vụ trước ngày 30/6/2023.",
    "Điều 2. Hệ thống phải bảo đảm an toàn thông tin theo cấp độ, được",
    "kiểm tra định kỳ, có phương án dự phòng và infor-",
    "mation security review hằng năm.",
    "1",
]
PDF_PAGE_2 = ["Điều 3. Quyết định này có hiệu lực kể từ ngày ký.", "2"]


def test_pdf_text_is_reflowed_into_paragraphs() -> None:
    data = make_pdf([PDF_PAGE_1, PDF_PAGE_2], title="Quyết định 123/QĐ-UBND")
    result = parse_document(data, "qd.pdf")
    assert result.text.split("\n\n") == [
        "QUY ĐỊNH CHUNG",
        "Điều 1. Sở Thông tin và Truyền thông chủ trì triển khai kế hoạch chuyển đổi số của tỉnh, "
        "phối hợp với các sở, ngành và địa phương hoàn thành nhiệm vụ trước ngày 30/6/2023.",
        "Điều 2. Hệ thống phải bảo đảm an toàn thông tin theo cấp độ, được kiểm tra định kỳ, "
        "có phương án dự phòng và information security review hằng năm.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.",
    ]
    assert result.title == "Quyết định 123/QĐ-UBND"
    assert_clean(result)


def test_pdf_without_text_layer_needs_ocr() -> None:
    message = parse_error(make_pdf([[], []]), "scan.pdf").user_message
    assert "cần bản có lớp văn bản (OCR)" in message


def test_corrupt_pdf_is_rejected() -> None:
    data = make_pdf([PDF_PAGE_1])
    assert "bị hỏng" in parse_error(data[:200], "a.pdf").user_message
    assert "bị hỏng" in parse_error(b"%PDF-1.7\n" + bytes(range(256)) * 4, "a.pdf").user_message


def test_password_protected_pdf_is_rejected() -> None:
    data = encrypt_pdf(make_pdf([PDF_PAGE_1]), "mat-khau", "chu-so-huu")
    assert "mật khẩu" in parse_error(data, "a.pdf").user_message


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_with_only_an_owner_password_opens(algorithm: str) -> None:
    # Offices "protect" PDFs against printing; AES ones need pypdf's crypto extra.
    data = encrypt_pdf(make_pdf([PDF_PAGE_2]), "", "chu-so-huu", algorithm)
    assert parse_document(data, "a.pdf").text == "Điều 3. Quyết định này có hiệu lực kể từ ngày ký."


# ---------------------------------------------------------------- robustness

_VOCABULARY = sorted(
    set(
        (
            "Khẩn trương khắc phục hạn chế trong việc triển khai dự án thành phần về chuyển "
            "đổi số Đây là ý kiến chỉ đạo của đồng chí Phó Chủ tịch Thường trực UBND tỉnh "
            "Hải Dương Quảng Ngãi Thừa Thiên Huế Bà Rịa Vũng Tàu nguyễn người được quyết "
            "ĐỒNG CHÍ VIỆT NAM HĐND ĐBSCL tuyến huyện khoảng giữ gìn 2021 13/63 50%"
        ).split()
    )
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=12), min_size=1),
    encode=st.sampled_from(
        [
            lambda text: text.encode("utf-8"),
            lambda text: text.encode("utf-8-sig"),
            lambda text: text.encode("utf-16"),
            lambda text: unicodedata.normalize("NFD", text).encode("utf-8"),
            to_cp1258,
        ]
    ),
)
def test_vietnamese_text_survives_every_encoding(
    lines: list[list[str]], encode: Callable[[str], bytes]
) -> None:
    text = "\n".join(" ".join(words) for words in lines)
    result = parse_document(encode(text), "x.txt")
    assert result.text.split() == text.split()


@pytest.mark.parametrize("text", ["HĐND", "ĐBSCL\nUBND"])
def test_an_abbreviation_alone_in_cp1258_is_read_not_refused(text: str) -> None:
    # Found by hypothesis: "Đ" alone says nothing for cp1258 and reads as a non-word in TCVN3.
    assert parse_document(to_cp1258(text), "x.txt").text.split() == text.split()


_PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"<html><body><article><p>",
    b"---\ntitle: x\n---\n",
]


@pytest.mark.parametrize("extension", sorted(SUPPORTED_EXTENSIONS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_parse_error(extension: str, prefix: bytes, body: bytes) -> None:
    try:
        result = parse_document(prefix + body, "x" + extension)
    except ParseError as error:
        assert error.user_message
    else:
        assert_clean(result)


_VALID_FILES = {".docx": make_docx(), ".pdf": make_pdf([PDF_PAGE_1, PDF_PAGE_2])}


@pytest.mark.parametrize("extension", sorted(_VALID_FILES))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_real_files_raise_only_parse_error(extension: str, data: st.DataObject) -> None:
    original = bytearray(_VALID_FILES[extension])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    damaged = bytes(original[: data.draw(st.integers(1, len(original)))])
    try:
        result = parse_document(damaged, "x" + extension)
    except ParseError as error:
        assert error.user_message
    else:
        assert_clean(result)
