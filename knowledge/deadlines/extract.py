"""Deadline extraction from Vietnamese directives and news articles.

Reminders are only worth sending for real obligations, so the grammar here is
built around a *deadline cue* ("trước", "chậm nhất", "muộn nhất", "hạn",
"trong tháng …", "đến hết năm …") immediately followed by a date expression.
A bare date is never a deadline: articles are full of publication stamps,
meeting dates ("Chiều 25/8/2022, …"), decree references ("Quyết định số …
ngày 18/6/2021") and figures that look like dates ("13/63 tỉnh", "24/7").

Everything is a pure function of the text and its publication date; matching
runs on a normalized copy (NFC, one tone-mark style) so NFD input or "hoà/hòa"
spellings behave the same, and offsets are mapped back to the text passed in.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from types import MappingProxyType
from typing import Literal

from index.text import normalize

Precision = Literal["day", "early_month", "mid_month", "late_month", "month", "quarter", "half_year", "year"]


@dataclass(frozen=True)
class DeadlineMatch:
    """One deadline (or plan horizon) found in a text.

    ``start``/``end`` cover the whole deadline phrase, cue included
    ("trước ngày 30/6/2024", "muộn nhất đầu tháng 1/2024", "giai đoạn
    2021-2025"), because that is what a reader needs highlighted.
    """

    due: date
    precision: Precision
    task: str
    agency: str | None
    quote: str
    start: int
    end: int
    is_horizon: bool


# --------------------------------------------------------------------------
# Offsets: matching runs on a normalized copy, results point into the input.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keyed:
    """The normalized text plus, for each of its characters, the source span.

    Normalization can change lengths (NFD → NFC, odd case mappings), so every
    character keeps the start and end offset of what it came from.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original offsets of the normalized slice ``[a, b)`` (``a < b``)."""
        return self.starts[a], self.ends[b - 1]


def _keyed(text: str, normalized: str | None = None) -> _Keyed:
    """Normalize ``text`` word by word, remembering where every character came from.

    ``normalized`` is ``normalize(text)`` when the caller has it already.
    """
    if unicodedata.is_normalized("NFC", text):
        # The usual case: moving a tone mark inside an NFC syllable keeps its
        # length, so offsets map one to one and the per-character walk is skipped.
        normalized = normalize(text) if normalized is None else normalized
        if len(normalized) == len(text):
            return _Keyed(normalized, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    clusters: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        clusters.append((i, j))
        i = j

    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(piece: str, spans: list[tuple[int, int]]) -> None:
        pieces.append(piece)
        if len(piece) == len(spans):
            starts.extend(s for s, _ in spans)
            ends.extend(e for _, e in spans)
        else:  # lengths changed: every character points at the whole source run
            starts.extend([spans[0][0]] * len(piece))
            ends.extend([spans[-1][1]] * len(piece))

    k = 0
    while k < len(clusters):
        s, e = clusters[k]
        if text[s].isalpha():
            m = k
            while m < len(clusters) and text[clusters[m][0]].isalpha():
                m += 1
            run = clusters[k:m]
            emit(normalize(text[run[0][0] : run[-1][1]]), run)
            k = m
        else:
            emit(unicodedata.normalize("NFC", text[s:e]), [(s, e)])
            k += 1
    return _Keyed("".join(pieces), tuple(starts), tuple(ends))


# --------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_STOP = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
# A dot after these is an abbreviation ("TP. Hồ Chí Minh", "ThS. Nguyễn"), not a full stop.
_ABBREVIATIONS = frozenset(
    {"tp", "q", "p", "tx", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "cn", "đ/c", "pgs.ts", "th.s", "mr", "ms", "dr"}
)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: lines, cut again at full stops followed by a capital or digit."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line_end in [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]:
        cut = line_start
        for stop in _STOP.finditer(text, line_start, line_end):
            rest = text[stop.end() : line_end].lstrip()
            if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"“«'(["):
                continue
            token = text[cut : stop.start()].split()
            word = token[-1] if token else ""
            if word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
            spans.append((cut, stop.end()))
            cut = stop.end()
        spans.append((cut, line_end))
        m = _LINE_BREAK.match(text, line_end)
        line_start = m.end() if m else line_end
    stripped: list[tuple[int, int]] = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            stripped.append((a, b))
    return stripped


# --------------------------------------------------------------------------
# The grammar
# --------------------------------------------------------------------------

# Anything that closes a date expression: another digit after a separator
# would make it a longer number ("1.535.526", "13/63/…"), a letter or % a figure.
_END = r"(?![\w%]|[/.,:\-–]\d)"


def _year_tail(p: str) -> str:
    """Optional year after a month or quarter: "/2024", "-2024", ".2024", " năm 2024", " năm nay".

    "tháng 3 này", "quý IV tới" say no more than "tháng 3": the year is inferred.
    """
    return (
        rf"(?:(?:\s?[/\-–]\s?|\.)(?P<{p}y>\d{{4}})"
        rf"|\s*,?\s+năm\s+(?P<{p}y2>\d{{4}})"
        rf"|\s+năm\s+(?P<{p}rel>nay|sau|tới)"
        r"|\s+(?:này|tới|sắp\s+tới)(?!\w))?"
    )


_DATE = rf"""
(?P<date>
  (?P<day>(?P<dayword>ngày\s+)?(?:
      (?P<d>\d{{1,2}})(?P<sep>[/.\-])(?P<m>\d{{1,2}})
        (?:(?P=sep)(?P<y>\d{{4}})|\s+năm\s+(?P<y2>\d{{4}}))?
    | (?P<wd>\d{{1,2}})\s+tháng\s+(?P<wm>\d{{1,2}})
        (?:\s*,?\s*năm\s+(?P<wy>\d{{4}})|[/.\-](?P<wy2>\d{{4}}))?
  ){_END})
| (?P<month>(?:(?P<mp>đầu|giữa|cuối|hết)\s+)?tháng\s+(?P<mo>\d{{1,2}}){_year_tail("mo")}{_END})
| (?P<quarter>(?:(?P<qp>cuối|hết)\s+)?qu(?:ý|í)\s+(?P<q>iv|iii|ii|i|[1-4])(?!\w){_year_tail("q")}{_END})
| (?P<span>(?:(?P<sn>\d{{1,2}})\s+tháng|nửa)\s+(?P<sp>đầu|cuối)\s+năm
      (?:\s+(?P<sy>\d{{4}})|\s+(?P<srel>nay|sau|tới))?{_END})
| (?P<year>(?:(?P<yp>đầu|giữa|cuối|hết)\s+)?năm\s+
      (?:(?P<yy>\d{{4}})(?![\w%]|[/.,:\-–]\d|\s?[\-–]\s?\d)|(?P<yrel>nay|sau|tới)(?!\w))
    | (?P<yp2>cuối|hết)\s+năm(?!\w)(?!\s+(?:\d|nay|sau|tới|trước|ngoái)))
)
"""

# Cues, longest first. "strong" cues make any following date a deadline;
# the others ("trong", "đến", a bare verb) are common in reports too, so they
# also need an obligation verb in the sentence.
_CUE = r"""
(?P<cue>
    (?P<c_horizon>(?:định\s+hướng|tầm\s+nhìn)\s+(?:đến|tới))
  | (?P<c_latest>(?:chậm|muộn|trễ)\s+nhất(?:\s+là)?(?:\s*:)?(?:\s+(?:vào|trong|trước|đến|tới))?)
  | (?P<c_term>(?:thời\s+hạn|hạn\s+chót|hạn\s+cuối|hạn)
        (?:(?:\s+(?:hoàn\s+thành|hoàn\s+thiện|thực\s+hiện|nộp|gửi|báo\s+cáo|xử\s+lý)){0,2}
             (?:\s+(?:là|trước|đến|trong|vào))?
          | (?:\s+[^\W\d_]+){0,4}?\s*:\s*(?:(?:chậm|muộn)\s+nhất(?:\s+là)?|trước|đến|trong)?))
  | (?P<c_before>trước)
  | (?P<c_within>(?:ngay\s+)?trong)
  | (?P<c_until>(?:đến|tới)(?:\s+hết(?=\s+ngày))?)
  | (?P<c_verb>(?:hoàn\s+thành|xong)(?:\s+vào)?)
)
"""

_TIME = r"(?:\d{1,2}\s*(?:h|giờ|:)\s*(?:\d{2})?(?:\s*phút)?(?:\s+(?:sáng|chiều|tối))?\s*,?\s+)"

_HORIZON_RANGE = r"""
(?P<range>giai\s+đoạn\s+(?:từ\s+)?(?:năm\s+)?(?P<g1>\d{4})
  \s*(?:[-–—]|đến|tới)\s*(?:năm\s+)?(?P<g2>\d{4})(?![\w%]|[/.,\-]\d))
"""

_FLAGS = re.IGNORECASE | re.VERBOSE


def _compile(pattern: str, flags: int = _FLAGS) -> re.Pattern[str]:
    """Compile a pattern written with diacritics in the same form the text is normalized to."""
    return re.compile(normalize(pattern), flags)


_PHRASE = _compile(rf"(?<!\w)(?:{_HORIZON_RANGE}|{_CUE}\s*:?\s*{_TIME}?{_DATE})")

# Verbs of obligation: what turns "trong tháng 12" from a report into a task.
_OBLIGATION = _compile(
    r"""(?<!\w)(?:phải|yêu\s+cầu|đề\s+nghị|chỉ\s+đạo|giao(?!\s+(?:dịch|thông|tiếp|lưu|diện))|cần
    |triển\s+khai|hoàn\s+thành|hoàn\s+thiện|xong|ban\s+hành|nộp|phấn\s+đấu|khẩn\s+trương
    |bảo\s+đảm|đảm\s+bảo|tham\s+mưu|(?<!chương\s)(?<!quá\s)(?<!lộ\s)trình(?!\s+(?:độ|bày|diễn))
    |đưa\s.{0,80}?\svào\s+(?:sử\s+dụng|vận\s+hành|hoạt\s+động|khai\s+thác))(?!\w)"""
)
# Verbs by which one body hands a task to another: whoever is named before
# them issued the directive, whoever is named after must carry it out.
_DIRECTIVE = _compile(
    r"""(?<!\w)(?<!theo\s)(?<!ban\s)(?<!được\s)(?:yêu\s+cầu|đề\s+nghị|chỉ\s+đạo|phân\s+công|đôn\s+đốc
    |(?<!chuyển\s)(?<!bàn\s)giao(?:\s+cho)?(?!\s+(?:dịch|thông|tiếp|lưu|diện)))(?!\w)(?!\s+của)\s*:?"""
)
# "Theo chỉ đạo của Ban Cán sự Đảng UBND tỉnh," names who ordered, as a noun
# phrase: the body that must act is the subject after it ("Sở Nội vụ phải …").
# "đã" marks a result ("đến hết năm 2022 đã hoàn thành …"), except when it
# introduces the directive itself ("đã yêu cầu … hoàn thành trước …").
_PAST = _compile(
    r"""(?<!\w)(?:đã(?!\s+(?:được\s+giao|yêu\s+cầu|đề\s+nghị|chỉ\s+đạo|giao|ban\s+hành))
    |đạt\s+được|vừa\s+qua|đến\s+nay)(?!\w)"""
)
# Right before a cue these turn it into a report or a comparison:
# "tính đến tháng 6/2023", "so với trước năm 2021", "kể từ …".
_NOT_A_CUE = _compile(r"(?<!\w)(?:tính|so\s+với|kể\s+từ|từ)\s*$")
# "2/3 số xã", "15/9 tỉnh": a fraction or a score, not a day.
_COUNTED = _compile(
    r"\s*(?:số|tỉnh|thành|xã|huyện|phường|đơn\s+vị|cơ\s+quan|hồ\s+sơ|người|dân|chỉ\s+tiêu|lượt|doanh\s+nghiệp)(?!\w)"
)
_PART_OPENER = _compile(r"(?:^|[,:;(–-])\s*(?:các\s+)?$")
_JOINED_AGENCY = _compile(r"\s*(?:,|và|cùng)\s*")
_CONNECTIVE = _compile(r"(?:và|hoặc)\s+")
# Connectives left dangling once a phrase is cut out ("báo cáo trước 30/6 và trước 31/12").
_LOOSE_ENDS = _compile(r"(?:\s+(?:và|hoặc))+(?=\s*[,;:.]|\s*$)")
# "Sở KH&CN được giao hoàn thành …": the passive order is a modal here, its subject acts.
_MODAL = _compile(r"(?:(?:cần\s+phải|phải|cần|sẽ|được\s+giao(?:\s+nhiệm\s+vụ)?|được)\s+)+")
_TRAILING_DONE = _compile(r"(?<!\w)(?:(?:phải|cần|sẽ)\s+)?(?:xong|hoàn\s+thành)?\s*$")

_DEPARTMENTS = r"""(?i:thông\s+tin\s+và\s+truyền\s+thông|tt\s?&\s?tt|tt-tt|nội\s+vụ|tài\s+chính
    |kế\s+hoạch\s+và\s+đầu\s+tư|kh\s?&\s?đt|tư\s+pháp|công\s+thương
    |nông\s+nghiệp\s+và\s+phát\s+triển\s+nông\s+thôn|nn\s?&\s?ptnt|giao\s+thông\s+vận\s+tải|gtvt
    |xây\s+dựng|tài\s+nguyên\s+và\s+môi\s+trường|tn\s?&\s?mt
    |lao\s+động\s*[-–,]?\s*thương\s+binh\s+và\s+xã\s+hội|lđ-tb\s?&\s?xh|lđtbxh
    |văn\s+hóa,?\s+thể\s+thao\s+và\s+du\s+lịch|vh,?\s?tt\s?&\s?dl|vhttdl|du\s+lịch
    |khoa\s+học\s+và\s+công\s+nghệ|kh\s?&\s?cn|giáo\s+dục\s+và\s+đào\s+tạo|gd\s?&\s?đt
    |y\s+tế|ngoại\s+vụ|công\s+an|quốc\s+phòng|ngoại\s+giao)(?!\w)"""
# A proper-name tail ("huyện Tam Đảo", "Viettel Vĩnh Phúc"): capitalized syllables only.
# Capital letters as \uXXXX escapes, so that normalizing the pattern cannot merge them.
_UPPER = "".join(f"\\u{c:04x}" for c in range(0x41, 0x1EFA) if chr(c).isupper() and chr(c).isalpha())
_NAME_TAIL = rf"(?:\s+[{_UPPER}]\w*){{1,3}}"
_LOCAL_UNIT = r"(?i:huyện|thị\s+xã|quận|xã|phường|thị\s+trấn|thành\s+phố|tp\.?)"
_AGENCY = _compile(
    rf"""(?<!\w)(?:
      (?:Sở|Bộ):?\s+{_DEPARTMENTS}
    | Công\s+an\s+(?:(?i:tỉnh|cấp\s+(?:tỉnh|huyện|xã)|các\s+huyện(?:,\s*thị\s+xã)?(?:,\s*thành\s+phố)?)
        |{_LOCAL_UNIT}{_NAME_TAIL})
    | (?:UBND|(?i:ủy\s+ban\s+nhân\s+dân))\s+(?:
          (?i:các\s+huyện(?:,\s*(?:thị\s+xã|thành\s+phố|thành|thị))*|các\s+xã(?:,\s*phường)?(?:,\s*thị\s+trấn)?
            |cấp\s+(?:tỉnh|huyện|xã)|các\s+cấp)
        | {_LOCAL_UNIT}{_NAME_TAIL}
        | (?i:tỉnh|thành\s+phố|tp\.?)(?!\w))
    | Văn\s+phòng\s+(?:UBND\s+tỉnh|(?i:ủy\s+ban\s+nhân\s+dân\s+tỉnh|tỉnh\s+ủy|hđnd\s+tỉnh|chính\s+phủ)
        |Đoàn\s+ĐBQH(?:\s+và\s+HĐND\s+tỉnh)?)
    | Ban\s+(?i:chỉ\s+đạo|điều\s+hành)(?:\s+(?i:(?:về\s+)?chuyển\s+đổi\s+số|cđs|đề\s+án\s+06))?
        (?:\s+(?i:tỉnh|huyện|thành\s+phố|cấp\s+tỉnh|quốc\s+gia)(?!\w))?
    | Ủy\s+ban\s+Quốc\s+gia\s+về\s+(?i:chuyển\s+đổi\s+số)
    | (?:VNPT|Viettel|MobiFone|Mobifone|VNPost|FPT|Bưu\s+điện)(?:\s+(?i:tỉnh|thành\s+phố)(?!\w)|{_NAME_TAIL})?
    | Trung\s+tâm\s+(?i:công\s+nghệ\s+thông\s+tin\s+và\s+truyền\s+thông|phục\s+vụ\s+hành\s+chính\s+công)
        (?:\s+(?i:tỉnh)(?!\w))?
    | (?:Bảo\s+hiểm\s+xã\s+hội|BHXH|Cục\s+Thuế|Kho\s+bạc\s+Nhà\s+nước|HĐND
        |Bộ\s+Chỉ\s+huy\s+Quân\s+sự|Đài\s+Phát\s+thanh\s+và\s+Truyền\s+hình|Hội\s+Nông\s+dân
        |Hội\s+Liên\s+hiệp\s+Phụ\s+nữ|Liên\s+đoàn\s+Lao\s+động)\s+(?i:tỉnh|thành\s+phố)(?!\w)(?:{_NAME_TAIL})?
    | Tỉnh\s+đoàn(?!\w)
    | (?i:các\s+sở,\s*(?:ban,\s*)?ngành(?:,\s*(?:địa\s+phương|đoàn\s+thể))*(?:\s+(?:thành\s+viên|liên\s+quan))?
        |các\s+cơ\s+quan,\s*đơn\s+vị(?:,\s*địa\s+phương)?(?:\s+liên\s+quan)?
        |các\s+doanh\s+nghiệp\s+viễn\s+thông(?:\s+khác)?)
    )""",
    re.VERBOSE,
)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """What a date expression denotes, before its year is known.

    ``bounds(year)`` gives the first day, the last day (the due date) and the
    precision; ``whole`` says the expression names a whole month, quarter or
    year, which "trước" excludes ("trước năm 2025" ends on 31/12/2024).
    """

    bounds: Callable[[int], tuple[date, date, Precision] | None]
    year: int | None = None
    relative_year: int | None = None
    whole: bool = False
    plain_year: bool = False


def _day(year: int, month: int, day: int) -> date | None:
    """A date, or None when the numbers do not make one (29/2 in 2023, month 13)."""
    if not (MINYEAR <= year <= MAXYEAR and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _month_end(year: int, month: int) -> date | None:
    """Last day of a month, or None outside the calendar ``date`` can hold."""
    return _day(year, month, calendar.monthrange(year, month)[1]) if MINYEAR <= year <= MAXYEAR else None


def _months(first: int, last: int, precision: Precision) -> Callable[[int], tuple[date, date, Precision] | None]:
    """Bounds of the months ``first..last`` of a year."""

    def bounds(year: int) -> tuple[date, date, Precision] | None:
        start, end = _day(year, first, 1), (_month_end(year, last) if 1 <= last <= 12 else None)
        return (start, end, precision) if start and end else None

    return bounds


_ROMAN: Mapping[str, int] = MappingProxyType({"i": 1, "ii": 2, "iii": 3, "iv": 4})
_RELATIVE_YEAR: Mapping[str, int] = MappingProxyType({"nay": 0, "sau": 1, "tới": 1})


def _int(m: re.Match[str], *names: str) -> int | None:
    """The first of the named groups that matched, as an int."""
    for name in names:
        value = m.group(name)
        if value is not None:
            return int(value)
    return None


def _relative(m: re.Match[str], name: str) -> int | None:
    """Years after publication for "năm nay/sau/tới", None when not said."""
    value = m.group(name)
    return None if value is None else _RELATIVE_YEAR.get(value.casefold(), 1)


def _period(m: re.Match[str]) -> _Period | None:
    """Read the date expression of a phrase match into a :class:`_Period`."""
    if m.group("day"):
        d, mo = _int(m, "d", "wd"), _int(m, "m", "wm")
        if d is None or mo is None or not (1 <= mo <= 12 and 1 <= d <= 31):
            return None
        if m.group("sep") == "-" and m.group("y") is None:
            return None  # "15-20" is a range of numbers far more often than a day
        day, month = d, mo

        def day_bounds(year: int) -> tuple[date, date, Precision] | None:
            when = _day(year, month, day)
            return (when, when, "day") if when else None

        return _Period(day_bounds, year=_int(m, "y", "y2", "wy", "wy2"))
    if m.group("month"):
        mo = _int(m, "mo")
        if mo is None or not 1 <= mo <= 12:
            return None
        part = (m.group("mp") or "").lower()
        month = mo

        def month_bounds(year: int) -> tuple[date, date, Precision] | None:
            start, end = _day(year, month, 1), _month_end(year, month)
            if start is None or end is None:
                return None
            if part == "đầu":
                return start, start.replace(day=10), "early_month"
            if part == "giữa":
                return start, start.replace(day=20), "mid_month"
            if part == "cuối":
                return start, end, "late_month"
            return start, end, "month"

        return _Period(
            month_bounds, year=_int(m, "moy", "moy2"), relative_year=_relative(m, "morel"), whole=not part
        )
    if m.group("quarter"):
        # Case-insensitive matching lets "İ" stand for "I"; casefold brings it back.
        q = m.group("q").casefold().replace("\u0307", "")
        quarter = int(q) if q.isdigit() else _ROMAN.get(q, 0)
        if not 1 <= quarter <= 4:
            return None
        return _Period(
            _months(3 * quarter - 2, 3 * quarter, "quarter"),
            year=_int(m, "qy", "qy2"),
            relative_year=_relative(m, "qrel"),
            whole=m.group("qp") is None,
        )
    if m.group("span"):
        count = _int(m, "sn") or 6  # "nửa" is six months
        if not 1 <= count <= 11:
            return None
        precision: Precision = "half_year" if count == 6 else "quarter" if count == 3 else "year"
        if (m.group("sp") or "").lower() == "đầu":
            bounds = _months(1, count, precision if count in (3, 6) else "month")
        else:
            bounds = _months(13 - count, 12, precision)
        return _Period(bounds, year=_int(m, "sy"), relative_year=_relative(m, "srel"))
    if m.group("year"):
        part = (m.group("yp") or m.group("yp2") or "").lower()
        if part == "đầu":
            bounds = _months(1, 3, "quarter")
        elif part == "giữa":
            bounds = _months(1, 6, "half_year")
        else:
            bounds = _months(1, 12, "year")
        explicit = _int(m, "yy")
        relative = _relative(m, "yrel")
        if explicit is None and relative is None:
            relative = 0  # "cuối năm", "hết năm": the year being written about
        return _Period(
            bounds, year=explicit, relative_year=relative, whole=not part, plain_year=not part and explicit is not None
        )
    return None


def _resolve_year(period: _Period, published: date | None) -> int | None:
    """The year a date expression refers to, or None when it cannot be known.

    An unwritten year is the one that puts the date nearest the publication,
    looking forward only: "trước 15/1" written on 20/11/2023 means 2024, while
    "trước 15/9" written on 1/10 stays in the same year (and is then dropped
    as already past, rather than moved eleven months ahead).
    """
    if period.year is not None:
        return period.year
    if published is None:
        return None
    if period.relative_year is not None:
        return published.year + period.relative_year
    this_year = published.year
    same = period.bounds(this_year) if MINYEAR <= this_year <= MAXYEAR else None
    following = period.bounds(this_year + 1) if this_year + 1 <= MAXYEAR else None
    if same is None:
        return this_year  # no such day this year ("29/2" in 2023): not a reason to jump a year
    if same[1] >= published or following is None:
        return this_year
    return this_year + 1 if following[1] - published < published - same[1] else this_year


def _due(period: _Period, year: int, before: bool) -> tuple[date, Precision] | None:
    """The last day the expression allows; "trước" + a whole period ends the day before it."""
    if not MINYEAR <= year <= MAXYEAR:
        return None
    bounds = period.bounds(year)
    if bounds is None:
        return None
    start, end, precision = bounds
    if before and period.whole:
        if start == date.min:
            return None
        return start - timedelta(days=1), precision
    return end, precision


# --------------------------------------------------------------------------
# Who and what
# --------------------------------------------------------------------------


_PUNCTUATION = ",;:-–—.()\"'“”«»"


def _clause(keyed: str, sent: tuple[int, int], at: int) -> tuple[int, int]:
    """The ";"-separated part of the sentence holding ``at``: one task per part."""
    a, b = sent
    left = keyed.rfind(";", a, at)
    right = keyed.find(";", at, b)
    return (left + 1 if left >= 0 else a), (right if right >= 0 else b)


def _past_scope(keyed: str, sent: tuple[int, int], phrase: tuple[int, int]) -> tuple[int, int]:
    """Where a "đã" would make the phrase a result: its comma-part of the sentence.

    A phrase opening its part ("Trong tháng 8, Sở đã …") governs the next part too.
    """
    a = max(keyed.rfind(",", sent[0], phrase[0]), keyed.rfind(";", sent[0], phrase[0]))
    a = a + 1 if a >= 0 else sent[0]
    b = _next_comma(keyed, phrase[1], sent[1])
    if not keyed[a : phrase[0]].strip() and b < sent[1] and keyed[b] == ",":
        b = _next_comma(keyed, b + 1, sent[1])
    return a, b


def _next_comma(keyed: str, a: int, b: int) -> int:
    """Position of the next "," or ";" in ``[a, b)``, else ``b``."""
    positions = [p for p in (keyed.find(",", a, b), keyed.find(";", a, b)) if p >= 0]
    return min(positions) if positions else b


def _last_directive(keyed: str, a: int, b: int) -> int | None:
    """End of the last directive verb in ``[a, b)``, or None."""
    end = None
    for m in _DIRECTIVE.finditer(keyed, a, b):
        end = m.end()
    return end


def _first_agency(keyed: str, a: int, b: int) -> re.Match[str] | None:
    """The first body named in ``[a, b)``."""
    return _AGENCY.search(keyed, a, b) if a < b else None


def _subject(keyed: str, a: int, b: int, phrase: tuple[int, int]) -> re.Match[str] | None:
    """The body named at the start of ``[a, b)``, the usual place of the subject.

    A deadline phrase opening the clause ("Trước ngày 30/6, Sở X …") is skipped.
    """
    while a < b and (keyed[a].isspace() or keyed[a] in _PUNCTUATION):
        a += 1
    if a == phrase[0]:
        a = phrase[1]
        while a < b and (keyed[a].isspace() or keyed[a] in _PUNCTUATION):
            a += 1
    return _AGENCY.match(keyed, a, b)


def _opens_part(keyed: str, start: int, agency: re.Match[str]) -> bool:
    """True when the body opens a comma-part of the clause, where subjects stand."""
    return _PART_OPENER.search(keyed[start : agency.start()]) is not None


def _agency(
    keyed: str, clause: tuple[int, int], sent: tuple[int, int], phrase: tuple[int, int]
) -> re.Match[str] | None:
    """The body that must act, or None when the sentence does not name it.

    Bodies named before "yêu cầu/chỉ đạo/giao …" issued the order ("Ban Cán
    sự Đảng UBND tỉnh chỉ đạo Sở Nội vụ …" is a task for Sở Nội vụ); without
    such a verb the acting body is a subject, opening the clause or one of its
    comma-parts. Bodies in the middle of a part are usually objects ("tham
    mưu UBND tỉnh", "phối hợp với Văn phòng Tỉnh ủy") and are not taken.
    """
    ca, cb = clause
    # The last order that names a body after it: "Đề nghị UBND cấp huyện chỉ đạo các xã …" is UBND cấp huyện's.
    for end in reversed([m.end() for m in _DIRECTIVE.finditer(keyed, ca, phrase[0])]):
        ordered = _first_agency(keyed, end, phrase[0])
        if ordered is not None:
            return ordered
    directive = _last_directive(keyed, ca, phrase[0])
    if directive is not None:
        ordered = _first_agency(keyed, phrase[1], cb)
        if ordered is not None:
            return ordered
        # "UBND các huyện chỉ đạo cấp xã số hóa …": no body after the verb, so the subject must direct.
    subject = _subject(keyed, ca, cb, phrase)
    if subject:
        return subject
    openers = [m for m in _AGENCY.finditer(keyed, ca, cb) if _opens_part(keyed, ca, m)]
    before = [m for m in openers if m.end() <= phrase[0]]
    if before:
        return before[-1]
    later = _DIRECTIVE.search(keyed, phrase[1], cb)
    if later:
        return _first_agency(keyed, later.end(), cb)
    after = [m for m in openers if m.start() >= phrase[1]]
    if after:
        return after[0]
    if clause != sent:
        directive = _last_directive(keyed, sent[0], ca)
        if directive is not None:
            return _first_agency(keyed, directive, ca)
        return _subject(keyed, sent[0], sent[1], phrase)
    return None


def _strip_lead(keyed: str, a: int, b: int) -> int:
    """Skip punctuation, the acting bodies and modal verbs at the start of ``[a, b)``."""
    while True:
        while a < b and (keyed[a].isspace() or keyed[a] in _PUNCTUATION):
            a += 1
        agency = _AGENCY.match(keyed, a, b)
        if agency:
            a = agency.end()
            joined = _JOINED_AGENCY.match(keyed, a, b)
            if joined and _AGENCY.match(keyed, joined.end(), b):
                a = joined.end()  # "VNPT và Viettel …": both bodies go
            continue
        modal = _MODAL.match(keyed, a, b) or _CONNECTIVE.match(keyed, a, b)
        if modal and modal.end() > a:
            a = modal.end()
            continue
        return a


def _task(
    text: str,
    keyed: _Keyed,
    clause: tuple[int, int],
    phrases: list[tuple[int, int]],
    phrase: tuple[int, int],
    agency: re.Match[str] | None,
) -> str:
    """The clause with its date phrases, the issuer, the acting body and "phải" cut away.

    ``phrases`` are all deadline phrases of the sentence: "trước 30/6 và trước
    31/12, Sở Y tế phải báo cáo" is the same task twice, "báo cáo".
    """
    k = keyed.text
    ca, cb = clause
    directives = [m.end() for m in _DIRECTIVE.finditer(k, ca, phrase[0])]
    ordering = [end for end in directives if agency is not None and end <= agency.start()]
    directive = ordering[-1] if ordering else (directives[-1] if directives else None)
    lead = directive if directive is not None else ca
    if directive is not None and agency is not None and agency.end() < directive:
        lead = agency.start()  # the subject directs: "chỉ đạo cấp xã …" is its task
    if agency is not None and lead <= agency.start() < phrase[0]:
        lead = agency.start()  # what precedes the subject is circumstance ("Thực hiện Nghị quyết …,")
    colon = k.rfind(":", lead, min(phrase[0], cb))
    if colon >= 0 and k[phrase[1] : cb].strip(" \t,;:.-–—"):
        # "Bí thư cũng chốt mốc: muộn nhất …, Trung tâm … phải …": before the colon is only the announcement.
        lead = colon + 1
    cuts = sorted((max(a, lead), min(b, cb)) for a, b in phrases if a < cb and b > lead)
    pieces: list[tuple[int, int]] = []
    at = lead
    for a, b in cuts:
        if a > at:
            pieces.append((at, a))
        at = max(at, b)
    if at < cb:
        pieces.append((at, cb))
    parts: list[str] = []
    for a, b in pieces:
        if not parts:
            a = _strip_lead(k, a, b)
        if b < cb:
            done = _TRAILING_DONE.search(k, a, b)
            if done:
                b = done.start()  # "… xong trước 15/9": the "xong" only made sense with the date
        if a < b and k[a:b].strip(" \t,;:.-–—"):
            oa, ob = keyed.span(a, b)
            parts.append(text[oa:ob])
    task = re.sub(r"\s+([,;:.])", r"\1", re.sub(r"\s+", " ", " ".join(parts)))
    task = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", task)  # pieces joined around a cut-out phrase
    task = _LOOSE_ENDS.sub("", task).removesuffix("./").strip(" \t,;:.-–—")
    task = _TRAILING_TERM.sub("", task).strip(" \t,;:.-–—")
    return task if readable_task(task) else UNREADABLE_TASK


# What is left of "…; thời hạn là <date>" once the date is cut out.
_TRAILING_TERM = re.compile(r"[;,]\s*(?:thời\s+hạn|hạn(?:\s+chót)?)(?:\s+(?:là|hoàn\s+thành))?\s*$", re.IGNORECASE)


UNREADABLE_TASK = "(chưa rõ nhiệm vụ)"
# Words a task never starts with: a list's tail ("thành, thị …"), a connective, a copula.
_FRAGMENT_START = frozenset({"và", "hoặc", "thành", "thị", "là", "thì", "mà", "của", "với", "đây", "trước", "sau", "nay"})
# A clause made only of these around its date says when, not what ("thời hạn là chậm nhất …").
_CUE_WORDS = frozenset({"thời", "hạn", "là", "chót", "cuối", "chậm", "muộn", "nhất", "trước", "trong", "đến", "vào"})


def readable_task(task: str) -> bool:
    """A verb phrase a reminder can show: two words at least, not a fragment of a list or a cue."""
    words = task.split()
    if len(words) < 2 or not task[:1].isalpha():
        return False
    first = words[0].strip(",;:").lower()
    if first in _FRAGMENT_START:
        return False
    return not all(w.strip(",;:.").lower() in _CUE_WORDS for w in words)


def _only_when(keyed: str, clause: tuple[int, int], phrases: list[tuple[int, int]]) -> bool:
    """True when the clause, its date phrases cut out, is nothing but cue words ("; thời hạn là …")."""
    ca, cb = clause
    rest, at = [], ca
    for a, b in sorted(phrases):
        if b <= ca or a >= cb:
            continue
        rest.append(keyed[at:max(at, a)])
        at = max(at, b)
    rest.append(keyed[at:cb])
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", " ".join(rest))]
    return all(w in _CUE_WORDS for w in words)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

_WEAK_CUES = ("c_within", "c_until", "c_verb")
_CUES = ("c_horizon", "c_latest", "c_term", "c_before", *_WEAK_CUES)


@dataclass(frozen=True)
class _Reading:
    """When a phrase says something is due, before who and what are looked at."""

    due: date
    precision: Precision
    horizon: bool


def _read(m: re.Match[str], k: str, sent: tuple[int, int], obliged: bool, published: date | None) -> _Reading | None:
    """Decide whether one phrase match is a deadline (or horizon), and when it falls."""
    if m.group("range"):
        first, last = int(m.group("g1")), int(m.group("g2"))
        if first > last or not MINYEAR <= last <= MAXYEAR:
            return None
        return _Reading(date(last, 12, 31), "year", horizon=True)
    if _NOT_A_CUE.search(k, sent[0], m.start()):
        return None
    period = _period(m)
    if period is None:
        return None
    cue = next(name for name in _CUES if m.group(name))
    weak = cue in _WEAK_CUES
    has_year = period.year is not None or period.relative_year is not None
    if m.group("day") and not has_year:
        if _COUNTED.match(k, m.end()):
            return None
        if weak and not m.group("dayword"):
            return None  # "đến 2/3 số xã": a fraction unless it says "ngày"
    horizon = cue == "c_horizon" or (cue == "c_until" and period.plain_year)
    if weak and not horizon and not obliged:
        return None
    year = _resolve_year(period, published)
    if year is None:
        return None  # no written year and nothing to infer it from: do not guess
    resolved = _due(period, year, before=cue == "c_before")
    if resolved is None:
        return None
    if not horizon and _PAST.search(k, *_past_scope(k, sent, m.span())):
        return None  # "Trong tháng 8, Sở đã tổ chức …" reports what was done
    return _Reading(resolved[0], resolved[1], horizon)


# Every phrase the grammar reads holds a digit or one of these period words.
_MAY_HOLD_A_DATE = re.compile(r"\d|quý|năm|nửa|tháng", re.IGNORECASE)


def _sentence_matches(
    text: str, keyed: _Keyed, sent: tuple[int, int], published: date | None, include_horizons: bool
) -> list[DeadlineMatch]:
    """Deadlines in one sentence (``sent`` is a span of the normalized text)."""
    k = keyed.text
    if not _MAY_HOLD_A_DATE.search(k, *sent):
        return []  # the full grammar is costly; most sentences name no period at all
    matches = list(_PHRASE.finditer(k, *sent))
    if not matches:
        return []
    phrases = [m.span() for m in matches]
    # A body as the sentence's subject with a date ahead ("Viettel … xóa … trong quý II/2024") assigns a task.
    obliged = _OBLIGATION.search(k, *sent) is not None or _subject(k, sent[0], sent[1], (-1, -1)) is not None
    quote_start, quote_end = keyed.span(*sent)
    found: list[DeadlineMatch] = []
    for m in matches:
        reading = _read(m, k, sent, obliged, published)
        if reading is None or (reading.horizon and not include_horizons):
            continue
        if published is not None and reading.due < published:
            continue  # a result or an old deadline, not something to remind about
        clause = _clause(k, sent, m.start())
        if _only_when(k, clause, phrases) and clause[0] > sent[0]:
            # "…; thời hạn là chậm nhất ngày 15/10/2024": the task is the clause before.
            clause = (_clause(k, sent, clause[0] - 1)[0], clause[1])
        agency = _agency(k, clause, sent, m.span())
        agency_text = None
        if agency is not None:
            agency_start, agency_end = keyed.span(*agency.span())
            agency_text = re.sub(r"\s+", " ", text[agency_start:agency_end])
        start, end = keyed.span(*m.span())
        found.append(
            DeadlineMatch(
                due=reading.due,
                precision=reading.precision,
                task=_task(text, keyed, clause, phrases, m.span(), agency),
                agency=agency_text,
                quote=text[quote_start:quote_end],
                start=start,
                end=end,
                is_horizon=reading.horizon,
            )
        )
    return found


def extract_deadlines(
    text: str, published: date | None, *, include_horizons: bool = False, normalized: str | None = None
) -> list[DeadlineMatch]:
    """Find the deadlines a text sets, in reading order.

    ``published`` is the article's date: it supplies unwritten years and
    separates deadlines from results ("đến hết năm 2022 đã hoàn thành …" in a
    2023 article). Without it, a date without a year is skipped rather than
    guessed. Plan horizons ("giai đoạn 2021-2025", "định hướng đến năm 2030")
    are returned, flagged, only when ``include_horizons`` is set. ``normalized``
    is ``index.text.normalize(text)`` when the caller has made it already.
    """
    keyed = _keyed(text, normalized)
    found: list[DeadlineMatch] = []
    for sent in _sentences(keyed.text):
        found.extend(_sentence_matches(text, keyed, sent, published, include_horizons))
    return found
