"""Ingest overhead: our whole pipeline against underthesea's own word_tokenize time.

    python bench/ingest.py            # the demo documents (and ../shared/seeds when present), repeated

The pipeline is cleaning, metadata and province detection, passage splitting,
word tokenization, term making and deadline extraction — everything but the
database write. The target is at most 10 % on top of word_tokenize alone.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from underthesea import word_tokenize  # noqa: E402

from index.terms import TermMaker  # noqa: E402
from index.text import normalize, split_words  # noqa: E402
from knowledge.db import make_engine  # noqa: E402
from knowledge.documents.parsers import parse_document  # noqa: E402
from knowledge.documents.passages import split_passages  # noqa: E402
from knowledge.library import DocumentInput, Library, demo_documents  # noqa: E402


def _timed(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(rounds: int = 7) -> None:
    texts = [parse_document(data, name).text for name, data in demo_documents()]
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if seeds.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    library = Library(make_engine("sqlite://"))
    terms = TermMaker()
    passages = [p for t in texts for p in split_passages(t)]
    # Load both underthesea models before timing: a one-off cost, not per document.
    library.prepare(DocumentInput(text=texts[0]))

    def segmenter_only() -> None:
        for p in passages:
            word_tokenize(normalize(p))

    def whole_pipeline() -> None:
        for text in texts:
            prepared = library.prepare(DocumentInput(text=text))
            for tokens in prepared.tokens:
                terms.terms(split_words(tokens))

    passages_of = [split_passages(t) for t in texts]

    def facts_only() -> None:
        # Indicator facts (issue 9), as prepare() runs them: part of the whole pipeline above.
        for text_passages in passages_of:
            for p in text_passages:
                library.facts.extract(p, published=date(2023, 6, 1), provinces=("Hải Dương",))

    # Interleaved and best-of-N: a shared 2-core machine is noisy.
    baseline = pipeline = facts = float("inf")
    for _ in range(rounds):
        baseline = min(baseline, _timed(segmenter_only))
        pipeline = min(pipeline, _timed(whole_pipeline))
        facts = min(facts, _timed(facts_only))
    words = sum(len(t.split()) for t in texts)
    print(
        f"{len(texts)} documents, best of {rounds}: word_tokenize {baseline:.3f} s, whole pipeline {pipeline:.3f} s "
        f"(+{(pipeline / baseline - 1) * 100:.0f} %), {words / pipeline:,.0f} words/s"
    )
    print(f"indicator fact extraction {facts * 1000:.1f} ms = {facts / pipeline * 100:.1f} % of the whole pipeline (target ≤ 10 %)")


if __name__ == "__main__":
    main()
