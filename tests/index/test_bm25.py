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


def test_search_after_additions_and_removals_sees_new_terms_and_counts() -> None:
    # A search remembers what it read of each query term; any change must make it read again.
    index = Bm25Index()
    index.add_many((i, ["so", "hoa"] + (["moi"] if i < 2 else [])) for i in range(40))
    assert index.search(["tinh", "so"], 40)[0].score == pytest.approx(index.search(["so"], 40)[0].score)
    index.add(100, ["tinh", "so", "hoa"])
    assert index.search(["tinh", "so"], 1)[0].passage_id == 100
    before = index.search(["moi"], 5)
    index.remove(0)
    after = index.search(["moi"], 5)
    assert [h.passage_id for h in after] == [1]
    assert after[0].score > before[0].score  # rarer now, so a higher IDF
    avgdl = (3 + 38 * 2 + 3) / 40  # passages 1, 2..39 and 100
    assert after[0].score == pytest.approx(index.idf("moi") * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl)))


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


def test_document_frequency_counts_only_live_passages_after_removals() -> None:
    index = Bm25Index()
    index.add_many((i, ["chung", f"rieng{i}"]) for i in range(10))
    index.add_many((i, ["chung", "moi"]) for i in range(10, 14))
    for pid in (0, 3, 11):
        index.remove(pid)
    assert index.document_frequency("chung") == 11
    assert index.document_frequency("moi") == 3
    assert index.document_frequency("rieng3") == 0
    assert index.document_frequency("never") == 0


def test_idf_after_removals_equals_idf_of_index_built_without_them() -> None:
    docs = _corpus(seed=13, n=80)
    removed = {2, 9, 40, 41, 79}
    index = Bm25Index()
    index.add_many(enumerate(docs))
    for pid in removed:
        index.remove(pid)
    fresh = Bm25Index()
    fresh.add_many((i, d) for i, d in enumerate(docs) if i not in removed)
    for term in ("t0", "t1", "t5", "t30"):
        assert index.idf(term) == pytest.approx(fresh.idf(term))


def test_removing_most_passages_across_segments_keeps_okapi_scores_exact() -> None:
    docs = _corpus(seed=17, n=150)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    for start in range(0, len(docs), 25):
        index.add_many((i, docs[i]) for i in range(start, start + 25))
    removed = set(range(0, 150, 3)) | set(range(1, 150, 7))  # past the share that forces a merge
    for pid in removed:
        index.remove(pid)
    kept = [i for i in range(len(docs)) if i not in removed]
    reference = BM25Okapi([docs[i] for i in kept])
    for query in (["t0", "t2", "t9"], ["t1", "t40", "t3"]):
        np.testing.assert_allclose(
            _dense(index, query, len(docs))[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6
        )
    assert index.passage_ids() == set(kept)


def test_index_saved_after_removals_loads_without_them(tmp_path: Path) -> None:
    docs = _corpus(seed=19, n=120)
    index = Bm25Index()
    index.add_many(enumerate(docs[:60]))
    index.add_many((i + 60, d) for i, d in enumerate(docs[60:]))
    for pid in (1, 30, 61, 100):
        index.remove(pid)
    index.save(tmp_path)
    loaded, _ = Bm25Index.load(tmp_path)
    assert loaded.passage_ids() == index.passage_ids()
    assert 30 not in loaded
    for term in ("t0", "t3", "t12"):
        assert loaded.document_frequency(term) == index.document_frequency(term)
        assert loaded.idf(term) == index.idf(term)
    for query in (["t0", "t7"], ["t1", "t2", "t3"], {"t4": 2.0, "t9": 0.5}):
        assert loaded.search(query, 15) == index.search(query, 15)
    loaded.add(500, ["t1", "moi"])
    assert loaded.search(["moi"], 1)[0].passage_id == 500
    assert loaded.document_frequency("t1") == index.document_frequency("t1") + 1


def test_readded_passage_replaces_its_terms() -> None:
    index = Bm25Index()
    index.add_many([(1, ["cu", "chung"]), (2, ["chung"])])
    index.add(1, ["moi", "chung"])
    assert index.document_frequency("cu") == 0
    assert [h.passage_id for h in index.search(["moi"], 5)] == [1]
    assert len(index) == 2


def test_ties_are_broken_by_lower_id_even_at_the_cut() -> None:
    index = Bm25Index()
    index.add_many((pid, ["giong", "nhau"]) for pid in (42, 7, 19, 3, 88, 15, 61))
    index.add_many([(100, ["khac"])])
    assert [h.passage_id for h in index.search(["giong"], 4)] == [3, 7, 15, 19]


def test_large_and_fractional_term_counts_score_exactly() -> None:
    docs = [["lap"] * 300 + ["mot"], ["lap", "hai"], ["ba"] * 70_000 + ["lap"], ["mot", "bon"]]
    reference = BM25Okapi(docs)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs))
    for query in (["lap"], ["ba", "mot"]):
        np.testing.assert_allclose(_dense(index, query, len(docs)), reference.get_scores(query), rtol=1e-5)
    weighted = Bm25Index()
    weighted.add_many([(1, {"a": 0.5, "b": 1.0}), (2, {"a": 1.0})])  # type: ignore[list-item]
    assert weighted.search(["a"], 2)[0].passage_id == 2


def test_negative_weights_still_report_every_matching_passage() -> None:
    index = Bm25Index()
    index.add_many([(1, ["tot"]), (2, ["xau"]), (3, ["khac"])])
    ids, scores = index.scores({"tot": 1.0, "xau": -1.0})
    by_id = dict(zip(ids.tolist(), scores.tolist()))
    assert set(by_id) == {1, 2}
    assert by_id[1] > 0 > by_id[2]
    assert [h.passage_id for h in index.search({"tot": 1.0, "xau": -1.0}, 5)] == [1, 2]


def test_terms_first_seen_in_a_later_segment_are_found() -> None:
    index = Bm25Index()
    index.add_many((i, ["cu"]) for i in range(200))
    index.add_many([(500, ["moi", "cu"])])
    assert [h.passage_id for h in index.search(["moi"], 3)] == [500]


def test_save_interrupted_before_manifest_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = Bm25Index()
    index.add_many([(1, ["a"])])
    index.save(tmp_path)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("index.bm25.np.save", crash)
    with pytest.raises(OSError):
        index.save(tmp_path)
    with pytest.raises(FileNotFoundError):
        Bm25Index.load(tmp_path)


def test_index_of_another_format_is_refused(tmp_path: Path) -> None:
    index = Bm25Index()
    index.add_many([(1, ["a"])])
    index.save(tmp_path)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"format": 5', '"format": 2'), encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        Bm25Index.load(tmp_path)


def test_interleaved_additions_removals_and_searches_match_rank_bm25() -> None:
    rng = random.Random(23)
    docs = _corpus(seed=29, n=400)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    live: dict[int, list[str]] = {}
    next_id = 0
    for step in range(250):
        roll = rng.random()
        if roll < 0.15:
            batch = range(next_id, next_id + rng.randint(1, 30))
            index.add_many((pid, docs[pid % len(docs)]) for pid in batch)
            live.update((pid, docs[pid % len(docs)]) for pid in batch)
            next_id = batch.stop
        elif roll < 0.55 or not live:
            index.add(next_id, docs[next_id % len(docs)])
            live[next_id] = docs[next_id % len(docs)]
            next_id += 1
        elif roll < 0.85:
            pid = rng.choice(sorted(live))
            assert index.remove(pid)
            del live[pid]
        else:
            pid = rng.choice(sorted(live))
            live[pid] = docs[rng.randrange(len(docs))]
            index.add(pid, live[pid])
        if step % 10 == 0:
            index.search(["t0"], 1)  # seals what is pending, so segments pile up and merge
    kept = sorted(live)
    reference = BM25Okapi([live[pid] for pid in kept])
    for query in (["t0", "t3"], ["t1", "t8", "t8", "t60"]):
        np.testing.assert_allclose(
            _dense(index, query, next_id)[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6
        )
    assert index.passage_ids() == set(kept)


def _ranking_from_all_scores(index: Bm25Index, query: dict[str, float] | list[str], k: int) -> list[tuple[int, float]]:
    ids, scores = index.scores(query)
    order = np.lexsort((ids, -scores))[:k]
    return [(int(ids[i]), float(scores[i])) for i in order]


@pytest.mark.parametrize(
    ("short_postings", "bisect_cost", "dense_row"), [(0, 0, 0), (0, 10**9, 0), (0, 0, 10**9), (4096, 16, 8)]
)
def test_pruned_search_finds_the_same_top_k_as_scoring_everything(
    short_postings: int, bisect_cost: int, dense_row: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no postings counted as short, every common term goes through the
    # "can it still change the top k?" check, then through lookups by
    # bisection (cost 0), by one pass over its postings (cost 10**9) or in
    # dense counts (dense_row 10**9: every term has them; 0: none has).
    monkeypatch.setattr("index.bm25._SHORT_POSTINGS", short_postings)
    monkeypatch.setattr("index.bm25._BISECT_COST", bisect_cost)
    monkeypatch.setattr("index.bm25._DENSE_ROW", dense_row)
    monkeypatch.setattr("index.bm25._PRUNE_AT", 0 if short_postings == 0 else 512)
    # A small index is scored whole (the third case); the first two force pruning.
    monkeypatch.setattr("index.bm25._DENSE_WORK", 0 if short_postings == 0 else 1 << 16)
    rng = random.Random(31)
    docs = _corpus(seed=37, n=1500)
    index = Bm25Index()
    for start in range(0, 1500, 400):  # several segments
        index.add_many((i, docs[i] + [f"{a}_{b}" for a, b in zip(docs[i], docs[i][1:])]) for i in range(start, min(start + 400, 1500)))
    for pid in range(0, 1500, 11):
        index.remove(pid)
    for _ in range(40):
        words = [f"t{min(int(rng.paretovariate(0.8)) - 1, 399)}" for _ in range(rng.randint(2, 6))]
        query = words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
        for k in (1, 10, 50):
            hits = index.search(query, k)
            expected = _ranking_from_all_scores(index, query, k)
            assert [h.passage_id for h in hits] == [pid for pid, _ in expected]
            np.testing.assert_allclose([h.score for h in hits], [s for _, s in expected], rtol=1e-5)


def test_merging_segments_keeps_rankings_and_is_free_the_second_time() -> None:
    docs = _corpus(seed=41, n=300)
    index = Bm25Index()
    for start in range(0, 300, 50):
        index.add_many((i, docs[i]) for i in range(start, start + 50))
    index.remove(7)
    before = [index.search(q, 10) for q in (["t0", "t5"], ["t2", "t30", "t31"])]
    assert index.merge_segments()
    assert index.segment_count == 1
    assert [index.search(q, 10) for q in (["t0", "t5"], ["t2", "t30", "t31"])] == before
    assert not index.merge_segments()


def test_merged_index_saves_and_loads_with_the_same_rankings(tmp_path: Path) -> None:
    docs = _corpus(seed=43, n=200)
    index = Bm25Index()
    index.add_many(enumerate(docs[:120]))
    index.add_many((i + 120, d) for i, d in enumerate(docs[120:]))
    index.merge_segments()
    index.save(tmp_path)
    loaded, _ = Bm25Index.load(tmp_path)
    for query in (["t0", "t7"], ["t1", "t2", "t3"]):
        assert loaded.search(query, 10) == index.search(query, 10)
    loaded.add(999, ["t1", "moi"])  # a loaded (memory-mapped) index still takes additions
    assert loaded.search(["moi"], 1)[0].passage_id == 999


def test_batch_with_unusual_terms_is_searchable_like_single_additions() -> None:
    terms = ["a\x00b", "Đà_Nẵng", "\ud800", "x" * 300, "thường"]
    batch = Bm25Index()
    batch.add_many((i, terms[: i + 1]) for i in range(len(terms)))
    single = Bm25Index()
    for i in range(len(terms)):
        single.add(i, terms[: i + 1])
    for term in terms:
        assert batch.search([term], 5) == single.search([term], 5) != []


@pytest.mark.parametrize("term_cache", [1 << 16, 2])
def test_searches_from_several_threads_rank_as_one_thread_does(term_cache: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # With room for 2 query terms, every search empties the term cache while others read it.
    monkeypatch.setattr("index.bm25._TERM_CACHE", term_cache)
    docs = _corpus(seed=47, n=600)
    index = Bm25Index()
    index.add_many(enumerate(docs))
    queries = [["t0", f"t{i}", f"t{i + 1}"] for i in range(1, 60)]
    alone = [index.search(q, 10) for q in queries]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda q: index.search(q, 10), queries * 3))
    assert together == alone * 3


def test_loaded_index_merges_after_many_removals_like_a_fresh_one(tmp_path: Path) -> None:
    docs = _corpus(seed=53, n=240)
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs[:120]))
    index.add_many((i + 120, d) for i, d in enumerate(docs[120:]))
    index.save(tmp_path)
    loaded, _ = Bm25Index.load(tmp_path)  # read-only, memory-mapped postings
    removed = set(range(0, 240, 2))  # past the dead share that forces a merge
    for pid in removed:
        loaded.remove(pid)
    loaded.merge_segments()
    kept = [i for i in range(240) if i not in removed]
    reference = BM25Okapi([docs[i] for i in kept])
    query = ["t0", "t3", "t11"]
    np.testing.assert_allclose(_dense(loaded, query, 240)[kept], reference.get_scores(query), rtol=1e-5, atol=1e-6)
    assert [h.passage_id for h in loaded.search(query, 10)] == [
        pid for pid, _ in _ranking_from_all_scores(loaded, query, 10)
    ]


def test_batch_order_by_hash_equals_a_stable_argsort_even_when_hashes_share_high_bits() -> None:
    from index.bm25 import _grouped_order

    rng = np.random.default_rng(5)
    spread = rng.integers(0, 2**63, size=300, dtype=np.uint64)[rng.integers(0, 300, size=5000)]
    # Hashes that differ only in the low bits the batch's keys give to entry numbers.
    close = (spread >> np.uint64(50)) | np.uint64(0xABC0_0000_0000_0000)
    for hashes in (spread, close, close[:1], close[:0]):
        order, ordered = _grouped_order(hashes)
        expected = np.argsort(hashes, kind="stable")
        assert np.array_equal(order, expected)
        assert np.array_equal(ordered, hashes[expected])


def test_terms_whose_hashes_share_high_bits_keep_their_own_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.bm25 as bm25

    # Every term hash squeezed into its low 20 bits: all agree above the bits a batch uses for entry numbers.
    span_hashes, term_hash = bm25._span_hashes, bm25._term_hash
    monkeypatch.setattr(bm25, "_span_hashes", lambda *args: span_hashes(*args) & np.uint64(0xFFFFF))
    monkeypatch.setattr(bm25, "_term_hash", lambda data: term_hash(data) & 0xFFFFF)
    docs = _corpus(seed=71, n=400)
    assert len({term_hash(t.encode()) & 0xFFFFF for doc in docs for t in doc}) == len({t for doc in docs for t in doc})
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs))
    reference = BM25Okapi(docs)
    for query in (["t0", "t3"], ["t11", "t40", "t7"], ["t150"]):
        np.testing.assert_allclose(_dense(index, query, len(docs)), reference.get_scores(query), rtol=1e-5, atol=1e-6)


def test_batch_with_repeated_terms_scores_like_rank_bm25() -> None:
    docs = [["a", "a", "b"], ["b"] * 300, ["c", "a", "c", "c"], ["a"], []]
    index = Bm25Index(Bm25Params(variant="okapi", k1=1.5))
    index.add_many(enumerate(docs))
    reference = BM25Okapi(docs)
    for query in (["a"], ["b"], ["c", "a"]):
        np.testing.assert_allclose(_dense(index, query, len(docs)), reference.get_scores(query), rtol=1e-5, atol=1e-6)


def test_weighted_passage_in_a_batch_scores_as_when_added_alone() -> None:
    items = [(0, ["a", "a", "b"]), (1, {"c": 3.0, "a": 0.5}), (2, ["c", "b"])]
    batch = Bm25Index()
    batch.add_many(items)
    single = Bm25Index()
    for passage_id, terms in items:
        single.add(passage_id, terms)
    for query in (["a"], ["b"], ["c", "a"]):
        assert batch.search(query, 3) == single.search(query, 3) != []


def test_term_hash_is_the_same_for_a_batch_a_query_and_the_next_release() -> None:
    from index.bm25 import _term_hash, _term_hashes

    terms = ["", "a", "xã", "xa_hoi", "12345678", "123456789", "chuyển_đổi_số_quốc_gia", "\ud800", "x" * 300]
    one_by_one = [_term_hash(t.encode("utf-8", "surrogatepass")) for t in terms]
    assert len(set(one_by_one)) == len(terms)
    assert _term_hashes(terms).tolist() == one_by_one  # the few-terms path
    assert _term_hashes(terms * 4).tolist() == one_by_one * 4  # the column path of batches
    # Saved vocabularies are these hashes: a change must bump FORMAT_VERSION so old caches are rebuilt.
    assert one_by_one[:3] == [0, 0x405337E338614E91, 0x10D1F81B374EB15B]


def test_batch_with_empty_passages_and_empty_terms_matches_single_additions() -> None:
    items = [(0, []), (1, [""]), (2, ["a", "", "a"]), (3, []), (4, ["b", "a"])]
    batch = Bm25Index()
    batch.add_many(items)
    single = Bm25Index()
    for passage_id, terms in items:
        single.add(passage_id, terms)
    assert len(batch) == len(single) == 5
    for query in ([""], ["a"], ["b", ""]):
        assert batch.search(query, 5) == single.search(query, 5) != []
    batch.add_many([(5, []), (6, [])])  # a batch of empty passages only
    assert len(batch) == 7
