"""Choosing what to show: the sentences that answer, and the part to mark.

Pure functions over passages and an analysed question; no database, no
formatting. The bot and the CLI render an :class:`Answer` each their own way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from index.query import STOP_SYLLABLES, AnswerKind, Query
from index.terms import syllables_of_words
from index.text import ngrams, word_count
from knowledge.documents.passages import sentences

SNIPPET_MAX_WORDS = 80

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
_KEY_RE = re.compile(
    rf"(?<![\w/.,])(?:{_DATE_RE}|{_RANK_RE}|{_PERCENT_RE}|{_QUARTER_RE}|{_MONTH_RE}|{_NUMBER_RE})(?![\w/])",
    re.IGNORECASE,
)
# Ranks ("thứ 13/63") and counts ("1.239", "76%") without dates or years,
# which would otherwise win for being near the subject ("tính đến tháng 6/2023").
_RANK_ONLY_RE = re.compile(r"(?<![\w/.,])(?:thứ\s+)?\d{1,3}/\d{2,3}(?![\w/])", re.IGNORECASE)
_COUNT_RE = re.compile(
    rf"(?<![\w/.,])(?:{_RANK_RE}|{_PERCENT_RE}|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?)(?![\w/%])",
    re.IGNORECASE,
)
_TIME_RE = re.compile(rf"(?:{_DATE_RE}|{_QUARTER_RE}|{_MONTH_RE}|năm\s+\d{{4}})", re.IGNORECASE)
# A person's name: two to four capitalised syllables after a title word.
_NAME_RE = re.compile(
    r"(?:(?<=ông )|(?<=bà )|(?<=đồng chí )|(?<=Đồng chí )|(?<=Thủ tướng Chính phủ )|(?<=Thủ tướng )"
    r"|(?<=Bí thư Tỉnh ủy )|(?<=Chủ tịch UBND tỉnh )|(?<=Phó Chủ tịch UBND tỉnh ))"
    r"[A-ZÀ-Ỹ][a-zà-ỹ]+(?: [A-ZÀ-Ỹ][a-zà-ỹ]+){1,3}"
)
_LOOSE_NAME_RE = re.compile(r"(?<![\w])[A-ZÀ-ỸĐ][a-zà-ỹđ]+(?: [A-ZÀ-ỸĐ][a-zà-ỹđ]+){2,3}(?![\w])")


@dataclass(frozen=True)
class Citation:
    """One passage offered as evidence, with the part the user is shown."""

    document_id: int
    title: str
    source: str | None
    published: date | None
    passage_id: int
    position: int
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    passage: str
    score: float
    provinces: tuple[str, ...] = ()
    province_note: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the knowledge base says about a question."""

    question: str
    found: bool
    citations: tuple[Citation, ...] = ()
    kind: AnswerKind = AnswerKind.OTHER
    suggestions: tuple[str, ...] = ()
    question_id: int | None = field(default=None, compare=False)
    # Progress answers (issue 9): figures from several passages, each with its
    # citation number; shown instead of one snippet.
    summary: str | None = None

    @property
    def text(self) -> str:
        """The answer as plain text: the best snippet, or the refusal."""
        if not self.found or not self.citations:
            return NOT_FOUND_MESSAGE
        if self.summary:
            return self.summary
        best = self.citations[0]
        return f"{best.province_note}: {best.snippet}" if best.province_note else best.snippet


NOT_FOUND_MESSAGE = "Xin lỗi, cơ sở dữ liệu hiện chưa có thông tin trả lời câu hỏi này."


@dataclass(frozen=True)
class _Scored:
    text: str
    score: float
    index: int


IdfLookup = Callable[[str], float]


def question_terms(query: Query) -> set[str]:
    """The content bigrams, lone syllables and concepts an answer should contain.

    A folded syllable alone is weak evidence ("ha" is hà, hạ or hả), so a
    syllable counts on its own only when no content neighbour pairs with it;
    bigrams that include a function word ("của Hải") say nothing of the topic.
    """
    syl = list(query.content_syllables)
    content = list(query.meaningful) if len(query.meaningful) == len(syl) else [s not in STOP_SYLLABLES for s in syl]
    wanted: set[str] = set()
    paired = [False] * len(syl)
    for i in range(len(syl) - 1):
        if content[i] and content[i + 1]:
            wanted.add(f"{syl[i]}_{syl[i + 1]}")
            paired[i] = paired[i + 1] = True
    wanted.update(s for s, c, p in zip(syl, content, paired) if c and not p)
    wanted.update(t for t in query.terms if t.startswith("#"))
    return wanted


def coverage(
    query: Query, passage_terms: set[str], idf: IdfLookup, unknown_idf: float, ignore: frozenset[str] = frozenset()
) -> float:
    """Share of the question's information (IDF mass) that the passage contains.

    Terms the base has never seen weigh the most: a question about the
    weather shares "Hà Nội" with the base, but not "thời tiết". A share built
    on one lone syllable is no evidence ("bạn là ai" meets "Ban Chỉ đạo"):
    it takes a shared pair of syllables, an abbreviation's concept, or two
    shared words. ``ignore`` leaves out the province named: it says where,
    not what, and is checked on its own.
    """
    wanted = {
        t for t in question_terms(query) if t not in ignore and not any(part in ignore for part in t.split("_"))
    }
    # A concept the base never mentions is only another spelling of words
    # that are already counted.
    wanted = {t for t in wanted if not (t.startswith("#") and not idf(t))}
    matched = wanted & passage_terms
    strong = any("_" in t or t.startswith("#") for t in matched) or len(matched) >= 2
    if not wanted or not strong:
        return 0.0
    total = found = 0.0
    for term in wanted:
        weight = _weight(term, idf, unknown_idf)
        total += weight
        if term in matched:
            found += weight
    return found / total if total else 0.0


def _weight(term: str, idf: IdfLookup, unknown_idf: float) -> float:
    """How much a question term says; an unseen pair of known words is a wording, not a new topic.

    "xếp hạng" never appearing where the base says "xếp thứ" should not weigh
    like "thời tiết", which names something the base never covers.
    """
    seen = idf(term)
    if seen:
        return seen
    parts = term.split("_")
    if len(parts) == 2 and all(idf(p) for p in parts):
        return max(idf(p) for p in parts)
    return unknown_idf


@dataclass(frozen=True)
class Snippet:
    """The sentences shown, the spans to mark, and how well the best sentence answers."""

    text: str
    highlights: tuple[tuple[int, int], ...]
    score: float


TermsOf = Callable[[str], set[str]]


def choose_snippet(passage: str, query: Query, idf: IdfLookup, terms_of: TermsOf) -> Snippet:
    """The one to three sentences that answer, at most ~80 words, and what to mark.

    ``terms_of`` gives a sentence's index terms (the same terms passages are
    indexed with, concepts included, so "quý 1" meets "quý I").
    """
    sents = [s for line in passage.split("\n") for s in sentences(line)] or [passage]
    wanted = question_terms(query)
    scored = [_Scored(s, _sentence_score(s, terms_of(s), wanted, query.kind, idf), i) for i, s in enumerate(sents)]
    best = max(scored, key=lambda s: (s.score, -s.index))
    chosen = [best]
    words = word_count(best.text)
    # Grow around the best sentence while it stays short and the neighbours help.
    for neighbour_index in (best.index + 1, best.index - 1):
        if not 0 <= neighbour_index < len(scored):
            continue
        neighbour = scored[neighbour_index]
        n = word_count(neighbour.text)
        helps = neighbour.score >= 0.5 * best.score and neighbour.score > 0
        if words + n <= SNIPPET_MAX_WORDS and (helps or words < 12) and len(chosen) < 3:
            chosen.append(neighbour)
            words += n
    chosen.sort(key=lambda s: s.index)
    snippet = " ".join(s.text for s in chosen)
    if word_count(snippet) > SNIPPET_MAX_WORDS:
        snippet = _window(snippet, wanted, query.kind)
    return Snippet(snippet, _highlights(snippet, wanted, query.kind, idf), best.score)


def _sentence_score(sentence: str, present: set[str], wanted: set[str], kind: AnswerKind, idf: IdfLookup) -> float:
    score = sum(idf(t) for t in wanted & present)
    if score and kind is not AnswerKind.OTHER and kind is not AnswerKind.LIST:
        # "bao nhiêu", "ai", "khi nào" want a figure, a name, a date: a sentence
        # without one (a headline, a summary) only repeats the question's words.
        if _has_answer_shape(sentence, kind):
            score *= 1.5
            if kind is AnswerKind.QUANTITY and _counts_what_is_asked(sentence, wanted):
                score *= 1.6
        else:
            score *= 0.6
    # A long sentence matches more by chance; damp it gently.
    return score / (1.0 + 0.01 * max(0, len(sentence.split()) - 25))


def _has_answer_shape(sentence: str, kind: AnswerKind) -> bool:
    if kind is AnswerKind.QUANTITY:
        return bool(_COUNT_RE.search(sentence))
    if kind is AnswerKind.RANK:
        return bool(_RANK_ONLY_RE.search(sentence) or _COUNT_RE.search(sentence))
    if kind is AnswerKind.TIME:
        return bool(_TIME_RE.search(sentence))
    if kind is AnswerKind.PERSON:
        return bool(_NAME_RE.search(sentence) or _LOOSE_NAME_RE.search(sentence))
    return False


def _counts_what_is_asked(sentence: str, wanted: set[str]) -> bool:
    """A count followed closely by the asked-about noun ("15 chỉ tiêu", "1.239 tổ").

    Vietnamese puts the number before the classifier and noun, so a figure
    within three words before a question word is the answer to "bao nhiêu".
    """
    tokens = sentence.split()
    for i, token in enumerate(tokens):
        if not _COUNT_RE.fullmatch(token.strip(",.;:()")):
            continue
        following = syllables_of_words(tokens[i + 1 : i + 4])
        if set(following) & wanted or set(ngrams(following, 2)) & wanted:
            return True
    return False


def _window(text: str, wanted: set[str], kind: AnswerKind) -> str:
    """Cut an over-long sentence to the ~80 words around where it answers."""
    tokens = text.split()
    folded = [syllables_of_words([t]) for t in tokens]
    hits = [
        1.0 * bool(set(f) & wanted) + (0.8 if kind is not AnswerKind.OTHER and _KEY_RE.search(t) else 0.0)
        for t, f in zip(tokens, folded)
    ]
    size = SNIPPET_MAX_WORDS
    best_start = max(range(len(tokens) - size + 1), key=lambda i: (sum(hits[i : i + size]), -i))
    piece = " ".join(tokens[best_start : best_start + size])
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if best_start + size < len(tokens) else ""
    return prefix + piece + suffix


def _highlights(snippet: str, wanted: set[str], kind: AnswerKind, idf: IdfLookup) -> tuple[tuple[int, int], ...]:
    """Character spans of the key number, date or name, the one nearest the question's words."""
    if kind is AnswerKind.PERSON:
        candidates = list(_NAME_RE.finditer(snippet)) or list(_LOOSE_NAME_RE.finditer(snippet))
    elif kind is AnswerKind.TIME:
        candidates = list(_TIME_RE.finditer(snippet))
    elif kind is AnswerKind.RANK:
        candidates = list(_RANK_ONLY_RE.finditer(snippet)) or list(_COUNT_RE.finditer(snippet))
    elif kind is AnswerKind.QUANTITY:
        candidates = list(_COUNT_RE.finditer(snippet))
    else:
        return ()
    if not candidates:
        return ()
    term_positions = _term_positions(snippet, wanted, idf)

    def closeness(match: re.Match[str]) -> float:
        centre = (match.start() + match.end()) / 2
        # Vietnamese puts the subject before the figure ("chính quyền số xếp thứ
        # 15/63"), so words before a number count more than words after it.
        total = 0.0
        for pos, weight in term_positions:
            distance = centre - pos
            factor = 1.0 if distance > 0 else 0.4
            total += factor * weight * math.exp(-abs(distance) / 60.0)
        if kind is AnswerKind.RANK and "/" in match.group(0):
            total *= 1.5
        return total

    best = max(candidates, key=closeness)
    return ((best.start(), best.end()),)


def _term_positions(snippet: str, wanted: set[str], idf: IdfLookup) -> list[tuple[int, float]]:
    positions: list[tuple[int, float]] = []
    for match in re.finditer(r"[^\W_]+", snippet):
        syl = syllables_of_words([match.group(0)])
        if syl and syl[0] in wanted:
            positions.append((match.start(), idf(syl[0]) or 1.0))
    return positions


def mark(snippet: str, highlights: Sequence[tuple[int, int]], before: str, after: str) -> str:
    """Wrap highlighted spans (plain text in, plain text out; escaping is the caller's job)."""
    out, last = [], 0
    for start, end in sorted(highlights):
        out.append(snippet[last:start])
        out.append(before + snippet[start:end] + after)
        last = end
    out.append(snippet[last:])
    return "".join(out)
