"""A passage's sentences and their index terms, made once at ingest and stored with the passage.

Choosing the snippet scores every sentence of the ten best passages against
the question's terms. Splitting those passages into sentences and making each
sentence's terms (folding, syllables, concepts, document numbers) was the
largest part of answering a question; both depend on the passage alone, so
they are done when the passage is stored and kept in ``Passage.sentence_terms``.

A sentence's terms are exactly what ``TermMaker.terms([sentence])`` gives, so
the snippet chosen is the one it always was. They come from the sentence's
own characters, not from slicing the passage's stored word tokens: those drop
punctuation-only words ("&" is "và" in the text) and carry the official
document's number appended to every passage, so their syllables do not line
up with the sentences. No word segmentation runs here: only the fold and the
syllable regex that make every index term.

Each sentence also keeps what it holds of each answer shape (a person's
name, an agency, a date, a rank, a count: knowledge/answers/shape.py,
``SentenceFacts``), so scoring a sentence for "ai", "khi nào" or "bao nhiêu"
runs no regular expression per question.

Stored form (JSON, a list with one entry per sentence): ``[start, end,
syllables, extra, facts]`` where the sentence is ``passage[start:end]``, or
``[text, syllables, extra, facts]`` when it is not a slice of the passage (a
list marker the splitter cut off and the snippet joins back). ``syllables``
are the folded syllables, space-joined; their adjacent pairs are the bigram
terms, never built for scoring (a pair is looked up as " a b " in the
syllables); ``extra`` are the concept and document-number terms,
space-joined; ``facts`` is ``[flags, number_word_followers, count_followers]``
(``shape.SentenceFacts``). Entries of format 1 (no facts) are still read:
their facts are found from the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from index.terms import TERMS_VERSION, TermMaker
from knowledge.answers.lists import merge_markers
from knowledge.answers.shape import FACTS_VERSION, SentenceFacts, sentence_facts
from knowledge.documents.passages import sentences

_SYLLABLE = re.compile(r"[^\W_]+")
# Bumped when the stored form or the sentence split changes; with TERMS_VERSION
# and the shape finders' FACTS_VERSION it says whether stored sentence terms
# are current (store.refresh_sentence_terms).
FORMAT_VERSION = 2


def sentence_terms_version() -> str:
    return f"{TERMS_VERSION}.{FORMAT_VERSION}.{FACTS_VERSION}"


@dataclass(frozen=True)
class Sentence:
    """One sentence a snippet may show, with the index terms it contains and its shape facts.

    The terms are kept as the stored strings, space-padded (" a b c "), so a
    question term is found with one substring test ("a_b" is " a b ") instead
    of building every sentence's set of terms for every question.
    """

    text: str
    syllables: str
    extra: str
    facts: SentenceFacts
    # Terms given as a set by a caller that made them its own way (``sentence_from_terms``).
    given_terms: frozenset[str] | None = None

    @cached_property
    def terms(self) -> frozenset[str]:
        """Every index term of the sentence: syllables, their pairs, concepts and numbers."""
        if self.given_terms is not None:
            return self.given_terms
        return _terms(self.syllables.split(), self.extra.split())

    def has(self, term: str) -> bool:
        """Whether ``term`` is one of the sentence's terms (what ``term in self.terms`` says, without the set)."""
        if self.given_terms is not None:
            return term in self.given_terms
        if term.startswith(("#", "num:")):
            return f" {term} " in self.extra
        return f" {term.replace('_', ' ')} " in self.syllables


def _sentence(text: str, syllables: str, extra: str, facts: SentenceFacts) -> Sentence:
    return Sentence(text, f" {syllables} ", f" {extra} ", facts)


def sentence_from_terms(text: str, terms: set[str] | frozenset[str]) -> Sentence:
    """A sentence whose terms a caller made (a test, a passage never stored); its facts are found from the text."""
    return Sentence(text, "", "", sentence_facts(text), frozenset(terms))


def snippet_sentences(passage: str) -> list[str]:
    """The sentences a snippet is made of: per line, list markers joined to their item."""
    return merge_markers([s for line in passage.split("\n") for s in sentences(line)]) or [passage]


def sentences_with_terms(passage: str, terms: TermMaker) -> list[Sentence]:
    """The passage's sentences and their terms, computed (what is stored, and the fallback when nothing is)."""
    return [_sentence(s, *_made(s, terms), sentence_facts(s)) for s in snippet_sentences(passage)]


def _made(sentence: str, terms: TermMaker) -> tuple[str, str]:
    """A sentence's syllables and its other terms (concepts, numbers), each space-joined."""
    made = terms.terms([sentence])
    # TermMaker gives the syllables first, then their pairs, then concepts and numbers;
    # only syllables are bare words (pairs hold "_", the rest start with "#" or "num:").
    n = next((i for i, t in enumerate(made) if not _SYLLABLE.fullmatch(t)), len(made))
    return " ".join(made[:n]), " ".join(made[n + max(n - 1, 0) :])


def encode(passage: str, terms: TermMaker) -> str:
    """The stored form of a passage's sentences, their terms and shape facts (see the module docstring)."""
    entries: list[list[object]] = []
    cursor = 0
    for sentence in snippet_sentences(passage):
        syllables, extra = _made(sentence, terms)
        facts = _encode_facts(sentence_facts(sentence))
        start = passage.find(sentence, cursor)
        if start >= 0:
            cursor = start + len(sentence)
            entries.append([start, cursor, syllables, extra, facts])
        else:
            entries.append([sentence, syllables, extra, facts])
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


def _encode_facts(facts: SentenceFacts) -> list[object]:
    return [facts.flags, list(facts.number_word_followers), list(facts.count_followers)]


def _decode_facts(stored: list[object]) -> SentenceFacts:
    flags, number_words, counts = stored
    assert isinstance(flags, int) and isinstance(number_words, list) and isinstance(counts, list)
    return SentenceFacts(flags, tuple(number_words), tuple(counts))


def encode_passages(passages: Sequence[str], terms: TermMaker) -> list[str]:
    """The stored form for each of a document's passages (called once, at ingest)."""
    return [encode(p, terms) for p in passages]


def decode(stored: str, passage: str) -> list[Sentence]:
    """The sentences and terms of a passage from their stored form."""
    found: list[Sentence] = []
    for entry in json.loads(stored):
        if isinstance(entry[0], int):
            text, (syllables, extra, *facts) = passage[entry[0] : entry[1]], entry[2:]
        else:
            text, syllables, extra, *facts = entry
        # Format 1 stored no facts: found from the text until the base is refreshed at the next start.
        found.append(_sentence(text, syllables, extra, _decode_facts(facts[0]) if facts else sentence_facts(text)))
    return found


def _terms(syllables: Sequence[str], extra: Sequence[str]) -> frozenset[str]:
    pairs = [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]
    return frozenset((*syllables, *pairs, *extra))


def passage_sentences(passage: str, stored: str | None, terms: TermMaker) -> list[Sentence]:
    """A stored passage's sentences: decoded when ingest stored them, else computed (never stored here)."""
    return decode(stored, passage) if stored else sentences_with_terms(passage, terms)


class DecodedSentences:
    """Stored sentences already decoded, kept for the passages shortlisted most recently.

    Reading a passage's stored sentences (JSON, then one object per sentence)
    was a tenth of answering, for passages that come back question after
    question. The key is the passage's text and stored form themselves, so an
    entry can never answer for a passage that changed; the oldest entries go
    first beyond ``size``. Used under the live index's lock, one question at a time.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._decoded: dict[tuple[str, str], tuple[Sentence, ...]] = {}

    def sentences(self, passage: str, stored: str | None, terms: TermMaker) -> Sequence[Sentence]:
        """``passage_sentences``, decoded once for each stored form."""
        if not stored:
            return passage_sentences(passage, stored, terms)
        key = (passage, stored)
        found = self._decoded.get(key)
        if found is None:
            found = self._decoded[key] = tuple(decode(stored, passage))
            if len(self._decoded) > self.size:
                del self._decoded[next(iter(self._decoded))]
        return found

    def __len__(self) -> int:
        return len(self._decoded)
