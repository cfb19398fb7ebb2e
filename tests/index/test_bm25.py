import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import Bm25Index, Bm25Params


def _corpus(seed: int = 7, n: int = 300) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(400)]
    # Zipf-like: low ids are common, so some terms get negative Okapi IDF.
    return [[vocab[min(int(rng.paretovariate(1.1)) - 1, 399)] for _ in range(rng.randint(3, 60))] for _ in range(n)]


def _dense(index: Bm25Index, query: list[str], n: int) -> np.ndarray:
    ids, scores = index.scores(query)
    out = np.zeros(n)
    out[ids] = scores
    return out


def test_okapi_scores_equal_rank_bm25() -> None:
    docs = _corpus()
    reference = BM25Okapi(docs)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5, b=0.75, epsilon=0.25))
    index.add_many(enumerate(docs))
    for query in (["t0", "t3", "t17"], ["t1", "t1", "t250"], ["nothing", "t5"]):
        np.testing.assert_allclose(_dense(index, query, len(docs)), reference.get_scores(query), rtol=1e-5, atol=1e-6)


def test_scores_after_removal_equal_rank_bm25_on_remaining_documents() -> None:
    docs = _corpus(seed=3, n=120)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs))
    removed = {5, 17, 60}
    for pid in removed:
        assert index.remove(pid)
    kept = [i for i in range(len(docs)) if i not in removed]
    reference = BM25Okapi([docs[i] for i in kept])
    query = ["t0", "t2", "t9"]
    np.testing.assert_allclose(
        _dense(index, query, len(docs))[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6
    )


def test_lucene_idf_is_never_negative() -> None:
    index = Bm25Index()
    index.add_many((i, ["common", f"rare{i}"]) for i in range(10))
    assert index.idf("common") > 0
    assert index.idf("rare3") > index.idf("common")


def test_added_passage_is_found_without_rebuilding_others() -> None:
    index = Bm25Index()
    index.add_many((i, [f"w{i}", "chung"]) for i in range(50))
    index.add(1000, ["hai", "duong", "xep", "hang"])
    assert index.search(["xep", "hang"], 1)[0].passage_id == 1000
    assert len(index) == 51


def test_removed_passage_never_returns() -> None:
    index = Bm25Index()
    index.add_many([(1, ["a", "b"]), (2, ["a", "c"])])
    index.remove(1)
    assert [h.passage_id for h in index.search(["a", "b"], 5)] == [2]
    assert 1 not in index


def test_save_and_load_give_identical_rankings(tmp_path: Path) -> None:
    docs = _corpus(seed=11, n=200)
    index = Bm25Index()
    index.add_many(enumerate(docs))
    index.remove(4)
    index.add(999, ["t1", "t2", "t3"])
    index.save(tmp_path, {"terms_version": 1})
    loaded, extra = Bm25Index.load(tmp_path)
    assert extra == {"terms_version": 1}
    for query in (["t0", "t7"], ["t1", "t2", "t3"]):
        assert loaded.search(query, 10) == index.search(query, 10)
    assert loaded.passage_ids() == index.passage_ids()


def test_half_written_index_is_refused(tmp_path: Path) -> None:
    index = Bm25Index()
    index.add_many([(1, ["a"])])
    index.save(tmp_path)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(FileNotFoundError):
        Bm25Index.load(tmp_path)


def test_many_small_additions_merge_segments_and_keep_scores() -> None:
    docs = _corpus(seed=5, n=60)
    one_batch = Bm25Index()
    one_batch.add_many(enumerate(docs))
    trickled = Bm25Index()
    for i, doc in enumerate(docs):
        trickled.add(i, doc)
        trickled.search(["t0"], 1)  # seals a tiny segment each time
    assert trickled.search(["t0", "t4"], 10) == one_batch.search(["t0", "t4"], 10)


def test_empty_index_returns_nothing() -> None:
    assert Bm25Index().search(["anything"], 3) == []
