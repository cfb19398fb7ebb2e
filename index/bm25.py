"""A BM25 index over sparse matrices that can grow and shrink while it serves.

rank-bm25 loops in Python over every document for every query term; bm25s is
fast but its index is frozen once built. Officials add and remove documents
all day, so this index keeps postings in scipy CSR segments (terms × slots,
one sealed segment per batch of additions, neighbours merged when they reach
a similar size), marks removals in a mask, and computes IDF and length
normalisation at query time from running counts. Adding a passage therefore
never touches another passage's terms.

Only the inverted direction is kept. A search reads its terms from the
rarest up and stops reading whole postings once the terms left cannot change
the top k (MaxScore, over per-segment saturation bounds); those terms are then
only looked up for the passages still in the running. Scores stay exact
(float64, summed in one fixed term order). Saved indexes are memory-mapped;
large segments, in memory and on disk, hold compressed postings
(index/postings.py, about 2.3 bytes a posting instead of 5).
Document frequencies count postings; while removed passages
still have postings, the few terms a query or the caller asks about are
recounted over live slots instead of keeping a second, forward copy of every
posting just to decrement counts on removal.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    # scipy costs a fifth of a cold start; only building and merging segments need it.
    import scipy.sparse as sp

from index import postings as packing
from index.postings import PackedPostings

# 2: postings stored per segment as terms × slots; the vocabulary as term hashes.
# 3: one memory-mapped .npy per array; per-segment saturation bounds for pruning.
# 4: postings compressed (index/postings.py): gaps in 1 or 2 bytes, counts in nibbles.
# 5: term hashes read 8 bytes at a time (_term_hash), not FNV-1a a byte at a time. Older
#    vocabularies cannot be rehashed without their terms: they are refused and rebuilt.
FORMAT_VERSION = 5
_READABLE_FORMATS = (5,)
# Segments are merged in tiers: once the newest _MERGE_FACTOR segments are all of
# one size class (a factor of _MERGE_FACTOR apart), they become one of the next
# class. Each posting is then copied about log_8 of the number of batches times
# (3 at a million passages, where pairwise merging copied it 9 times) and a
# growing index keeps at most _MERGE_FACTOR - 1 segments per class until
# merge_segments() joins them when idle.
_MERGE_FACTOR = 8
# Postings of the smallest size class: about one batch of a few thousand passages.
_MERGE_FLOOR = 1 << 19
# Removed passages keep their postings (and their slot) until their segment is
# merged; past this share of dead slots everything is merged to reclaim them.
_MAX_DEAD_SHARE = 0.25
# Term counts are stored in the narrowest of these that holds a segment's
# counts exactly: passages almost never repeat a term 256 times, so postings
# cost 4 bytes of slot and 1 of count; fractional counts fall back to float32.
_TF_DTYPES = (np.uint8, np.uint16)
# Bounds are summed in another order than scores: a relative slack absorbs the rounding.
_TOLERANCE = 1e-9
# Postings this short are read whole, all such query terms in one vectorised pass.
_SHORT_POSTINGS = 4096
# Postings per step when computing a new segment's saturation bounds.
_BOUND_CHUNK = 1 << 22
# add_many seals a segment every this many new passages, bounding its scratch memory.
_BATCH_PASSAGES = 4096
# Postings to read plus a quarter of the slots: below this, scoring everything beats pruning.
_DENSE_WORK = 1 << 16
# Below this many passages in the running, phase-two pruning is not worth its cost.
_PRUNE_AT = 512
# Bisecting postings for one passage costs about this many postings read in a pass.
_BISECT_COST = 16
# Terms in at least 1/_DENSE_ROW of a segment's slots get dense counts for lookups (_Segment.dense_counts).
_DENSE_ROW = 8
# Query terms whose ids, counts and bounds are kept between searches (until the index changes).
_TERM_CACHE = 1 << 16
# A merge with at least this many postings writes compressed postings (index/postings.py)
# straight from its inputs: big segments then cost ~2 bytes a posting in memory, not 5.
# Smaller ones stay plain: a packed segment also costs ~21 bytes per term of the whole
# vocabulary (1.2 million terms at a million passages), which only pays off when large.
_PACK_AT = 1 << 24

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


@dataclass(frozen=True, slots=True)
class _QueryTerm:
    """A query term as search reads it: its id, live passages, IDF, postings and saturation bound."""

    term_id: int
    df: int
    idf: float
    postings: int
    saturation: float  # the most ``tf / (tf + norm)`` reaches in any segment, with today's mean length


_UNSEEN = object()  # a term the query-term cache has not seen


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
    sharing a hash (odds about n²/2⁶⁵, 1 in 10⁷ at a million terms, for a
    well-mixed hash) would share postings.
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
        """Term id of each of the distinct, ascending ``hashes``, giving new terms the next free ids."""
        ids = self.lookup(hashes)
        new = ids < 0
        if new.any():
            fresh = hashes[new]
            fresh_ids = np.arange(len(self), len(self) + fresh.size, dtype=np.int64)
            ids[new] = fresh_ids
            at = np.searchsorted(self.hashes, fresh)
            self.hashes = np.insert(self.hashes, at, fresh)
            self.ids = np.insert(self.ids, at, fresh_ids)
        return ids


_SEED = 0x9E3779B97F4A7C15
_MIX1, _MIX2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53
_MASK64 = (1 << 64) - 1
# The low ``r`` bytes of a little-endian word, for r = 0..8.
_WORD_MASKS = np.array([(1 << (8 * r)) - 1 for r in range(8)] + [_MASK64], dtype=np.uint64)


@lru_cache(maxsize=1 << 16)
def _term_hash(data: bytes) -> int:
    """64-bit hash of a term's UTF-8, the same in every process (unlike ``hash``); see _span_hashes."""
    h = (len(data) * _SEED) & _MASK64
    for at in range(0, max(len(data), 1), 8):
        h ^= int.from_bytes(data[at : at + 8], "little")
        h ^= h >> 33
        h = (h * _MIX1) & _MASK64
        h ^= h >> 33
        h = (h * _MIX2) & _MASK64
        h ^= h >> 33
    return h


def _term_hashes(terms: Iterable[str]) -> np.ndarray:
    """The stable 64-bit hash of each term's UTF-8 (:func:`_term_hash`)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
    n = len(encoded)
    if n < 32:  # a query's few terms: cheaper one by one (and cached) than a column at a time
        return np.array([_term_hash(word) for word in encoded], dtype=np.uint64)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return _span_hashes(np.frombuffer(b"".join(encoded), dtype=np.uint8), starts, lengths)


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, in place: a bijection in which every input bit moves about half the output bits."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(_MIX1)
    h ^= h >> np.uint64(33)
    h *= np.uint64(_MIX2)
    h ^= h >> np.uint64(33)
    return h


def _span_hashes(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`_term_hash` of the byte spans ``data[start : start + length]``, 8 bytes of every span at a time.

    The hash starts from the span's length and mixes in each little-endian
    8-byte word (the last one zero-padded) with MurmurHash3's finalizer:
    terms of up to 8 bytes (most Vietnamese syllables) take one step, where
    FNV-1a took one numpy pass per byte. One term's words are a bijection of
    the state, so terms of one length and up to 8 bytes never share a hash.
    """
    n = starts.size
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    # Every byte offset read as an unaligned little-endian word (8 zero bytes of padding at the end).
    padded = np.zeros(data.size + 8, dtype=np.uint8)
    padded[: data.size] = data
    words = np.ndarray(shape=(data.size + 1,), dtype="<u8", buffer=padded, strides=(1,))
    hashes = lengths.astype(np.uint64) * np.uint64(_SEED)
    hashes ^= words[starts] & _WORD_MASKS[np.minimum(lengths, 8)]
    _fmix64(hashes)
    longer = np.flatnonzero(lengths > 8)
    column = 8
    while longer.size:
        left = lengths[longer] - column
        step = hashes[longer]
        step ^= words[starts[longer] + column] & _WORD_MASKS[np.minimum(left, 8)]
        hashes[longer] = _fmix64(step)
        longer = longer[left > 8]
        column += 8
    return hashes


class _Segment:
    """Postings of the slots ``[first_slot, first_slot + n_slots)``, one row per term.

    Rows cover the term ids that existed when the segment was sealed; a term
    first seen later has no postings here. Column ``j`` is slot ``first_slot + j``;
    within a row, columns ascend (lookups bisect them).

    ``max_saturation[t]`` bounds ``tf / (tf + norm)`` over term ``t``'s postings
    here, computed with the mean passage length ``ref_avgdl`` of the moment the
    segment was made. As the mean moves, ``norm`` scales by at most
    ``avgdl / ref_avgdl``, and so does the bound (see :meth:`saturation_bound`):
    search uses it to skip terms that cannot change the top k.
    """

    __slots__ = (
        "first_slot", "postings", "packed", "max_saturation", "ref_avgdl", "indptr", "indices", "data",
        "n_terms", "n_slots", "_dense", "_dense_bytes",
    )

    def __init__(
        self,
        first_slot: int,
        postings: sp.csr_matrix | PackedPostings,
        max_saturation: np.ndarray,
        ref_avgdl: float,
    ) -> None:
        self.first_slot = first_slot
        self.postings = postings
        # Loaded segments are compressed (format 4); segments made in memory are plain CSR.
        self.packed: PackedPostings | None = postings if isinstance(postings, PackedPostings) else None
        self.max_saturation = max_saturation
        self.ref_avgdl = ref_avgdl
        # Read on every query: plain attributes, not scipy's properties.
        self.indptr = postings.indptr
        self.indices = None if self.packed is not None else postings.indices
        self.data = None if self.packed is not None else postings.data
        self.n_terms, self.n_slots = int(postings.shape[0]), int(postings.shape[1])
        self._dense: dict[int, np.ndarray] = {}  # see dense_counts
        self._dense_bytes = 0

    @classmethod
    def make(cls, first_slot: int, postings: sp.csr_matrix, norms: np.ndarray, avgdl: float) -> _Segment:
        """A segment over ``postings`` whose slots have ``norms`` (computed with ``avgdl``)."""
        if not postings.has_sorted_indices:
            postings.sort_indices()
        indptr = postings.indptr
        bound = np.zeros(postings.shape[0], dtype=np.float32)
        # A few million postings at a time: float copies of a whole large segment would double its memory.
        row = 0
        while row < postings.shape[0]:
            end = int(np.searchsorted(indptr, indptr[row] + _BOUND_CHUNK, side="right")) - 1
            end = min(max(end, row + 1), postings.shape[0])
            lo, hi = int(indptr[row]), int(indptr[end])
            if hi > lo:
                tf = postings.data[lo:hi].astype(np.float32)
                saturation = tf / (tf + norms[postings.indices[lo:hi]])
                starts = indptr[row:end] - lo
                rows = np.flatnonzero(np.diff(indptr[row : end + 1]) > 0)
                bound[row + rows] = np.maximum.reduceat(saturation, starts[rows])
            row = end
        # float32 rounding must never make the bound smaller than a real value.
        bound = np.nextafter(bound, np.float32(np.inf), dtype=np.float32) * np.float32(1 + 1e-6)
        return cls(first_slot, postings, bound, avgdl)

    def saturation_bound(self, term_ids: np.ndarray, avgdl: float) -> np.ndarray:
        """Upper bound of ``tf / (tf + norm)`` for each term (0 where it has no postings here)."""
        scale = max(1.0, avgdl / self.ref_avgdl)
        if term_ids.size and term_ids.max() < self.n_terms:
            return self.max_saturation[term_ids] * scale
        inside = term_ids < self.n_terms
        out = np.zeros(term_ids.size, dtype=np.float64)
        out[inside] = self.max_saturation[term_ids[inside]] * scale
        return out

    @property
    def end_slot(self) -> int:
        return self.first_slot + self.n_slots

    @property
    def nnz(self) -> int:
        return int(self.postings.nnz)

    def term_counts(self) -> np.ndarray:
        """Postings per term (live or not), indexed by term id."""
        return np.diff(self.indptr)

    def row(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(local columns, term counts) of one term, empty when the segment predates it."""
        if term_id >= self.n_terms:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.uint8)
        if self.packed is not None:
            return self.packed.row(term_id)
        a, b = self.indptr[term_id], self.indptr[term_id + 1]
        return self.indices[a:b], self.data[a:b]

    def dense_counts(self, term_id: int) -> np.ndarray | None:
        """The term's count at every local slot (0 where absent), for terms in at least 1/_DENSE_ROW of them.

        Search looks frequent terms up for a few hundred passages: one read
        of this array per passage instead of bisecting tens of thousands of
        postings (a dozen cache misses each). It costs a byte a slot, so only
        frequent terms get one, kept within a byte per posting of the segment.
        None for other terms.
        """
        dense = self._dense.get(term_id)
        if dense is not None:
            return dense
        if term_id >= self.n_terms or int(self.indptr[term_id + 1] - self.indptr[term_id]) * _DENSE_ROW < self.n_slots:
            return None
        local, tf = self.row(term_id)
        dense = np.zeros(self.n_slots, dtype=tf.dtype)
        dense[local] = tf
        if self._dense_bytes + dense.nbytes > self.nnz:
            self._dense, self._dense_bytes = {}, 0
        self._dense[term_id] = dense
        self._dense_bytes += dense.nbytes
        return dense

    def rows_between(self, row: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(postings per term, local slots, counts) of terms ``[row, stop)``, back to back."""
        if self.packed is not None:
            slots, counts = self.packed.decode_rows(row, stop)
            return np.diff(np.asarray(self.indptr[row : stop + 1], dtype=np.int64)), slots, counts
        lo, hi = int(self.indptr[row]), int(self.indptr[stop])
        return np.diff(self.indptr[row : stop + 1]).astype(np.int64), self.indices[lo:hi], self.data[lo:hi]

    def csr(self, columns: np.ndarray | None = None) -> sp.csr_matrix:
        """The postings as CSR, only the local ``columns`` (renumbered) if given; decodes packed ones."""
        if self.packed is not None:
            return self.packed.to_csr(columns)
        return self.postings if columns is None else self.postings[:, columns]

    def rows(self, term_ids: np.ndarray) -> sp.csr_matrix:
        """CSR of the given rows (term ids below ``n_terms``), in that order."""
        import scipy.sparse as sp

        if self.packed is None:
            return self.postings[term_ids]
        parts = [self.packed.row(int(t)) for t in term_ids]
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([p[0].size for p in parts], out=indptr[1:])
        indices = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=np.intp)
        data = np.concatenate([np.asarray(p[1]) for p in parts]) if parts else np.empty(0, dtype=np.uint8)
        return sp.csr_matrix((data, indices, indptr), shape=(len(parts), self.n_slots))



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
        # Additions not yet sealed, as term hashes: interned into the
        # vocabulary at sealing, once per batch.
        self._pending_hashes: list[np.ndarray] = []  # uint64 term hashes, passage after passage
        self._pending_tfs: list[np.ndarray | None] = []  # counts aligned with them, None for all 1 (repeats summed at sealing)
        self._pending_sizes: list[np.ndarray] = []  # entries per passage
        self._total_length = 0.0
        self._mean_idf_cache: float | None = None
        self._norm_cache: np.ndarray | None = None
        self._norm64_cache: np.ndarray | None = None
        self._live_df_cache: dict[int, int] = {}
        self._term_cache: dict[str, _QueryTerm | None] = {}
        # Search scratch: a score per slot, zeroed again after each query; the
        # lock keeps two threads' searches from sharing it.
        self._acc = np.zeros(0, dtype=np.float64)
        self._scratch_lock = threading.Lock()

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
        self._pending_hashes.append(_term_hashes(counts))
        self._pending_tfs.append(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        self._pending_sizes.append(np.array([len(counts)], dtype=np.int64))
        self._new_slot(passage_id, float(len(terms)))
        self._changed()

    def add_many(self, items: Iterable[tuple[int, Sequence[str]]]) -> None:
        """Index a batch and seal it (a few thousand passages per segment).

        Passages new to the index are hashed and counted together by C loops
        (one join, one encode, numpy over the bytes) instead of one Python
        step per term; re-added ids and mappings of term weights take :meth:`add`.
        """
        ids: list[int] = []
        flat: list[str] = []
        sizes: list[int] = []
        batch: set[int] = set()
        for passage_id, terms in items:
            if isinstance(terms, Mapping) or passage_id in self._slot_of or passage_id in batch:
                self._add_new(ids, flat, sizes)
                ids, flat, sizes, batch = [], [], [], set()
                self.add(passage_id, terms)
                continue
            ids.append(passage_id)
            batch.add(passage_id)
            flat.extend(terms)
            sizes.append(len(terms))
            if len(ids) >= _BATCH_PASSAGES:  # bounded memory for any batch size
                self._add_new(ids, flat, sizes)
                ids, flat, sizes, batch = [], [], [], set()
                self._seal()
        self._add_new(ids, flat, sizes)
        self._seal()

    def _add_new(self, passage_ids: list[int], flat: list[str], sizes: list[int]) -> None:
        """Pend passages not in the index, given as their terms back to back.

        Numbering a batch's terms with a dict first, to hash only distinct
        ones, was slower: a dict probe per term is a cache miss, where
        hashing every term's bytes streams through memory.
        """
        if not passage_ids:
            return
        joined = "\x00".join(flat)
        if joined.count("\x00") != len(flat) - 1:  # a term holding NUL: count term by term instead
            at = 0
            for passage_id, size in zip(passage_ids, sizes):
                self.add(passage_id, flat[at : at + size])
                at += size
            return
        data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        del joined
        ends = np.append(np.flatnonzero(data == 0), data.size)
        starts = np.concatenate(([0], ends[:-1] + 1))
        hashes = _span_hashes(data, starts, ends - starts)
        del data, starts, ends
        n = len(passage_ids)
        lengths = np.array(sizes, dtype=np.int64)
        # Every occurrence pends with a count of one; sealing sums repeats into term counts.
        self._pending_hashes.append(hashes)
        self._pending_tfs.append(None)
        self._pending_sizes.append(lengths)
        slot = self._n_slots
        self._grow_slots(slot + n)
        self._ids[slot : slot + n] = passage_ids
        self._lengths[slot : slot + n] = lengths
        self._alive[slot : slot + n] = True
        self._n_slots += n
        self._slot_of.update(zip(passage_ids, range(slot, slot + n)))
        self._total_length += float(lengths.sum())
        self._changed()

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
        """The ``k`` best passages, best first; ties broken by lower id.

        Scores are exact; the work is not. Terms are read from the rarest up.
        Once the terms left could not lift a passage they have not reached
        above the k-th best score so far (MaxScore), they are only looked up,
        by bisecting their postings, for the passages still in the running:
        the long postings of syllables like "cua" or "va" are then never read
        whole. Every passage's score is summed in float64 in that same order
        (rarest term first, then query position) however it was reached, so
        scores do not depend on how the index is split into segments.
        """
        if k <= 0:
            return []
        self._seal()
        if not self._slot_of:
            return []
        weights = dict(query) if isinstance(query, Mapping) else Counter(query)
        known = [(info, float(weight)) for info, weight in zip(self._query_terms(weights), weights.values()) if info and weight]
        if not known:
            return []
        k1_plus_1 = self.params.k1 + 1.0
        coefficients = [info.idf * weight * k1_plus_1 for info, weight in known]
        if not all(c > 0 for c in coefficients):
            return self._search_dense(query, k)
        order = sorted(range(len(known)), key=lambda i: known[i][0].df)  # rarest first, then query order
        with self._scratch_lock:
            slots, scores = self._top_candidates(
                np.array([known[i][0].term_id for i in order], dtype=np.int64),
                np.array([coefficients[i] for i in order]),
                [known[i][0].postings for i in order],
                [known[i][0].saturation * coefficients[i] for i in order],
                k,
            )
        if slots.size > k:  # keep everything tied with the k-th best: the id tie-break decides
            kth = np.partition(scores, slots.size - k)[slots.size - k]
            near = scores >= kth
            slots, scores = slots[near], scores[near]
        ids = self._ids[slots]
        best = np.lexsort((ids, -scores))[:k]
        return [Hit(passage_id, score) for passage_id, score in zip(ids[best].tolist(), scores[best].tolist())]

    def merge_segments(self) -> bool:
        """Merge every segment into one and drop removed passages' postings; False if already so.

        Searching reads each query term once per segment: a base grown by
        many small uploads answers faster after this. It copies every posting
        (seconds at a million passages), so call it when idle, under the same
        lock as other changes; a second call right after is free.
        """
        self._seal()
        if len(self._segments) <= 1 and self._n_slots == len(self._slot_of):
            return False
        self._merge(0)
        return True

    @property
    def segment_count(self) -> int:
        self._seal()
        return len(self._segments)

    def _query_terms(self, weights: Mapping[str, float]) -> list[_QueryTerm | None]:
        """What search needs to know of each term (None for terms no live passage has), kept until the index changes.

        Questions repeat their terms (Zipf): a dict hit here replaces hashing
        the term, bisecting the vocabulary and reading its counts and bounds
        from four large arrays, which after other work has flushed the CPU
        caches cost more than scoring a rare term's postings.
        """
        cache = self._term_cache
        # Read into a mapping of this search's own: another thread's search may clear the cache meanwhile.
        found = {term: cache.get(term, _UNSEEN) for term in weights}
        missing = [term for term, info in found.items() if info is _UNSEEN]
        if missing:
            if len(cache) + len(missing) > _TERM_CACHE:
                cache.clear()
            ids = self._vocab.lookup(_term_hashes(missing))
            known = ids >= 0
            df = np.zeros(ids.size, dtype=np.int64)
            df[known] = self._live_df(ids[known])
            postings = np.zeros(ids.size, dtype=np.int64)
            saturation = np.zeros(ids.size)
            avgdl = self._total_length / max(len(self._slot_of), 1) or 1.0
            for segment in self._segments:
                inside = known & (ids < segment.n_terms)
                at = ids[inside]
                postings[inside] += segment.indptr[at + 1] - segment.indptr[at]
                np.maximum(saturation, segment.saturation_bound(np.where(inside, ids, 0), avgdl) * inside, out=saturation)
            idf = self._idf_of(df.astype(np.float64))
            for term, term_id, count, idf_value, size, bound in zip(
                missing, ids.tolist(), df.tolist(), idf.tolist(), postings.tolist(), saturation.tolist()
            ):
                info = _QueryTerm(term_id, count, idf_value, size, bound) if term_id >= 0 and count > 0 else None
                found[term] = cache[term] = info
        return list(found.values())

    def _top_candidates(
        self, term_ids: np.ndarray, coefficients: np.ndarray, sizes: list[int], bounds: list[float], k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live slots that may be in the top k and their exact scores; terms come rarest first.

        ``sizes`` are the terms' postings, ``bounds`` the most each can add to
        a passage's score. Terms are read whole in the given order, the short
        postings (bigrams, rare syllables) together in one vectorised pass;
        before each long read, if the terms still unread could not lift an
        unreached passage to the k-th best score so far, reading stops and
        those terms are only looked up for the passages still in the running.

        At 100k passages a typical question reads a few thousand postings
        whole and looks up a few hundred passages in the rest: cache misses
        and numpy calls, not arithmetic on postings, are most of the cost, so
        each step below is one call over all the terms it concerns rather
        than one per term, and touches each scratch array as few times as it can.
        """
        if sum(sizes) + self._n_slots // 4 <= _DENSE_WORK:
            return self._score_all(term_ids, coefficients)
        # unread[i]: the most the terms from i on can add to any passage.
        unread = [0.0] * (len(bounds) + 1)
        for i in range(len(bounds) - 1, -1, -1):
            unread[i] = unread[i + 1] + bounds[i]
        n = term_ids.size
        short = next((i for i, size in enumerate(sizes) if size > _SHORT_POSTINGS), n)
        batches = ([(0, short)] if short else []) + [(i, i + 1) for i in range(short, n)]

        acc = self._buffers()
        read: list[np.ndarray] = []  # slots of the postings read whole, a batch at a time
        theta = 0.0
        done = 0
        try:
            for start, stop in batches:
                if done and read:
                    if len(read) > 1:
                        read[:] = [np.concatenate(read)]
                    theta = self._kth_best(read[0], done, k)
                    if unread[done] < theta * (1 - _TOLERANCE):
                        break
                slots = self._add_postings(term_ids[start:stop], coefficients[start:stop], acc)
                if slots.size:
                    read.append(slots)
                done = stop
            if not read:
                return np.empty(0, dtype=np.intp), np.empty(0)
            reached = read[0] if len(read) == 1 else np.concatenate(read)
            if done == n:
                theta = self._kth_best(reached, done, k)
                slots = _distinct(reached[acc[reached] >= theta])
                if self._n_slots != len(self._slot_of):
                    slots = _live(slots, self._alive)
                return slots, acc[slots]
            # MaxScore: the unread terms only where they can still matter, looked up
            # in ascending slot order.
            left = unread[done]
            slots = _distinct(reached[acc[reached] + left * (1 + _TOLERANCE) >= theta])
            if self._n_slots != len(self._slot_of):
                slots = _live(slots, self._alive)
            scores = acc[slots]
        finally:
            for part in read:
                acc[part] = 0
        norm = self._slot_norms64()[slots]
        last = n - 1
        for t in range(done, n):
            scores += self._contributions(int(term_ids[t]), float(coefficients[t]), slots, norm)
            left = unread[t + 1]
            # Pruning a few hundred passages costs more than looking them up.
            if slots.size > max(k, _PRUNE_AT) and t < last:
                theta = max(theta, float(np.partition(scores, slots.size - k)[slots.size - k]))
                running = scores + left * (1 + _TOLERANCE) >= theta
                slots, scores, norm = slots[running], scores[running], norm[running]
        return slots, scores

    def _score_all(self, term_ids: np.ndarray, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every posting of every term, summed in term order: cheaper than pruning on a small index."""
        acc = self._buffers()
        n = self._n_slots
        try:
            self._add_postings(term_ids, coefficients, acc)
            scores = acc[:n].copy()
        finally:
            acc[:n] = 0
        slots = np.flatnonzero((scores > 0) & self._alive[:n])
        return slots, scores[slots]

    def _add_postings(self, term_ids: np.ndarray, coefficients: np.ndarray, acc: np.ndarray) -> np.ndarray:
        """Add the terms' whole postings into ``acc``; returns the slots added to (repeated across terms).

        The terms' postings are joined, term after term, and added by one
        ``np.add.at``, which adds in index order: each passage still receives
        its terms in term order, so its score is the sum :meth:`_contributions`
        continues.
        """
        slot_parts: list[np.ndarray] = []
        count_parts: list[np.ndarray] = []
        sizes: list[int] = []
        weights: list[float] = []
        for t, c in zip(term_ids.tolist(), coefficients.tolist()):
            for segment in self._segments:
                local, tf = segment.row(t)
                if local.size:
                    first = segment.first_slot
                    slot_parts.append(np.add(local, first, dtype=np.intp) if first else local)
                    count_parts.append(tf)
                    sizes.append(local.size)
                    weights.append(c)
        if not slot_parts:
            return np.empty(0, dtype=np.intp)
        if len(slot_parts) == 1:
            # Index arrays of any other type are converted on every use: once, here.
            slots = slot_parts[0].astype(np.intp, copy=False)
            counts = count_parts[0].astype(np.float64)
            contribution = weights[0] * counts
        else:
            slots = np.concatenate(slot_parts, dtype=np.intp)
            counts = np.concatenate(count_parts, dtype=np.float64)
            contribution = np.repeat(weights, sizes) * counts
        contribution /= counts + self._slot_norms64()[slots]
        np.add.at(acc, slots, contribution)
        return slots

    def _kth_best(self, slots: np.ndarray, repeats: int, k: int) -> float:
        """The k-th best score in the scratch buffer among the live ``slots`` (0 if fewer than k).

        ``slots`` may name a passage up to ``repeats`` times (once per term
        read). The (k · repeats)-th best value, repeats counted, is no
        higher than the k-th best passage, so only the few entries at or
        above it need sorting to find that passage: no pass that marks
        every slot read.
        """
        if self._n_slots != len(self._slot_of):
            slots = _live(slots, self._alive)
        values = self._acc[slots]
        many = k * repeats
        if values.size > many:
            slots = slots[values >= np.partition(values, values.size - many)[values.size - many]]
        top = self._acc[_distinct(slots)]
        return float(np.partition(top, top.size - k)[top.size - k]) if top.size >= k else 0.0

    def _contributions(self, term_id: int, coefficient: float, slots: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """One term's score at ascending ``slots`` whose norms are ``norm`` (0 where absent).

        Computed as :meth:`_add_postings` does. Frequent terms: read their
        dense counts. Few slots against other long postings: bisect the
        postings for each slot. Many: mark the slots in the scratch buffer
        and read the postings once.
        """
        counts = np.zeros(slots.size)
        for segment in self._segments:
            if term_id >= segment.n_terms or segment.indptr[term_id + 1] == segment.indptr[term_id]:
                continue
            if segment.first_slot == 0 and segment.n_slots >= self._n_slots:
                lo, hi = 0, slots.size  # the one segment holds every slot
            else:
                lo, hi = np.searchsorted(slots, (segment.first_slot, segment.first_slot + segment.n_slots)).tolist()
            if lo == hi:
                continue
            dense = segment.dense_counts(term_id)
            if dense is not None:
                first = segment.first_slot
                counts[lo:hi] = dense[slots[lo:hi] - first if first else slots[lo:hi]]
                continue
            local, tf = segment.row(term_id)
            if (hi - lo) * _BISECT_COST > local.size:
                mark = self._buffers()  # all zeros between searches
                mark[slots[lo:hi]] = np.arange(lo + 1, hi + 1)
                position = mark[np.add(local, segment.first_slot, dtype=np.intp)]
                mark[slots[lo:hi]] = 0
                hit = np.flatnonzero(position)
                counts[position[hit].astype(np.intp) - 1] = tf[hit]
                continue
            inside = slots[lo:hi]
            wanted = (inside - segment.first_slot if segment.first_slot else inside).astype(local.dtype)
            at = local.searchsorted(wanted)
            np.minimum(at, local.size - 1, out=at)
            # Absent slots get a count of 0, so a contribution of exactly 0.
            counts[lo:hi] = np.where(local[at] == wanted, tf[at], 0)
        out = coefficient * counts
        out /= counts + norm
        return out

    def _buffers(self) -> np.ndarray:
        """A zeroed score per slot, reused across searches."""
        if self._acc.size < self._n_slots:
            self._acc = np.zeros(self._ids.size, dtype=np.float64)
        return self._acc

    def _search_dense(self, query: Mapping[str, float] | Sequence[str], k: int) -> list[Hit]:
        """Every slot scored at once: for queries with negative weights, which pruning cannot bound."""
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
        """Write the index to ``directory`` (one ``.npy`` file per array, then the manifest).

        Removed passages are left out. Files are written under temporary
        names and renamed, and the manifest goes last, so a crash mid-save
        leaves an index that :meth:`load` refuses rather than one that
        silently lies (and a process that has the old files mapped keeps
        reading the old, whole files).
        """
        self._seal()
        directory.mkdir(parents=True, exist_ok=True)
        manifest_path = directory / "manifest.json"
        manifest_path.unlink(missing_ok=True)
        for stale in ("vocabulary.txt", "postings.npz"):  # formats 1 and 2
            (directory / stale).unlink(missing_ok=True)
        n = self._n_slots
        alive = self._alive[:n]
        arrays: dict[str, np.ndarray] = {
            "ids": self._ids[:n][alive],
            "lengths": self._lengths[:n][alive],
            "term_hashes": self._vocab.hashes,
            "term_ids": self._vocab.ids.astype(np.int32),
        }
        written = set()

        def write(name: str, array: np.ndarray) -> None:
            partial = directory / f"{name}.{os.getpid()}.partial"
            with partial.open("wb") as handle:
                np.save(handle, np.ascontiguousarray(array))
            os.replace(partial, directory / f"{name}.npy")
            written.add(f"{name}.npy")

        for name, array in arrays.items():
            write(name, array)
        del arrays
        segments: list[dict[str, object]] = []
        for segment in self._segments:
            alive = self._alive[segment.first_slot : segment.end_slot]
            if not alive.any():
                continue
            if segment.packed is not None and alive.all():
                packed = segment.packed
            else:
                # One segment compressed at a time: its plain copy is let go before the next.
                packed = packing.encode(self._live_postings(segment))
            j = len(segments)
            for name, array in packed.arrays().items():
                write(f"seg{j}.{name}", array)
            # Dropping removed passages only lowers each term's maximum: the bound still holds.
            write(f"seg{j}.bound", segment.max_saturation)
            segments.append({"slots": packed.n_slots, "ref_avgdl": segment.ref_avgdl, "tf": packed.tf_layout})
            del packed
        for old in directory.glob("seg*.npy"):
            if old.name not in written:
                old.unlink()
        manifest = {
            "format": FORMAT_VERSION,
            "params": asdict(self.params),
            "passages": len(self),
            "terms": len(self._vocab),
            "segments": segments,
            "extra": dict(extra or {}),
        }
        partial = directory / f"manifest.{os.getpid()}.partial"
        partial.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, manifest_path)

    @classmethod
    def load(cls, directory: Path) -> tuple[Bm25Index, dict[str, object]]:
        """Read an index written by :meth:`save`; returns it and the manifest's extra.

        Postings and the vocabulary are memory-mapped, not read: opening a
        million-passage index costs building the id → slot table, and pages
        of postings come in as queries touch them.
        """
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        version = manifest.get("format")
        if version not in _READABLE_FORMATS:
            raise ValueError(f"unsupported index format {version!r}")
        index = cls(Bm25Params(**manifest["params"]))

        def mapped(name: str) -> np.ndarray:
            # A plain ndarray view of the map: np.memmap's subclass hooks cost microseconds per slice.
            return np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r"))

        index._vocab = _Vocabulary(mapped("term_hashes"), mapped("term_ids"))
        n_terms = len(index._vocab)
        if n_terms != manifest["terms"] or index._vocab.ids.size != n_terms:
            raise ValueError("index manifest does not match its vocabulary")
        index._grow_terms(n_terms)
        ids, lengths = np.load(directory / "ids.npy"), np.load(directory / "lengths.npy")
        n = int(ids.size)
        segments = manifest["segments"]
        if not isinstance(segments, list) or sum(int(seg["slots"]) for seg in segments) != n:
            raise ValueError("index manifest does not match its postings")
        first = 0
        for j, seg in enumerate(segments):
            width = int(seg["slots"])
            indptr = mapped(f"seg{j}.indptr")
            if indptr.size - 1 > n_terms:
                raise ValueError("index postings name terms missing from its vocabulary")
            postings = packing.from_arrays(lambda name, j=j: mapped(f"seg{j}.{name}"), width, str(seg["tf"]))
            bound = mapped(f"seg{j}.bound")
            if bound.size != indptr.size - 1:
                raise ValueError("index bounds do not match its postings")
            index._segments.append(_Segment(first, postings, bound, float(seg["ref_avgdl"])))
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
            rows = segment.rows(ids[inside] if not inside.all() else ids)
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

    def _slot_norms64(self) -> np.ndarray:
        """:meth:`_slot_norms` in float64, which search sums in."""
        if self._norm64_cache is None:
            k1, b = self.params.k1, self.params.b
            avgdl = self._total_length / len(self._slot_of)
            self._norm64_cache = k1 * (1.0 - b + b * self._lengths[: self._n_slots].astype(np.float64) / avgdl)
        return self._norm64_cache

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
                        local = segment.row(term_id)[0]
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
                df[: segment.n_terms] -= np.diff(segment.csr(dead).indptr)
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
        self._norm64_cache = None
        self._live_df_cache.clear()
        self._term_cache.clear()

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
            sizes = np.concatenate(self._pending_sizes)
            n_new = int(sizes.size)
            hashes = np.concatenate(self._pending_hashes)
            tfs = None
            if any(counts is not None for counts in self._pending_tfs):
                tfs = np.concatenate(
                    [np.ones(h.size) if c is None else c for h, c in zip(self._pending_hashes, self._pending_tfs)]
                )
            self._pending_hashes, self._pending_tfs, self._pending_sizes = [], [], []
            by_term = self._postings_of(hashes, tfs, sizes)
            del hashes, tfs
            n_terms = len(self._vocab)
            first = self._n_slots - n_new
            segment = _Segment.make(first, by_term, *self._norms_of(first, self._n_slots))
            del by_term
            self._grow_terms(n_terms)
            self._df[:n_terms] += segment.term_counts()
            self._segments.append(segment)
            self._merge_tiers()
        dead = self._n_slots - len(self._slot_of)
        if dead and dead > _MAX_DEAD_SHARE * self._n_slots:
            self._merge(0)

    def _postings_of(self, hashes: np.ndarray, tfs: np.ndarray | None, sizes: np.ndarray) -> sp.csr_matrix:
        """A batch's entries (term hashes, passage after passage; counts, None when all 1) as term rows.

        Entries are put in hash order by sorting, with the entry number packed
        into the low bits of each hash, one array of 64-bit keys (three times
        faster than an argsort of the hashes). Within a term the entries then
        stay in passage order, so each row's slots come out ascending and a
        term repeated in a passage sits side by side: repeats are summed and
        the rows laid out by term id in a few passes, with no second sort.
        New terms are interned into the vocabulary.
        """
        import scipy.sparse as sp

        n_new = int(sizes.size)
        order, ordered = _grouped_order(hashes)
        n = int(order.size)
        first_of_term = np.empty(n, dtype=bool)
        first_of_term[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first_of_term[1:])
        distinct = ordered[first_of_term]
        del ordered
        entry_slots = np.repeat(np.arange(n_new, dtype=np.int32), sizes)[order]
        # A posting starts at each new term and at each new slot within a term.
        starts = first_of_term.copy()
        np.not_equal(entry_slots[1:], entry_slots[:-1], out=starts[1:])
        starts |= first_of_term
        at = np.flatnonzero(starts)
        del starts
        slots = entry_slots[at]
        del entry_slots
        if tfs is None:
            counts = np.diff(np.append(at, n))
        else:
            counts = np.add.reduceat(tfs[order], at) if n else np.empty(0, dtype=np.float64)
        del order
        term_of_posting = np.cumsum(first_of_term[at]) - 1
        term_start = np.flatnonzero(first_of_term[at])  # each term's first posting, in hash order
        del at, first_of_term
        term_ids = self._vocab.intern(distinct)
        n_terms = len(self._vocab)
        df = np.zeros(n_terms, dtype=np.int64)
        df[term_ids] = np.diff(np.append(term_start, slots.size))
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        # Each term's postings moved, in order, from its place in hash order to its row.
        to = np.arange(slots.size, dtype=np.int64)
        to += (indptr[term_ids] - term_start)[term_of_posting]
        del term_of_posting
        indices = np.empty(slots.size, dtype=np.int32)
        indices[to] = slots
        compact = _compact_tfs(counts)
        data = np.empty_like(compact)
        data[to] = compact
        index_dtype = np.int32 if slots.size < np.iinfo(np.int32).max else np.int64
        postings = sp.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=(n_terms, n_new), copy=False)
        postings.has_sorted_indices = True
        return postings

    def _merge_tiers(self) -> None:
        """Merge the newest segments while _MERGE_FACTOR of them share the newest one's size class."""
        while len(self._segments) >= _MERGE_FACTOR:
            tier = _size_class(self._segments[-1].nnz)
            run = 0
            for segment in reversed(self._segments):
                if _size_class(segment.nnz) > tier:
                    break
                run += 1
            if run < _MERGE_FACTOR:
                return
            self._merge(len(self._segments) - run)

    def _live_postings(self, segment: _Segment) -> sp.csr_matrix:
        """A segment's postings without the columns of removed passages."""
        keep = self._alive[segment.first_slot : segment.end_slot]
        if keep.all():
            return segment.csr()
        return segment.csr(np.flatnonzero(keep))

    def _merge(self, start: int) -> None:
        """Merge ``segments[start:]`` into one, dropping removed passages and renumbering their slots."""
        merging = self._segments[start:]
        if not merging:
            return
        self._term_cache.clear()  # postings and bounds move to the merged segment
        first, end = merging[0].first_slot, self._n_slots
        n_terms = max(segment.n_terms for segment in merging)
        for segment in merging:
            self._df[: segment.n_terms] -= segment.term_counts()
        packed = None
        if n_terms and sum(segment.nnz for segment in merging) >= _PACK_AT:
            packed = self._merged_packed(merging, n_terms)
            del self._segments[start:], merging, segment
            if packed is not None:
                self._df[:n_terms] += packed.term_counts()
            blocks = []
        else:
            blocks = []
            for segment in merging:
                live = self._live_postings(segment)
                if live.shape[1]:
                    blocks.append(_widened(live, n_terms))
                del live
            del self._segments[start:], merging, segment
        merged = None
        if blocks:
            merged = _stack_columns(blocks) if len(blocks) > 1 else blocks[0]
            del blocks
            merged.data = _compact_tfs(merged.data)
            self._df[:n_terms] += np.diff(merged.indptr)
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
        if merged is not None:
            self._segments.append(_Segment.make(first, merged, *self._norms_of(first, first + merged.shape[1])))
        if packed is not None:
            self._segments.append(packed)

    def _merged_packed(self, merging: list[_Segment], n_terms: int) -> _Segment | None:
        """``merging`` as one compressed segment of their live slots (renumbered in order), None if none live.

        Works a few million postings at a time: each step decodes those terms'
        rows from every input, interleaves them by term, computes their
        saturation bounds and hands them to the encoder, so no plain copy of
        the whole merge exists at any moment.
        """
        sources: list[tuple[_Segment, np.ndarray | None, int]] = []
        width = 0
        lengths = []
        plain_dtypes = []
        nibbles = True
        for segment in merging:
            alive = self._alive[segment.first_slot : segment.end_slot]
            live = int(np.count_nonzero(alive))
            keep_map = None
            if live < alive.size:
                keep_map = np.cumsum(alive, dtype=np.int64) - 1
                keep_map[~alive] = -1
            sources.append((segment, keep_map, width))
            width += live
            lengths.append(self._lengths[segment.first_slot : segment.end_slot][alive])
            if segment.packed is not None:
                nibbles &= segment.packed.tf_layout == packing.NIBBLES
                plain_dtypes.append(segment.packed.counts_dtype)
            else:
                nibbles &= packing.nibble_counts(segment.data)
                plain_dtypes.append(segment.data.dtype)
        if width == 0:
            return None
        k1, b = self.params.k1, self.params.b
        avgdl = self._total_length / max(len(self._slot_of), 1) or 1.0
        norms = (k1 * (1.0 - b + b * np.concatenate(lengths).astype(np.float64) / avgdl)).astype(np.float32)
        del lengths
        counts_dtype = np.result_type(*plain_dtypes)
        encoder = packing.Encoder(
            width,
            None if nibbles else counts_dtype,
            max_terms=n_terms,
            max_postings=sum(segment.nnz for segment, _, _ in sources),
        )
        total = np.zeros(n_terms + 1, dtype=np.int64)  # postings per term over all inputs, for step sizes
        for segment, _, _ in sources:
            total[: segment.n_terms + 1] += segment.indptr
            total[segment.n_terms + 1 :] += int(segment.indptr[-1])
        bound = np.zeros(n_terms, dtype=np.float32)
        row = 0
        while row < n_terms:
            # A quarter million postings a step: the step's scratch (~100 bytes a posting) stays near 25 MB.
            end = int(np.searchsorted(total, total[row] + (1 << 18), side="right")) - 1
            end = min(max(end, row + 1), n_terms)
            parts = []
            out_df = np.zeros(end - row, dtype=np.int64)
            for segment, keep_map, column in sources:
                stop = min(end, segment.n_terms)
                if stop <= row:
                    continue
                df, slots, counts = segment.rows_between(row, stop)
                if keep_map is not None and slots.size:
                    new = keep_map[slots]
                    live_posting = new >= 0
                    owner = np.repeat(np.arange(stop - row), df)
                    df = np.bincount(owner[live_posting], minlength=stop - row).astype(np.int64)
                    slots, counts = new[live_posting], counts[live_posting]
                parts.append((df, slots, counts, column))
                out_df[: stop - row] += df
            starts = np.zeros(end - row, dtype=np.int64)
            np.cumsum(out_df[:-1], out=starts[1:])
            n = int(out_df.sum())
            out_slots = np.empty(n, dtype=np.int64)
            out_counts = np.empty(n, dtype=counts_dtype)
            cursor = starts.copy()
            for df, slots, counts, column in parts:
                if slots.size:
                    rows = np.repeat(np.arange(df.size), df)
                    within = np.zeros(df.size, dtype=np.int64)
                    np.cumsum(df[:-1], out=within[1:])
                    to = cursor[rows] + (np.arange(slots.size) - within[rows])
                    out_slots[to] = slots + column
                    out_counts[to] = counts
                cursor[: df.size] += df
            del parts
            if n:
                tf = out_counts.astype(np.float32)
                saturation = tf / (tf + norms[out_slots])
                nonempty = np.flatnonzero(out_df > 0)
                bound[row + nonempty] = np.maximum.reduceat(saturation, starts[nonempty])
            encoder.add_rows(out_df, out_slots, out_counts)
            row = end
        # As in _Segment.make: float32 rounding must never make the bound smaller than a real value.
        bound = np.nextafter(bound, np.float32(np.inf), dtype=np.float32) * np.float32(1 + 1e-6)
        return _Segment(sources[0][0].first_slot, encoder.finish(), bound, avgdl)

    def _norms_of(self, lo: int, hi: int) -> tuple[np.ndarray, float]:
        """``k1 · (1 - b + b · dl / avgdl)`` of slots ``[lo, hi)`` with today's mean length, and that mean."""
        k1, b = self.params.k1, self.params.b
        avgdl = self._total_length / max(len(self._slot_of), 1) or 1.0
        lengths = self._lengths[lo:hi].astype(np.float64)
        return (k1 * (1.0 - b + b * lengths / avgdl)).astype(np.float32), avgdl


def _size_class(nnz: int) -> int:
    """0 up to _MERGE_FLOOR postings, then one more per factor of _MERGE_FACTOR."""
    tier = 0
    while nnz > _MERGE_FLOOR * _MERGE_FACTOR**tier:
        tier += 1
    return tier


def _grouped_order(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.argsort(hashes, kind="stable")`` and the sorted hashes, by sorting packed keys.

    Each key is a hash with its low bits replaced by the entry's number, so
    one sort of 64-bit values (SIMD in numpy) orders entries by hash and
    equal hashes by entry. Two different hashes that agree above those bits
    (a few times in a million-passage build) can come out unsorted; that is
    checked, and such a batch takes the stable argsort instead.
    """
    n = int(hashes.size)
    bits = max((n - 1).bit_length(), 1)
    if bits > 32:
        order = np.argsort(hashes, kind="stable")
        return order, hashes[order]
    low = np.uint64((1 << bits) - 1)
    keys = hashes & ~low
    keys |= np.arange(n, dtype=np.uint64)
    keys.sort()
    keys &= low
    order = keys.astype(np.intp)
    del keys
    ordered = hashes[order]
    if n > 1 and bool((ordered[1:] < ordered[:-1]).any()):
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
    return order, ordered


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique, without its overhead on small arrays)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _live(slots: np.ndarray, alive: np.ndarray) -> np.ndarray:
    return slots[alive[slots]]


def _stack_columns(blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
    """``sp.hstack(blocks)`` for blocks with the same rows, emptying the list as it goes.

    scipy's hstack first concatenates every block's arrays, then writes the
    result: three copies of the postings at once (3 GB at a million
    passages). Here each block is written straight to its place, a few
    million postings at a time, and let go once written.
    """
    import scipy.sparse as sp

    n_rows = blocks[0].shape[0]
    counts = np.zeros(n_rows, dtype=np.int64)
    for block in blocks:
        counts += np.diff(block.indptr)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    nnz = int(indptr[-1])
    n_cols = sum(block.shape[1] for block in blocks)
    index_dtype = np.int32 if max(nnz, n_cols) < np.iinfo(np.int32).max else np.int64
    indices = np.empty(nnz, dtype=index_dtype)
    data = np.empty(nnz, dtype=np.result_type(*(block.data.dtype for block in blocks)))
    cursor = indptr[:-1].copy()  # where each row's next entries go
    column = 0
    while blocks:
        block = blocks.pop(0)
        rows_of = block.indptr
        row = 0
        while row < n_rows:
            end = int(np.searchsorted(rows_of, rows_of[row] + _BOUND_CHUNK, side="right")) - 1
            end = min(max(end, row + 1), n_rows)
            lo, hi = int(rows_of[row]), int(rows_of[end])
            if hi > lo:
                rows = np.repeat(np.arange(row, end), np.diff(rows_of[row : end + 1]))
                to = cursor[rows] + (np.arange(lo, hi) - rows_of[rows])
                indices[to] = block.indices[lo:hi] + column
                data[to] = block.data[lo:hi]
                del rows, to
            row = end
        cursor += np.diff(rows_of)
        column += block.shape[1]
        del block
    merged = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    merged.has_sorted_indices = True  # blocks in column order, each sorted
    return merged


def _widened(m: sp.csr_matrix, n_terms: int) -> sp.csr_matrix:
    """The postings with empty rows appended up to ``n_terms``."""
    import scipy.sparse as sp

    if m.shape[0] == n_terms:
        return m
    indptr = np.concatenate([m.indptr, np.full(n_terms - m.shape[0], m.indptr[-1], dtype=m.indptr.dtype)])
    return sp.csr_matrix((m.data, m.indices, indptr), shape=(n_terms, m.shape[1]))


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


class HeldIndex:
    """The questions answering asks an index held as ``self.index``.

    Shared by the live index (knowledge/documents/live_index.py) and the saved
    one a cold ``cdsbot ask`` reads (knowledge/answers/saved_base.py), so the
    two cannot drift apart on what an unseen term is worth.
    """

    index: Bm25Index

    def idf(self, term: str) -> float:
        return self.index.idf(term)

    def document_frequency(self, term: str) -> int:
        return self.index.document_frequency(term)

    def unknown_idf(self) -> float:
        """The IDF a term would have if one passage held it: what an unseen term is worth."""
        return math.log1p((len(self.index) + 0.5) / 0.5)

    def __len__(self) -> int:
        return len(self.index)
