"""The header and closing block of a Vietnamese official document (Nghị định 30/2020/NĐ-CP).

An administrative document opens with a fixed block: the issuer ("ỦY BAN NHÂN
DÂN / TỈNH BẮC NINH"), the national motto, "Số: 215/KH-UBND", the place and
date of signing ("Bắc Ninh, ngày 12 tháng 3 năm 2026"), the type name
("KẾ HOẠCH") and the subject on the lines below it (or "V/v …" for a công
văn). It closes with "Nơi nhận:" and the signature block ("KT. CHỦ TỊCH /
PHÓ CHỦ TỊCH / name"). None of those lines is content: they must not become
a title, an answer or a province, so this module reads them into fields and
hands back the body without them.

Pure functions: text in, :class:`OfficialHeader` out. A text without a type
line or a "Số:" line is not an official document and gets ``None``, so news
articles keep their own reading (metadata.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.text import fold

__all__ = ["DOCUMENT_TYPES", "OfficialHeader", "display_type", "read_header"]

# Type names as printed (upper case) → as written in a sentence. Longest first
# where one is a prefix of another.
DOCUMENT_TYPES: dict[str, str] = {
    "NGHỊ QUYẾT": "Nghị quyết",
    "NGHỊ ĐỊNH": "Nghị định",
    "QUYẾT ĐỊNH": "Quyết định",
    "CHỈ THỊ": "Chỉ thị",
    "KẾ HOẠCH": "Kế hoạch",
    "CÔNG VĂN": "Công văn",
    "THÔNG BÁO": "Thông báo",
    "BÁO CÁO": "Báo cáo",
    "TỜ TRÌNH": "Tờ trình",
    "HƯỚNG DẪN": "Hướng dẫn",
    "THÔNG TƯ": "Thông tư",
    "CHƯƠNG TRÌNH": "Chương trình",
    "ĐỀ ÁN": "Đề án",
    "KẾT LUẬN": "Kết luận",
    "QUY ĐỊNH": "Quy định",
    "QUY CHẾ": "Quy chế",
    "CÔNG ĐIỆN": "Công điện",
}
_TYPE_BY_FOLD = {fold(k).lower(): v for k, v in DOCUMENT_TYPES.items()}

# A document number as printed: "215/KH-UBND", "57-NQ/TW", "13/2023/NĐ-CP",
# "3260-KH/ĐĐQH15", "749/QĐ-TTg". The code after the digits starts upper case.
NUMBER_PATTERN = r"\d{1,5}(?:/\d{4})?\s?[/\-]\s?[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s?[/\-]\s?[A-ZĐ0-9][A-Za-zĐđ0-9&.]*)*"
_NUMBER_LINE_RE = re.compile(r"^(?:Số|Số hiệu)\s*[:.]?\s*(?P<number>" + NUMBER_PATTERN + r")(?P<rest>.*)$")
# "Hà Nội, ngày 10 tháng 01 năm 2025"; some print "ngày 10/01/2025".
_DATE_LINE_RE = re.compile(
    r"(?P<place>[^\d,]{2,40}),\s*ngày\s+(?P<d>\d{1,2})(?:\s+tháng\s+|\s*/\s*)(?P<m>\d{1,2})(?:\s+năm\s+|\s*/\s*)(?P<y>\d{4})",
    re.IGNORECASE,
)
_MOTTO_RE = re.compile(
    r"CỘNG\s+H(?:ÒA|OÀ)\s+X[AÃ]\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc"
    r"|ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM|[-–_=]{3,}",
    re.IGNORECASE,
)
_BLANK_FIELD_RE = re.compile(r"^Số\s*[:.]?\s*[/\-\s]*[A-ZĐ][\w/\-Đđ]*$|^[^\d,]{2,40},\s*ngày\b[^.]{0,30}năm\s+\d{4}$")
_SUBJECT_VV_RE = re.compile(r"^\(?\s*(?:V/v|Về việc)\s*[:.]?\s*(?P<subject>.+?)\)?$", re.IGNORECASE)
_ANNEX_RE = re.compile(r"^\(?\s*(?:Kèm|Ban hành kèm) theo\b", re.IGNORECASE)
_BASIS_RE = re.compile(r"^Căn cứ\b", re.IGNORECASE)
_RECIPIENTS_RE = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_SIGNATURE_MARK_RE = re.compile(r"^(?:KT|TM|T/M|TL|TUQ|Q|K/T)\s*[./]\s*[A-ZĐ]", re.UNICODE)
_ROLE_RE = re.compile(
    r"^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|BÍ\s+THƯ|GIÁM\s+ĐỐC|BỘ\s+TRƯỞNG|THỦ\s+TƯỚNG|CHÁNH\s+VĂN\s+PHÒNG|TRƯỞNG\s+BAN"
    r"|TỔNG\s+GIÁM\s+ĐỐC|CỤC\s+TRƯỞNG|VỤ\s+TRƯỞNG|TRƯỞNG\s+PHÒNG|THƯ\s+KÝ|TRƯỞNG\s+ĐOÀN|PHÓ\s+TRƯỞNG\s+BAN)\b",
)
_SIGNED_RE = re.compile(r"^\((?:đã ký|ký|ký tên|ký, ghi rõ|ký và đóng dấu)[^)]*\)$", re.IGNORECASE)
_SECTION_RE = re.compile(r"^(?:[IVXLC]{1,6}|\d{1,3}|[a-zđ])[.)]\s|^(?:Điều|Chương|Phần|Mục)\s+\S+", re.UNICODE)
# How many leading lines may hold the header block.
_HEADER_SCAN = 30
_SUBJECT_MAX_LINES = 5
_SUBJECT_MAX_CHARS = 400
# The closing block is looked for only near the end.
_CLOSING_SCAN = 40


@dataclass(frozen=True)
class OfficialHeader:
    """What an official document's header says; fields are None when it does not say."""

    doc_type: str | None
    number: str | None
    issuer: str | None
    place: str | None
    signed: date | None
    subject: str | None
    body: str
    # Lines that are content but whose dates are not deadlines ("Căn cứ …").
    basis_lines: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str | None:
        """"Kế hoạch 215/KH-UBND: Triển khai …", or the plain subject when there is no number."""
        label = self.label
        if label and self.subject:
            return f"{label}: {self.subject}"
        return self.subject or label

    @property
    def label(self) -> str | None:
        """"Kế hoạch 215/KH-UBND" — how officials name the document."""
        if self.number is None:
            return None
        return f"{self.doc_type} {self.number}" if self.doc_type else f"Văn bản {self.number}"


def display_type(name: str) -> str | None:
    """"KẾ HOẠCH" or "kế hoạch" → "Kế hoạch"; None for what is no document type."""
    return _TYPE_BY_FOLD.get(" ".join(fold(name).lower().split()))


def _strip_markup(line: str) -> str:
    # Transcriptions leave Markdown bold and bullets on header lines.
    return line.strip().strip("*_#").strip()


def _clean_number(raw: str) -> str:
    return re.sub(r"\s+", "", raw).rstrip(".,;")


def read_header(text: str) -> OfficialHeader | None:
    """Read the header and closing block; None when the text is not an official document."""
    lines = [_strip_markup(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    doc_type = number = issuer = place = subject = None
    signed: date | None = None
    issuer_lines: list[str] = []
    header_end = 0
    type_at: int | None = None
    consumed: set[int] = set()
    for index, line in enumerate(lines[:_HEADER_SCAN]):
        without_motto = _MOTTO_RE.sub(" ", line).strip(" ,;")
        if not without_motto:
            consumed.add(index)
            header_end = index + 1
            continue
        if number is None and (m := _NUMBER_LINE_RE.match(without_motto)):
            number = _clean_number(m.group("number"))
            consumed.add(index)
            header_end = index + 1
            rest = m.group("rest").strip(" ,;")
            if rest and (vv := _SUBJECT_VV_RE.match(rest)):
                subject = vv.group("subject").strip()
            elif rest and (dm := _DATE_LINE_RE.search(rest)):
                place, signed = _place_and_date(dm)
            continue
        if signed is None and (dm := _DATE_LINE_RE.search(without_motto)) and dm.start() < 3:
            place, signed = _place_and_date(dm)
            before = without_motto[: dm.start()].strip()
            if before and before.isupper() and type_at is None:
                issuer_lines.append(before)
            consumed.add(index)
            header_end = index + 1
            continue
        if _BLANK_FIELD_RE.match(without_motto):
            # "Số:      /KH-UBND", "Bắc Ninh, ngày    tháng 3 năm 2026": printed, never filled in.
            consumed.add(index)
            header_end = index + 1
            continue
        if subject is None and (vv := _SUBJECT_VV_RE.match(without_motto)):
            subject = vv.group("subject").strip()
            consumed.add(index)
            header_end = index + 1
            continue
        # Printed in capitals: "Thông báo" heading a news article is not a type line.
        if type_at is None and without_motto.isupper() and (kind := display_type(without_motto)) is not None:
            doc_type, type_at = kind, index
            consumed.add(index)
            header_end = index + 1
            break
        if type_at is None and number is None and without_motto.isupper() and len(without_motto) <= 80:
            issuer_lines.append(without_motto)
            consumed.add(index)
            header_end = index + 1
            continue
        # The first line of prose ends the header block.
        break
    if number is None and type_at is None:
        return None
    if type_at is not None and subject is None:
        subject_lines: list[str] = []
        for index in range(type_at + 1, min(len(lines), type_at + 1 + _SUBJECT_MAX_LINES)):
            line = lines[index]
            if _MOTTO_RE.fullmatch(line):
                consumed.add(index)
                header_end = index + 1
                break
            if _ends_subject(line, subject_lines):
                break
            vv = _SUBJECT_VV_RE.match(line)
            subject_lines.append(vv.group("subject") if vv else line)
            consumed.add(index)
            header_end = index + 1
        subject = " ".join(subject_lines).strip() or None
    if doc_type is None and subject is not None and number is not None:
        # A công văn has no type line: "Số: 402-CV/VPĐU" with "V/v …" under it.
        doc_type = "Công văn"
    if subject:
        subject = _tidy_subject(subject)
    issuer = " ".join(issuer_lines).strip() or None
    body_lines = [line for i, line in enumerate(lines) if i >= header_end and i not in consumed]
    body_lines = _drop_closing(body_lines)
    body_lines = [line for line in body_lines if not _ANNEX_RE.match(line) and not _MOTTO_RE.fullmatch(line)]
    basis = tuple(line for line in body_lines if _BASIS_RE.match(line))
    return OfficialHeader(
        doc_type=doc_type,
        number=number,
        issuer=issuer,
        place=place,
        signed=signed,
        subject=subject,
        body="\n\n".join(_rejoin_paragraphs(text, body_lines)),
        basis_lines=basis,
    )


def _place_and_date(m: re.Match[str]) -> tuple[str | None, date | None]:
    place = m.group("place").strip(" ,") or None
    try:
        return place, date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return place, None


def _ends_subject(line: str, so_far: list[str]) -> bool:
    """Whether ``line`` is already the body: prose, a legal basis, a section, a table."""
    if _BASIS_RE.match(line) or _SECTION_RE.match(line) or " | " in line or line.startswith("|"):
        return True
    if len(line) > 200 or line.endswith((".", ";", ":")):
        return True
    if _ANNEX_RE.match(line) or _DATE_LINE_RE.match(line):
        return True
    # "CHÍNH PHỦ" restated above "Căn cứ …" under a subject in ordinary case.
    if so_far and line.isupper() and not so_far[-1].isupper():
        return True
    # A type line never has a second type line in its subject.
    return display_type(line) is not None or sum(len(s) for s in so_far) + len(line) > _SUBJECT_MAX_CHARS


def _tidy_subject(subject: str) -> str:
    subject = " ".join(subject.split()).strip(" ,;")
    # Subjects are printed in bold capitals at times; keep the words, lose the shouting.
    if subject.isupper():
        subject = subject.lower()
    return subject[:1].upper() + subject[1:]


def _is_closing_line(line: str) -> bool:
    return bool(
        _SIGNATURE_MARK_RE.match(line) or _ROLE_RE.match(line) or _SIGNED_RE.match(line) or _RECIPIENTS_RE.match(line)
    )


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and not re.search(r"[\d.:;,]", line)


def _drop_closing(lines: list[str]) -> list[str]:
    """The body without "Nơi nhận:" and the signature block, wherever they sit in the last lines."""
    start = max(0, len(lines) - _CLOSING_SCAN)
    cut: int | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        if _RECIPIENTS_RE.match(line) or _SIGNATURE_MARK_RE.match(line):
            cut = index
            break
        # "BÍ THƯ" + a name, without a "T/M" line.
        if _ROLE_RE.fullmatch(line.split("  ")[0]) and line.isupper() and index + 1 < len(lines) and _looks_like_name(
            lines[index + 1]
        ):
            cut = index
            break
    if cut is None:
        return lines
    # Recipients and signature may be followed by an appendix (a task table):
    # keep everything from the first line that is clearly content again.
    kept = lines[:cut]
    resume: int | None = None
    for index in range(cut + 1, len(lines)):
        line = lines[index]
        if " | " in line or (line.startswith("PHỤ LỤC")) or (len(line) > 120 and not _is_closing_line(line)):
            resume = index
            break
    if resume is not None:
        kept.extend(line for line in lines[resume:] if not _is_closing_line(line))
    return kept


def _rejoin_paragraphs(text: str, body_lines: list[str]) -> list[str]:
    """Body lines back into paragraphs: table rows of one table stay in one paragraph.

    Parsers put a table's rows on consecutive lines of one paragraph; every
    other line is its own paragraph already.
    """
    paragraphs: list[str] = []
    table: list[str] = []
    for line in body_lines:
        if " | " in line or (line.startswith("|") and line.endswith("|")):
            table.append(line)
            continue
        if table:
            paragraphs.append("\n".join(table))
            table = []
        paragraphs.append(line)
    if table:
        paragraphs.append("\n".join(table))
    return paragraphs
