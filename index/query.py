"""Reading a question: what to search for, and what kind of answer it wants.

Question words ("bao nhiêu", "khi nào", "ai") say nothing about which passage
holds the answer, so they leave the query terms; they decide instead which
sentence of the passage to show (one with a number, a date, a name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from index.terms import TermMaker, question_number_terms, syllables_of_words
from index.text import canonical, fold, has_diacritics, ngrams


class AnswerKind(str, Enum):
    """What the asker wants back, which shapes the snippet."""

    QUANTITY = "quantity"  # bao nhiêu, mấy, tỷ lệ …
    RANK = "rank"  # thứ mấy, xếp hạng
    TIME = "time"  # khi nào, bao giờ, hạn
    PERSON = "person"  # ai
    LIST = "list"  # những gì, nào
    OTHER = "other"


# Question phrases, folded, each with the answer kind it implies. The first
# phrase found wins, so longer and more specific phrases come first ("xếp thứ
# mấy" is a rank, not a count; "thế nào" is not "nào").
_KIND_PHRASES: tuple[tuple[str, AnswerKind], ...] = (
    ("thu may", AnswerKind.RANK),
    ("thu bao nhieu", AnswerKind.RANK),
    ("hang may", AnswerKind.RANK),
    ("hang bao nhieu", AnswerKind.RANK),
    ("khi nao", AnswerKind.TIME),
    ("bao gio", AnswerKind.TIME),
    ("luc nao", AnswerKind.TIME),
    ("thoi han", AnswerKind.TIME),
    ("han chot", AnswerKind.TIME),
    ("ngay nao", AnswerKind.TIME),
    ("thang nao", AnswerKind.TIME),
    ("nam nao", AnswerKind.TIME),
    ("bao nhieu", AnswerKind.QUANTITY),
    ("may", AnswerKind.QUANTITY),
    ("ty le", AnswerKind.QUANTITY),
    ("so luong", AnswerKind.QUANTITY),
    ("ai", AnswerKind.PERSON),
    # "Cơ quan nào", "đơn vị nào", "sở nào" ask who, like "ai" (an agency rather than a person).
    ("co quan nao", AnswerKind.PERSON),
    ("don vi nao", AnswerKind.PERSON),
    ("so nao", AnswerKind.PERSON),
    ("nhung gi", AnswerKind.LIST),
    ("nhung nao", AnswerKind.LIST),
    ("gom nhung", AnswerKind.LIST),
    ("nhu the nao", AnswerKind.OTHER),
    ("the nao", AnswerKind.OTHER),
    ("ra sao", AnswerKind.OTHER),
    ("la gi", AnswerKind.OTHER),
    ("nao", AnswerKind.LIST),
)
# What leaves the query: the question words themselves, never the noun they
# ask about ("xếp hạng bao nhiêu" keeps "xếp hạng", "tỷ lệ" stays).
_QUESTION_WORDS: tuple[str, ...] = (
    "nhu the nao", "hay khong", "co phai", "bao nhieu", "khi nao", "bao gio", "luc nao",
    "the nao", "ra sao", "o dau", "la gi", "nhung gi", "may", "ai", "gi", "nao", "dau", "khong", "chua",
)
_RANK_WORDS = ("xep hang", "xep thu", "dung thu", "hang")

# Accented forms that fold onto a question word but are content words: "máy"
# (machine) folds to "may" like "mấy"; "đâu"/"dầu", "ai"/"ái" and so on. With
# diacritics we know which is which; without them we guess from the next word.
_ACCENTED_QUESTION_WORDS = {
    "mấy", "bao", "nhiêu", "khi", "nào", "giờ", "ai", "gì", "đâu", "không", "chưa",
    "hay", "có", "phải", "thứ", "là", "những", "thế", "như", "ra", "sao", "ở", "hạng",
    "tỷ", "tỉ", "lệ", "số", "lượng", "lúc", "thời", "hạn", "chót", "ngày", "tháng", "năm", "gồm",
}
_MACHINE_NEXT = {"tinh", "chu", "moc", "quet", "in", "bay", "phat", "anh", "lanh", "tram"}

# Function words that carry no topic; excluded from the coverage check that
# decides whether the base answers at all (they still score through BM25).
STOP_WORDS = frozenset(
    """
    của và các những là có được cho với trong về tại thì này đó đã sẽ đang một theo từ đến ra vào
    như cũng không để khi nhiều hơn bị nên nếu mà ở trên dưới sau trước lại còn rất phải hoặc mỗi từng
    năm tháng ngày hiện nay gì nào ai mấy bao nhiêu giờ sao thế
    """.split()
)
# Without marks "đá", "báo", "tư", "Nam" fold onto "đã", "bao", "từ", "năm":
# a question typed with marks is checked against the accented list instead.
STOP_SYLLABLES = frozenset(fold(w) for w in STOP_WORDS)

_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")
# How a question names a document (folded): type name, "số", the number with its
# code; a full number with its code; or a code glued to the number ("nq57").
_TYPE_NAMES = (
    r"(?:nghi quyet|nghi dinh|quyet dinh|chi thi|ke hoach|cong van|thong bao|bao cao|to trinh|huong dan"
    r"|thong tu|chuong trinh|ket luan|cong dien)"
)
_CODES = r"(?:nq|nd|qd|ct|kh|cv|tb|bc|ttr|hd|tt|ctr|kl)"
_NAMING_RE = re.compile(
    r"(?<![\w/])(?:" + _TYPE_NAMES + r"\s+(?:so\s+)?\d{1,5}(?:[/\-][a-z0-9&]+)*"
    r"|(?:" + _TYPE_NAMES + r"\s+(?:so\s+)?)?\d{1,5}(?:/\d{4})?[/\-][a-z][a-z0-9&]*(?:[/\-][a-z0-9&]+)*"
    r"|" + _CODES + r"\s?\d{1,5})(?![\w/])"
)
_NAMING_WEIGHT = 0.2


@dataclass(frozen=True)
class Query:
    """A question ready for the index."""

    text: str
    terms: dict[str, float]
    content_syllables: tuple[str, ...]
    kind: AnswerKind
    years: tuple[int, ...] = ()
    typed_without_diacritics: bool = False
    wants_recent: bool = False
    bigrams: tuple[str, ...] = field(default=())
    # For each content syllable: does it carry meaning (not a function word)?
    meaningful: tuple[bool, ...] = field(default=())
    # Document numbers the question names, as "num:…" terms ("Nghị quyết 57" → num:57/nq, num:57).
    numbers: frozenset[str] = field(default=frozenset())

    @property
    def is_empty(self) -> bool:
        """No word to search for: only question words, numbers or punctuation ("3", "?")."""
        return not self.numbers and not any(any(ch.isalpha() for ch in s) for s in self.content_syllables)


class QueryReader:
    """Builds :class:`Query` objects with the same term maker as the passages."""

    def __init__(self, term_maker: TermMaker) -> None:
        self._terms = term_maker

    def read(self, question: str) -> Query:
        text = question.strip()
        folded_text = " ".join(syllables_of_words([canonical(text)]))
        accented = re.findall(r"[^\W_]+", canonical(text))
        kind = _answer_kind(folded_text)
        syl = _content_syllables(accented, typed_with_marks=has_diacritics(text))
        # Terms depend on syllables only, so the question skips word segmentation.
        folded_syl = syllables_of_words(syl)
        marked = has_diacritics(text)
        meaningful = tuple(
            (s not in STOP_WORDS) if marked else (fold(s) not in STOP_SYLLABLES)
            for s in (syl if len(syl) == len(folded_syl) else folded_syl)
        )
        terms: dict[str, float] = {}
        for term in self._terms.terms(syl):
            terms[term] = terms.get(term, 0.0) + 1.0
        # "03/NQ-CP" loses its shape in the syllables above; read it from the text.
        for term in question_number_terms(text):
            terms.setdefault(term, 1.0)
        numbers = frozenset(t for t in terms if t.startswith("num:"))
        if numbers:
            # "Kế hoạch 215/KH-UBND giao …": the name of the document is matched by
            # its num: terms; its words must not pull in rows that say "kế hoạch",
            # nor count as content an answer has to contain.
            lowered = canonical(text)
            folded_lowered = fold(lowered)
            naming_spans = [m.span() for m in _NAMING_RE.finditer(folded_lowered)]
            naming = set(syllables_of_words([folded_lowered[a:b] for a, b in naming_spans]))
            for term in terms:
                if not term.startswith(("num:", "#")) and all(part in naming for part in term.split("_")):
                    terms[term] = _NAMING_WEIGHT
            if len(folded_lowered) == len(lowered):
                for a, b in naming_spans:
                    lowered = lowered[:a] + " " * (b - a) + lowered[b:]
                syl = _content_syllables(re.findall(r"[^\W_]+", lowered), typed_with_marks=marked)
                folded_syl = syllables_of_words(syl)
                meaningful = tuple(
                    (s not in STOP_WORDS) if marked else (fold(s) not in STOP_SYLLABLES)
                    for s in (syl if len(syl) == len(folded_syl) else folded_syl)
                )
        years = tuple(int(y) for y in _YEAR_RE.findall(text))
        wants_recent = not years and (kind in (AnswerKind.RANK, AnswerKind.QUANTITY) or _mentions_rank(folded_text))
        return Query(
            text=text,
            terms=terms,
            content_syllables=tuple(folded_syl),
            kind=kind,
            years=years,
            typed_without_diacritics=not has_diacritics(text),
            wants_recent=wants_recent,
            bigrams=tuple(ngrams(folded_syl, 2)),
            meaningful=meaningful,
            numbers=numbers,
        )


def _answer_kind(folded: str) -> AnswerKind:
    padded = f" {folded} "
    for phrase, kind in _KIND_PHRASES:
        if f" {phrase} " in padded:
            if kind is AnswerKind.QUANTITY and _mentions_rank(folded):
                return AnswerKind.RANK
            return kind
    return AnswerKind.RANK if _mentions_rank(folded) else AnswerKind.OTHER


def _mentions_rank(folded: str) -> bool:
    padded = f" {folded} "
    return any(f" {w} " in padded for w in _RANK_WORDS)


def _content_syllables(accented: list[str], *, typed_with_marks: bool) -> list[str]:
    """The question's syllables without its question phrases."""
    folded = [fold(s) for s in accented]
    drop = [False] * len(folded)
    phrases = [p.split() for p in _QUESTION_WORDS]
    for i in range(len(folded)):
        for phrase in phrases:
            n = len(phrase)
            if folded[i : i + n] != phrase or any(drop[i : i + n]):
                continue
            window = accented[i : i + n]
            if typed_with_marks and not all(s in _ACCENTED_QUESTION_WORDS for s in window):
                continue
            if phrase == ["may"] and not typed_with_marks and i + 1 < len(folded) and folded[i + 1] in _MACHINE_NEXT:
                continue
            for j in range(i, i + n):
                drop[j] = True
            break
    return [s for s, d in zip(accented, drop) if not d]
