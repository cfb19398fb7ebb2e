"""One text pipeline for passages and queries.

Everything that reaches the index passes through here, so that a passage
written "Hoà Bình" in NFD and a query typed "hoa binh" meet on the same terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Combining marks that carry the Vietnamese tone (huyền, sắc, hỏi, ngã, nặng).
_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
# Combining marks that are part of the vowel letter itself (â ê ô ă ơ ư).
_VOWEL_SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}
_VOWELS = set("aeiouy")
# The two conventions differ only where "oa", "oe" or "uy" carry the tone
# (hoà/hòa, khoẻ/khỏe, thuý/thúy); only words with such a pair are rewritten.
_PAIR = "[oòóỏõọOÒÓỎÕỌ][aàáảãạeèéẻẽẹAÀÁẢÃẠEÈÉẺẼẸ]|[uùúủũụUÙÚỦŨỤ][yỳýỷỹỵYỲÝỶỸỴ]"
_WORD_RE = re.compile(rf"[^\W\d_]*(?:{_PAIR})[^\W\d_]*", re.UNICODE)


def split_tone(syllable: str) -> tuple[list[str], str | None]:
    """A syllable's letters (each with its shape marks, tone removed) and its tone mark.

    Where the tone sits is what the two spelling conventions disagree on, so
    both normalization and the gazetteer's spelling variants start from here.
    """
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in _TONE_MARKS), None)
    letters: list[str] = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            continue
        if unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters, tone


@lru_cache(maxsize=1 << 16)
def _place_tone(syllable: str) -> str:
    """Put the tone mark of one syllable where the classic orthography puts it.

    Vietnamese has two conventions for open syllables such as hoà/hòa or
    thuý/thúy; documents mix them. We pick the classic one ("hòa", "thúy") and
    move the mark there, so both spellings become the same string.
    """
    letters, tone = split_tone(syllable)
    if tone is None:
        return syllable
    bases = [unicodedata.normalize("NFD", letter)[0].lower() for letter in letters]
    vowel_idx = [i for i, base in enumerate(bases) if base in _VOWELS]
    if not vowel_idx:
        return syllable
    # "qu" and "gi" are initial consonants: their u/i is not part of the rhyme.
    first = vowel_idx[0]
    if first > 0 and bases[first - 1] == "q" and bases[first] == "u" and len(vowel_idx) > 1:
        vowel_idx = vowel_idx[1:]
    elif (
        first > 0
        and bases[first - 1] == "g"
        and bases[first] == "i"
        and len(vowel_idx) > 1
        and vowel_idx[1] == first + 1
    ):
        vowel_idx = vowel_idx[1:]
    # The vowel cluster must be contiguous; anything else is not a syllable we know.
    if vowel_idx != list(range(vowel_idx[0], vowel_idx[0] + len(vowel_idx))):
        return syllable
    shaped = [i for i in vowel_idx if any(m in letters[i] for m in _VOWEL_SHAPE_MARKS)]
    has_final = vowel_idx[-1] < len(letters) - 1
    if shaped:
        target = shaped[-1]  # ươ → on ơ; ê, ô, â … carry the tone
    elif len(vowel_idx) == 1:
        target = vowel_idx[0]
    elif len(vowel_idx) == 3:
        target = vowel_idx[1]
    elif has_final:
        target = vowel_idx[-1]
    else:
        target = vowel_idx[0]
    letters[target] += tone
    return unicodedata.normalize("NFC", "".join(letters))


def normalize(text: str) -> str:
    """NFC with one tone-mark placement; case is kept (the segmenter needs it).

    Syllables repeat heavily in any text, so placing tones is cached per
    syllable; pure-ASCII text has no tone to place at all.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    return _WORD_RE.sub(lambda m: _place_tone(m.group(0)), text)


def _fold_table() -> dict[int, str | None]:
    """Each marked Latin letter to its bare letter, combining marks to nothing."""
    table: dict[int, str | None] = {code: None for code in range(0x0300, 0x0370)}
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        base = "".join(ch for ch in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(ch))
        if base != chr(code) and base.isascii():
            table[code] = base
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    return table


# A translation table, built once: folding runs on every passage and question.
_FOLD = _fold_table()


def fold(text: str) -> str:
    """Strip every diacritic (đ → d), for matching what users type without them."""
    return text.translate(_FOLD)


# Letters with marks (Latin-1 Supplement to Extended-B, Latin Extended
# Additional) and combining marks: finding the first one is enough.
_MARKED_RE = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u0300-\u036f]")


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese mark (so it was typed with them)."""
    return _MARKED_RE.search(text) is not None


def canonical(text: str) -> str:
    """Normalized and case-folded: the form texts are compared in."""
    return normalize(text).lower()


def syllables(text: str) -> list[str]:
    """Lowercased word syllables (letters and digits), punctuation dropped."""
    return [s for s in re.findall(r"\w+", canonical(text)) if s != "_"]


def join_words(words: Iterable[str]) -> str:
    """Store word tokens as one space-separated string, syllables joined by '_'."""
    return " ".join(w.replace(" ", "_") for w in words)


def split_words(stored: str) -> list[str]:
    """Inverse of :func:`join_words`."""
    return stored.split() if stored else []


def word_count(text: str) -> int:
    """Words as a reader counts them: whitespace-separated chunks."""
    return len(text.split())


def ngrams(items: Sequence[str], n: int) -> list[str]:
    """Adjacent n-grams joined by '_'."""
    return ["_".join(items[i : i + n]) for i in range(len(items) - n + 1)]
