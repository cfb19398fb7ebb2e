"""What in a snippet has the shape the question asks for: a date, a name, a count.

"khi nào" wants a date, "ai" a person's or an agency's name, "bao nhiêu",
"mấy", "thứ mấy" a count, a percent or a rank. Each finder returns the
candidate spans of one shape; the caller picks the one nearest the
question's words. A number that is part of a document's name ("Đề án 06",
"Nghị quyết 57-NQ/TW", "Quyết định 352-QĐ/TU") is a name, not a figure, and
is never a candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from index.terms import syllables_of_words
from index.text import fold, ngrams
from knowledge.answers import lists

# Bumped whenever a finder below changes what it finds: the facts of every
# stored sentence (``SentenceFacts``) are then made again at the next start
# (knowledge/answers/sentence_terms.py, store.refresh_sentence_terms).
FACTS_VERSION = 1

# What counts as "the key number": ranks (13/63), percentages, counts with
# Vietnamese thousands dots (1.239), decimals (212.93, 10,38), dates (15/9,
# 1/2024, 30/6/2024) and times. Listed longest-first so "13/63 tỉnh" is
# marked as the rank, not as the number 13.
_DATE_RE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}/\d{4}|(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
_RANK_RE = r"(?:thứ\s+)?\d{1,3}/\d{2,3}"
_PERCENT_RE = r"\d+(?:[.,]\d+)?\s?%"
_NUMBER_RE = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_QUARTER_RE = r"quý\s+(?:I{1,3}|IV|[1-4])(?:[/\s-]+(?:năm\s+)?\d{4})?"
_MONTH_RE = r"(?:đầu|giữa|cuối)?\s*tháng\s+\d{1,2}(?:/\d{4})?"
KEY_RE = re.compile(
    rf"(?<![\w/.,])(?:{_DATE_RE}|{_RANK_RE}|{_PERCENT_RE}|{_QUARTER_RE}|{_MONTH_RE}|{_NUMBER_RE})(?![\w/])",
    re.IGNORECASE,
)
# Ranks ("thứ 13/63") and counts ("1.239", "76%") without dates or years,
# which would otherwise win for being near the subject ("tính đến tháng 6/2023").
RANK_ONLY_RE = re.compile(r"(?<![\w/.,])(?:thứ\s+)?\d{1,3}/\d{2,3}(?![\w/])", re.IGNORECASE)
COUNT_RE = re.compile(
    rf"(?<![\w/.,])(?:{_RANK_RE}|{_PERCENT_RE}|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?)(?![\w/%])",
    re.IGNORECASE,
)
TIME_RE = re.compile(rf"(?:{_DATE_RE}|{_QUARTER_RE}|{_MONTH_RE}|năm\s+\d{{4}})", re.IGNORECASE)

# Document kinds whose number is part of their name: "Đề án 06", "Nghị quyết số 57".
_DOCUMENT_NAME_BEFORE = re.compile(
    r"(?:đề\s+án|nghị\s+quyết|nghị\s+định|quyết\s+định|chỉ\s+thị|thông\s+tư|thông\s+báo|kế\s+hoạch|công\s+văn"
    r"|chương\s+trình|văn\s+bản|luật|điều|khoản|mục|phiên\s+bản|phiên|lần|số)\s*(?:số\s*)?[:.]?\s*$",
    re.IGNORECASE,
)
# "57-NQ/TW", "06/QĐ-TTg", "352-QĐ/TU": a number glued to a document symbol.
_DOCUMENT_SYMBOL_AFTER = re.compile(r"^(?:[-/][A-ZĐ]{1,6}|/\d{4}/[A-ZĐ])")

# Words that count: "bốn nhiệm vụ", "ba dự án". "năm" is also "year", so a
# word number counts only right before the noun the question asks about.
NUMBER_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10,
}
_NUMBER_WORD_RE = re.compile(r"(?<!\w)(?:" + "|".join(NUMBER_WORDS) + r")(?!\w)", re.IGNORECASE)

# A day and month without a year, as news writes them: "27.4", "27/4", "ngày 27-4".
_DAY_MONTH_RE = re.compile(
    r"(?<![\w/.,])(?:ngày\s+)?(?P<d>[0-3]?\d)[./-](?P<m>1[0-2]|0?[1-9])(?:[./-](?:19|20)\d\d)?(?![\w/%]|[.,]\d)",
    re.IGNORECASE,
)
_FULL_DATE_RE = re.compile(
    r"(?<![\w/.,])(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s*,?\s*năm\s+\d{4})?(?!\w)", re.IGNORECASE
)

# Vietnamese surnames: a person's name starts with one (far more reliable than
# "a run of capitalised words", which also catches "Giám đốc Sở", "Ban Chỉ đạo").
SURNAMES = frozenset(
    """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Lưu Trịnh Đinh Mai Trương Lâm
    Đoàn Cao Chu Đào Tạ Triệu Lương Tô Thái Quách Kiều Lại La Hứa Châu Tăng Đàm Khúc Phùng Mạc Vương Thân
    Nông Lò Quàng Âu Tống Từ Doãn Lục Diệp Nghiêm Viên Bạch Tiêu Thạch
    """.split()
)
_WORD_RE = re.compile(r"[^\W\d_]+")

# Capital letters spelled out: [A-ZÀ-Ỹ] would also take "đ" and every accented lowercase letter.
_UPPER = "".join(chr(c) for c in range(0x41, 0x1EFA) if chr(c).isupper() and chr(c).isalpha())
# An agency's name, for "ai"/"cơ quan nào" questions when no person is named.
_AGENCY_RE = re.compile(
    r"(?<!\w)(?:Sở|Bộ|UBND|Ủy\s+ban|Ban|Công\s+an|Văn\s+phòng|Trung\s+tâm|Cục|Chi\s+cục|Viettel|VNPT"
    r"|Bưu\s+điện|Chính\s+phủ|HĐND)"
    rf"(?:\s+(?:[{_UPPER}&][\w&.-]*|tỉnh|thành\s+phố|huyện|và\s+(?=[{_UPPER}])|[a-zà-ỹđ]+(?=\s+[{_UPPER}]))){{0,6}}"
    rf"(?:\s+[a-zà-ỹđ]+)?",
)


@dataclass(frozen=True)
class Span:
    """A candidate to mark: where it is, and how much its shape fits the question (1.0 = fully)."""

    start: int
    end: int
    fit: float = 1.0


def is_document_number(text: str, start: int, end: int) -> bool:
    """Whether the number at ``[start, end)`` is part of a document's name ("Đề án 06", "57-NQ/TW")."""
    before = text[max(0, start - 30) : start]
    after = text[end : end + 12]
    return bool(_DOCUMENT_NAME_BEFORE.search(before) or _DOCUMENT_SYMBOL_AFTER.match(after))


def person_names(text: str) -> list[Span]:
    """Runs of three or four capitalised syllables that start with a Vietnamese surname.

    Three at least: news names officials in full ("Phạm Minh Chính"), while
    two capitalised syllables after a surname-like word are usually a place
    ("Hà Giang", "Thái Bình", "Cao Bằng").
    """
    words = list(_WORD_RE.finditer(text))
    spans: list[Span] = []
    i = 0
    while i < len(words):
        word = words[i].group(0)
        if word in SURNAMES and i + 1 < len(words):
            j = i + 1
            while (
                j < len(words)
                and j - i < 4
                and _capitalised(words[j].group(0))
                and text[words[j - 1].end() : words[j].start()] == " "
            ):
                j += 1
            city = re.search(r"(?:TP\.?|[Tt]hành\s+phố|[Tt]ỉnh)\s*$", text[max(0, words[i].start() - 12) : words[i].start()])
            if j - i >= 3 and not _all_titles(words[i:j]) and not city:
                spans.append(Span(words[i].start(), words[j - 1].end()))
                i = j
                continue
        i += 1
    return spans


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


# Capitalised words that are titles, never part of a name ("Văn phòng", "Hà Giang" is a place, see below).
_TITLE_WORDS = frozenset({"Sở", "Ban", "Bộ", "Ủy", "Phó", "Chủ", "Tỉnh", "Giám", "Trưởng", "Thủ", "Đảng"})


def _all_titles(words: list[re.Match[str]]) -> bool:
    return any(w.group(0) in _TITLE_WORDS for w in words[1:])


def agencies(text: str) -> list[Span]:
    """Agency names ("Sở Tài chính", "Công an tỉnh", "UBND tỉnh Vĩnh Phúc")."""
    spans = []
    for m in _AGENCY_RE.finditer(text):
        name = m.group(0)
        # The optional lowercase tail completes "Sở Tài chính"; it must not run into a verb ("Sở TT&TT cho").
        words = name.split()
        # ("Sở Tài chính" has head, one capitalised word, then the tail; anything longer already ended.)
        if len(words) >= 3 and words[-1].islower() and (len(words) > 3 or not words[-2][:1].isupper()):
            name = name[: name.rfind(" ")]
        if len(name.split()) >= 2:
            spans.append(Span(m.start(), m.start() + len(name), 0.8))
    return spans


def dates(text: str, general: list[tuple[int, int]]) -> list[Span]:
    """Days first ("27/4/2022", "27.4", "ngày 27 tháng 4"), then ``general`` periods (quarters, months, years).

    A meeting held "sáng 27.4" to review "quý I-2022" happened on 27.4: a day
    answers "khi nào" better than the period it talks about.
    """
    spans = [Span(m.start(), m.end()) for m in _FULL_DATE_RE.finditer(text)]
    taken = [(s.start, s.end) for s in spans]
    for m in _DAY_MONTH_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or is_document_number(text, m.start(), m.end()):
            continue
        if int(m.group("d")) == 0 or int(m.group("d")) > 31:
            continue
        spans.append(Span(m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for a, b in general:
        if not any(x < b and a < y for x, y in taken):
            spans.append(Span(a, b, 0.6))
    return spans


def counted_words(text: str, wanted: set[str] | frozenset[str]) -> list[Span]:
    """Number words right before the asked noun: "bốn nhiệm vụ" when the question asks "mấy nhiệm vụ"."""
    return [Span(start, end) for start, end, following in number_word_followers(text) if names_asked(following, wanted)]


def number_word_followers(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Each number word that may count something, with the (up to three) folded words after it."""
    found = []
    for m in _NUMBER_WORD_RE.finditer(text):
        following = tuple(fold(w.lower()) for w in _WORD_RE.findall(text[m.end() : m.end() + 40])[:3])
        if following[:1] in (("so",), ("vai",), ("trong",), ("la",)):
            continue  # "một số" is "some", "một trong" "one of", "một là" a list marker: not counts
        found.append((m.start(), m.end(), following))
    return found


def count_followers(sentence: str) -> list[tuple[str, ...]]:
    """The folded syllables of the (up to three) words after each count in a sentence ("15 chỉ tiêu")."""
    tokens = sentence.split()
    return [
        tuple(syllables_of_words(tokens[i + 1 : i + 4]))
        for i, token in enumerate(tokens)
        if COUNT_RE.fullmatch(token.strip(",.;:()"))
    ]


def names_asked(following: tuple[str, ...] | list[str], wanted: set[str] | frozenset[str]) -> bool:
    """Whether the words after a number name what the question asks about (a word or a pair of them)."""
    return bool(set(following) & wanted or set(ngrams(list(following), 2)) & wanted)


def figures(text: str, matches: list[tuple[int, int]]) -> list[Span]:
    """Numeric candidates without the ones that belong to a document's name."""
    return [Span(a, b) for a, b in matches if not is_document_number(text, a, b)]


def wants_agency(question_folded: str) -> bool:
    """ "Cơ quan nào", "sở nào", "đơn vị nào" ask for an agency rather than a person."""
    return bool(re.search(r"\b(?:co quan|so|don vi|bo|nganh|ban) nao\b", question_folded))



# Bits of ``SentenceFacts.flags``: what a sentence holds, one bit a shape.
PERSON_NAME, AGENCY_NAME, DATE, RANK, COUNT, INLINE_ITEMS = (1 << i for i in range(6))


class Shape(Enum):
    """The shape of answer a sentence is chosen for: "ai" (a person, or an agency for "cơ quan nào"), "khi nào", "thứ mấy", "bao nhiêu".

    Each value is the fact bits that give a sentence the shape ("thứ mấy" takes a rank or a count).
    """

    PERSON = PERSON_NAME
    AGENCY = AGENCY_NAME
    DATE = DATE
    RANK = RANK | COUNT
    QUANTITY = COUNT


@dataclass(frozen=True)
class SentenceFacts:
    """What a sentence holds of each shape, found once at ingest and stored with its terms.

    Choosing the snippet asks, for every sentence of the shortlisted passages,
    whether it has a figure, a date or a name; the finders are regular
    expressions over the text, and were most of the cost of answering. These
    facts depend on the sentence alone; what depends on the question (which
    words follow a count) is kept as the words, and matched per question.
    """

    flags: int
    # The folded words after each number word ("bốn nhiệm vụ") and after each count ("15 chỉ tiêu"), space-joined.
    number_word_followers: tuple[str, ...] = ()
    count_followers: tuple[str, ...] = ()

    @property
    def enumerates(self) -> bool:
        """Inline list items ("một là …; hai là …", "1. … 2. …", "gồm: …; …"): knowledge/answers/lists.py."""
        return bool(self.flags & INLINE_ITEMS)

    def has(self, shape: Shape, wanted: set[str] | frozenset[str]) -> bool:
        """Whether the sentence holds a candidate of ``shape``: what the finders would return, without running them."""
        if self.flags & shape.value:
            return True
        # "bốn nhiệm vụ" counts when the question asks about "nhiệm vụ".
        return shape is Shape.QUANTITY and any(names_asked(f.split(), wanted) for f in self.number_word_followers)

    def counts_asked(self, wanted: set[str] | frozenset[str]) -> bool:
        """A count followed closely by an asked word ("15 chỉ tiêu", "1.239 tổ")."""
        return any(names_asked(f.split(), wanted) for f in self.count_followers)


def sentence_facts(sentence: str) -> SentenceFacts:
    """The shape facts of one sentence (what ``SentenceFacts`` stores)."""
    found = (
        (PERSON_NAME, person_names(sentence)),
        (AGENCY_NAME, agencies(sentence)),
        (DATE, dates(sentence, [m.span() for m in TIME_RE.finditer(sentence)])),
        (RANK, figures(sentence, [m.span() for m in RANK_ONLY_RE.finditer(sentence)])),
        (COUNT, figures(sentence, [m.span() for m in COUNT_RE.finditer(sentence)])),
        (INLINE_ITEMS, lists.inline_items(sentence)),
    )
    return SentenceFacts(
        sum(bit for bit, spans in found if spans),
        tuple(" ".join(f) for _, _, f in number_word_followers(sentence)),
        tuple(" ".join(f) for f in count_followers(sentence)),
    )
