"""The engines the search bench compares: how each is built, saved, opened and asked.

Every engine indexes the same term strings (``TermMaker`` output) and answers
the same bag of query terms: bm25s gets them as token ids of our vocabulary,
tantivy as whitespace-joined text under its ``whitespace`` tokenizer (our
terms hold no spaces: bigrams are joined by "_"), with term frequencies but
no positions, the same information cdsbot keeps. All use BM25 with k1 = 1.2,
b = 0.75 and the Lucene IDF. tantivy builds with one indexing thread, as
cdsbot and bm25s do.

A build is timed from its input as the engine's API takes it (``Feed``):
making that input from the cached corpus (term ids to Python lists of
strings, of ints, or to text) is the bench's work, not the engine's, and is
taken off every engine's clock alike.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.vietnamese import Corpus, Question
from index.bm25 import Bm25Index

ENGINES = ("cdsbot", "bm25s", "tantivy")
K1, B = 1.2, 0.75


def disk_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20


# ------------------------------------------------------------------ building
class Feed:
    """The corpus in batches of an engine's input, made off the build's clock.

    A real rebuild hands cdsbot the term lists ``TermMaker`` made from stored
    tokens; here they come from the cached term ids, a numpy gather and a
    Python list per passage. That conversion was a quarter of cdsbot's timed
    build and was not in bm25s' (it takes lists of ints), so every engine's
    input is made here, a batch at a time, and the time spent here (making a
    batch, and freeing the one before) is subtracted from the build's.
    Batches of 2000 passages, as knowledge's sync reads stored passages.
    """

    def __init__(self, corpus: Corpus, batch: int = 2000) -> None:
        self.corpus = corpus
        self.batch = batch
        self.wall_s = 0.0
        self.cpu_s = 0.0

    def _batches(
        self, make: Callable[[int, list[Any], list[int], int, int], list[Any]], *, strings: bool
    ) -> Iterator[list[Any]]:
        """``make(first passage, chunk's terms, chunk's bounds, lo, hi)`` per batch, timed off the build's clock.

        The chunk's terms are strings if ``strings``, else term ids.
        """
        start, start_cpu = time.perf_counter(), time.process_time()
        vocabulary = np.array(self.corpus.terms, dtype=object) if strings else None
        for first, ids, offsets in self.corpus.id_chunks():
            items = (vocabulary[ids] if vocabulary is not None else ids).tolist()
            bounds = offsets.tolist()
            for lo in range(0, len(bounds) - 1, self.batch):
                batch = make(first, items, bounds, lo, min(lo + self.batch, len(bounds) - 1))
                self.wall_s += time.perf_counter() - start
                self.cpu_s += time.process_time() - start_cpu
                yield batch
                start, start_cpu = time.perf_counter(), time.process_time()
                batch.clear()  # the batch's lists freed here, on the feed's clock
            del items
        self.wall_s += time.perf_counter() - start
        self.cpu_s += time.process_time() - start_cpu

    def passages(self) -> Iterator[list[tuple[int, list[str]]]]:
        """Batches of (passage id, its terms), the shape ``Bm25Index.add_many`` takes."""
        return self._batches(
            lambda first, flat, bounds, lo, hi: [(first + j, flat[bounds[j] : bounds[j + 1]]) for j in range(lo, hi)],
            strings=True,
        )

    def texts(self) -> Iterator[list[tuple[int, str]]]:
        """Batches of (passage id, its terms joined by spaces), the text tantivy tokenizes."""
        return self._batches(
            lambda first, flat, bounds, lo, hi: [
                (first + j, " ".join(flat[bounds[j] : bounds[j + 1]])) for j in range(lo, hi)
            ],
            strings=True,
        )

    def token_ids(self) -> Iterator[list[list[int]]]:
        """Batches of each passage's term ids (ints), the shape bm25s takes with a vocabulary."""
        return self._batches(
            lambda first, flat, bounds, lo, hi: [flat[bounds[j] : bounds[j + 1]] for j in range(lo, hi)],
            strings=False,
        )


def build(engine: str, feed: Feed, out: Path) -> None:
    """Index ``feed``'s corpus with ``engine`` and leave it saved in ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    {"cdsbot": _build_cdsbot, "bm25s": _build_bm25s, "tantivy": _build_tantivy}[engine](feed, out)


def _build_cdsbot(feed: Feed, out: Path) -> None:
    index = Bm25Index()
    # One add_many per batch, as knowledge's sync does.
    for batch in feed.passages():
        index.add_many(batch)
    # What knowledge does once a bulk ingest or sync is over, off the answer path.
    if hasattr(index, "merge_segments"):  # not in indexes before format 3, which the bench can also time
        index.merge_segments()
    index.save(out)


class _LazyDocs(Sequence[list[int]]):
    """Each passage's term ids, made when bm25s asks (a million Python lists would not fit)."""

    def __init__(self, feed: Feed) -> None:
        self._feed = feed

    def __len__(self) -> int:
        return len(self._feed.corpus)

    def __getitem__(self, i: int) -> list[int]:  # type: ignore[override]
        raise NotImplementedError("bm25s reads the corpus in order")

    def __iter__(self) -> Iterator[list[int]]:
        for batch in self._feed.token_ids():
            yield from batch


def _build_bm25s(feed: Feed, out: Path) -> None:
    import bm25s
    from bm25s.tokenization import Tokenized

    vocab = {t: i for i, t in enumerate(feed.corpus.terms)}
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index(Tokenized(ids=_LazyDocs(feed), vocab=vocab), show_progress=False)  # type: ignore[arg-type]
    retriever.save(str(out), show_progress=False)


def _tantivy_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("pid", stored=True, fast=True, indexed=False)
    return builder.build()


def _build_tantivy(feed: Feed, out: Path) -> None:
    import tantivy

    index = tantivy.Index(_tantivy_schema(), path=str(out))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for batch in feed.texts():
        for pid, body in batch:
            writer.add_document(tantivy.Document(pid=pid, body=body))
    writer.commit()
    writer.wait_merging_threads()


# --------------------------------------------------------------- searching
Search = Callable[[Question], object]


class Opened:
    """A loaded engine: a timed search and a way to read its top passage ids."""

    def __init__(self, search: Search, top_ids: Callable[[Question], list[int]], handle: object) -> None:
        self.search = search
        self.top_ids = top_ids
        self.handle = handle


def open_engine(engine: str, directory: Path, k: int) -> Opened:
    return {"cdsbot": _open_cdsbot, "bm25s": _open_bm25s, "tantivy": _open_tantivy}[engine](directory, k)


def _open_cdsbot(directory: Path, k: int) -> Opened:
    index, _ = Bm25Index.load(directory)
    index.search({"x": 1.0}, 1)

    def search(q: Question) -> object:
        return index.search(q.terms, k)

    return Opened(search, lambda q: [h.passage_id for h in index.search(q.terms, k)], index)


def _open_bm25s(directory: Path, k: int) -> Opened:
    import bm25s

    retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)

    def search(q: Question) -> object:
        # The single-query path under ``retrieve``, without its batching and progress machinery.
        return retriever._get_top_k_results(q.term_list(), k=k, sorted=True)

    def top_ids(q: Question) -> list[int]:
        scores, ids = retriever._get_top_k_results(q.term_list(), k=k, sorted=True)
        return [int(i) for s, i in zip(scores, ids) if s > 0]

    return Opened(search, top_ids, retriever)


def _open_tantivy(directory: Path, k: int) -> Opened:
    import tantivy

    index = tantivy.Index.open(str(directory))
    searcher = index.searcher()
    schema = index.schema
    should = tantivy.Occur.Should

    def query(q: Question) -> Any:
        clauses = []
        for term, weight in q.terms.items():
            clause = tantivy.Query.term_query(schema, "body", term)
            clauses.append((should, clause if weight == 1 else tantivy.Query.boost_query(clause, weight)))
        return tantivy.Query.boolean_query(clauses)

    def search(q: Question) -> object:
        return searcher.search(query(q), k)

    def top_ids(q: Question) -> list[int]:
        return [int(searcher.doc(address)["pid"][0]) for _, address in searcher.search(query(q), k).hits]

    return Opened(search, top_ids, searcher)


def overlap(a: list[int], b: list[int]) -> float:
    """Shared share of two top-k lists (1.0 when both are empty)."""
    if not a and not b:
        return 1.0
    return len(set(a) & set(b)) / max(len(a), len(b))


def percentile_ms(times: Sequence[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(times), q) * 1000)
