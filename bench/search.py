"""Search speed on synthetic corpora, against rank-bm25 in the same run.

    python bench/search.py                      # 10k and 100k passages, a table
    python bench/search.py --passages 100000 --json

Passages are strings of Vietnamese-shaped syllables drawn from a Zipf
distribution, so term statistics look like news text. Both engines score the
same terms (our syllables + bigrams + concepts); our latency includes reading
the question (normalisation, question words, term making).

Memory is our index's: passages are generated while they are indexed (never
held in a list), the saved index is loaded only after the built one is freed,
rank-bm25 runs after the reading, and each size runs in a fresh process.
``rss_mb`` is the process's peak; ``rss_index_mb`` is that peak minus the
peak before indexing began (imports, term maker, synthetic vocabulary).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.bm25 import Bm25Index  # noqa: E402
from index.query import QueryReader  # noqa: E402
from index.terms import TermMaker  # noqa: E402

INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t", "th", "tr", "v", "x"]
RHYMES = ["a", "ai", "am", "an", "ang", "anh", "ao", "at", "âm", "ân", "ât", "ây", "e", "em", "en", "ên", "êt", "i", "im", "in", "inh", "ich", "o", "oa", "oan", "ong", "ô", "ôi", "ông", "ơ", "ơi", "ơn", "u", "ui", "um", "un", "ung", "ư", "ưa", "ươc", "ương", "ươi", "uyên", "uôc"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    import unicodedata

    seen: set[str] = set()
    words: list[str] = []
    while len(words) < size:
        rhyme = rng.choice(RHYMES)
        syllable = rng.choice(INITIALS) + rhyme[0] + rng.choice(TONES) + rhyme[1:]
        syllable = unicodedata.normalize("NFC", syllable)
        if syllable not in seen:
            seen.add(syllable)
            words.append(syllable)
    return words


def zipf_sampler(n_items: int, s: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    weights = 1.0 / np.arange(1, n_items + 1) ** s
    cdf = np.cumsum(weights / weights.sum())
    return lambda k: np.searchsorted(cdf, rng.random(k))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n_passages: int, n_queries: int, seed: int = 42) -> dict[str, float | int]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    vocab = vocabulary(6000, rng)
    sample = zipf_sampler(len(vocab), 1.07, nrng)
    lengths = nrng.integers(40, 150, n_passages)
    terms = TermMaker()
    reader = QueryReader(terms)

    def passages_terms():  # type: ignore[no-untyped-def]
        """The same corpus every time it is iterated (regenerated, never held)."""
        draw = zipf_sampler(len(vocab), 1.07, np.random.default_rng(seed + 1))
        for n in lengths:
            yield terms.terms([vocab[i] for i in draw(int(n))])

    gc.collect()
    rss_baseline_mb = peak_rss_mb()
    start = time.perf_counter()
    index = Bm25Index()
    # Batches stream from a generator, as knowledge.library.sync feeds them.
    numbered = enumerate(passages_terms())
    for _ in range(0, n_passages, 5000):
        index.add_many(islice(numbered, 5000))
    index.search({"x": 1.0}, 1)
    build_s = time.perf_counter() - start
    vocabulary_size = index.vocabulary_size

    # Questions: a few mid-frequency syllables plus a question word.
    questions = []
    for _ in range(n_queries):
        picks = [vocab[int(i)] for i in sample(rng.randint(3, 7))]
        questions.append(" ".join(picks) + " bao nhiêu?")
    latencies = []
    query_terms = []
    for question in questions:
        start = time.perf_counter()
        query = reader.read(question)
        index.search(query.terms, 10)
        latencies.append(time.perf_counter() - start)
        query_terms.append([t for t, w in query.terms.items() for _ in range(int(w))])
    expected = [index.search(q, 10) for q in query_terms[:20]]

    # A restart: save, free the built index, load what was saved.
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp))
        del index
        gc.collect()
        start = time.perf_counter()
        loaded, _ = Bm25Index.load(Path(tmp))
        loaded.search({"x": 1.0}, 1)
        load_s = time.perf_counter() - start
    if [loaded.search(q, 10) for q in query_terms[:20]] != expected:
        raise AssertionError("the loaded index ranks differently from the one that was saved")
    del loaded
    rss_mb = peak_rss_mb()

    from rank_bm25 import BM25Okapi

    reference = BM25Okapi(list(passages_terms()))
    ref_latencies = []
    for q in query_terms[: max(5, min(30, n_queries))]:
        start = time.perf_counter()
        reference.get_scores(q)
        ref_latencies.append(time.perf_counter() - start)
    p50 = float(np.percentile(latencies, 50) * 1000)
    ref_p50 = float(np.percentile(ref_latencies, 50) * 1000)
    return {
        "passages": n_passages,
        "build_s": round(build_s, 3),
        "load_s": round(load_s, 3),
        "p50_ms": round(p50, 3),
        "p95_ms": round(float(np.percentile(latencies, 95) * 1000), 3),
        "rank_bm25_p50_ms": round(ref_p50, 3),
        "speedup": round(ref_p50 / p50, 1) if p50 else 0.0,
        "rss_mb": round(rss_mb, 1),
        "rss_baseline_mb": round(rss_baseline_mb, 1),
        "rss_index_mb": round(rss_mb - rss_baseline_mb, 1),
        "terms": vocabulary_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, action="append")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = args.passages or [10_000, 100_000]
    for n in sizes:
        if len(sizes) == 1:
            result = run(n, args.queries)
        else:
            # A fresh process per size, so one size's peak RSS is not another's.
            out = subprocess.run(
                [sys.executable, __file__, "--passages", str(n), "--queries", str(args.queries), "--json"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['passages']:>7} passages: build {result['build_s']:.2f} s, load {result['load_s']:.2f} s, "
                f"p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms | rank-bm25 p50 "
                f"{result['rank_bm25_p50_ms']:.1f} ms | {result['speedup']:.0f}x faster | peak RSS {result['rss_mb']:.0f} MB "
                f"({result['rss_index_mb']:.0f} MB over {result['rss_baseline_mb']:.0f} MB before indexing)"
            )


if __name__ == "__main__":
    main()
