"""Indicator facts out of passages: who, what, how much, about when, and the sentence that says so.

Pure functions: text in, :class:`FactMatch` out; no database. Run at ingest
on every passage (library.prepare), so it has to be cheap: a regex sentence
split instead of the segmenter, and sentences without a digit are skipped
before anything else is looked at.

How a figure becomes a fact, and why:

- A figure is a rank ("thứ 13/63"), a percent ("87,4%") or a count
  ("1.239"). Dates ("6/2023", "quý I/2025") are not figures: they are
  consumed first, so "6/2023" is never read as a rank or a count.
- Its indicator comes from the vocabulary: Vietnamese puts a count before
  its noun ("1.239 tổ công nghệ số…") and a rate or a rank after its subject
  ("tỷ lệ hồ sơ trực tuyến đạt 87,4%", "kinh tế số thứ 7/63"); in
  "tăng 16% từ 76% năm 2022 lên 90%" the later figures keep the subject of the
  first. A figure that matches no indicator is skipped, never guessed.
- A change ("tăng 16%"), a target ("phấn đấu… 80%", "so với yêu cầu 50%")
  and a per-100 ratio ("79 thuê bao/100 dân") are not levels and are skipped;
  so is a percent above 100 and a rank above its "of".
- Its province is the one named nearest before it, else the only one the
  sentence names, else the document's only province. Two names where one is
  needed mean no fact: a figure is never given to both.
- Its period is the time written next to it ("76% năm 2022"), else the
  sentence's ("tính đến tháng 6/2023"), else the document's year, marked
  inferred. A period after the document's year is a target, not a result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from knowledge.progress.vocabulary import (
    Indicator,
    PhraseMatch,
    Unit,
    Vocabulary,
    folded,
)
from knowledge.provinces import Gazetteer

WHOLE_COUNTRY = "Cả nước"
RANK_OF = (63, 34)

_SENTENCE_RE = re.compile(r"(?<!\bTP\.)(?<!\bTp\.)(?<=[.!?])\s+(?=\S)|\n+")
_DIGIT_RE = re.compile(r"\d")
# Matched on the folded (lowercase, no diacritics) sentence; same offsets as the original.
_FIGURE_RE = re.compile(
    r"(?<![\w/.,])(?:"
    r"(?P<skip>\d{1,2}/\d{1,2}/\d{4}|\d{1,2}/\d{4}|quy\s+(?:i{1,3}|iv|[1-4])\s*[/-]\s*\d{4}|\d{4}\s*[-–]\s*\d{4})"
    r"|(?:thu\s+)?(?P<rank>\d{1,3})\s*(?:/|\s+tren\s+)\s*(?P<of>\d{2})(?![\d/.,]?\d)"
    r"|(?P<pct>\d{1,4}(?:[.,]\d{1,2})?)\s?%"
    r"|(?P<num>\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(?![\w/%])"
    r")"
)
_TIME_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"quy\s+(?P<q>i{1,3}|iv|[1-4])\s*(?:[/-]|\s+nam)\s*(?P<y>\d{4})"), "quarter"),
    (re.compile(r"(?P<m>\d{1,2})\s+thang\s+(?:dau\s+)?(?:nam\s+)?(?P<y>\d{4})"), "months"),
    (re.compile(r"(?:den|ngay)\s+(?:ngay\s+)?\d{1,2}/(?P<m>\d{1,2})/(?P<y>\d{4})"), "month"),
    (re.compile(r"thang\s+(?P<m>\d{1,2})\s*(?:/|\s+nam\s+)\s*(?P<y>\d{4})"), "month"),
    (re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<y>\d{4})"), "month"),
    # "DTI 2022" names the index's own year, even right after "công bố".
    (re.compile(r"dti\s+(?:nam\s+)?(?P<y>(?:19|20)\d\d)(?!\s*[-–]\s*\d)"), "dti"),
    (re.compile(r"nam\s+(?P<y>(?:19|20)\d\d)(?!\s*[-–]\s*\d)"), "year"),
)
# Times that are not what a figure is about: a comparison, a publication, a plan's span, a deadline.
_NOT_PERIOD_RE = re.compile(
    r"(?:so voi|so cung ky|cong bo|ban hanh|truoc|giai doan|tam nhin|dinh huong|den nam|tu nam)\W*(?:\w+\W+){0,2}$"
)
# "tăng 16%", "cao hơn 1 bậc" are changes; "hơn 400.000" (more than) and "tăng lên 90%" are levels.
_CHANGE_RE = re.compile(
    r"(?<!\w)(?:tang|giam|cao hon|thap hon|nhieu hon|it hon|chenh lech)(?:\s+(?:them|hon|khoang|gan))?\W*$"
)
_FROM_RE = re.compile(r"(?:^|\W)tu(?:\s+muc)?\W*$")
_TARGET_RE = re.compile(
    r"(?<!\w)(?:phan dau|muc tieu|yeu cau|du kien|de ra|chi tieu dat|ke hoach dat|toi thieu|it nhat|can dat"
    r"|phai dat|dat chi tieu)(?!\w)"
)
# "so với năm 2022 (15/63)": a figure given for comparison, whose period is the one left out.
_COMPARISON_RE = re.compile(r"(?<!\w)so voi(?!\w)")
_MULTIPLIER_RE = re.compile(r"\s+(trieu|nghin|ngan)(?!\w)")
_MULTIPLIERS = {"trieu": 1_000_000, "nghin": 1_000, "ngan": 1_000}
_RATIO_RE = re.compile(r"/\s*100(?!\d)|tren\s+100\s+dan")
_NATIONAL_RE = re.compile(r"(?<!\w)(?:ca nuoc|toan quoc)(?!\w)")
_RANK_CUE_RE = re.compile(r"(?:thu|hang|xep|dung|vi tri)\W*$")
_RANK_RIGHT_CUE_RE = re.compile(r"(?<!\w)(?:ve|chi so|xep hang)(?!\w)")
# Words that may follow a percent without it counting what follows ("80% so với…", "62% trong quý I").
_AFTER_PERCENT_OK = frozenset(
    "so trong tren tai o vao nam theo va cua ke tang giam con dat thang quy luy toan muc cao thap".split()
)
_LEADING_WORD_RE = re.compile(r"^[\s(]*([a-z]+)")
_INHERIT_MAX_WORDS = 4


@dataclass(frozen=True)
class FactMatch:
    """One figure read from a passage: the fact's fields before it has a document and passage id."""

    province: str
    indicator: str
    value: float
    of: int | None
    unit: Unit
    period: str
    period_inferred: bool
    quote: str


@dataclass
class _Figure:
    kind: Unit | None  # None: a date or range, consumed so it is no figure
    start: int
    end: int
    value: float = 0.0
    of: int | None = None
    indicator: Indicator | None = None
    level: bool = True


def sentences_of(passage: str) -> list[str]:
    """Sentences by punctuation: cheaper than the segmenter, and good enough for quotes."""
    return [s.strip() for s in _SENTENCE_RE.split(passage) if s and s.strip()]


def _number(text: str) -> float:
    """Vietnamese number: "1.535.526" is thousands, "87,4" a decimal comma, "212.93" an English decimal."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text.replace(",", "."))


def _figures(text: str) -> list[_Figure]:
    figures = []
    for m in _FIGURE_RE.finditer(text):
        if m.group("skip"):
            figures.append(_Figure(None, m.start(), m.end()))
        elif m.group("rank"):
            of = int(m.group("of"))
            if of not in RANK_OF:
                figures.append(_Figure(None, m.start(), m.end()))
                continue
            figures.append(_Figure("rank", m.start(), m.end(), float(m.group("rank")), of))
        elif m.group("pct"):
            figures.append(_Figure("%", m.start(), m.end(), _number(m.group("pct"))))
        else:
            raw = m.group("num")
            value = _number(raw)
            # A bare year is a time, not a count.
            if re.fullmatch(r"(?:19|20)\d\d", raw):
                figures.append(_Figure(None, m.start(), m.end()))
                continue
            # "1,2 triệu thuê bao": the multiplier belongs to the number, the noun follows it.
            multiplier = _MULTIPLIER_RE.match(text, m.end())
            if multiplier is not None:
                figures.append(_Figure("count", m.start(), multiplier.end(), value * _MULTIPLIERS[multiplier.group(1)]))
                continue
            figures.append(_Figure("count", m.start(), m.end(), value))
    return figures


def _period_of(match: re.Match[str], kind: str) -> str:
    year = match.group("y")
    if kind in ("year", "dti"):
        return year
    if kind == "quarter":
        q = match.group("q")
        number = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q) or int(q)
        return f"{year}-{number * 3:02d}"
    month = int(match.group("m"))
    return f"{year}-{month:02d}" if 1 <= month <= 12 else year


def _times(text: str) -> list[tuple[int, int, str]]:
    """(start, end, period) of the time expressions a figure may be about."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _TIME_RES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            if kind != "dti" and _NOT_PERIOD_RE.search(text[max(0, m.start() - 30) : m.start()]):
                continue
            found.append((m.start(), m.end(), _period_of(m, kind)))
    return sorted(found)


class FactExtractor:
    """Reads facts out of passages with one vocabulary and one gazetteer (both built once)."""

    def __init__(self, vocabulary: Vocabulary, gazetteer: Gazetteer) -> None:
        self.vocabulary = vocabulary
        self.gazetteer = gazetteer

    def extract(
        self, passage: str, *, published: date | None, provinces: tuple[str, ...] | list[str]
    ) -> list[FactMatch]:
        """Every fact a passage states; ``provinces`` are the document's (used when a sentence names none)."""
        if not _DIGIT_RE.search(passage):
            return []
        facts: list[FactMatch] = []
        seen: set[tuple[str, str, str, float]] = set()
        for sentence in sentences_of(passage):
            if not _DIGIT_RE.search(sentence):
                continue
            for fact in self._sentence_facts(sentence, published, tuple(provinces)):
                key = (fact.province, fact.indicator, fact.period, fact.value)
                if key not in seen:
                    seen.add(key)
                    facts.append(fact)
        return facts

    def _sentence_facts(
        self, sentence: str, published: date | None, document_provinces: tuple[str, ...]
    ) -> Iterator[FactMatch]:
        text = folded(sentence)
        figures = _figures(text)
        real = [f for f in figures if f.kind is not None]
        if not real:
            return
        times = _times(text)
        attached = self._attach_times(text, real, times)
        previous: _Figure | None = None
        for index, figure in enumerate(real):
            clause_start = text.rfind(";", 0, figure.start) + 1
            window_start = max(clause_start, previous.end if previous else 0)
            left = text[window_start : figure.start]
            nxt = real[index + 1].start if index + 1 < len(real) else len(text)
            semicolon = text.find(";", figure.end)
            right = text[figure.end : min(nxt, semicolon if semicolon >= 0 else len(text))]
            same_clause = previous if previous is not None and previous.end >= clause_start else None
            figure.indicator = self._indicator(figure, left, right, text, same_clause, text[clause_start : figure.start])
            figure.level = not _CHANGE_RE.search(left)
            previous = figure
            if figure.indicator is None or figure.indicator.key is None or not figure.level:
                continue
            assert figure.kind is not None
            if (
                _TARGET_RE.search(left)
                or _COMPARISON_RE.search(left)
                or (figure.kind != "rank" and _RATIO_RE.search(right[:40]))
            ):
                continue
            if not self._plausible(figure):
                continue
            own = attached.get(index)
            period, inferred = (own[2] if own else None), False
            if period is None:
                if _FROM_RE.search(left):
                    continue  # "từ 56%" without its own year: the earlier value of an unknown period
                period = self._sentence_period(figure, times, set(attached.values()))
            if period is None:
                if published is None:
                    continue
                period, inferred = str(published.year), True
            if published is not None and int(period[:4]) > published.year:
                continue  # a period after the document was written is a target
            province = self._province(sentence, text, figure, window_start, clause_start, document_provinces)
            if province is None:
                continue
            yield FactMatch(
                province=province,
                indicator=figure.indicator.key,
                value=figure.value,
                of=figure.of,
                unit=figure.kind,
                period=period,
                period_inferred=inferred,
                quote=sentence,
            )

    # ------------------------------------------------------------ indicator
    def _indicator(
        self, figure: _Figure, left: str, right: str, sentence: str, previous: _Figure | None, clause: str
    ) -> Indicator | None:
        assert figure.kind is not None
        unit = figure.kind
        if unit == "count":
            noun = self.vocabulary.noun_after(right, sentence)
            if noun is not None:
                return noun
            lead = _LEADING_WORD_RE.match(right)
            if lead is not None:
                return None  # "42.300 lượt người dân": it counts something else
        if unit == "%":
            lead = _LEADING_WORD_RE.match(right)
            if lead is not None and lead.group(1) not in _AFTER_PERCENT_OK:
                # "100% văn bản đi được ký số": the percent is of what follows.
                return self._nearest(self.vocabulary.matches(right.split(",")[0], unit), from_left=False)
        found = self._nearest(self.vocabulary.matches(left, unit), from_left=True)
        if found is not None:
            return found
        if unit == "rank":
            candidates = [
                m for m in self.vocabulary.matches(right, unit) if _RANK_RIGHT_CUE_RE.search(right[: m.start + 1])
            ]
            found = self._nearest(candidates, from_left=False)
            if found is not None:
                return found
        if (
            previous is not None
            and previous.indicator is not None
            and previous.kind == unit
            and len(re.findall(r"[a-z]+", re.sub(r"\(?nam \d{4}\)?", " ", left))) <= _INHERIT_MAX_WORDS
        ):
            return previous.indicator
        if previous is not None and previous.indicator is None:
            # "Chỉ số DTI của tỉnh đạt 0,45 điểm, xếp thứ 20/63": the figure before
            # named nothing of ours, so the subject is further back in the clause.
            return self._nearest(self.vocabulary.matches(clause, unit), from_left=True)
        return None

    @staticmethod
    def _nearest(matches: list[PhraseMatch], *, from_left: bool) -> Indicator | None:
        """The phrase nearest the figure; among overlapping ones the higher priority, then the longer."""
        if not matches:
            return None
        if from_left:
            anchor = max(matches, key=lambda m: m.end)
            rivals = [m for m in matches if m.end > anchor.start]
        else:
            anchor = min(matches, key=lambda m: m.start)
            rivals = [m for m in matches if m.start < anchor.end]
        best = max(rivals, key=lambda m: (m.indicator.priority, m.end - m.start))
        return best.indicator

    @staticmethod
    def _plausible(figure: _Figure) -> bool:
        if figure.kind == "%":
            return 0 <= figure.value <= 100
        if figure.kind == "rank":
            return figure.of is not None and 1 <= figure.value <= figure.of
        return figure.value >= 0 and figure.value == int(figure.value)

    # --------------------------------------------------------------- period
    @staticmethod
    def _attach_times(
        text: str, figures: list[_Figure], times: list[tuple[int, int, str]]
    ) -> dict[int, tuple[int, int, str]]:
        """Times written right after a figure ("76% năm 2022", "56% (năm 2022)") belong to it alone."""
        attached: dict[int, tuple[int, int, str]] = {}
        for index, figure in enumerate(figures):
            for time in times:
                gap = text[figure.end : time[0]]
                if time[0] >= figure.end and len(gap) <= 3 and re.fullmatch(r"[\s(]*", gap):
                    attached[index] = time
                    break
        return attached

    @staticmethod
    def _sentence_period(
        figure: _Figure, times: list[tuple[int, int, str]], attached: set[tuple[int, int, str]]
    ) -> str | None:
        """The sentence's own time: the last one before the figure, else the first after it."""
        free = [t for t in times if t not in attached]
        before = [t for t in free if t[1] <= figure.start]
        if before:
            return before[-1][2]
        after = [t for t in free if t[0] >= figure.end]
        return after[0][2] if after else None

    # ------------------------------------------------------------- province
    def _province(
        self,
        sentence: str,
        text: str,
        figure: _Figure,
        window_start: int,
        clause_start: int,
        document_provinces: tuple[str, ...],
    ) -> str | None:
        for start in (window_start, clause_start, 0):
            named = self.gazetteer.find(sentence[start : figure.start])
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                return None
        named = self.gazetteer.find(sentence)
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            return None
        if figure.kind != "rank" and _NATIONAL_RE.search(text):
            return WHOLE_COUNTRY
        if len(document_provinces) == 1:
            return document_provinces[0]
        return None
