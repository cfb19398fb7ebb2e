"""Choosing what to show: the sentences that answer, and the part to mark.

Pure functions over passages and an analysed question; no database, no
formatting. The bot and the CLI render an :class:`Answer` each their own way.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import date

from index.query import STOP_SYLLABLES, AnswerKind, Query
from index.terms import syllables_of_words
from index.text import word_count
from knowledge.answers import intent, lists, shape
from knowledge.answers.sentence_terms import (
    Sentence,
    sentence_from_terms,
    snippet_sentences,
)

SNIPPET_MAX_WORDS = 80

# The shape finders' patterns live with them (knowledge/answers/shape.py).
_KEY_RE, _RANK_ONLY_RE, _COUNT_RE, _TIME_RE = shape.KEY_RE, shape.RANK_ONLY_RE, shape.COUNT_RE, shape.TIME_RE
# The shape a sentence needs for each kind of question; other kinds want none.
_SHAPES = {
    AnswerKind.PERSON: shape.Shape.PERSON,
    AnswerKind.TIME: shape.Shape.DATE,
    AnswerKind.RANK: shape.Shape.RANK,
    AnswerKind.QUANTITY: shape.Shape.QUANTITY,
}


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
    query: Query,
    passage_terms: Container[str],
    idf: IdfLookup,
    unknown_idf: float,
    ignore: frozenset[str] = frozenset(),
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
    matched = {t for t in wanted if t in passage_terms}
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


@dataclass(frozen=True)
class Draft:
    """A passage's snippet before marking: enough to rank the passage; only the shown ones are marked."""

    text: str
    score: float
    states_intent: bool = False


TermsOf = Callable[[str], set[str]]


class SnippetChooser:
    """Choosing the snippets of one question's passages.

    What the question asks of a sentence (its terms, the answer shape, the
    intent words, whether it asks for a list) is worked out once here, not
    once per passage; a sentence is scored from its stored terms and shape
    facts (knowledge/answers/sentence_terms.py) without a regular expression,
    and only the snippets shown are marked.
    """

    def __init__(self, query: Query, idf: IdfLookup) -> None:
        self.query = query
        self.idf = idf
        self.wanted = question_terms(query)
        self.cues = intent.intent_cues(query)
        self.wants_list = lists.asks_for_list(query)
        kind = query.kind
        self.shape = _SHAPES.get(kind)
        if self.shape is shape.Shape.PERSON and wants_agency(query.text):
            self.shape = shape.Shape.AGENCY
        # Each question term as looked up in a stored sentence (``Sentence.has``), in the set's own order.
        self._probes = [
            (t, f" {t} " if t.startswith(("#", "num:")) else f" {t.replace('_', ' ')} ", t.startswith(("#", "num:")))
            for t in self.wanted
        ]
        self._weights: dict[str, float] = {}
        # An intent cue ("khó khăn") can only be stated where its folded syllables follow each other.
        self._cue_probes = [f" {' '.join(syllables_of_words([cue.lower()]))} " for cue in self.cues]

    def draft(self, split: Sequence[Sentence]) -> Draft:
        """The one to three sentences that answer, at most ~80 words, and how well (see ``choose_snippet``)."""
        scored = [_Scored(s.text, self.sentence_score(s) * self.intent_factor(s), i) for i, s in enumerate(split)]
        best = max(scored, key=lambda s: (s.score, -s.index))
        # A list question gets the whole enumeration, up to a limit (knowledge/answers/lists.py).
        if self.wants_list:
            enumeration = lists.find_enumeration(
                [s.text for s in split], best.index, lambda i: split[i].facts.enumerates
            )
            if enumeration is not None:
                snippet = lists.render(enumeration)
                return Draft(snippet, best.score, intent.states_intent(snippet, self.cues))
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
            snippet = _window(snippet, self.wanted, self.query.kind)
        return Draft(snippet, best.score, intent.states_intent(snippet, self.cues))

    def intent_factor(self, sentence: Sentence) -> float:
        """``intent.sentence_factor``, skipped where the stored syllables show no cue could be stated.

        The cue is looked for among the sentence's words with their marks;
        folded, those words are its stored syllables, except where "&" or "%"
        adds a word ("và", "phần trăm") between two.
        """
        if not self.cues:
            return 1.0
        text = sentence.text
        if (
            sentence.given_terms is None
            and "&" not in text
            and "%" not in text
            and not any(probe in sentence.syllables for probe in self._cue_probes)
        ):
            return 1.0
        return intent.sentence_factor(text, self.cues)

    def snippet(self, draft: Draft) -> Snippet:
        """The draft with the key figure, date or name marked."""
        return Snippet(draft.text, self.highlights(draft.text), draft.score, draft.states_intent)

    def highlights(self, snippet: str) -> tuple[tuple[int, int], ...]:
        """Character spans of the key number, date or name in a snippet (see ``_highlights``)."""
        return _highlights(snippet, self.wanted, self.query.kind, self.idf, self.query.text)

    def _matched(self, sentence: Sentence) -> set[str] | frozenset[str]:
        """The question terms a sentence holds, as the set ``wanted & sentence.terms`` (same order when summed)."""
        if sentence.given_terms is not None:
            return self.wanted & sentence.given_terms
        syllables, extra = sentence.syllables, sentence.extra
        matched = {t for t, probe, in_extra in self._probes if probe in (extra if in_extra else syllables)}
        # A float sum depends on its order. ``wanted & terms`` iterates ``wanted``, as here, unless the
        # sentence has no more terms than the question (never fewer than its distinct syllables);
        # two terms add up the same either way.
        if len(matched) > 2 and len(set(syllables.split())) <= len(self.wanted):
            return self.wanted & sentence.terms
        return matched

    def sentence_score(self, sentence: Sentence) -> float:
        """How well one sentence answers: the IDF of the question terms it holds, weighed by its shape."""
        wanted = self.wanted
        matched = self._matched(sentence)
        weights = self._weights
        for t in matched:
            if t not in weights:
                weights[t] = self.idf(t)
        score = sum(weights[t] for t in matched)
        kind = self.query.kind
        if score and kind is not AnswerKind.OTHER and kind is not AnswerKind.LIST:
            # "bao nhiêu", "ai", "khi nào" want a figure, a name, a date: a sentence
            # without one (a headline, a summary) only repeats the question's words.
            facts = sentence.facts
            if self.shape is not None and facts.has(self.shape, wanted):
                score *= 1.5
                if kind is AnswerKind.QUANTITY and facts.counts_asked(wanted):
                    score *= 1.6
            else:
                score *= 0.6
        # A long sentence matches more by chance; damp it gently.
        return score / (1.0 + 0.01 * max(0, len(sentence.text.split()) - 25))


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
    Answering many passages for one question goes through one ``SnippetChooser``.
    """
    if split is None:
        assert terms_of is not None, "choose_snippet needs the stored sentences or terms_of"
        split = [sentence_from_terms(s, terms_of(s)) for s in snippet_sentences(passage)]
    chooser = SnippetChooser(query, idf)
    return chooser.snippet(chooser.draft(split))


def wants_agency(question: str) -> bool:
    """ "Cơ quan nào", "sở nào" ask for an agency rather than a person."""
    return shape.wants_agency(" ".join(syllables_of_words([question.lower()])))


def shaped_candidates(
    text: str, kind: AnswerKind, wanted: set[str], question: str = "", *, strict: bool = False
) -> list[shape.Span]:
    """The spans of ``text`` with the shape ``kind`` asks for (knowledge/answers/shape.py).

    ``strict``: for choosing the sentence, "ai" takes a person's name only
    (every sentence names some agency); for marking, an agency will do.
    """
    if kind is AnswerKind.PERSON:
        if wants_agency(question):
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
