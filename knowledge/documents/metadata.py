"""Title, publication date and source of an uploaded article, and its clean body.

Admins upload news pages copied from provincial portals and newspapers. Besides
the article, the copy carries the page around it: a site banner, the audio
player ("[Audio]", "00:00"), share buttons, a rating widget, the comment form,
"related news" lists and a visitor counter with its own clock. This module
tells the article from that clutter with line-level rules, because the pages
put one paragraph per line and every clutter element sits on a line of its own.

All functions are pure: text in, text or plain data out.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from index.text import canonical

__all__ = ["DetectedMetadata", "clean_text", "detect_metadata", "parse_user_date"]

# --- Line normalization -----------------------------------------------------

# NBSP, zero-width and other odd spaces that copied pages are full of.
_ODD_SPACES_RE = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff\t]")
_SPACES_RE = re.compile(r" {2,}")
# Media badges the site puts in front of the headline; they are not the title.
_MEDIA_PREFIX_RE = re.compile(
    r"^[\[(](?:audio|video|ảnh|photo|infographic|emagazine|e-magazine|podcast|clip)[\])]\s*",
    re.IGNORECASE,
)

# --- Clutter ----------------------------------------------------------------

# The audio player leaves its position/duration behind: "00:00", "03:25 / 04:10".
_PLAYER_TIME_RE = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?(?:\s*/\s*\d{1,2}:\d{2}(?::\d{2})?)?$")
# A bullet with nothing after it, or a dash/star row used as a separator.
_LONE_BULLET_RE = re.compile(r"^[•·▪●◦►▸*\-–—_=|]+$")
# Menu items of the site banner: "• Hà Giang".
_BULLET_ITEM_RE = re.compile(r"^[•·▪●◦►▸]\s*\S")
_MENU_ITEM_WORDS = 5
# The weather widget next to the banner: "oC", "28°C", "25 - 30 oC".
_WEATHER_RE = re.compile(r"^[\d\s.,~\-–]*[o°º]\s*C$", re.IGNORECASE)
# Site names that head a page ("Đài Phát thanh và Truyền hình Hà Giang").
_BANNER_RE = re.compile(
    r"^(?:đài phát thanh(?: và truyền hình)?|đài truyền hình|cổng thông tin điện tử"
    r"|trang thông tin điện tử|báo điện tử)\b",
    re.IGNORECASE,
)
# Widgets whose whole line is one of these words (compared canonically, with
# a leading "(0)" counter and trailing ":" removed).
_CLUTTER_LINES = frozenset(
    {
        "chia sẻ",
        "in bài",
        "gửi bài",
        "in trang",
        "bản in",
        "lưu bài",
        "lưu bài viết",
        "gửi email",
        "về đầu trang",
        "lên đầu trang",
        "quay lại",
        "trở về",
        "đánh giá",
        "cỡ chữ",
        "nghe bài viết",
        "nghe đọc bài",
        "mã xác thực không đúng",
        "mã xác thực",
        "audio",
        "video",
    }
)
# Share toolbars flattened onto one line ("Chia sẻ Facebook Zalo In bài").
_SHARE_WORDS = frozenset(
    {"chia", "sẻ", "in", "bài", "gửi", "bản", "lưu", "facebook", "zalo", "twitter",
     "tweet", "email", "print", "share", "copy", "link", "like"}
)
_CLUTTER_PREFIX_RE = re.compile(
    r"^(?:lượt đánh giá|mời (?:quý )?(?:độc giả|bạn đọc) xem"
    r"|(?:thống kê|online|đang (?:truy cập|online)|tổng (?:số )?lượt truy cập|lượt (?:xem|truy cập)"
    r"|hôm nay|hôm qua|tuần này|tháng này|đã truy cập)\s*:\s*[\d.,]+$)",
)
# Lines after which only page furniture follows (comment form, related news,
# link lists, visitor counter). Compared canonically like _CLUTTER_LINES.
_FOOTER_MARKERS = frozenset(
    {
        "bình luận",
        "gửi bình luận",
        "viết bình luận",
        "ý kiến bạn đọc",
        "ý kiến của bạn",
        "gửi ý kiến",
        "tin liên quan",
        "tin bài liên quan",
        "bài viết liên quan",
        "tin cùng chuyên mục",
        "tin cùng loại",
        "các tin khác",
        "tin khác",
        "bài viết khác",
        "tin mới nhất",
        "tin đọc nhiều",
        "liên kết website",
        "liên kết web",
        "thống kê truy cập",
    }
)
_COUNTER_PREFIX_RE = re.compile(r"^\(\s*\d+\s*\)\s*")
_TRAILING_COLON_RE = re.compile(r"[\s:：]+$")

# Kinds of legal and administrative documents, which are cited by number and date.
_DOCUMENT_KIND = (
    r"(?:quyết\s+định|nghị\s+quyết|nghị\s+định|thông\s+tư|chỉ\s+thị|công\s+văn|kế\s+hoạch"
    r"|luật|thông\s+báo|kết\s+luận|văn\s+bản|đề\s+án|quy\s+định|chương\s+trình)"
)

# --- Source -----------------------------------------------------------------

# "Nguồn: Báo Hải Dương", "(Nguồn: www.x.gov.vn)"; "Nguồn ảnh:" is a photo credit.
_SOURCE_RE = re.compile(
    r"^(?P<open>\()?\s*nguồn(?:\s+tin)?\s*[:：]\s*(?P<value>.+?)\s*(?(open)\))\s*\.?$",
    re.IGNORECASE,
)
# "Theo baohaiduong.vn" or "Theo Báo Nhân Dân": short, and the value is a site
# or a capitalized name — "Theo báo cáo của Sở …" opens a body sentence.
_THEO_RE = re.compile(
    r"^(?P<open>\()?\s*theo\s+(?P<value>.+?)\s*(?(open)\))\s*\.?$", re.IGNORECASE
)
_NOT_A_SOURCE_RE = re.compile(r"^" + _DOCUMENT_KIND + r"\b|[,:;]$|\d", re.IGNORECASE)
_DOMAIN_RE = re.compile(
    r"^[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|gov|info)(?:/\S*)?$", re.IGNORECASE
)

# --- Dates ------------------------------------------------------------------

_TIME_OF_DAY = r"(?:rạng\s+sáng|sáng\s+sớm|chiều\s+tối|sáng|trưa|chiều|tối|đêm)"
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn)"
# A date with its year: 14/11/2023, 14-11-2023, 14.11.2023, 2023-11-14,
# ngày 14 tháng 11 năm 2023.
_FULL_DATE = (
    r"(?:(?P<d1>\d{1,2})(?P<s1>[/.\-])(?P<m1>\d{1,2})(?P=s1)(?P<y1>\d{4})"
    r"|(?P<y2>\d{4})(?P<s2>[\-/])(?P<m2>\d{1,2})(?P=s2)(?P<d2>\d{1,2})"
    r"|(?P<d3>\d{1,2})\s+tháng\s+(?P<m3>\d{1,2})(?:\s*(?:,|năm)\s*(?P<y3>\d{4}))?)"
)
# The same, plus the year-less "14/11" / "27.4" that ledes use.
_ANY_DATE = (
    r"(?:" + _FULL_DATE + r"|(?P<d4>\d{1,2})(?P<s4>[/.\-])(?P<m4>\d{1,2})(?![\d]|[/.\-]\d))"
)
_DATE_RE = re.compile(r"(?<![\d/.\-])" + _ANY_DATE + r"(?!\d)", re.IGNORECASE)
# (day, month, year) group names of each alternative; the year-less one has none.
_DATE_GROUPS: tuple[tuple[str, str, str | None], ...] = (
    ("d1", "m1", "y1"),
    ("d2", "m2", "y2"),
    ("d3", "m3", "y3"),
    ("d4", "m4", None),
)
_CLOCK = r"\d{1,2}\s*(?:[:h]\s*\d{2})(?:\s*:\s*\d{2})?(?:\s*(?:am|pm|sa|ch))?"
# What may surround the date on a dateline: weekday, clock, labels, separators.
_DATELINE_FILLER_RE = re.compile(
    r"(?:" + _WEEKDAY + r"|" + _CLOCK + r"|gmt\s*[+\-]?\s*\d{1,2}(?::?\d{2})?"
    r"|ngày\s+(?:đăng|cập\s+nhật|xuất\s+bản)|cập\s+nhật(?:\s+lúc)?|đăng\s+(?:lúc|ngày)"
    r"|xuất\s+bản|lúc|ngày|t\d{2}:\d{2}(?::\d{2})?(?:[+\-]\d{2}:?\d{2}|z)?|[\s,;|:()\-–—/])+",
    re.IGNORECASE,
)
# A visitor-counter clock ("Thứ 5 Ngày 14/5/2020, 10:13:21 AM") shows seconds;
# a publication dateline never does.
_VISITOR_CLOCK_RE = re.compile(r"\d{1,2}:\d{2}:\d{2}(?:\s*(?:am|pm))?\s*$", re.IGNORECASE)
# The date that opens a lede: "Chiều 25/8/2022, …", "Sáng 27.4, …", "Chiều ngày
# 11/7/2022, …", "Ngày 14/11, …", optionally after a source tag "(TTXVN) - ".
_LEDE_RE = re.compile(
    r"^(?:\([^()]{2,40}\)\s*[-–—:]?\s*|[\w.&]{2,20}\s*[-–—]\s+)?"
    r"(?P<expr>(?:" + _TIME_OF_DAY + r"(?:\s+nay)?\s+(?:ngày\s+)?|ngày\s+|hôm\s+(?:nay|qua)\s+)?"
    r"\(?(?P<date>" + _ANY_DATE + r")\)?)(?P<after>\s*,|\s)",
    re.IGNORECASE,
)
# A date mentioned in the lede after a time of day: "… vào chiều 27.3".
_LEDE_INNER_RE = re.compile(
    r"(?P<expr>(?:" + _TIME_OF_DAY + r"|ngày)\s+(?:ngày\s+)?"
    r"\(?(?P<date>" + _ANY_DATE + r")\)?)(?!\d)",
    re.IGNORECASE,
)
# Legal documents are cited with their own date: "Quyết định số 352-QĐ/TU ngày
# 18/6/2021", "Nghị quyết 06-NQ/TU ngày 26.3". That date is the document's,
# never the article's.
_DOCUMENT_REF_RE = re.compile(
    r"(?:\bsố\s*\d|\d+\s*[-/]\s*(?-i:[A-ZĐ])|\b" + _DOCUMENT_KIND + r"\b)"
    r"[^.;!?]{0,40}?\bngày\s*$",
    re.IGNORECASE,
)
# The "18/6/" in front of a year, cut off to see what precedes the whole date.
_DATE_HEAD_RE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]$")
# How far around a year to look for what makes it a target, span or citation.
_CONTEXT_WINDOW = 80
# Deadlines ("đến ngày 31/12/2023") name a future date, not the publication.
_DEADLINE_BEFORE_RE = re.compile(
    r"\b(?:đến|trước|tới|hạn|từ)\s+(?:hết\s+)?(?:ngày\s*)?$", re.IGNORECASE
)
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# Years that are targets or spans, not "now": "đến năm 2030", "2021-2025".
_TARGET_YEAR_BEFORE_RE = re.compile(
    r"(?:\b(?:đến|tới|trước)\s+năm|tầm\s+nhìn(?:\s+đến)?(?:\s+năm)?|(?:19|20)\d{2}\s*[-–—]\s*)\s*$",
    re.IGNORECASE,
)
_RANGE_AFTER_RE = re.compile(r"^\s*[-–—]\s*(?:19|20)\d{2}(?!\d)")
# Year inside a document number: "Nghị định 13/2023/NĐ-CP".
_DOC_NUMBER_AFTER_RE = re.compile(r"^/[A-ZĐ]")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")

# --- Title ------------------------------------------------------------------

_TITLE_MIN_WORDS = 4
_TITLE_MAX_WORDS = 40
# Headline lines never end in these; a trailing "'" or "”" closes a quotation.
_TITLE_TRAILING_RE = re.compile(r"[\s.,;:\-–—]+$")
_PROSE_END_RE = re.compile(r"[.!?…;:]$")
# Headers that come before the title are few; do not hunt deep into the body.
_TITLE_SCAN_LINES = 8
# How many leading lines may hold the dateline or the lede.
_DATELINE_SCAN_LINES = 6
_LEDE_SCAN_LINES = 4

_USER_DMY_RE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_USER_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class _Kind(enum.Enum):
    """What one line of a copied page is."""

    BODY = "body"
    BANNER = "banner"
    CLUTTER = "clutter"
    SOURCE = "source"
    DATELINE = "dateline"


@dataclass(frozen=True)
class _Line:
    text: str
    kind: _Kind


@dataclass(frozen=True)
class DetectedMetadata:
    """What the text says about itself; every field is None when it does not say."""

    title: str | None
    published: date | None
    published_text: str | None  # the expression the date was read from
    source: str | None


@dataclass(frozen=True)
class _DateCandidate:
    published: date
    text: str


# --- Public API -------------------------------------------------------------


def clean_text(text: str) -> str:
    """The article alone, one paragraph per line of the page, "\\n\\n" between them.

    Dateline and "Nguồn:" lines go too: they are metadata (read by
    :func:`detect_metadata` from the raw text), and as passages they would only
    match questions about dates and sites. Author signatures stay: they are short
    and harmless.
    """
    return "\n\n".join(line.text for line in _article_lines(text) if line.kind is _Kind.BODY)


def read_article(text: str) -> tuple[str, DetectedMetadata]:
    """``clean_text(text)`` and ``detect_metadata(text)``, classifying the page's lines once for both."""
    lines = _article_lines(text)
    return "\n\n".join(line.text for line in lines if line.kind is _Kind.BODY), _metadata(lines)


def detect_metadata(text: str, *, today: date | None = None) -> DetectedMetadata:
    """Read title, publication date and source from a copied page.

    ``today`` bounds year inference: an article cannot be published in the
    future, so "Ngày 20/12" in a text read on 1/12/2023 is 20/12/2022.
    """
    return _metadata(_article_lines(text), today=today)


def _metadata(lines: list[_Line], *, today: date | None = None) -> DetectedMetadata:
    today = today or date.today()
    body = [line.text for line in lines if line.kind is _Kind.BODY]
    title_at = _title_index(body)
    found = _detect_published(lines, title_at, today)
    return DetectedMetadata(
        title=_TITLE_TRAILING_RE.sub("", body[title_at]) if title_at is not None else None,
        published=found.published if found else None,
        published_text=found.text if found else None,
        source=_detect_source(lines),
    )


def parse_user_date(text: str) -> date | None:
    """A date typed by an admin: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd."""
    value = text.strip()
    if m := _USER_DMY_RE.fullmatch(value):
        return _valid_date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    if m := _USER_ISO_RE.fullmatch(value):
        return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


# --- Line classification ----------------------------------------------------


def _normalize_line(raw: str) -> str:
    line = _ODD_SPACES_RE.sub(" ", raw)
    line = _SPACES_RE.sub(" ", line).strip()
    return _MEDIA_PREFIX_RE.sub("", line).strip()


def _widget_key(line: str) -> str:
    """The form a line is compared to widget labels in: "(0) Bình luận:" → "bình luận"."""
    key = _COUNTER_PREFIX_RE.sub("", canonical(line))
    return _TRAILING_COLON_RE.sub("", key).rstrip(".")


def _is_clutter(line: str, key: str) -> bool:
    if key in _CLUTTER_LINES or _CLUTTER_PREFIX_RE.match(key):
        return True
    if _PLAYER_TIME_RE.match(line) or _LONE_BULLET_RE.match(line) or _WEATHER_RE.match(line):
        return True
    words = key.split()
    if len(words) <= 8 and words and set(words) <= _SHARE_WORDS:
        return True
    return _is_visitor_clock(line)


def _is_visitor_clock(line: str) -> bool:
    """The counter widget's clock, which shows when the page was copied, not published."""
    return _is_dateline(line) and _VISITOR_CLOCK_RE.search(line) is not None


def _is_dateline(line: str) -> bool:
    """A line holding one full date and nothing but weekday, clock and labels."""
    if len(line.split()) > 12:
        return False
    matches = [m for m in _DATE_RE.finditer(line) if _date_parts(m)[2] is not None]
    if len(matches) != 1:
        return False
    m = matches[0]
    rest = line[: m.start()] + " " + line[m.end() :]
    return _DATELINE_FILLER_RE.fullmatch(rest) is not None


def _source_value(line: str) -> str | None:
    if m := _SOURCE_RE.match(line):
        return m.group("value").strip() or None
    if (m := _THEO_RE.match(line)) is not None:
        value = m.group("value").strip()
        if _DOMAIN_RE.match(value):
            return value
        if (
            len(value.split()) <= 6
            and value[:1].isupper()
            and not _PROSE_END_RE.search(value)
            and not _NOT_A_SOURCE_RE.search(value)
        ):
            return value
    return None


def _article_lines(text: str) -> list[_Line]:
    """Classify the page's non-blank lines, stopping at the first footer after the body."""
    raw_lines = [_normalize_line(raw) for raw in unicodedata.normalize("NFC", text).splitlines()]
    lines = [line for line in raw_lines if line]
    result: list[_Line] = []
    seen_body = False
    in_banner = False
    for index, line in enumerate(lines):
        key = _widget_key(line)
        if key in _FOOTER_MARKERS:
            if seen_body:
                break
            result.append(_Line(line, _Kind.CLUTTER))
            continue
        if not seen_body:
            # Above the article, bullets and the weather belong to the site banner,
            # and so does the line they hang from.
            following = lines[index + 1] if index + 1 < len(lines) else ""
            starts_banner = _BANNER_RE.match(line) is not None or (
                # A list introduced by a sentence is body; a site name has no punctuation.
                not result
                and len(line.split()) <= 12
                and not _PROSE_END_RE.search(line)
                and _is_menu_item(following)
            )
            if starts_banner or (in_banner and _is_banner_item(line)):
                in_banner = True
                result.append(_Line(line, _Kind.BANNER))
                continue
            in_banner = False
        kind = _classify(line, key)
        seen_body = seen_body or kind is _Kind.BODY
        result.append(_Line(line, kind))
    return result


def _is_menu_item(line: str) -> bool:
    """A banner's menu entry ("• Hà Giang") or its weather widget."""
    short_bullet = _BULLET_ITEM_RE.match(line) is not None and len(line.split()) <= _MENU_ITEM_WORDS
    return short_bullet or _WEATHER_RE.match(line) is not None


def _is_banner_item(line: str) -> bool:
    return bool(line) and (
        _BULLET_ITEM_RE.match(line) is not None
        or _WEATHER_RE.match(line) is not None
        or _LONE_BULLET_RE.match(line) is not None
    )


def _classify(line: str, key: str) -> _Kind:
    if _is_clutter(line, key):
        return _Kind.CLUTTER
    if _source_value(line) is not None:
        return _Kind.SOURCE
    if _is_dateline(line):
        return _Kind.DATELINE
    return _Kind.BODY


# --- Title ------------------------------------------------------------------


def _title_index(body: list[str]) -> int | None:
    """Which body line is the headline: the first that reads like one, before the article.

    A page copied without its headline starts straight with the lede ("Chiều
    25/8/2022, đồng chí …") or another paragraph of prose; then there is no title,
    and reading on would promote a photo caption to headline.
    """
    for index, text in enumerate(body[:_TITLE_SCAN_LINES]):
        words = len(text.split())
        if _lede_match(text) is not None:
            return None
        if words < _TITLE_MIN_WORDS:
            continue
        if words > _TITLE_MAX_WORDS:
            if _PROSE_END_RE.search(text):
                return None
            continue  # a menu or tag list, not prose
        return index if _TITLE_TRAILING_RE.sub("", text) else None
    return None


# --- Source -----------------------------------------------------------------


def _detect_source(lines: list[_Line]) -> str | None:
    """The last attribution line: reposts credit the original at the end."""
    values = [_source_value(line.text) for line in lines if line.kind is _Kind.SOURCE]
    return values[-1] if values else None


# --- Publication date -------------------------------------------------------


def _detect_published(
    lines: list[_Line], title_at: int | None, today: date
) -> _DateCandidate | None:
    """The publication date, from the most telling place that has one.

    Order: a dateline at the top of the page; the date opening the lede; a
    dateline further down (some sites print it under the article); a time-of-day
    date inside the lede. Dates elsewhere in the body are events, deadlines or
    cited documents, so they are not considered.
    """
    article = [line for line in lines if line.kind in (_Kind.BODY, _Kind.DATELINE, _Kind.SOURCE)]
    full_text = "\n".join(line.text for line in article)
    top = article[:_DATELINE_SCAN_LINES]
    body = [line.text for line in article if line.kind is _Kind.BODY]
    ledes = body[:_LEDE_SCAN_LINES]
    later = article[_DATELINE_SCAN_LINES:]
    lede = body[(title_at + 1 if title_at is not None else 0) :][:1]

    for candidate in (
        *(_dateline_date(line.text) for line in top if line.kind is _Kind.DATELINE),
        *(_lede_start_date(text, full_text, today) for text in ledes),
        *(_dateline_date(line.text) for line in later if line.kind is _Kind.DATELINE),
        *(_lede_inner_date(text, full_text, today) for text in lede),
    ):
        if candidate is not None:
            return candidate
    return None


def _date_parts(m: re.Match[str]) -> tuple[int, int, int | None]:
    """(day, month, year or None) from a match of one of the date alternatives."""
    for d, mo, y in _DATE_GROUPS:
        if m.group(d) is not None:
            year = m.group(y) if y is not None else None
            return int(m.group(d)), int(m.group(mo)), int(year) if year else None
    raise AssertionError("date regex matched no alternative")


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dateline_date(line: str) -> _DateCandidate | None:
    for m in _DATE_RE.finditer(line):
        day, month, year = _date_parts(m)
        if year is not None and (found := _valid_date(year, month, day)):
            return _DateCandidate(found, line)
    return None


def _lede_match(text: str) -> re.Match[str] | None:
    """The date opening a lede paragraph, if the paragraph opens with one."""
    m = _LEDE_RE.match(text)
    if m is None:
        return None
    day, month, year = _date_parts(m)
    # A bare year-less "5/12" opening a sentence is a figure ("5/12 huyện …"),
    # unless a comma makes it the lede's date.
    bare = m.group("expr").lstrip("(").startswith(m.group("date"))
    if year is None and bare and "," not in m.group("after"):
        return None
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return m


def _lede_start_date(text: str, full_text: str, today: date) -> _DateCandidate | None:
    m = _lede_match(text)
    if m is None:
        return None
    expr = m.group("expr").rstrip(") ")
    return _resolve(_date_parts(m), expr, m.start("date"), text, full_text, today)


def _lede_inner_date(text: str, full_text: str, today: date) -> _DateCandidate | None:
    for m in _LEDE_INNER_RE.finditer(text):
        if _DOCUMENT_REF_RE.search(text[: m.start("date")]) or _DEADLINE_BEFORE_RE.search(
            text[: m.start()]
        ):
            continue
        found = _resolve(_date_parts(m), m.group("expr"), m.start("date"), text, full_text, today)
        if found is not None and found.published <= today:
            return found
    return None


def _resolve(
    parts: tuple[int, int, int | None],
    expr: str,
    position: int,
    paragraph: str,
    full_text: str,
    today: date,
) -> _DateCandidate | None:
    """Complete a year-less date from the years the article mentions."""
    day, month, year = parts
    if year is not None:
        found = _valid_date(year, month, day)
        return _DateCandidate(found, expr) if found else None
    sentence = _sentence_at(paragraph, position)
    for scope in (sentence, paragraph, full_text):
        for candidate_year in sorted(set(_context_years(scope)), reverse=True):
            found = _valid_date(candidate_year, month, day)
            if found is not None and found <= today:
                return _DateCandidate(found, expr)
    return None


def _sentence_at(paragraph: str, position: int) -> str:
    """The sentence holding ``position``: its years are the likeliest for a bare date."""
    start = 0
    for m in _SENTENCE_END_RE.finditer(paragraph):
        if position < m.start():
            return paragraph[start : m.start()]
        start = m.end()
    return paragraph[start:]


def _context_years(text: str) -> Iterator[int]:
    """Years the text speaks of as the present or past, not targets or spans."""
    for m in _YEAR_RE.finditer(text):
        before = text[max(0, m.start() - _CONTEXT_WINDOW) : m.start()]
        after = text[m.end() : m.end() + _CONTEXT_WINDOW]
        if _TARGET_YEAR_BEFORE_RE.search(before) or _RANGE_AFTER_RE.match(after):
            continue
        if _DOC_NUMBER_AFTER_RE.match(after):
            continue
        # The year of a cited document's date belongs to the document.
        if _DOCUMENT_REF_RE.search(_DATE_HEAD_RE.sub("", before)):
            continue
        yield int(m.group(0))
