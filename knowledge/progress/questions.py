"""Rankings, comparisons, trends and a province's card, from the stored facts.

A passage search finds the sentence that says "13/63"; it cannot say which
province ranks highest, or how one moved over the years. These functions
read the facts instead and cite each figure's passage. A question they do not
recognise, or whose facts the base lacks, returns None: the caller then
searches passages as before.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from knowledge.answers.answer import Answer, Citation
from knowledge.progress.extract import WHOLE_COUNTRY
from knowledge.progress.store import (
    FactView,
    read_facts,
    resolve_place,
    without_repeats,
)
from knowledge.progress.vocabulary import BY_KEY, Vocabulary, folded
from knowledge.provinces import Gazetteer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    # Facts are read with plain SQL: from an engine's pool, or on the connection an answer already reads with.
    from knowledge.reading import ReadConnection

DTI_FAMILY = ("dti_rank", "dti_government_rank", "dti_economy_rank", "dti_society_rank")
IN_THE_BASE = "trong các tài liệu hiện có"
DEFAULT_TOP = 5

_RANKING_RE = re.compile(
    r"(?<!\w)(?:tinh nao|dia phuong nao|thanh pho nao|noi nao|top\s*\d+|nhung tinh|cac tinh|bang xep hang)(?!\w)"
)
_BEST_RE = re.compile(r"(?<!\w)(?:cao nhat|dan dau|tot nhat|cao nhiet|nhieu nhat|dung dau|top)(?!\w)")
_WORST_RE = re.compile(r"(?<!\w)(?:thap nhat|kem nhat|cuoi bang|it nhat|thap nhiet|cham nhat)(?!\w)")
_TOP_RE = re.compile(r"(?<!\w)top\s*(\d{1,2})(?!\w)")
_COMPARE_RE = re.compile(r"(?<!\w)(?:so sanh|doi chieu|hon hay|hay hon|khac nhau)(?!\w)")
# "qua các năm" asks for a trend by itself; "thay đổi" only when an indicator is named
# ("Hải Dương có thay đổi gì về tổ chức bộ máy?" is a question for the passages).
_TREND_RE = re.compile(
    r"(?<!\w)(?:qua cac nam|cac nam qua|nhung nam qua|qua tung nam|theo tung nam|tien bo|xu huong)(?!\w)"
)
_WEAK_TREND_RE = re.compile(r"(?<!\w)(?:thay doi|bien dong|dien bien|tang giam|cac nam|qua cac ky)(?!\w)")
_DTI_RE = re.compile(r"(?<!\w)(?:dti|chi so chuyen doi so|chi so cds)(?!\w)")
_RANK_WORDS_RE = re.compile(r"(?<!\w)(?:xep hang|xep thu|thu hang|dung thu|vi tri)(?!\w)")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")

Kind = Literal["ranking", "comparison", "trend"]


@dataclass(frozen=True)
class ProgressQuestion:
    """What a question asks of the facts."""

    kind: Kind
    indicators: tuple[str, ...]
    provinces: tuple[str, ...] = ()
    year: int | None = None
    best: bool = True
    top: int = DEFAULT_TOP


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator of one province: its latest fact, the one before, and the whole series."""

    indicator: str
    latest: FactView
    previous: FactView | None
    series: tuple[FactView, ...]  # oldest first, one per period


# --------------------------------------------------------------- reading questions
def read_question(question: str, vocabulary: Vocabulary, gazetteer: Gazetteer) -> ProgressQuestion | None:
    """The ranking, comparison or trend a question asks for; None for any other question.

    Deliberately narrow: a question that is not plainly one of these
    ("Các tỉnh cần làm gì để chuyển đổi số?") goes to the passages.
    """
    text = folded(question)
    superlative = _BEST_RE.search(text) or _WORST_RE.search(text) or _RANK_WORDS_RE.search(text)
    # Most questions have none of the words these three need: they go to the passages
    # without the gazetteer and vocabulary look-ups, most of what trying them cost.
    if not (
        _COMPARE_RE.search(text)
        or (superlative and _RANKING_RE.search(text))
        or _TREND_RE.search(text)
        or _DTI_RE.search(text)
        or _WEAK_TREND_RE.search(text)
    ):
        return None
    provinces = tuple(gazetteer.find(question))
    years = [int(y) for y in _YEAR_RE.findall(text)]
    year = years[-1] if years else None
    keys = _indicators(text, vocabulary)
    if _COMPARE_RE.search(text) and len(provinces) >= 2:
        return ProgressQuestion("comparison", keys, provinces, year)
    if not provinces and _RANKING_RE.search(text) and superlative:
        # "Tỉnh nào chuyển đổi số tốt nhất?" ranks by the DTI.
        keys = keys or (("dti_rank",) if "chuyen doi so" in text or "cds" in text.split() else ())
        if not keys:
            return None
        top = _TOP_RE.search(text)
        return ProgressQuestion(
            "ranking",
            keys[:1],
            year=year,
            best=not _WORST_RE.search(text),
            top=int(top.group(1)) if top else DEFAULT_TOP,
        )
    if len(provinces) == 1 and (
        _TREND_RE.search(text) or _DTI_RE.search(text) or (keys and _WEAK_TREND_RE.search(text))
    ):
        return ProgressQuestion("trend", keys, provinces, year)
    return None


def _indicators(text: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The indicators a question names; "DTI" alone means the DTI and its pillars.

    "chuyển đổi số" is in every question, so on its own it names no
    indicator; "xếp hạng (chuyển đổi số)" names the DTI rank.
    """
    keys = [k for k in vocabulary.find_keys(text) if k != "dti_rank"]
    if keys:
        return tuple(keys)
    if _DTI_RE.search(text):
        return DTI_FAMILY
    if _RANK_WORDS_RE.search(text):
        return ("dti_rank",)
    return ()


# --------------------------------------------------------------- reading facts
def better(indicator: str) -> int:
    """+1 when a higher value is better (rates, counts), -1 for ranks (1 is best)."""
    return -1 if BY_KEY[indicator].unit == "rank" else 1


def progress_by_indicator(facts: Iterable[FactView]) -> list[IndicatorProgress]:
    """Per indicator, in vocabulary order: the latest fact, the previous period's, the series."""
    by_key: dict[str, list[FactView]] = defaultdict(list)
    for fact in without_repeats(facts):
        by_key[fact.indicator].append(fact)
    out = []
    for key in BY_KEY:
        series = sorted(by_key.get(key, []), key=lambda f: f.period)
        if not series:
            continue
        latest = series[-1]
        # A rank out of 34 and one out of 63 are not steps on one ladder: no "↑ n bậc" between them.
        earlier = [f for f in series[:-1] if f.of == latest.of]
        out.append(IndicatorProgress(key, latest, earlier[-1] if earlier else None, tuple(series)))
    return out


def province_progress(engine: Engine | ReadConnection, gazetteer: Gazetteer, province: str) -> tuple[str, list[IndicatorProgress]]:
    """(canonical name, progress per indicator) for a province typed any way; raises UnknownProvinceError."""
    name = resolve_place(gazetteer, province)
    facts = read_facts(engine, provinces=[name], gazetteer=gazetteer)
    return name, progress_by_indicator(facts)


def ranking(
    engine: Engine | ReadConnection,
    gazetteer: Gazetteer,
    indicator: str,
    *,
    year: int | None = None,
    best: bool = True,
) -> list[FactView]:
    """Each province's latest value (in ``year`` when given), best first (or worst first).

    Ranks out of 63 (before the 2025 merger) and out of 34 are not one
    table: only the scale of the newest rank is ranked.
    """
    facts = [
        f
        for f in without_repeats(read_facts(engine, indicator=indicator))
        if f.province != WHOLE_COUNTRY and (year is None or f.year == year)
    ]
    if facts and facts[0].unit == "rank":
        facts = [f for f in facts if f.of == facts[0].of]
    latest: dict[str, FactView] = {}
    for fact in facts:  # newest first
        latest.setdefault(fact.province, fact)
    sign = better(indicator) * (1 if best else -1)
    return sorted(latest.values(), key=lambda f: (-sign * f.value, f.province))


# --------------------------------------------------------------- answering
def answer_progress_question(
    question: str, *, engine: Engine | ReadConnection, vocabulary: Vocabulary, gazetteer: Gazetteer
) -> Answer | None:
    """An answer from the facts, or None when the facts cannot answer (the caller searches passages)."""
    asked = read_question(question, vocabulary, gazetteer)
    if asked is None:
        return None
    writer = _AnswerWriter(gazetteer)
    if asked.kind == "ranking":
        lines = _ranking_lines(engine, gazetteer, asked, writer)
    elif asked.kind == "comparison":
        lines = _comparison_lines(engine, gazetteer, asked, writer)
    else:
        lines = _trend_lines(engine, gazetteer, asked, writer)
    if not lines:
        return None
    return Answer(
        question=question,
        found=True,
        citations=tuple(writer.citations),
        summary="\n".join(lines),
    )


def _ranking_lines(
    engine: Engine | ReadConnection, gazetteer: Gazetteer, asked: ProgressQuestion, writer: _AnswerWriter
) -> list[str]:
    indicator = asked.indicators[0]
    ranked = ranking(engine, gazetteer, indicator, year=asked.year, best=asked.best)[: max(asked.top, 1)]
    if not ranked:
        return []
    name = BY_KEY[indicator].name
    when = f" năm {asked.year}" if asked.year else " (số liệu mới nhất của mỗi tỉnh)"
    order = "từ cao xuống thấp" if asked.best else "từ thấp lên cao"
    lines = [f"{name}{when}, {order}, {IN_THE_BASE}:"]
    for number, fact in enumerate(ranked, start=1):
        lines.append(f"{number}. {writer.figure(fact)}")
    return lines


def _comparison_lines(
    engine: Engine | ReadConnection, gazetteer: Gazetteer, asked: ProgressQuestion, writer: _AnswerWriter
) -> list[str]:
    per_province = {
        p: {
            ip.indicator: ip
            for ip in progress_by_indicator(
                f
                for f in read_facts(engine, provinces=[p], gazetteer=gazetteer)
                if asked.year is None or f.year == asked.year
            )
        }
        for p in asked.provinces
    }
    keys = [
        k
        for k in BY_KEY
        if (not asked.indicators or k in asked.indicators) and any(k in v for v in per_province.values())
    ]
    if not keys:
        return []
    names = " và ".join(writer.name(p) for p in asked.provinces)
    lines = [f"So sánh {names}{f' năm {asked.year}' if asked.year else ''}, {IN_THE_BASE}:"]
    for key in keys:
        lines.append(f"• {BY_KEY[key].name}:")
        for province in asked.provinces:
            progress = per_province[province].get(key)
            if progress is None:
                lines.append(f"   – {writer.name(province)}: chưa có số liệu")
            else:
                lines.append(f"   – {writer.figure(progress.latest)}")
    return lines


def _trend_lines(engine: Engine | ReadConnection, gazetteer: Gazetteer, asked: ProgressQuestion, writer: _AnswerWriter) -> list[str]:
    [province] = asked.provinces
    facts = read_facts(engine, provinces=[province], gazetteer=gazetteer)
    if asked.year is not None:
        facts = [f for f in facts if f.year == asked.year]
    progress = [p for p in progress_by_indicator(facts) if not asked.indicators or p.indicator in asked.indicators]
    if not progress:
        return []
    when = f" năm {asked.year}" if asked.year else " qua các kỳ"
    lines = [f"{writer.name(province)}{when}, {IN_THE_BASE}:"]
    for item in progress:
        lines.append(f"• {BY_KEY[item.indicator].name}:")
        for fact in item.series:
            lines.append(f"   – {writer.figure(fact, with_province=fact.province != province)}")
        if item.previous is not None:
            lines.append(f"   → {change_text(item.latest, item.previous)} so với {period_text(item.previous)}")
    return lines


# --------------------------------------------------------------- wording
def format_number(value: float, decimals: int = 2) -> str:
    """Vietnamese style: "1.535.526", "87,4"."""
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".").replace(".", ",")


def format_value(value: float, unit: str, of: int | None) -> str:
    """"13/63", "87,4%", "1.239"."""
    if unit == "rank":
        return f"{format_number(value)}/{of}" if of else f"thứ {format_number(value)}"
    if unit == "%":
        return f"{format_number(value)}%"
    return format_number(value)


def period_text(fact: FactView) -> str:
    """"năm 2023", "tháng 6/2023"; an inferred period says so."""
    if len(fact.period) == 7:
        text = f"tháng {int(fact.period[5:])}/{fact.period[:4]}"
    else:
        text = f"năm {fact.period}"
    return text + (" (theo năm của tài liệu)" if fact.period_inferred else "")


def change_text(latest: FactView, previous: FactView) -> str:
    """"↑ 9 bậc", "↓ 2 bậc", "+16,6 điểm %", "+120", or "không đổi"."""
    delta = latest.value - previous.value
    if abs(delta) < 1e-9:
        return "không đổi"
    if latest.unit == "rank":
        steps = format_number(abs(delta))
        return f"↑ {steps} bậc" if delta < 0 else f"↓ {steps} bậc"
    sign = "+" if delta > 0 else "−"
    if latest.unit == "%":
        return f"{sign}{format_number(abs(delta))} điểm %"
    return f"{sign}{format_number(abs(delta))}"


class _AnswerWriter:
    """Numbers citations as figures are written: one citation per passage."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.citations: list[Citation] = []
        self._numbers: dict[int, int] = {}

    def name(self, province: str) -> str:
        """An old name keeps the caveat used elsewhere: "Hải Dương (nay thuộc TP. Hải Phòng)"."""
        if province == WHOLE_COUNTRY:
            return province
        return self.gazetteer.merger_note(province) or province

    def cite(self, fact: FactView) -> int:
        number = self._numbers.get(fact.passage_id)
        if number is None:
            note = self.gazetteer.merger_note(fact.province) if fact.province != WHOLE_COUNTRY else None
            self.citations.append(fact_citation(fact, province_note=note))
            number = len(self.citations)
            self._numbers[fact.passage_id] = number
        return number

    def figure(self, fact: FactView, *, with_province: bool = True) -> str:
        """"Hải Dương (nay thuộc TP. Hải Phòng): 13/63 — tháng 6/2023 [1]"."""
        value = format_value(fact.value, fact.unit, fact.of)
        if not with_province:
            return f"{period_text(fact)}: {value} [{self.cite(fact)}]"
        return f"{self.name(fact.province)}: {value} — {period_text(fact)} [{self.cite(fact)}]"


def fact_citation(fact: FactView, *, province_note: str | None = None) -> Citation:
    """A fact's passage as a citation: the sentence that states the figure is its snippet."""
    return Citation(
        document_id=fact.document_id,
        title=fact.document_title,
        source=fact.document_source,
        published=fact.document_published,
        passage_id=fact.passage_id,
        position=fact.passage_position,
        snippet=fact.quote,
        highlights=(),
        passage=fact.passage_text,
        score=0.0,
        provinces=(fact.province,),
        province_note=province_note,
        sample=fact.sample,
    )
