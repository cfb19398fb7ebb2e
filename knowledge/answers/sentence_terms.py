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

Stored form (JSON, a list with one entry per sentence): ``[start, end,
syllables, extra]`` where the sentence is ``passage[start:end]``, or
``[text, syllables, extra]`` when it is not a slice of the passage (a list
marker the splitter cut off and the snippet joins back). ``syllables`` are the
folded syllables, space-joined; their adjacent pairs are the bigram terms,
rebuilt on reading (it costs microseconds and keeps the column a third of the
size); ``extra`` are the concept and document-number terms, space-joined.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.terms import TERMS_VERSION, TermMaker
from knowledge.answers.lists import merge_markers
from knowledge.documents.passages import sentences

_SYLLABLE = re.compile(r"[^\W_]+")
# Bumped when the stored form or the sentence split changes; with TERMS_VERSION
# it says whether stored sentence terms are current (store.refresh_sentence_terms).
FORMAT_VERSION = 1


def sentence_terms_version() -> str:
    return f"{TERMS_VERSION}.{FORMAT_VERSION}"


@dataclass(frozen=True)
class Sentence:
    """One sentence a snippet may show, with the index terms it contains."""

    text: str
    terms: frozenset[str]


def snippet_sentences(passage: str) -> list[str]:
    """The sentences a snippet is made of: per line, list markers joined to their item."""
    return merge_markers([s for line in passage.split("\n") for s in sentences(line)]) or [passage]


def sentences_with_terms(passage: str, terms: TermMaker) -> list[Sentence]:
    """The passage's sentences and their terms, computed (what is stored, and the fallback when nothing is)."""
    return [Sentence(s, frozenset(terms.terms([s]))) for s in snippet_sentences(passage)]


def encode(passage: str, terms: TermMaker) -> str:
    """The stored form of a passage's sentences and their terms (see the module docstring)."""
    entries: list[list[object]] = []
    cursor = 0
    for sentence in snippet_sentences(passage):
        made = terms.terms([sentence])
        # TermMaker gives the syllables first, then their pairs, then concepts and numbers;
        # only syllables are bare words (pairs hold "_", the rest start with "#" or "num:").
        n = next((i for i, t in enumerate(made) if not _SYLLABLE.fullmatch(t)), len(made))
        syllables = made[:n]
        extra = made[n + max(n - 1, 0) :]
        start = passage.find(sentence, cursor)
        if start >= 0:
            cursor = start + len(sentence)
            entries.append([start, cursor, " ".join(syllables), " ".join(extra)])
        else:
            entries.append([sentence, " ".join(syllables), " ".join(extra)])
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":"))


def encode_passages(passages: Sequence[str], terms: TermMaker) -> list[str]:
    """The stored form for each of a document's passages (called once, at ingest)."""
    return [encode(p, terms) for p in passages]


def decode(stored: str, passage: str) -> list[Sentence]:
    """The sentences and terms of a passage from their stored form."""
    found: list[Sentence] = []
    for entry in json.loads(stored):
        if len(entry) == 4:
            start, end, syllables, extra = entry
            text = passage[start:end]
        else:
            text, syllables, extra = entry
        found.append(Sentence(text, _terms(syllables.split(), extra.split())))
    return found


def _terms(syllables: Sequence[str], extra: Sequence[str]) -> frozenset[str]:
    pairs = [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]
    return frozenset((*syllables, *pairs, *extra))


def passage_sentences(passage: str, stored: str | None, terms: TermMaker) -> list[Sentence]:
    """A stored passage's sentences: decoded when ingest stored them, else computed (never stored here)."""
    return decode(stored, passage) if stored else sentences_with_terms(passage, terms)
