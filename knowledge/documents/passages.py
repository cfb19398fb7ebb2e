"""Splitting a document into passages of whole sentences."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

from index.text import word_count

MIN_WORDS = 40
MAX_WORDS = 150

_HEADING_MAX_WORDS = 20


def sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (underthesea), never empty strings."""
    return [s.strip() for s in _sent_tokenize()(paragraph) if s.strip()]


@functools.cache
def _sent_tokenize() -> Callable[[str], list[str]]:
    """underthesea's sentence splitter, loaded without the rest of underthesea.

    ``import underthesea`` imports every pipeline it has (NER, POS tagging,
    classifiers through joblib): most of a second, more than answering a
    question takes. Its sentence splitter is one self-contained module of plain
    Python and a JSON of abbreviations, and answering a question needs only
    that (to cut the snippet), so only that file is loaded. Should a future
    underthesea move it, importing the package is the fallback.
    """
    spec = importlib.util.find_spec("underthesea")
    locations = spec.submodule_search_locations if spec is not None else None
    if locations:
        path = Path(next(iter(locations))) / "pipeline" / "sent_tokenize" / "__init__.py"
        module_spec = importlib.util.spec_from_file_location("_underthesea_sent_tokenize", path)
        if path.is_file() and module_spec is not None and module_spec.loader is not None:
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            splitter = getattr(module, "sent_tokenize", None)
            if callable(splitter):
                return splitter  # type: ignore[no-any-return]
    return importlib.import_module("underthesea").sent_tokenize  # type: ignore[no-any-return]


def split_passages(text: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[str]:
    """Group whole sentences into passages of roughly ``min_words``–``max_words`` words.

    A passage starts at a paragraph boundary when the current one is already
    long enough, so a passage rarely straddles two topics; a sentence longer
    than ``max_words`` stands alone rather than being cut; a short heading
    line is kept with what follows it, and a short tail joins its neighbour.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    passages: list[list[str]] = []
    current: list[str] = []
    current_words = 0
    only_headings = True  # a heading never makes a passage on its own
    for paragraph in paragraphs:
        is_heading = word_count(paragraph) <= _HEADING_MAX_WORDS and not re.search(r"[.!?…:;]$", paragraph)
        if current and current_words >= min_words and not only_headings:
            passages.append(current)
            current, current_words, only_headings = [], 0, True
        # A heading keeps its own line so snippets never run it into the next sentence.
        for sentence in [paragraph + "\n"] if is_heading else sentences(paragraph):
            n = word_count(sentence)
            if current and current_words + n > max_words and current_words >= min_words and not only_headings:
                passages.append(current)
                current, current_words, only_headings = [], 0, True
            current.append(sentence)
            current_words += n
            only_headings = only_headings and is_heading
    if current:
        if passages and current_words < min_words and _words(passages[-1]) + current_words <= max_words * 1.2:
            passages[-1].extend(current)
        else:
            passages.append(current)
    return [" ".join(p).replace("\n ", "\n").strip() for p in passages]


def _words(sentences_: list[str]) -> int:
    return sum(word_count(s) for s in sentences_)
