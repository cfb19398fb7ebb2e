"""What an admin's uploads do to the base: each format answers questions, each bad file changes nothing.

Also the admin edits built on ingest (knowledge/documents/revisions.py): corrected
metadata, a revised version replacing the old one in one transaction.

The upload fixtures are built here, in code, and shared with the bot's
end-to-end tests (tests/bot/test_uploads_e2e.py) so both layers see the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func
from sqlmodel import Session, select

from knowledge.documents.revisions import (
    likely_previous_version,
    replace_document,
    supersede,
    update_metadata,
)
from knowledge.library import Library
from knowledge.models import Deadline, Document, Passage

# ------------------------------------------------------------------ the documents
# Each supported format carries one fact no demo document has, and a question
# only that fact answers, so "the answer cites this upload" is unambiguous.


@dataclass(frozen=True)
class Upload:
    """One file an admin could send, and a question only its content answers."""

    filename: str
    data: bytes
    question: str
    answer_words: str


TXT_TEXT = (
    "Lạng Sơn cấp 12.345 chứng thư chữ ký số cho người dân\n\n"
    "Năm 2024, tỉnh Lạng Sơn đã cấp 12.345 chứng thư chữ ký số công cộng miễn phí cho người dân. "
    "Sở Khoa học và Công nghệ được giao hoàn thành việc cấp chữ ký số cho cán bộ xã trước ngày 30/6/2026."
)

MD_TEXT = """---
title: Cao Bằng phủ sóng 4G tới 98% thôn bản
source: https://caobang.gov.vn/tin-tuc/phu-song-4g
published: 2024-05-12
---

# Cao Bằng phủ sóng 4G

Đến hết tháng 4/2024, mạng di động 4G đã phủ sóng **98%** thôn, bản của tỉnh Cao Bằng.
Các doanh nghiệp viễn thông được yêu cầu xoá các vùng lõm sóng còn lại trước ngày 31/12/2026.
"""

HTML_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Điện Biên mở 250 điểm thanh toán không dùng tiền mặt - Cổng thông tin</title>
<meta property="og:title" content="Điện Biên mở 250 điểm thanh toán không dùng tiền mặt">
<meta property="article:published_time" content="2024-08-02T09:00:00+07:00">
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/lien-he">Liên hệ</a></li></ul></nav></header>
<article>
<h1>Điện Biên mở 250 điểm thanh toán không dùng tiền mặt</h1>
<p>Tỉnh Điện Biên đã đưa vào hoạt động 250 điểm chấp nhận thanh toán không dùng tiền mặt tại các chợ
và cơ sở y tế trong năm 2024, góp phần thúc đẩy kinh tế số ở vùng cao.</p>
<p>Ủy ban nhân dân tỉnh yêu cầu các huyện mở rộng mô hình chợ 4.0 tới mọi trung tâm xã,
bảo đảm người dân có thể thanh toán bằng mã QR khi mua bán hằng ngày.</p>
</article>
<footer><p>Bản quyền © 2024 Cổng thông tin điện tử tỉnh Điện Biên.</p></footer>
</body></html>"""

DOCX_PARAGRAPHS = (
    "Kế hoạch số hoá hồ sơ hộ tịch của tỉnh Hà Tĩnh",
    "Tỉnh Hà Tĩnh đặt mục tiêu số hoá 1,2 triệu hồ sơ hộ tịch để phục vụ dịch vụ công trực tuyến.",
    "Sở Tư pháp hoàn thành việc số hoá toàn bộ sổ hộ tịch trước ngày 15/9/2026.",
)

PDF_LINES = (
    "Quyết định về trung tâm dữ liệu tỉnh Kon Tum",
    "Tỉnh Kon Tum xây dựng trung tâm dữ liệu với dung lượng lưu trữ 640 terabyte.",
    "Trung tâm phải đi vào vận hành trước ngày 01/3/2027.",
)


def make_docx(paragraphs: tuple[str, ...] = DOCX_PARAGRAPHS) -> bytes:
    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: tuple[str, ...] = PDF_LINES) -> bytes:
    """A one-page PDF with a text layer, written by hand.

    The standard Helvetica font cannot draw Vietnamese, but extraction only
    needs to know which character each code stands for: the font's
    /Differences name every non-ASCII character "uniXXXX", as real PDFs do.
    """
    chars = sorted({c for line in lines for c in line if ord(c) > 126})
    codes = {char: 128 + i for i, char in enumerate(chars)}
    differences = " ".join(f"/uni{ord(c):04X}" for c in chars).encode()

    def encoded(line: str) -> bytes:
        return b"".join(b"\\" + c.encode() if c in "()\\" else bytes([codes.get(c, ord(c))]) for c in line)

    body = b" ".join(b"(" + encoded(line) + b") Tj T*" for line in lines)
    stream = b"BT /F1 11 Tf 14 TL 40 800 Td " + body + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [128 " + differences + b"] >> >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypt_pdf(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("mat-khau", "chu-so-huu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bomb_docx() -> bytes:
    """A few kilobytes that would inflate to 30 MB: checked before anything is read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (30 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


GOOD_UPLOADS: tuple[Upload, ...] = (
    Upload("chu-ky-so.txt", TXT_TEXT.encode("utf-8"), "Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?", "12.345"),
    Upload("phu-song.md", MD_TEXT.encode("utf-8"), "Cao Bằng phủ sóng 4G bao nhiêu phần trăm thôn bản?", "98%"),
    Upload(
        "thanh-toan.html",
        HTML_PAGE.encode("utf-8"),
        "Điện Biên có bao nhiêu điểm thanh toán không dùng tiền mặt?",
        "250 điểm",
    ),
    Upload("ho-tich.docx", make_docx(), "Hà Tĩnh số hoá bao nhiêu hồ sơ hộ tịch?", "1,2 triệu"),
    Upload("trung-tam-du-lieu.pdf", make_pdf(), "Trung tâm dữ liệu Kon Tum dung lượng bao nhiêu?", "640 terabyte"),
)

HTML_WITHOUT_ARTICLE = (
    "<html><head><title>Trang chủ</title></head><body><nav><ul>"
    "<li><a href='/'>Trang chủ</a></li><li><a href='/tin'>Tin tức</a></li><li><a href='/lh'>Liên hệ</a></li>"
    "</ul></nav><footer>Bản quyền © 2024 Sở Khoa học và Công nghệ</footer></body></html>"
).encode("utf-8")
BOILERPLATE_ONLY = "Chia sẻ\nIn bài\nCỡ chữ\nLượt xem: 1.234\nNguồn: baochinhphu.vn\n".encode("utf-8")

# (name, file name, bytes, words the admin's message must contain)
BAD_UPLOADS: tuple[tuple[str, str, bytes, str], ...] = (
    ("empty", "trong.txt", b"", "Tệp rỗng"),
    ("binary renamed .txt", "anh.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "không phải văn bản"),
    ("unknown extension", "bang-tinh.xyz", b"xin chao", "không được hỗ trợ"),
    ("corrupt docx", "hong.docx", make_docx()[:2000], "bị hỏng"),
    ("zip bomb docx", "bom.docx", zip_bomb_docx(), "bất thường"),
    ("corrupt pdf", "hong.pdf", make_pdf()[:300], "bị hỏng"),
    ("encrypted pdf", "mat-khau.pdf", encrypt_pdf(make_pdf()), "mật khẩu"),
    ("pdf without text", "scan.pdf", make_pdf(()), "OCR"),
    ("html without main text", "trang-chu.html", HTML_WITHOUT_ARTICLE, "Không tìm thấy nội dung chính"),
    ("boilerplate only", "thua.txt", BOILERPLATE_ONLY, "không có nội dung"),
)


def row_counts(library: Library) -> tuple[int, int, int]:
    """(documents, passages, deadlines): what "nothing was stored" is checked against."""
    with Session(library.engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (Document, Passage, Deadline)
        )


# ------------------------------------------------------------------ ingest
@pytest.mark.parametrize("upload", GOOD_UPLOADS, ids=lambda u: u.filename)
def test_each_format_is_stored_and_answers_its_question(empty_library: Library, upload: Upload) -> None:
    result = empty_library.ingest_bytes(upload.data, upload.filename, added_by="telegram:900")
    assert result.status == "added", result.error
    answer = empty_library.ask(upload.question)
    assert answer.found and answer.citations[0].document_id == result.document_id
    assert upload.answer_words in answer.citations[0].passage


@pytest.mark.parametrize(("name", "filename", "data", "words"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_is_explained_and_stores_nothing(
    empty_library: Library, name: str, filename: str, data: bytes, words: str
) -> None:
    before = row_counts(empty_library)
    result = empty_library.ingest_bytes(data, filename)
    assert result.status == "error" and result.error is not None and words in result.error, result
    assert row_counts(empty_library) == before


def test_file_over_the_size_limit_stores_nothing(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(TXT_TEXT.encode() * 100, "lon.txt", max_bytes=1024)
    assert result.status == "error" and result.error is not None and "quá lớn" in result.error
    assert row_counts(empty_library) == (0, 0, 0)


# ------------------------------------------------------------------ corrections
def test_metadata_correction_changes_only_what_was_given(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert result.document_id is not None and result.deadlines
    passages_before = empty_library.document(result.document_id)[1]
    document = update_metadata(
        empty_library, result.document_id, published=date(2024, 12, 20), provinces=["Cao Bằng", "Lạng Sơn"]
    )
    assert document.title == result.title
    assert (document.published, document.province_list) == (date(2024, 12, 20), ["Cao Bằng", "Lạng Sơn"])
    with Session(empty_library.engine) as session:
        deadlines = session.exec(select(Deadline).where(Deadline.document_id == result.document_id)).all()
        assert {d.provinces for d in deadlines} == {"Cao Bằng,Lạng Sơn"}
    assert [p.tokens for p in empty_library.document(result.document_id)[1]] == [p.tokens for p in passages_before]


def test_title_correction_is_what_answers_cite(empty_library: Library) -> None:
    result = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert result.document_id is not None
    update_metadata(empty_library, result.document_id, title="Chữ ký số Lạng Sơn 2024")
    assert empty_library.ask("Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?").citations[0].title == (
        "Chữ ký số Lạng Sơn 2024"
    )


# ------------------------------------------------------------------ revisions
REVISED_TEXT = TXT_TEXT.replace("12.345", "23.456").replace("30/6/2026", "30/9/2026") + (
    " Sở Khoa học và Công nghệ hoàn thành việc cấp chữ ký số cho cán bộ xã trước ngày 30/6/2026."
)


def test_revision_replaces_passages_under_the_same_id(empty_library: Library) -> None:
    first = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert first.document_id is not None
    revision = replace_document(empty_library, first.document_id, REVISED_TEXT.encode(), "chu-ky-so-v2.txt")
    assert revision.result.status == "added" and revision.result.document_id == first.document_id
    answer = empty_library.ask("Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?")
    assert "23.456" in answer.citations[0].passage and "12.345" not in answer.citations[0].passage
    current = {p.id for p in empty_library.document(first.document_id)[1]}
    assert empty_library.index.passage_ids() == current
    assert row_counts(empty_library)[0] == 1


def test_revision_keeps_a_deadline_the_new_text_still_states(empty_library: Library) -> None:
    first = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert first.document_id is not None
    [old] = first.deadlines
    revision = replace_document(empty_library, first.document_id, REVISED_TEXT.encode(), "v2.txt")
    kept = [d for d in revision.result.deadlines if d.due == date(2026, 6, 30)]
    assert [d.id for d in kept] == [old.id]
    assert (revision.kept_deadlines, revision.retired_deadlines) == (1, 0)
    assert {d.due for d in revision.result.deadlines} == {date(2026, 6, 30), date(2026, 9, 30)}


def test_revision_retires_deadlines_the_new_text_dropped_and_keeps_corrected_ones(empty_library: Library) -> None:
    text = TXT_TEXT + " Các xã báo cáo kết quả trước ngày 15/11/2026."
    first = empty_library.ingest_bytes(text.encode(), "a.txt")
    assert first.document_id is not None and len(first.deadlines) == 2
    corrected = next(d for d in first.deadlines if d.due == date(2026, 11, 15))
    with Session(empty_library.engine) as session:
        row = session.get(Deadline, corrected.id)
        assert row is not None
        row.added_by = "extractor+telegram:900"
        session.add(row)
        session.commit()
    revised = "Lạng Sơn đẩy mạnh chữ ký số\n\nNăm 2025, Lạng Sơn cấp thêm 5.000 chứng thư chữ ký số cho doanh nghiệp."
    revision = replace_document(empty_library, first.document_id, revised.encode(), "b.txt")
    assert (revision.kept_deadlines, revision.retired_deadlines) == (1, 1)
    with Session(empty_library.engine) as session:
        left = session.exec(select(Deadline).where(Deadline.document_id == first.document_id)).all()
    assert [(d.id, d.passage_id) for d in left] == [(corrected.id, None)]


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [(b"", "rong.txt", "Tệp rỗng"), (TXT_TEXT.encode(), "same.txt", "giống hệt")],
    ids=["unreadable", "same content"],
)
def test_failed_revision_leaves_the_old_document(
    empty_library: Library, data: bytes, filename: str, words: str
) -> None:
    first = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert first.document_id is not None
    before, index_before = row_counts(empty_library), empty_library.index.passage_ids()
    revision = replace_document(empty_library, first.document_id, data, filename)
    assert revision.result.status == "error" and words in (revision.result.error or "")
    assert row_counts(empty_library) == before and empty_library.index.passage_ids() == index_before


def test_crash_inside_a_revision_rolls_everything_back(
    empty_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = empty_library.ingest_bytes(TXT_TEXT.encode(), "chu-ky-so.txt")
    assert first.document_id is not None
    before, index_before = row_counts(empty_library), empty_library.index.passage_ids()

    def crash(*args: object) -> None:
        raise RuntimeError("killed mid-transaction")

    monkeypatch.setattr("knowledge.documents.revisions._follow", crash)
    with pytest.raises(RuntimeError):
        replace_document(empty_library, first.document_id, REVISED_TEXT.encode(), "v2.txt")
    assert row_counts(empty_library) == before and empty_library.index.passage_ids() == index_before
    assert "12.345" in empty_library.ask("Lạng Sơn cấp bao nhiêu chứng thư chữ ký số?").citations[0].passage


def test_revision_of_a_missing_document_is_an_error(empty_library: Library) -> None:
    revision = replace_document(empty_library, 404, TXT_TEXT.encode(), "a.txt")
    assert revision.result.status == "error" and "404" in (revision.result.error or "")
    assert row_counts(empty_library) == (0, 0, 0)


def test_supersede_moves_deadlines_and_drops_the_old_passages(empty_library: Library) -> None:
    old = empty_library.ingest_bytes(TXT_TEXT.encode(), "v1.txt", title="Chữ ký số Lạng Sơn")
    new = empty_library.ingest_bytes(REVISED_TEXT.encode(), "v2.txt", title="Chữ ký số Lạng Sơn")
    assert old.document_id is not None and new.document_id is not None
    previous = likely_previous_version(empty_library, new.document_id)
    assert previous is not None and previous.id == old.document_id
    [old_deadline] = old.deadlines
    revision = supersede(empty_library, old.document_id, new.document_id)
    assert (revision.kept_deadlines, revision.retired_deadlines) == (1, 0)
    assert empty_library.index.passage_ids() == {p.id for p in empty_library.document(new.document_id)[1]}
    with Session(empty_library.engine) as session:
        assert session.get(Document, old.document_id) is None
        dues = {d.id: d.due for d in session.exec(select(Deadline)).all()}
    assert dues[old_deadline.id] == date(2026, 6, 30) and sorted(dues.values()) == [date(2026, 6, 30), date(2026, 9, 30)]


def test_documents_with_different_titles_are_not_offered_as_revisions(empty_library: Library) -> None:
    first = empty_library.ingest_bytes(TXT_TEXT.encode(), "a.txt")
    second = empty_library.ingest_bytes(MD_TEXT.encode(), "b.md")
    assert first.document_id and second.document_id
    assert likely_previous_version(empty_library, second.document_id) is None
