import json
import random
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from rank_bm25 import BM25Okapi

from index.bm25 import Bm25Index, Bm25Params
from index.postings import encode


def _random_postings(rng: np.random.Generator, n_terms: int, n_slots: int, max_count: int) -> sp.csr_matrix:
    """Terms from very rare to very common over many slots: narrow, wide and escaped gaps all occur."""
    rows, cols = [], []
    for term in range(n_terms):
        share = float(rng.random()) ** 4
        k = min(n_slots, int(share * n_slots * 0.05) + int(rng.integers(0, 3)))
        rows += [term] * k
        cols += rng.choice(n_slots, size=k, replace=False).tolist()
    counts = rng.integers(1, max_count + 1, size=len(rows)).astype(np.uint8)
    matrix = sp.csr_matrix((counts, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))), shape=(n_terms, n_slots))
    matrix.sort_indices()
    return matrix


@pytest.mark.parametrize(("seed", "max_count"), [(1, 3), (2, 15), (3, 40), (4, 255)])
def test_packed_postings_decode_to_the_same_slots_and_counts(
    seed: int, max_count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows of 100+ postings are kept decoded, within a budget small enough to evict.
    monkeypatch.setattr("index.postings.CACHE_MIN_POSTINGS", 100)
    monkeypatch.setattr("index.postings.CACHE_BYTES_PER_POSTING", 0.5)
    rng = np.random.default_rng(seed)
    plain = _random_postings(rng, 50, 150_000, max_count)
    packed = encode(plain.copy())
    assert (packed.to_csr() != plain).nnz == 0
    for term in range(50):
        slots, counts = packed.row(term)
        a, b = plain.indptr[term], plain.indptr[term + 1]
        assert slots.tolist() == plain.indices[a:b].tolist()
        assert np.asarray(counts).tolist() == plain.data[a:b].tolist()
        again = packed.row(term)  # long rows come back from the decoded cache, unchanged
        assert again[0].tolist() == plain.indices[a:b].tolist() and np.asarray(again[1]).tolist() == plain.data[a:b].tolist()
    kept = np.sort(rng.choice(150_000, size=70_000, replace=False))
    assert (packed.to_csr(kept) != plain[:, kept]).nnz == 0


def test_saved_index_takes_under_three_bytes_a_posting(tmp_path: Path) -> None:
    rng = random.Random(5)
    words = [f"w{i}" for i in range(2000)]
    index = Bm25Index()
    index.add_many((i, [words[min(int(rng.paretovariate(1.0)) - 1, 1999)] for _ in range(80)]) for i in range(5000))
    index.save(tmp_path)
    postings = sum(p.stat().st_size for p in tmp_path.glob("seg0.*.npy") if not p.name.endswith(".bound.npy"))
    nnz = int(np.load(tmp_path / "seg0.indptr.npy")[-1])
    assert postings < 3 * nnz  # a plain slot and count cost 5


def _corpus(seed: int, n: int) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(400)]
    return [[vocab[min(int(rng.paretovariate(1.1)) - 1, 399)] for _ in range(rng.randint(3, 60))] for _ in range(n)]


def _ranking_from_all_scores(index: Bm25Index, query: list[str], k: int) -> list[tuple[int, float]]:
    ids, scores = index.scores(query)
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


@pytest.mark.parametrize("bisect_cost", [0, 16, 10**9])
def test_pruned_search_over_loaded_compressed_postings_finds_the_exact_top_k(
    bisect_cost: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No postings count as short and nothing is scored whole, so common terms
    # are looked up by bisection (cost 0, 16) or read in one pass (10**9).
    monkeypatch.setattr("index.bm25._SHORT_POSTINGS", 0)
    monkeypatch.setattr("index.bm25._BISECT_COST", bisect_cost)
    monkeypatch.setattr("index.bm25._PRUNE_AT", 0)
    monkeypatch.setattr("index.bm25._DENSE_WORK", 0)
    docs = _corpus(seed=37, n=3000)
    index = Bm25Index()
    index.add_many((i, docs[i] + [f"{a}_{b}" for a, b in zip(docs[i], docs[i][1:])]) for i in range(3000))
    index.save(tmp_path)
    loaded, _ = Bm25Index.load(tmp_path)
    loaded.add_many([(5000, ["t0", "t1", "moi"]), (5001, ["t2", "moi"])])  # a plain segment beside the packed one
    loaded.remove(7)
    rng = random.Random(31)
    for _ in range(40):
        words = [f"t{min(int(rng.paretovariate(0.8)) - 1, 399)}" for _ in range(rng.randint(2, 6))]
        query = words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
        for k in (1, 10, 50):
            hits = loaded.search(query, k)
            expected = _ranking_from_all_scores(loaded, query, k)
            assert [h.passage_id for h in hits] == [pid for pid, _ in expected]
            np.testing.assert_allclose([h.score for h in hits], [s for _, s in expected], rtol=1e-5)  # scores() sums in float32


def test_loaded_compressed_index_scores_like_rank_bm25_after_additions_removals_and_merge(tmp_path: Path) -> None:
    docs = _corpus(seed=59, n=400)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs[:300]))
    index.save(tmp_path)
    loaded, _ = Bm25Index.load(tmp_path)
    loaded.add_many((i, docs[i]) for i in range(300, 400))
    removed = set(range(0, 400, 3))
    for pid in removed:
        loaded.remove(pid)
    kept = [i for i in range(400) if i not in removed]
    reference = BM25Okapi([docs[i] for i in kept])
    query = ["t0", "t3", "t11", "t40"]
    for _ in range(2):  # before and after merging the packed and plain segments
        dense = np.zeros(400)
        ids, scores = loaded.scores(query)
        dense[ids] = scores
        np.testing.assert_allclose(dense[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6)
        loaded.merge_segments()
    assert loaded.segment_count == 1


def _save_format_3(index: Bm25Index, directory: Path) -> None:
    """What format 3 wrote: plain CSR arrays per segment (the code that wrote them is gone)."""
    directory.mkdir(parents=True, exist_ok=True)
    index.merge_segments()
    segment = index._segments[0]
    n = index._n_slots
    arrays = {
        "ids": index._ids[:n],
        "lengths": index._lengths[:n],
        "term_hashes": index._vocab.hashes,
        "term_ids": index._vocab.ids.astype(np.int32),
        "seg0.indptr": segment.postings.indptr,
        "seg0.indices": segment.postings.indices,
        "seg0.data": segment.postings.data,
        "seg0.bound": segment.max_saturation,
    }
    for name, array in arrays.items():
        np.save(directory / f"{name}.npy", array)
    manifest = {
        "format": 3,
        "params": {"k1": 1.2, "b": 0.75, "variant": "lucene", "epsilon": 0.25},
        "passages": len(index),
        "terms": index.vocabulary_size,
        "segments": [{"slots": n, "ref_avgdl": segment.ref_avgdl}],
        "extra": {"terms_version": 7},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_index_saved_in_format_3_is_refused_since_its_term_hashes_are_another_function(tmp_path: Path) -> None:
    docs = _corpus(seed=61, n=500)
    index = Bm25Index()
    index.add_many(enumerate(docs))
    _save_format_3(index, tmp_path / "v3")
    with pytest.raises(ValueError, match="format"):
        Bm25Index.load(tmp_path / "v3")


def test_merges_written_compressed_keep_scores_equal_to_rank_bm25(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.bm25._PACK_AT", 0)  # every merge writes compressed postings
    docs = _corpus(seed=67, n=900)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    rng = random.Random(3)
    removed: set[int] = set()
    for start in range(0, 900, 150):
        index.add_many((i, docs[i]) for i in range(start, start + 150))
        for pid in rng.sample(range(start + 150), 20):
            if index.remove(pid):
                removed.add(pid)
    index.merge_segments()
    assert index.segment_count == 1 and index._segments[0].packed is not None
    kept = [i for i in range(900) if i not in removed]
    reference = BM25Okapi([docs[i] for i in kept])
    for query in (["t0", "t3", "t11"], ["t1", "t1", "t77"], ["t5", "t200"]):
        ids, scores = index.scores(query)
        dense = np.zeros(900)
        dense[ids] = scores
        np.testing.assert_allclose(dense[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6)
        assert [h.passage_id for h in index.search(query, 10)] == [
            pid for pid, _ in _ranking_from_all_scores(index, query, 10)
        ]
