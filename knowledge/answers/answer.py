"""Choosing what to show: the sentences that answer, and the part to mark.

Pure functions over passages and an analysed question; no database, no
formatting. The bot and the CLI render an :class:`Answer` each their own way.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from index.query import STOP_SYLLABLES, AnswerKind, Query
from index.terms import syllables_of_words
from index.text import ngrams, word_count
from knowledge.answers import intent, lists, shape
from knowledge.answers.sentence_terms import Sentence, snippet_sentences

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
    # From the bundled demo base, not from a document an admin gave: every
    # front end says so, so no official mistakes a sample for their own data.
    sample: bool = False
    # issue 8: an official document is cited by type and number; OCR'd text says so.
    doc_type: str | None = None
    number: str | None = None
    ocr: bool = False

    @property
    def reference(self) -> str | None:
        """"Nghị quyết 03/NQ-CP, 09/01/2025" for an official document, None for an article."""
        if not self.number:
            return None
        name = f"{self.doc_type or 'Văn bản'} {self.number}"
        return f"{name}, {self.published.strftime('%d/%m/%Y')}" if self.published else name

    @property
    def subject(self) -> str:
        """The title without the "Nghị quyết 03/NQ-CP: " the reference already shows."""
        prefix = f"{self.doc_type or 'Văn bản'} {self.number}: "
        return self.title.removeprefix(prefix) if self.number else self.title


SAMPLE_MARK = "(dữ liệu mẫu)"


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
        text = f"{best.province_note}: {best.snippet}" if best.province_note else best.snippet
        return f"{text} {SAMPLE_MARK}" if best.sample else text


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
    # Concepts, and the document numbers a question names (issue 8).
    wanted.update(t for t in query.terms if t.startswith(("#", "num:")))
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
    # The shown sentences state the act the question's intent word asks about ("kết luận", "khó khăn").
    states_intent: bool = False


TermsOf = Callable[[str], set[str]]


def choose_snippet(
    passage: str,
    query: Query,
    idf: IdfLookup,
    terms_of: TermsOf | None = None,
    *,
    split: Sequence[Sentence] | None = None,
) -> Snippet:
    """The one to three sentences that answer, at most ~80 words, and what to mark.

    ``split`` is the passage's sentences with their terms as stored at ingest
    (knowledge/answers/sentence_terms.py); without it the passage is split
    here and ``terms_of`` gives a sentence's index terms (the same terms
    passages are indexed with, concepts included, so "quý 1" meets "quý I").
    """
    if split is None:
        assert terms_of is not None, "choose_snippet needs the stored sentences or terms_of"
        split = [Sentence(s, frozenset(terms_of(s))) for s in snippet_sentences(passage)]
    sents = [s.text for s in split]
    wanted = question_terms(query)
    cues = intent.intent_cues(query)
    scored = [
        _Scored(s.text, _sentence_score(s.text, s.terms, wanted, query.kind, idf, query.text) * intent.sentence_factor(s.text, cues), i)
        for i, s in enumerate(split)
    ]
    best = max(scored, key=lambda s: (s.score, -s.index))
    # A list question gets the whole enumeration, up to a limit (knowledge/answers/lists.py).
    enumeration = lists.find_enumeration(sents, best.index) if lists.asks_for_list(query) else None
    if enumeration is not None:
        snippet = lists.render(enumeration)
        return Snippet(
            snippet,
            _highlights(snippet, wanted, query.kind, idf, query.text),
            best.score,
            intent.states_intent(snippet, cues),
        )
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
    return Snippet(
        snippet, _highlights(snippet, wanted, query.kind, idf, query.text), best.score, intent.states_intent(snippet, cues)
    )


def _sentence_score(
    sentence: str, present: frozenset[str] | set[str], wanted: set[str], kind: AnswerKind, idf: IdfLookup, question: str = ""
) -> float:
    score = sum(idf(t) for t in wanted & present)
    if score and kind is not AnswerKind.OTHER and kind is not AnswerKind.LIST:
        # "bao nhiêu", "ai", "khi nào" want a figure, a name, a date: a sentence
        # without one (a headline, a summary) only repeats the question's words.
        if _has_answer_shape(sentence, kind, wanted, question):
            score *= 1.5
            if kind is AnswerKind.QUANTITY and _counts_what_is_asked(sentence, wanted):
                score *= 1.6
        else:
            score *= 0.6
    # A long sentence matches more by chance; damp it gently.
    return score / (1.0 + 0.01 * max(0, len(sentence.split()) - 25))


def _has_answer_shape(sentence: str, kind: AnswerKind, wanted: set[str] = frozenset(), question: str = "") -> bool:
    return bool(shaped_candidates(sentence, kind, wanted, question, strict=True))


def shaped_candidates(
    text: str, kind: AnswerKind, wanted: set[str], question: str = "", *, strict: bool = False
) -> list[shape.Span]:
    """The spans of ``text`` with the shape ``kind`` asks for (knowledge/answers/shape.py).

    ``strict``: for choosing the sentence, "ai" takes a person's name only
    (every sentence names some agency); for marking, an agency will do.
    """
    if kind is AnswerKind.PERSON:
        folded = " ".join(syllables_of_words([question.lower()]))
        if shape.wants_agency(folded):
            return shape.agencies(text)
        people = shape.person_names(text)
        return people if people or strict else shape.agencies(text)
    if kind is AnswerKind.TIME:
        return shape.dates(text, [m.span() for m in _TIME_RE.finditer(text)])
    if kind is AnswerKind.RANK:
        ranks = shape.figures(text, [m.span() for m in _RANK_ONLY_RE.finditer(text)])
        return ranks or shape.figures(text, [m.span() for m in _COUNT_RE.finditer(text)])
    if kind is AnswerKind.QUANTITY:
        found = shape.figures(text, [m.span() for m in _COUNT_RE.finditer(text)])
        return found + shape.counted_words(text, wanted)
    return []


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


def _highlights(
    snippet: str, wanted: set[str], kind: AnswerKind, idf: IdfLookup, question: str = ""
) -> tuple[tuple[int, int], ...]:
    """Character spans of the key number, date or name, the one nearest the question's words.

    Only a span of the shape the question asks for is marked; with none, nothing is.
    """
    candidates = shaped_candidates(snippet, kind, wanted, question)
    if not candidates:
        return ()
    term_positions = _term_positions(snippet, wanted, idf)

    def closeness(match: shape.Span) -> float:
        centre = (match.start + match.end) / 2
        # Vietnamese puts the subject before the figure ("chính quyền số xếp thứ
        # 15/63"), so words before a number count more than words after it.
        total = 0.0
        for pos, weight in term_positions:
            distance = centre - pos
            factor = 1.0 if distance > 0 else 0.4
            total += factor * weight * math.exp(-abs(distance) / 60.0)
        if kind is AnswerKind.RANK and "/" in snippet[match.start : match.end]:
            total *= 1.5
        return (total + 1e-6) * match.fit

    best = max(candidates, key=closeness)
    return ((best.start, best.end),)


def _term_positions(snippet: str, wanted: set[str], idf: IdfLookup) -> list[tuple[int, float]]:
    positions: list[tuple[int, float]] = []
    for match in re.finditer(r"[^\W_]+", snippet):
        syllable = _first_syllable(match.group(0))
        if syllable is not None and syllable in wanted:
            positions.append((match.start(), idf(syllable) or 1.0))
    return positions


@functools.lru_cache(maxsize=65536)
def _first_syllable(word: str) -> str | None:
    """The folded syllable a word of a snippet starts with; words repeat, so folding each once is enough."""
    syl = syllables_of_words([word])
    return syl[0] if syl else None


def mark(snippet: str, highlights: Sequence[tuple[int, int]], before: str, after: str) -> str:
    """Wrap highlighted spans (plain text in, plain text out; escaping is the caller's job)."""
    out, last = [], 0
    for start, end in sorted(highlights):
        out.append(snippet[last:start])
        out.append(before + snippet[start:end] + after)
        last = end
    out.append(snippet[last:])
    return "".join(out)
