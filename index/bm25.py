"""A BM25 index over sparse matrices that can grow and shrink while it serves.

rank-bm25 loops in Python over every document for every query term; bm25s is
fast but its index is frozen once built. Officials add and remove documents
all day, so this index keeps postings in scipy CSR segments (terms × slots,
one sealed segment per batch of additions, neighbours merged when they reach
a similar size), marks removals in a mask, and computes IDF and length
normalisation at query time from running counts. Adding a passage therefore
never touches another passage's terms.

Only the inverted direction is kept: a query reads the rows of its terms, and
the C loop behind a sparse matrix–vector product sums them into one dense
score per slot. Document frequencies count postings; while removed passages
still have postings, the few terms a query or the caller asks about are
recounted over live slots instead of keeping a second, forward copy of every
posting just to decrement counts on removal.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp

# 2: postings stored per segment as terms × slots; the vocabulary as term hashes.
# 3: arrays in one raw file that is memory-mapped, not an .npz read in full.
FORMAT_VERSION = 3
# The arrays file starts with this, then the length of a JSON table of arrays.
_ARRAYS_MAGIC = b"CDSBM25\x00"
_ARRAYS_ALIGN = 64
# A new segment is merged into the one before it once it holds at least half
# as many postings, so sizes halve from the oldest segment on: a few segments
# to read per query, and each posting copied O(log n) times as the index grows.
_MERGE_RATIO = 2
# Removed passages keep their postings (and their slot) until their segment is
# merged; past this share of dead slots everything is merged to reclaim them.
_MAX_DEAD_SHARE = 0.25
# Term counts are stored in the narrowest of these that holds a segment's
# counts exactly: passages almost never repeat a term 256 times, so postings
# cost 4 bytes of slot and 1 of count; fractional counts fall back to float32.
_TF_DTYPES = (np.uint8, np.uint16)

Variant = Literal["lucene", "okapi"]


@dataclass(frozen=True)
class Bm25Params:
    """Ranking constants.

    ``lucene`` uses the non-negative IDF ``ln(1 + (N - df + 0.5) / (df + 0.5))``;
    ``okapi`` reproduces rank-bm25's ``BM25Okapi`` exactly (negative IDFs
    floored at ``epsilon`` times the mean IDF) so tests can compare scores.
    """

    k1: float = 1.2
    b: float = 0.75
    variant: Variant = "lucene"
    epsilon: float = 0.25


@dataclass(frozen=True)
class Hit:
    """One search result: the caller's id and its score."""

    passage_id: int
    score: float


class _Vocabulary:
    """Term ids looked up by a stable 64-bit hash of the term, not the term itself.

    Syllable bigrams make the vocabulary large (450 000 terms for 100 000
    synthetic passages); as a dict of Python strings that was ~60 MB plus the
    heap it fragmented, as two sorted arrays it is 16 bytes a term and loads
    instantly. The price: the index cannot list its terms, and two terms
    sharing a hash (odds about n²/2⁶⁵, 1 in 10⁷ at a million terms) would
    share postings.
    """

    def __init__(self, hashes: np.ndarray | None = None, ids: np.ndarray | None = None) -> None:
        self.hashes = np.empty(0, dtype=np.uint64) if hashes is None else hashes  # ascending
        self.ids = np.empty(0, dtype=np.int64) if ids is None else ids  # term id of each hash

    def __len__(self) -> int:
        return int(self.hashes.size)

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Term id of each hash, -1 for terms never seen."""
        if self.hashes.size == 0:
            return np.full(hashes.size, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.hashes, hashes), self.hashes.size - 1)
        return np.where(self.hashes[pos] == hashes, self.ids[pos], -1)

    def intern(self, hashes: np.ndarray) -> np.ndarray:
        """Term id of each hash, giving new terms the next free ids."""
        ids = self.lookup(hashes)
        new = ids < 0
        if new.any():
            fresh, inverse = np.unique(hashes[new], return_inverse=True)
            fresh_ids = np.arange(len(self), len(self) + fresh.size, dtype=np.int64)
            ids[new] = fresh_ids[inverse]
            at = np.searchsorted(self.hashes, fresh)
            self.hashes = np.insert(self.hashes, at, fresh)
            self.ids = np.insert(self.ids, at, fresh_ids)
        return ids


def _term_hashes(terms: Iterable[str]) -> np.ndarray:
    """blake2b-64 of each term's UTF-8, the same in every process (unlike ``hash``)."""
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest() for t in terms])
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


class _Segment:
    """Postings of the slots ``[first_slot, first_slot + n_slots)``, one row per term.

    Rows cover the term ids that existed when the segment was sealed; a term
    first seen later has no postings here. Column ``j`` is slot ``first_slot + j``.
    """

    __slots__ = ("first_slot", "postings")

    def __init__(self, first_slot: int, postings: sp.csr_matrix) -> None:
        self.first_slot = first_slot
        self.postings = postings

    @property
    def n_slots(self) -> int:
        return int(self.postings.shape[1])

    @property
    def n_terms(self) -> int:
        return int(self.postings.shape[0])

    @property
    def end_slot(self) -> int:
        return self.first_slot + self.n_slots

    @property
    def nnz(self) -> int:
        return int(self.postings.nnz)

    def term_counts(self) -> np.ndarray:
        """Postings per term (live or not), indexed by term id."""
        return np.diff(self.postings.indptr)

    def widened(self, n_terms: int) -> sp.csr_matrix:
        """The postings with empty rows appended up to ``n_terms``."""
        m = self.postings
        if m.shape[0] == n_terms:
            return m
        indptr = np.concatenate([m.indptr, np.full(n_terms - m.shape[0], m.indptr[-1], dtype=m.indptr.dtype)])
        return sp.csr_matrix((m.data, m.indices, indptr), shape=(n_terms, m.shape[1]))


class Bm25Index:
    """Maps passage ids to bags of terms and ranks them for a query."""

    def __init__(self, params: Bm25Params | None = None) -> None:
        self.params = params or Bm25Params()
        self._vocab = _Vocabulary()
        # Postings per term across all segments, including removed passages'.
        self._df = np.zeros(1024, dtype=np.int64)
        self._ids = np.zeros(1024, dtype=np.int64)
        self._lengths = np.zeros(1024, dtype=np.float32)
        self._alive = np.zeros(1024, dtype=bool)
        self._n_slots = 0
        self._slot_of: dict[int, int] = {}
        self._segments: list[_Segment] = []
        # Additions not yet sealed. Terms are hashed into the vocabulary at
        # sealing, once per batch; until then each distinct term of the batch
        # gets a local number, and postings are flat arrays of local numbers
        # and counts, passage after passage (``_pending_sizes`` terms each).
        self._pending_distinct: dict[str, int] = {}
        self._pending_terms = array("q")
        self._pending_tfs = array("d")
        self._pending_sizes = array("q")
        self._total_length = 0.0
        self._mean_idf_cache: float | None = None
        self._norm_cache: np.ndarray | None = None
        self._live_df_cache: dict[int, int] = {}

    # ------------------------------------------------------------------ size
    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, passage_id: object) -> bool:
        return passage_id in self._slot_of

    def passage_ids(self) -> set[int]:
        return set(self._slot_of)

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    # --------------------------------------------------------------- updates
    def add(self, passage_id: int, terms: Sequence[str]) -> None:
        """Index one passage; re-adding an id replaces its terms."""
        if passage_id in self._slot_of:
            self.remove(passage_id)
        counts = Counter(terms)
        distinct = self._pending_distinct
        # setdefault evaluates len(distinct) before inserting: a new term gets the next number.
        self._pending_terms.extend([distinct.setdefault(term, len(distinct)) for term in counts])
        self._pending_tfs.extend(counts.values())
        self._pending_sizes.append(len(counts))
        self._new_slot(passage_id, float(len(terms)))
        self._changed()

    def add_many(self, items: Iterable[tuple[int, Sequence[str]]]) -> None:
        """Index a batch and seal it into one segment."""
        for passage_id, terms in items:
            self.add(passage_id, terms)
        self._seal()

    def remove(self, passage_id: int) -> bool:
        """Forget a passage; its postings stay in place but never score again."""
        if passage_id not in self._slot_of:
            return False
        self._seal()  # may renumber slots, so look the slot up afterwards
        slot = self._slot_of.pop(passage_id)
        self._alive[slot] = False
        self._total_length -= float(self._lengths[slot])
        self._changed()
        return True

    # ---------------------------------------------------------------- search
    def idf(self, term: str) -> float:
        """IDF of a term now (0 for terms never seen)."""
        self._seal()
        term_ids = self._vocab.lookup(_term_hashes([term]))
        if term_ids[0] < 0:
            return 0.0
        return float(self._idf_of(self._live_df(term_ids).astype(np.float64))[0])

    def document_frequency(self, term: str) -> int:
        self._seal()
        term_ids = self._vocab.lookup(_term_hashes([term]))
        return 0 if term_ids[0] < 0 else int(self._live_df(term_ids)[0])

    def scores(self, query: Mapping[str, float] | Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Scores of every passage that matches at least one query term.

        ``query`` is either a list of terms (repeats count, as in rank-bm25)
        or a mapping of term → weight. Returns (passage_ids, scores).
        """
        dense = self._dense_scores(query)
        if dense is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        scores, matched = dense
        slots = np.flatnonzero(scores > 0 if matched is None else matched)
        return self._ids[slots], scores[slots].astype(np.float64)

    def search(self, query: Mapping[str, float] | Sequence[str], k: int = 10) -> list[Hit]:
        """The ``k`` best passages, best first; ties broken by lower id."""
        if k <= 0:
            return []
        dense = self._dense_scores(query)
        if dense is None:
            return []
        scores, matched = dense
        if matched is None:
            candidates, candidate_scores = None, scores
        else:
            candidates = np.flatnonzero(matched)
            candidate_scores = scores[candidates]
        if candidate_scores.size > k:
            # Keep everything tied with the k-th best so the id tie-break is exact.
            kth = np.partition(candidate_scores, candidate_scores.size - k)[candidate_scores.size - k]
            chosen = np.flatnonzero(candidate_scores >= kth)
        else:
            chosen = np.arange(candidate_scores.size)
        if matched is None:
            chosen = chosen[candidate_scores[chosen] > 0]
        slots = chosen if candidates is None else candidates[chosen]
        ids, top_scores = self._ids[slots], scores[slots]
        order = np.lexsort((ids, -top_scores))[:k]
        return [Hit(int(ids[i]), float(top_scores[i])) for i in order]

    # ----------------------------------------------------------- persistence
    def save(self, directory: Path, extra: Mapping[str, object] | None = None) -> None:
        """Write the index to ``directory`` (one file of arrays, then the manifest).

        Removed passages are left out. The manifest is written last, so a
        crash mid-save leaves an index that :meth:`load` refuses rather than
        one that silently lies.
        """
        self._seal()
        directory.mkdir(parents=True, exist_ok=True)
        manifest_path = directory / "manifest.json"
        manifest_path.unlink(missing_ok=True)
        (directory / "vocabulary.txt").unlink(missing_ok=True)  # format 1 kept the terms there
        (directory / "postings.npz").unlink(missing_ok=True)  # format 2 kept the arrays there
        n = self._n_slots
        alive = self._alive[:n]
        arrays: dict[str, np.ndarray] = {
            "ids": self._ids[:n][alive],
            "lengths": self._lengths[:n][alive],
            "term_hashes": self._vocab.hashes,
            "term_ids": self._vocab.ids,
        }
        segment_slots: list[int] = []
        for segment in self._segments:
            postings = self._live_postings(segment)
            if postings.shape[1]:
                j = len(segment_slots)
                arrays[f"indptr{j}"], arrays[f"indices{j}"], arrays[f"data{j}"] = (
                    postings.indptr,
                    postings.indices,
                    postings.data,
                )
                segment_slots.append(postings.shape[1])
        arrays["segment_slots"] = np.array(segment_slots, dtype=np.int64)
        # Written aside and renamed: another process saving at the same time
        # never leaves a half-written file under the real name. The manifest
        # names the arrays file it goes with, so a manifest and an arrays file
        # from two different saves are never read together.
        generation = uuid.uuid4().hex
        partial_postings = directory / f"postings.{os.getpid()}.partial"
        _write_arrays(partial_postings, arrays, generation)
        os.replace(partial_postings, directory / "postings.bin")
        del arrays
        manifest = {
            "format": FORMAT_VERSION,
            "postings": generation,
            "params": asdict(self.params),
            "passages": len(self),
            "terms": len(self._vocab),
            "segments": len(segment_slots),
            "extra": dict(extra or {}),
        }
        partial = directory / f"manifest.{os.getpid()}.partial"
        partial.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, manifest_path)

    @classmethod
    def load(cls, directory: Path) -> tuple[Bm25Index, dict[str, object]]:
        """Read an index written by :meth:`save`; returns it and the manifest's extra."""
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported index format {manifest.get('format')!r}")
        index = cls(Bm25Params(**manifest["params"]))
        arrays = _read_arrays(directory / "postings.bin", manifest.get("postings"))
        index._vocab = _Vocabulary(arrays["term_hashes"].astype(np.uint64), arrays["term_ids"].astype(np.int64))
        n_terms = len(index._vocab)
        if n_terms != manifest["terms"] or index._vocab.ids.size != n_terms:
            raise ValueError("index manifest does not match its vocabulary")
        index._grow_terms(n_terms)
        ids, lengths = arrays["ids"], arrays["lengths"]
        n = int(ids.size)
        segment_slots = arrays["segment_slots"]
        if len(segment_slots) != manifest["segments"] or int(segment_slots.sum()) != n:
            raise ValueError("index manifest does not match its postings")
        first = 0
        for j, width in enumerate(segment_slots.tolist()):
            indptr = arrays[f"indptr{j}"]
            if indptr.size - 1 > n_terms:
                raise ValueError("index postings name terms missing from its vocabulary")
            postings = sp.csr_matrix(
                (arrays[f"data{j}"], arrays[f"indices{j}"], indptr), shape=(indptr.size - 1, width)
            )
            index._segments.append(_Segment(first, postings))
            index._df[: postings.shape[0]] += np.diff(indptr)
            first += width
        index._grow_slots(n)
        index._ids[:n] = ids
        index._lengths[:n] = lengths
        index._alive[:n] = True
        index._n_slots = n
        index._slot_of = dict(zip(ids.tolist(), range(n)))
        index._total_length = float(lengths.sum(dtype=np.float64))
        if len(index._slot_of) != manifest["passages"] or len(index._slot_of) != n:
            raise ValueError("index manifest does not match its postings")
        return index, dict(manifest.get("extra", {}))

    # --------------------------------------------------------------- scoring
    def _dense_scores(
        self, query: Mapping[str, float] | Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray | None] | None:
        """A score for every slot, and which live slots the query reached.

        The mask is None when every term's weight is positive: then a slot
        was reached exactly when its score is above zero (removed slots are
        zeroed), which saves a pass over the postings.
        """
        self._seal()
        n_docs = len(self._slot_of)
        if n_docs == 0:
            return None
        weights = dict(query) if isinstance(query, Mapping) else Counter(query)
        weights = {term: float(weight) for term, weight in weights.items() if weight != 0}
        if not weights:
            return None
        ids = self._vocab.lookup(_term_hashes(weights))
        term_weights = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        known = ids >= 0
        ids, term_weights = ids[known], term_weights[known]
        df = self._live_df(ids)
        present = df > 0
        ids, df, term_weights = ids[present], df[present], term_weights[present]
        if ids.size == 0:
            return None
        k1 = self.params.k1
        # tf·(k1+1)/(tf+norm): the (k1+1) and the IDF go into the row weights.
        row_weights = (self._idf_of(df.astype(np.float64)) * term_weights * (k1 + 1.0)).astype(np.float32)
        positive = bool((row_weights > 0).all())
        norm = self._slot_norms()
        scores = np.zeros(self._n_slots, dtype=np.float32)
        matched = None if positive else np.zeros(self._n_slots, dtype=bool)
        for segment in self._segments:
            inside = ids < segment.n_terms
            if not inside.any():
                continue
            rows = segment.postings[ids[inside] if not inside.all() else ids]
            if rows.nnz == 0:
                continue
            lo, hi = segment.first_slot, segment.end_slot
            tf = rows.data
            saturation = tf + norm[lo:hi][rows.indices]
            np.divide(tf, saturation, out=saturation)
            rows.data = saturation
            scores[lo:hi] += rows.T @ row_weights[inside]
            if matched is not None:
                matched[lo:hi][rows.indices] = True
        if n_docs < self._n_slots:
            dead = ~self._alive[: self._n_slots]
            if matched is None:
                scores[dead] = 0
            else:
                matched[dead] = False
        return scores, matched

    def _slot_norms(self) -> np.ndarray:
        """``k1 · (1 - b + b · dl / avgdl)`` per slot, kept until the corpus changes."""
        if self._norm_cache is None:
            k1, b = self.params.k1, self.params.b
            avgdl = self._total_length / len(self._slot_of)
            lengths = self._lengths[: self._n_slots].astype(np.float64)
            self._norm_cache = (k1 * (1.0 - b + b * lengths / avgdl)).astype(np.float32)
        return self._norm_cache

    def _live_df(self, term_ids: np.ndarray) -> np.ndarray:
        """Live passages containing each term; postings of removed ones are recounted away."""
        df = self._df[term_ids]
        if self._n_slots == len(self._slot_of):
            return df
        cache = self._live_df_cache
        for i, term_id in enumerate(term_ids.tolist()):
            if df[i] == 0:
                continue
            live = cache.get(term_id)
            if live is None:
                live = 0
                for segment in self._segments:
                    if term_id < segment.n_terms:
                        m = segment.postings
                        local = m.indices[m.indptr[term_id] : m.indptr[term_id + 1]]
                        live += int(np.count_nonzero(self._alive[segment.first_slot + local]))
                cache[term_id] = live
            df[i] = live
        return df

    def _all_live_df(self) -> np.ndarray:
        """Live document frequency of every term (one pass over removed slots' columns)."""
        df = self._df[: len(self._vocab)].copy()
        if self._n_slots == len(self._slot_of):
            return df
        for segment in self._segments:
            dead = np.flatnonzero(~self._alive[segment.first_slot : segment.end_slot])
            if dead.size:
                df[: segment.n_terms] -= np.diff(segment.postings[:, dead].indptr)
        return df

    def _idf_of(self, df: np.ndarray) -> np.ndarray:
        n = float(len(self._slot_of))
        if self.params.variant == "lucene":
            return np.log1p((n - df + 0.5) / (df + 0.5))
        raw = np.log(n - df + 0.5) - np.log(df + 0.5)
        return np.where(raw < 0, self.params.epsilon * self._mean_idf(), raw)

    def _mean_idf(self) -> float:
        """rank-bm25 floors negative IDFs at epsilon × the mean IDF of its vocabulary."""
        if self._mean_idf_cache is None:
            live = self._all_live_df()
            live = live[live > 0].astype(np.float64)
            n = float(len(self._slot_of))
            self._mean_idf_cache = (
                float(np.mean(np.log(n - live + 0.5) - np.log(live + 0.5))) if live.size else 0.0
            )
        return self._mean_idf_cache

    # -------------------------------------------------------------- internals
    def _changed(self) -> None:
        """The set of live passages changed: drop everything derived from it."""
        self._mean_idf_cache = None
        self._norm_cache = None
        self._live_df_cache.clear()

    def _grow_terms(self, needed: int) -> None:
        if needed > self._df.size:
            grown = np.zeros(max(needed, self._df.size * 2), dtype=np.int64)
            grown[: self._df.size] = self._df
            self._df = grown

    def _grow_slots(self, needed: int) -> None:
        if needed <= self._ids.size:
            return
        size = max(needed, self._ids.size * 2)
        for name, dtype in (("_ids", np.int64), ("_lengths", np.float32), ("_alive", bool)):
            old = getattr(self, name)
            grown = np.zeros(size, dtype=dtype)
            grown[: old.size] = old
            setattr(self, name, grown)

    def _new_slot(self, passage_id: int, length: float) -> int:
        slot = self._n_slots
        self._grow_slots(slot + 1)
        self._ids[slot] = passage_id
        self._lengths[slot] = length
        self._alive[slot] = True
        self._n_slots += 1
        self._slot_of[passage_id] = slot
        self._total_length += length
        return slot

    def _seal(self) -> None:
        """Turn pending additions into a segment, then merge where the policy says so."""
        if self._pending_sizes:
            n_new = len(self._pending_sizes)
            global_ids = self._vocab.intern(_term_hashes(self._pending_distinct)).astype(np.int32)
            term_ids = global_ids[np.frombuffer(self._pending_terms, dtype=np.int64)]
            n_terms = len(self._vocab)
            tfs = _compact_tfs(np.frombuffer(self._pending_tfs, dtype=np.float64))
            indptr = np.zeros(n_new + 1, dtype=np.int64)
            np.cumsum(np.frombuffer(self._pending_sizes, dtype=np.int64), out=indptr[1:])
            self._pending_distinct = {}
            self._pending_terms, self._pending_tfs, self._pending_sizes = array("q"), array("d"), array("q")
            del global_ids
            by_slot = sp.csr_matrix((tfs, term_ids, indptr), shape=(n_new, n_terms))
            del term_ids, tfs, indptr
            segment = _Segment(self._n_slots - n_new, by_slot.T.tocsr())
            del by_slot
            self._grow_terms(n_terms)
            self._df[:n_terms] += segment.term_counts()
            self._segments.append(segment)
            # Merge the run of newest segments that pairwise merging would
            # collapse, in one pass rather than one copy per pair.
            start, merged_nnz = len(self._segments) - 1, segment.nnz
            while start > 0 and merged_nnz * _MERGE_RATIO >= self._segments[start - 1].nnz:
                start -= 1
                merged_nnz += self._segments[start].nnz
            if start < len(self._segments) - 1:
                self._merge(start)
        dead = self._n_slots - len(self._slot_of)
        if dead and dead > _MAX_DEAD_SHARE * self._n_slots:
            self._merge(0)

    def _live_postings(self, segment: _Segment) -> sp.csr_matrix:
        """A segment's postings without the columns of removed passages."""
        keep = self._alive[segment.first_slot : segment.end_slot]
        if keep.all():
            return segment.postings
        return segment.postings[:, np.flatnonzero(keep)]

    def _merge(self, start: int) -> None:
        """Merge ``segments[start:]`` into one, dropping removed passages and renumbering their slots."""
        merging = self._segments[start:]
        if not merging:
            return
        first, end = merging[0].first_slot, self._n_slots
        n_terms = max(segment.n_terms for segment in merging)
        blocks = []
        for segment in merging:
            self._df[: segment.n_terms] -= segment.term_counts()
            live = _Segment(0, self._live_postings(segment))
            if live.n_slots:
                blocks.append(live.widened(n_terms))
        del self._segments[start:], merging, live
        if blocks:
            merged = sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
            del blocks
            merged.data = _compact_tfs(merged.data)
            self._df[:n_terms] += np.diff(merged.indptr)
            self._segments.append(_Segment(first, merged))
        keep = np.flatnonzero(self._alive[first:end])
        if keep.size < end - first:
            new_end = first + keep.size
            self._ids[first:new_end] = self._ids[first:end][keep]
            self._lengths[first:new_end] = self._lengths[first:end][keep]
            self._alive[first:new_end] = True
            self._alive[new_end:end] = False
            self._n_slots = new_end
            self._slot_of.update(zip(self._ids[first:new_end].tolist(), range(first, new_end)))
            self._changed()


def _write_arrays(path: Path, arrays: Mapping[str, np.ndarray], generation: str) -> None:
    """Arrays as raw little-endian bytes behind a JSON table of names, dtypes, shapes and offsets.

    Unlike an ``.npz`` (a zip read and checksummed in full on load), the file
    can be memory-mapped, so a cold start reads only the postings rows its
    question touches: at 100k passages that is most of the start-up saved.
    """
    table: dict[str, dict[str, object]] = {}
    offset = 0
    for name, values in arrays.items():
        values = np.ascontiguousarray(values)
        table[name] = {"dtype": values.dtype.newbyteorder("<").str, "shape": list(values.shape), "offset": offset}
        offset += -(-values.nbytes // _ARRAYS_ALIGN) * _ARRAYS_ALIGN
    header = json.dumps({"generation": generation, "arrays": table}).encode("utf-8")
    start = -(-(len(_ARRAYS_MAGIC) + 8 + len(header)) // _ARRAYS_ALIGN) * _ARRAYS_ALIGN
    with path.open("wb") as handle:
        handle.write(_ARRAYS_MAGIC + len(header).to_bytes(8, "little") + header)
        for name, values in arrays.items():
            handle.seek(start + int(table[name]["offset"]))  # type: ignore[call-overload]
            handle.write(np.ascontiguousarray(values, dtype=np.dtype(str(table[name]["dtype"]))).tobytes())
        handle.truncate(start + offset)


def _read_arrays(path: Path, generation: object) -> dict[str, np.ndarray]:
    """The arrays of a file written by :func:`_write_arrays`, memory-mapped copy-on-write.

    Copy-on-write: the index may change its arrays in memory; the file never
    changes under another process reading it.
    """
    with path.open("rb") as handle:
        head = handle.read(len(_ARRAYS_MAGIC) + 8)
        if len(head) < len(_ARRAYS_MAGIC) + 8 or not head.startswith(_ARRAYS_MAGIC):
            raise ValueError("index arrays file is not ours or is truncated")
        header_size = int.from_bytes(head[len(_ARRAYS_MAGIC) :], "little")
        header = json.loads(handle.read(header_size))
    if header.get("generation") != generation:
        raise ValueError("index arrays file belongs to another save than the manifest")
    start = -(-(len(_ARRAYS_MAGIC) + 8 + header_size) // _ARRAYS_ALIGN) * _ARRAYS_ALIGN
    raw = np.memmap(path, dtype=np.uint8, mode="c")
    arrays: dict[str, np.ndarray] = {}
    for name, spec in header["arrays"].items():
        dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
        begin = start + spec["offset"]
        end = begin + dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        if end > raw.size:
            raise ValueError("index arrays file is truncated")
        arrays[name] = raw[begin:end].view(dtype).reshape(shape)
    return arrays


def _compact_tfs(tfs: np.ndarray) -> np.ndarray:
    """Term counts in the narrowest dtype of ``_TF_DTYPES`` that holds them, else float32."""
    if tfs.dtype == _TF_DTYPES[0] or tfs.size == 0:
        return tfs.astype(_TF_DTYPES[0], copy=False)
    low, high = tfs.min(), tfs.max()
    whole = tfs.dtype.kind in "ui" or bool(np.all(tfs == np.floor(tfs)))
    if whole and low >= 0:
        for dtype in _TF_DTYPES:
            if high <= np.iinfo(dtype).max:
                return tfs.astype(dtype, copy=False)
    return tfs.astype(np.float32, copy=False)
