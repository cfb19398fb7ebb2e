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

import functools
import logging
import re
from collections.abc import Callable, Sequence

from index.abbreviations import ConceptMatcher
from index.text import fold, join_words, ngrams, normalize

log = logging.getLogger(__name__)

# Bumped whenever the terms derived from stored words change, so that a saved
# index built with older terms is rebuilt from the stored words.
TERMS_VERSION = 6

_SYLLABLE_RE = re.compile(r"[^\W_]+", re.UNICODE)
_ROMAN_QUARTERS = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PUNCT_ONLY_RE = re.compile(r"^[\W_]+$", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Word tokens of a text, normalized and lowercased, punctuation dropped.

    Segmentation runs on the normalized text with its case intact because
    underthesea joins "Hà Nội" but not "hà nội"; only the output is lowercased.
    A document number ("57-NQ/TW") stays one token: underthesea would cut it
    into "57", "nq", "tw" and lose which number goes with which code.
    """
    return tokenize_normalized(normalize(text))


def tokenize_normalized(normalized: str) -> list[str]:
    """:func:`tokenize` of a text already through ``normalize`` (ingest normalizes each passage once)."""
    words: list[str] = []
    last = 0
    for m in DOCUMENT_NUMBER_RE.finditer(normalized):
        words.extend(_segment(normalized[last : m.start()]))
        words.append(number_word(m.group(0)))
        last = m.end()
    words.extend(_segment(normalized[last:]))
    return words


def _segment(text: str) -> list[str]:
    if not text.strip():
        return []
    # "%" is kept: it is read as "phần trăm", which is how people ask for it.
    return [w.lower() for w in word_tokenize(text) if w == "%" or not _PUNCT_ONLY_RE.match(w)]


# --------------------------------------------------------------------------
# Document numbers. Officials name directives by number: "Nghị quyết 57",
# "NQ57", "57/NQ-TW" and the printed "57-NQ/TW" are one document. Each
# spelling yields concept terms: "num:57/nq/tw" (the whole number, separators
# unified), "num:57/nq" (number and type code) and "num:57" (the number).
# --------------------------------------------------------------------------

# As printed: digits, an optional year, then codes starting upper case
# ("215/KH-UBND", "13/2023/NĐ-CP", "3260-KH/ĐĐQH15", "749/QĐ-TTg").
_NUMBER_CORE = r"\d{1,5}(?:/\d{4})?[/\-][A-ZĐ][A-Za-zĐđ0-9&]*(?:[/\-][A-ZĐ0-9][A-Za-zĐđ0-9&]*)*"
DOCUMENT_NUMBER_RE = re.compile(r"(?<![\w/\-])" + _NUMBER_CORE + r"(?![\w/])")
# In a question people type codes in lower case ("57/nq-tw").
_QUESTION_NUMBER_RE = re.compile(
    r"(?<![\w/\-])\d{1,5}(?:/\d{4})?[/\-][a-zđ][a-zđ0-9&]*(?:[/\-][a-zđ0-9][a-zđ0-9&]*)*(?![\w/])", re.IGNORECASE
)
_NUMBER_WORD_RE = re.compile(r"^(\d{1,5})(?:/(\d{4}))?[/\-]([a-z][a-z0-9&]*(?:[/\-][a-z0-9&]+)*)$")
# Type names (folded) and their codes in document numbers.
_TYPE_CODES: dict[tuple[str, ...], str] = {
    ("nghi", "quyet"): "nq",
    ("nghi", "dinh"): "nd",
    ("quyet", "dinh"): "qd",
    ("chi", "thi"): "ct",
    ("ke", "hoach"): "kh",
    ("cong", "van"): "cv",
    ("thong", "bao"): "tb",
    ("bao", "cao"): "bc",
    ("to", "trinh"): "ttr",
    ("huong", "dan"): "hd",
    ("thong", "tu"): "tt",
    ("chuong", "trinh"): "ctr",
    ("ket", "luan"): "kl",
    ("cong", "dien"): "cd",
}
_CODES = frozenset(_TYPE_CODES.values())
_GLUED_RE = re.compile(r"^(" + "|".join(sorted(_CODES, key=len, reverse=True)) + r")(\d{1,5})$")
_DIGITS_RE = re.compile(r"^\d{1,5}$")


def number_word(printed: str) -> str:
    """How a printed document number is stored as one word token: "57-nq/tw"."""
    return "".join(printed.split()).lower()


def type_code(type_name: str) -> str | None:
    """"Kế hoạch" → "kh": the code a type name has in document numbers."""
    return _TYPE_CODES.get(tuple(fold(type_name).lower().split()))


def number_terms(word: str) -> list[str]:
    """Concept terms of one document number ("57-NQ/TW" → num:57/nq/tw, num:57/nq, num:57)."""
    m = _NUMBER_WORD_RE.match(fold(number_word(word)))
    if m is None:
        return []
    digits = str(int(m.group(1)))
    codes = [c for c in re.split(r"[/\-]", m.group(3)) if c]
    full = "/".join([digits, *([m.group(2)] if m.group(2) else []), *codes])
    return [f"num:{full}", f"num:{digits}/{codes[0]}", f"num:{digits}"]


def _named_numbers(syl: Sequence[str]) -> list[str]:
    """Numbers named by type: "nghị quyết (số) 57", "NQ 57", "NQ57" → num:57/nq, num:57."""
    found: list[str] = []
    for i, s in enumerate(syl):
        if m := _GLUED_RE.match(s):
            found += [f"num:{int(m.group(2))}/{m.group(1)}", f"num:{int(m.group(2))}"]
            continue
        if not _DIGITS_RE.match(s):
            continue
        j = i - 1 if i >= 1 and syl[i - 1] == "so" else i
        code = None
        if j >= 2:
            code = _TYPE_CODES.get((syl[j - 2], syl[j - 1]))
        if code is None and j >= 1 and syl[j - 1] in _CODES:
            code = syl[j - 1]
        if code is not None:
            found += [f"num:{int(s)}/{code}", f"num:{int(s)}"]
    return found


def question_number_terms(text: str) -> list[str]:
    """Concept terms of the document numbers typed in a question, in any case ("57/nq-tw")."""
    return [t for m in _QUESTION_NUMBER_RE.finditer(normalize(text)) for t in number_terms(m.group(0))]


def word_tokenize(text: str) -> list[str]:
    """underthesea's word segmentation (exactly its words, see index/segmenter.py), loaded on first use.

    Importing underthesea takes longer than answering a question does, and
    only ingest segments text: a question's terms come from its syllables.
    """
    return _segment_words()(text)


@functools.cache
def _segment_words() -> Callable[[str], list[str]]:
    """The segmenter of index/segmenter.py; underthesea's own function should its model ever not fit it."""
    from index.segmenter import load_segmenter

    try:
        return load_segmenter().words
    except (ValueError, ImportError, OSError, AttributeError) as exc:
        log.warning("segmenting with underthesea.word_tokenize itself: %s", exc)
        from underthesea import word_tokenize as segment

        return lambda text: list(segment(text))


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
        numbers = [t for w in words if w[:1].isdigit() for t in number_terms(w)] + _named_numbers(syl)
        return syl + ngrams(syl, 2) + self._concepts.terms(" ".join(syl)) + list(dict.fromkeys(numbers))

    def concept_name(self, term: str) -> str | None:
        return self._concepts.full_name(term)
