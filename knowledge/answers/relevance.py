"""Which passages may be shown at all: the asked province first, and no filler.

A citation is evidence. One good source beats three with two of filler, so a
citation below a relevance floor, or sharing only generic words ("chuyển
đổi số", "tỉnh") with the question, is not shown. A question made only of
generic words ("cds la gi", "chuyển đổi số") is answered by a definition if
the base holds one, else refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from typing import TypeVar

from index.query import Query
from index.text import canonical
from knowledge.answers.answer import question_terms

T = TypeVar("T")

# A secondary citation must score at least this share of the best one.
RELEVANCE_FLOOR = 0.35
# Syllables that say "this is about digital transformation in some province",
# which every passage of the base is: sharing only these is no evidence.
GENERIC_SYLLABLES = frozenset(
    """
    chuyen doi so #cds cds tinh thanh pho ket qua cong tac hoat dong thuc hien trien khai nhiem vu
    van de noi dung tinh hinh thong tin ve viec
    """.split()
)
_DEFINITION = re.compile(
    r"(?:^|[.:;]\s*)[\"“«]?(?:chuyển đổi số|cđs)[\"”»]?\s*(?:\([^)]{0,40}\)\s*)?(?:được hiểu\s+)?là\s+"
    r"(?:một\s+)?(?:quá trình|quá trình thay đổi|việc|sự|khái niệm|cách)\b",
    re.IGNORECASE,
)


def is_generic(term: str) -> bool:
    """Whether a question term ("chuyen_doi", "#cds") says nothing beyond the base's own topic."""
    return term in GENERIC_SYLLABLES or all(part in GENERIC_SYLLABLES for part in term.split("_"))


def specific_terms(query: Query, places: frozenset[str] = frozenset()) -> set[str]:
    """The question's terms that narrow the topic: not generic, not the province (checked on its own)."""
    return {
        t
        for t in question_terms(query)
        if not is_generic(t) and t not in places and not any(p in places for p in t.split("_"))
    }


def only_generic(query: Query, places: frozenset[str] = frozenset()) -> bool:
    """A question whose content words are all generic ("cds la gi", "chuyển đổi số")."""
    return bool(question_terms(query)) and not specific_terms(query, places) and not places


def is_definition(sentence: str) -> bool:
    """A sentence that defines digital transformation ("Chuyển đổi số là quá trình …")."""
    return _DEFINITION.search(canonical(sentence)) is not None


def keep_relevant(
    ranked: Sequence[tuple[float, T]],
    *,
    terms_of: Callable[[T], Container[str]],
    query: Query,
    places: frozenset[str],
    limit: int | None = None,
) -> list[tuple[float, T]]:
    """The best citation, then only those above the floor that share a specific word with the question.

    ``limit``: stop once that many are kept, so ``terms_of`` (a passage's
    terms) is not computed for citations nobody is shown.
    """
    if not ranked:
        return []
    top = ranked[0][0]
    wanted = specific_terms(query, places)
    kept = [ranked[0]]
    for score, item in ranked[1:]:
        if limit is not None and len(kept) >= limit:
            break
        if score < RELEVANCE_FLOOR * top:
            continue
        if wanted:
            held = terms_of(item)
            if not any(t in held for t in wanted):
                continue
        kept.append((score, item))
    return kept


def about_asked_province(ranked: Sequence[tuple[float, T]], is_about: Callable[[T], bool]) -> list[tuple[float, T]]:
    """When some passages are about the province asked, only they compete.

    Otherwise a strong word match in another province's article ("khó khăn về
    kinh phí" in Hải Dương) wins the first place and the answer is refused for
    being about the wrong province, though the asked one's article has it.
    """
    about = [pair for pair in ranked if is_about(pair[1])]
    return about or list(ranked)
