"""Answering a question from the passages: search, rerank, choose the snippet, decide whether it answers.

BM25 finds candidates; the rerank adjusts them for the province and the time
the question names; the snippet is the sentence(s) of the best passages that
answer the question's shape; and the coverage test decides whether the base
holds the answer at all, because a confident wrong answer is worse than
"không có thông tin".
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from index.bm25 import Hit
from index.query import Query
from index.terms import TermMaker, syllables_of_words
from index.text import split_words
from knowledge.answers.answer import Answer, Citation, SnippetChooser, coverage
from knowledge.answers.intent import PASSAGE_BOOST as INTENT_PASSAGE_BOOST
from knowledge.answers.intent import stated_terms as stated_intent_terms
from knowledge.answers.relevance import about_asked_province as only_asked_province
from knowledge.answers.relevance import is_definition, keep_relevant, only_generic
from knowledge.answers.sentence_terms import DecodedSentences
from knowledge.documents.demo import DEMO_ADDED_BY
from knowledge.documents.official import own_number_terms
from knowledge.documents.parsers.encodings import is_typed_syllable
from knowledge.documents.passages import sentences
from knowledge.reading import (
    CandidateRow,
    DocumentRow,
    PassageRow,
    ReadConnection,
    candidates_with_documents,
    passages_by_id,
)

if TYPE_CHECKING:
    # The live index or, for a cold `cdsbot ask`, the saved one read as it is (answers/saved_base.py).
    from knowledge.documents.live_index import LiveIndex

DEFAULT_K = 3
_CANDIDATES = 50
_SHORTLIST = 10
# Below this share of the question's information found in the best passage,
# the base does not hold the answer (tuned on the seed and demo questions).
MIN_COVERAGE = 0.2

Ranked = list[tuple[float, tuple[DocumentRow, PassageRow]]]
# Candidates as ranked before their words are read (only the shortlisted need them).
Candidates = list[tuple[float, tuple[DocumentRow, CandidateRow]]]


def answer_query(
    query: Query,
    *,
    db: ReadConnection,
    live: LiveIndex,
    gazetteer: Places,
    k: int = DEFAULT_K,
    decoded: DecodedSentences | None = None,
) -> Answer:
    """The answer to a read question, or a refusal; logs nothing.

    ``decoded``: stored sentences decoded for earlier questions (kept by the caller across questions).
    """
    decoded = decoded or DecodedSentences()
    if query.is_empty:
        return Answer(question=query.text, found=False, kind=query.kind)
    # Province lookups repeat for every candidate; remembered for this question.
    gazetteer = RememberingPlaces(gazetteer)
    terms = live.terms
    with live.lock:
        hits = live.search(query.terms, _CANDIDATES)
        if not hits:
            return Answer(question=query.text, found=False, kind=query.kind)
        # A passage's text is read for all 50 only when the rerank looks for a year in it.
        rows = candidates_with_documents(db, [h.passage_id for h in hits], with_text=bool(query.years))
        # Another process may have removed passages since our last sync.
        live.passages_removed(h.passage_id for h in hits if h.passage_id not in rows)
        ranked = rerank(query, hits, rows, gazetteer=gazetteer)
        # The asked province's passages compete alone (knowledge/answers/relevance.py).
        asked = gazetteer.find(query.text)
        if asked:
            ranked = only_asked_province(ranked, lambda pair: gazetteer.linked(asked, pair[0].provinces))
        if not ranked:
            return Answer(question=query.text, found=False, kind=query.kind)
        ranked, shortlisted = with_words(db, live, ranked, _SHORTLIST)
        if not shortlisted:
            return Answer(question=query.text, found=False, kind=query.kind)
        # One question asks the IDF of the same few terms for every sentence it scores.
        idf = _memoized(live.idf)
        # A passage whose best sentence answers the question's shape (a number
        # for "bao nhiêu", a name for "ai") beats one that only shares words.
        # Its sentences and their terms were stored at ingest (answers/sentence_terms.py).
        # Only the snippets shown are marked (chooser.highlights below).
        chooser = SnippetChooser(query, idf)
        shortlist = [
            (score, pair, chooser.draft(decoded.sentences(pair[1].text, pair[1].sentence_terms, terms)))
            for score, pair in shortlisted
        ]
        top_sentence = max((snip.score for _, _, snip in shortlist), default=0.0) or 1.0
        # A passage whose shown sentence states the asked act ("kết luận", "khó khăn") ranks higher.
        intent_boost = {True: INTENT_PASSAGE_BOOST, False: 1.0}
        final = sorted(
            (
                (score * (0.6 + 0.4 * snip.score / top_sentence) * intent_boost[snip.states_intent], (score, pair, snip))
                for score, pair, snip in shortlist
            ),
            key=lambda item: -item[0],
        )
        places = frozenset(t for name in gazetteer.find(query.text) for t in terms.terms([name]))
        if only_generic(query, places):
            return definition(query, with_words(db, live, ranked, None)[1], gazetteer=gazetteer)
        # Only citations above the floor that share a specific word with the question are shown.
        shown = keep_relevant(
            final,
            terms_of=lambda item: PassageTerms(item[1][1].tokens, terms),
            query=query,
            places=places,
            limit=max(k, 1),
        )
        citations = [
            citation(document, passage, snip.text, chooser.highlights(snip.text), score, query, gazetteer=gazetteer)
            for _, (score, (document, passage), snip) in shown[: max(k, 1)]
        ]
        _, (_, (best_document, best_passage), _) = final[0]
        # The title speaks for every passage ("Hải Dương" may be named only there).
        also = set(
            terms.terms(
                [
                    best_document.title,
                    *best_document.province_list,
                    # A question may use the name the province has had since a merger.
                    *filter(None, map(gazetteer.successor, best_document.province_list)),
                ]
            )
        )
        # An intent word ("khó khăn") is found where the passage states the act in other words.
        also |= stated_intent_terms(query, best_passage.text)
        best_terms = PassageTerms(best_passage.tokens, terms, also=also)
        share = coverage(query, best_terms, idf, live.unknown_idf(), ignore=places)
        found = (
            share >= MIN_COVERAGE
            and not names_something_unknown(query, live=live, terms=terms)
            and about_asked_province(query, best_document, best_terms, gazetteer=gazetteer)
        )
    return Answer(
        question=query.text,
        found=found,
        citations=tuple(citations) if found else (),
        kind=query.kind,
    )


class PassageTerms:
    """Whether a passage holds an index term, answered from its stored words without making all its terms.

    Its terms are what the index holds for it (``TermMaker.terms`` of the
    stored words): syllables, adjacent pairs, then concept ("#…") and document
    number ("num:…") terms. A question asks about ten of them, so syllables
    and pairs are looked up in the folded syllables ("a_b" is " a b "); the
    rest are made only when one is asked for. ``also``: terms that count as
    held too (the document's title, the stated intent).
    """

    def __init__(self, tokens: str, terms: TermMaker, also: Container[str] = frozenset()) -> None:
        self._words = split_words(tokens)
        self._terms = terms
        self._also = also
        self._syllables = f" {' '.join(syllables_of_words(self._words))} "
        self._named: frozenset[str] | None = None

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        if term in self._also:
            return True
        if term.startswith(("#", "num:")):
            if self._named is None:
                self._named = frozenset(t for t in self._terms.terms(self._words) if t.startswith(("#", "num:")))
            return term in self._named
        parts = term.split("_")
        # Anything else is a syllable or a pair of them; "ba_ria_vung_tau" is no index term.
        if len(parts) > 2 or not all(parts) or any(p.split() != [p] for p in parts):
            return False
        return f" {' '.join(parts)} " in self._syllables


class Places(Protocol):
    """What answering asks of the gazetteer."""

    def find(self, text: str) -> list[str]: ...

    def successor(self, name: str) -> str | None: ...

    def merger_note(self, name: str) -> str | None: ...


class LastingPlaces:
    """A gazetteer whose answers about a name (successor, merger note) are kept for the process's life.

    Exact because a gazetteer never changes once built, and small because the
    names asked about are its own (documents' provinces and names found in
    questions). Each lookup normalizes the name again, which was a tenth of a
    millisecond per question when remembered only for one. ``find`` is not kept:
    it is asked about question texts, which never end.
    """

    def __init__(self, gazetteer: Places) -> None:
        self._gazetteer = gazetteer
        self._successors: dict[str, str | None] = {}
        self._notes: dict[str, str | None] = {}

    def find(self, text: str) -> list[str]:
        return self._gazetteer.find(text)

    def successor(self, name: str) -> str | None:
        try:
            return self._successors[name]
        except KeyError:
            found = self._successors[name] = self._gazetteer.successor(name)
            return found

    def merger_note(self, name: str) -> str | None:
        try:
            return self._notes[name]
        except KeyError:
            found = self._notes[name] = self._gazetteer.merger_note(name)
            return found


class RememberingPlaces:
    """A gazetteer's answers remembered for one question: each lookup normalizes the name again."""

    def __init__(self, gazetteer: Places) -> None:
        self._gazetteer = gazetteer
        self._found: dict[str, list[str]] = {}
        self._successors: dict[str, str | None] = {}
        self._notes: dict[str, str | None] = {}
        self._linked: dict[tuple[tuple[str, ...], str], bool] = {}

    def find(self, text: str) -> list[str]:
        if text not in self._found:
            self._found[text] = self._gazetteer.find(text)
        return list(self._found[text])

    def successor(self, name: str) -> str | None:
        if name not in self._successors:
            self._successors[name] = self._gazetteer.successor(name)
        return self._successors[name]

    def merger_note(self, name: str) -> str | None:
        if name not in self._notes:
            self._notes[name] = self._gazetteer.merger_note(name)
        return self._notes[name]

    def linked(self, asked: Sequence[str], provinces: str) -> bool:
        """``provinces_linked`` for a document's stored provinces ("Hải Dương,Hải Phòng"), once for each."""
        key = (tuple(asked), provinces)
        try:
            return self._linked[key]
        except KeyError:
            found = self._linked[key] = provinces_linked(
                asked, [p for p in provinces.split(",") if p], gazetteer=self
            )
            return found


def _memoized(lookup: Callable[[str], float]) -> Callable[[str], float]:
    """``lookup`` remembered for one question (the index cannot change under its lock)."""
    seen: dict[str, float] = {}

    def remembered(term: str) -> float:
        try:
            return seen[term]
        except KeyError:
            value = seen[term] = lookup(term)
            return value

    return remembered


def with_words(db: ReadConnection, live: LiveIndex, ranked: Candidates, count: int | None) -> tuple[Candidates, Ranked]:
    """The first ``count`` candidates (all when None) with their words read, and the candidates left.

    A passage removed between the two reads is left out, as if the first read
    had not found it, so the shortlist is the one a single read would give.
    """
    while True:
        head = ranked if count is None else ranked[:count]
        words = passages_by_id(db, [candidate.id for _, (_, candidate) in head])
        gone = {candidate.id for _, (_, candidate) in head if candidate.id not in words}
        if not gone:
            return ranked, [(score, (document, words[candidate.id])) for score, (document, candidate) in head]
        live.passages_removed(gone)
        ranked = [item for item in ranked if item[1][1].id not in gone]


def definition(query: Query, candidates: Ranked, *, gazetteer: Places) -> Answer:
    """An all-generic question ("cds la gi") gets the base's definition of the term, or a refusal."""
    for score, (document, passage) in candidates:
        for sentence in (s for line in passage.text.split("\n") for s in sentences(line)):
            if is_definition(sentence):
                found = citation(document, passage, sentence, (), score, query, gazetteer=gazetteer)
                return Answer(question=query.text, found=True, citations=(found,), kind=query.kind)
    return Answer(question=query.text, found=False, kind=query.kind)


def names_something_unknown(query: Query, *, live: LiveIndex, terms: TermMaker) -> bool:
    """A name the base has never seen ("Vinamilk", "iPhone") means the question is about something else.

    Only words that are not Vietnamese syllables count: an unseen ordinary
    word ("vậy", "nhé") is just how people type.
    """
    # Cheapest test first: asking the index costs ten times checking the spelling.
    return any(
        s.isalpha()
        and not is_typed_syllable(s)
        and live.document_frequency(s) == 0
        and not any(t.startswith("#") for t in terms.terms([s]))  # "tttt" is TT&TT
        for s, meaningful in zip(query.content_syllables, query.meaningful)
        if meaningful
    )


def about_asked_province(
    query: Query, document: DocumentRow, passage_terms: Container[str], *, gazetteer: Places
) -> bool:
    """A figure about Hải Dương is no answer to a question about Ninh Thuận."""
    asked = gazetteer.find(query.text)
    if not asked:
        return True
    if provinces_linked(asked, document.province_list, gazetteer=gazetteer):
        return True
    return any("_".join(syllables_of_words([name])) in passage_terms for name in asked)


def provinces_linked(asked: Iterable[str], provinces: Iterable[str], *, gazetteer: Places) -> bool:
    """Whether a named province is one of these, or merged into or out of one of them.

    "Hải Phòng" is linked to Hải Dương (merged into it in 2025) and the
    other way round; Vĩnh Phúc and Hòa Bình, both now in Phú Thọ, are not.
    """
    asked_set, document_set = set(asked), set(provinces)
    if asked_set & document_set:
        return True
    successors_of_asked = {gazetteer.successor(a) for a in asked_set}
    successors_of_document = {gazetteer.successor(p) for p in document_set}
    return bool(successors_of_asked & document_set or successors_of_document & asked_set)


def rerank(
    query: Query,
    hits: Sequence[Hit],
    rows: dict[int, tuple[DocumentRow, CandidateRow]],
    *,
    gazetteer: RememberingPlaces,
) -> Candidates:
    """BM25 order, adjusted for the province and the time the question names."""
    asked = gazetteer.find(query.text)
    asked_names = set(asked)
    dates = [d.published.toordinal() for d, _ in rows.values() if d.published]
    oldest, newest = (min(dates), max(dates)) if dates else (0, 0)
    ranked: Candidates = []
    province_factors: dict[str, float] = {}
    for hit in hits:
        pair = rows.get(hit.passage_id)
        if pair is None:
            continue
        document, passage = pair
        factor = 1.0
        if asked_names:
            # The province named beats the unit it merged into (or out of):
            # "Vĩnh Phúc" prefers Vĩnh Phúc's articles over other Phú Thọ ones.
            # Many candidates share a document, or the provinces of one: worked out once for each.
            if document.provinces not in province_factors:
                provinces = document.province_list
                if asked_names & set(provinces):
                    province_factors[document.provinces] = 1.5
                elif gazetteer.linked(asked, document.provinces):
                    province_factors[document.provinces] = 1.2
                else:
                    province_factors[document.provinces] = 0.6 if provinces else 1.0
            factor *= province_factors[document.provinces]
        if query.years:
            # The candidates' text was read because the question names a year.
            assert passage.text is not None
            in_time = (document.published and document.published.year in query.years) or any(
                str(y) in passage.text for y in query.years
            )
            factor *= 1.3 if in_time else 0.85
        elif query.wants_recent and document.published and newest > oldest:
            factor *= 1.0 + 0.15 * (document.published.toordinal() - oldest) / (newest - oldest)
        # The document a question names by number comes before those citing it.
        if query.numbers and query.numbers & own_number_terms(document.number, document.doc_type):
            factor *= 3.0
        ranked.append((hit.score * factor, pair))
    ranked.sort(key=lambda item: (-item[0], item[1][1].id))
    return ranked


def citation(
    document: DocumentRow,
    passage: PassageRow,
    snippet: str,
    highlights: tuple[tuple[int, int], ...],
    score: float,
    query: Query,
    *,
    gazetteer: Places,
) -> Citation:
    # The "(nay thuộc …)" note belongs to the province the cited document is about.
    asked = gazetteer.find(query.text)
    cited = [p for p in document.province_list if provinces_linked(asked, [p], gazetteer=gazetteer)]
    note = next((gazetteer.merger_note(p) for p in cited if gazetteer.merger_note(p)), None)
    return Citation(
        document_id=document.id,
        title=document.title,
        source=document.source,
        published=document.published,
        passage_id=passage.id,
        position=passage.position,
        snippet=snippet,
        highlights=highlights,
        passage=passage.text,
        score=round(score, 4),
        provinces=tuple(document.province_list),
        province_note=note,
        sample=document.added_by == DEMO_ADDED_BY,
        doc_type=document.doc_type,
        number=document.number,
        ocr=document.ocr,
    )
