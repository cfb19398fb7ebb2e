"""Intent words: a question about what was concluded, directed or found hard.

"Chủ tịch UBND tỉnh kết luận gì?" is answered where the conclusion is
stated ("… kết luận: …"), not by the meeting's opening paragraph that shares
the question's names. Each intent word brings the words a document uses for
that act; a sentence stating it weighs more, and so does its passage.
"""

from __future__ import annotations

import functools
import re

from index.query import Query
from index.terms import syllables_of_words
from index.text import canonical

# Folded question phrase (users type without marks) -> the phrases, with marks,
# that state the act in a document (documents are written with them, and
# folded "do" would also be "đó", "độ").
INTENTS: dict[str, tuple[str, ...]] = {
    "ket luan": ("kết luận",),
    "chi dao": ("chỉ đạo", "yêu cầu", "giao", "đề nghị"),
    "yeu cau": ("yêu cầu", "đề nghị", "phải", "chỉ đạo"),
    "de nghi": ("đề nghị", "kiến nghị", "đề xuất"),
    "muc tieu": ("mục tiêu", "phấn đấu", "chỉ tiêu"),
    "kho khan": ("khó khăn", "hạn chế", "tồn tại", "vướng mắc", "bất cập", "chênh lệch", "chưa", "thiếu", "chậm"),
    "nguyen nhan": ("nguyên nhân", "do", "vì", "bởi"),
    "vi sao": ("nguyên nhân", "do", "vì", "bởi"),
    "tai sao": ("nguyên nhân", "do", "vì", "bởi"),
}
SENTENCE_BOOST = 1.6
PASSAGE_BOOST = 1.5


def _folded(text: str) -> str:
    return " " + " ".join(syllables_of_words([text.lower()])) + " "


def intent_cues(query: Query) -> tuple[str, ...]:
    """The phrases that state what the question's intent word asks about; empty when it has none."""
    question = _folded(query.text)
    cues: list[str] = []
    for word, stated in INTENTS.items():
        if f" {word} " in question:
            cues.extend(stated)
    return tuple(dict.fromkeys(cues))


def states_intent(text: str, cues: tuple[str, ...]) -> bool:
    """Whether ``text`` contains one of the cue phrases."""
    if not cues:
        return False
    words = " " + " ".join(re.findall(r"[^\W_]+", canonical(text))) + " "
    return any(_padded(cue) in words for cue in cues)


@functools.lru_cache(maxsize=256)
def _padded(cue: str) -> str:
    """A cue phrase as found among a text's words; cues come from ``INTENTS``, so few and asked again and again."""
    return f" {canonical(cue)} "


def sentence_factor(sentence: str, cues: tuple[str, ...]) -> float:
    """How much more a sentence weighs for stating the asked act."""
    return SENTENCE_BOOST if states_intent(sentence, cues) else 1.0


def passage_factor(snippet: str, cues: tuple[str, ...]) -> float:
    """How much more a passage ranks when the sentence it would show states the asked act."""
    return PASSAGE_BOOST if states_intent(snippet, cues) else 1.0


def stated_terms(query: Query, text: str) -> set[str]:
    """The intent word's own terms ("kho_khan"), when ``text`` states the act in other words.

    "Khó khăn … là gì?" is answered by "còn chênh lệch", "chưa đáp ứng": the
    passage holds what was asked even without the word, so the coverage check
    counts the word as found.
    """
    question = _folded(query.text)
    terms: set[str] = set()
    for word, stated in INTENTS.items():
        if f" {word} " in question and states_intent(text, stated):
            parts = word.split()
            terms.add("_".join(parts))
            terms.update(parts)
    return terms
