"""From text to the terms the BM25 index counts.

Passages are word-segmented once at ingest (underthesea) and the words are
stored; index terms are derived from the stored words without segmenting
again. Terms are diacritics-free syllables and syllable bigrams plus concept
terms: measured on news questions, folded syllable bigrams line up between a
lowercase query and a capitalised passage where underthesea's case-sensitive
word segmentation does not ("hà nội" vs "Hà Nội"), and folding lets a query
typed without diacritics score exactly like one typed with them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.abbreviations import ConceptMatcher
from index.text import fold, join_words, ngrams, normalize

# Bumped whenever the terms derived from stored words change, so that a saved
# index built with older terms is rebuilt from the stored words.
TERMS_VERSION = 5

_SYLLABLE_RE = re.compile(r"[^\W_]+", re.UNICODE)
_ROMAN_QUARTERS = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PUNCT_ONLY_RE = re.compile(r"^[\W_]+$", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Word tokens of a text, normalized and lowercased, punctuation dropped.

    Segmentation runs on the normalized text with its case intact because
    underthesea joins "Hà Nội" but not "hà nội"; only the output is lowercased.
    """
    words = word_tokenize(normalize(text))
    # "%" is kept: it is read as "phần trăm", which is how people ask for it.
    return [w.lower() for w in words if w == "%" or not _PUNCT_ONLY_RE.match(w)]


def word_tokenize(text: str) -> list[str]:
    """underthesea's word segmentation, imported on first use.

    Importing underthesea takes longer than answering a question does, and
    only ingest segments text: a question's terms come from its syllables.
    """
    from underthesea import word_tokenize as segment

    return list(segment(text))


def stored_words(text: str) -> str:
    """The form in which a passage's tokens are kept in the database."""
    return join_words(tokenize(text))


def syllables_of_words(words: Sequence[str]) -> list[str]:
    """Folded, lowercased syllables of word tokens ("Hải_Dương" → "hai", "duong")."""
    text = " ".join(words).replace("&", " va ").replace("%", " phan tram ")
    syllables = _SYLLABLE_RE.findall(fold(text).lower())
    # Quarters come in Roman and Arabic numerals ("quý I-2022", "quý 1 năm 2022").
    for i in range(len(syllables) - 1):
        if syllables[i] == "quy" and syllables[i + 1] in _ROMAN_QUARTERS:
            syllables[i + 1] = _ROMAN_QUARTERS[syllables[i + 1]]
    return syllables


class TermMaker:
    """Turns word tokens into index terms; the same object serves passages and queries."""

    def __init__(self, concepts: ConceptMatcher | None = None) -> None:
        self._concepts = concepts or ConceptMatcher()

    def terms(self, words: Sequence[str]) -> list[str]:
        """Syllables, adjacent-syllable bigrams and concept terms."""
        syl = syllables_of_words(words)
        return syl + ngrams(syl, 2) + self._concepts.terms(" ".join(syl))

    def concept_name(self, term: str) -> str | None:
        return self._concepts.full_name(term)
