"""Compressed postings: what a large or saved segment holds, about 2 bytes a posting instead of 5.

A segment's postings as a scipy CSR matrix cost a 4-byte slot and a 1-byte
term count each: 810 MB at a million passages, most of it slots. Here, per
term, slots are stored as gaps from the previous slot, in one byte (or two
for rare terms, whichever costs less for that term); a gap too large for its
width is stored as 0 and its value read from a shared 32-bit exception list.
Term counts are packed two to a byte; a count of 15 or more is stored as 15
and its value looked up in a short side list (one in millions of postings).

Everything decodes with a handful of numpy passes (a cast, a scatter of the
exceptions, a cumulative sum): about 2.5 ns a posting, which is why this
layout was chosen over bit-packing, which numpy cannot unpack cheaply. Rows
a search reads are decoded once and kept (least recently read dropped first),
within a budget of what the plain layout would have held: as the page cache
keeps the pages of a plain, memory-mapped index that queries touch. Search
then bisects them as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    # scipy costs a fifth of a cold start; only building and merging segments need it.
    import scipy.sparse as sp

# Rows at least this long are kept decoded once read. Even a short row costs ~15 µs to
# decode (a dozen numpy calls), a tenth of a query at 100k passages: all rows qualify.
CACHE_MIN_POSTINGS = 1
# What a kept row costs beyond its arrays (the tuple, two array headers, the dict entry).
_ENTRY_BYTES = 300
# Decoded rows kept per segment, in bytes per posting of the segment: at most what format 3
# kept mapped (a 4-byte slot and a 1-byte count), and less when queries touch fewer terms.
CACHE_BYTES_PER_POSTING = 5
# A count this large or larger is looked up in the side list.
_BIG_COUNT = 15
# Term rows encoded per step: bounds the scratch memory of encoding a large segment.
_ENCODE_CHUNK = 1 << 22
# Count storage when every count is a whole number 0..15: two to a byte.
NIBBLES = "nibbles"

ARRAYS = ("indptr", "offset", "wide", "narrow", "broad", "exceptions", "exception_start", "tf", "big_at", "big_count")


class PackedPostings:
    """Read-only postings of ``n_terms`` terms over ``n_slots`` local slots, in the layout above.

    Arrays (all may be memory-mapped):
    ``indptr`` (postings per term, as in CSR), ``offset`` (where a term's gaps
    start in its stream), ``wide`` (1 if its gaps are 16-bit), ``narrow`` and
    ``broad`` (the 8- and 16-bit gap streams), ``exceptions`` (gaps that did
    not fit, in posting order), ``exception_start`` (a term's first
    exception), ``tf`` (counts: nibbles, or the plain array when ``tf_layout``
    names its dtype), ``big_at`` and ``big_count`` (positions and values of
    counts too large for a nibble).
    """

    __slots__ = (*ARRAYS, "n_slots", "tf_layout", "_cache", "_cached_bytes", "_cache_budget", "_cache_lock")

    def __init__(self, arrays: dict[str, np.ndarray], n_slots: int, tf_layout: str) -> None:
        for name in ARRAYS:
            setattr(self, name, arrays[name])
        self.n_slots = n_slots
        self.tf_layout = tf_layout
        self._cache: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_bytes = 0
        self._cache_budget = CACHE_BYTES_PER_POSTING * self.nnz
        self._cache_lock = threading.Lock()

    @property
    def n_terms(self) -> int:
        return int(self.indptr.size) - 1

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_terms, self.n_slots

    @property
    def counts_dtype(self) -> np.dtype:
        """The dtype :meth:`row` returns counts in."""
        if self.tf_layout != NIBBLES:
            return self.tf.dtype
        return np.dtype(np.uint16 if self.big_at.size else np.uint8)

    def term_counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in ARRAYS}

    # ---------------------------------------------------------------- reading
    def row(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(ascending local slots, term counts) of one term; read-only when kept decoded."""
        kept = self._cache.get(term_id)  # a dict read needs no lock: hits stay cheap (7 a query)
        if kept is not None:
            if 2 * self._cached_bytes > self._cache_budget:  # recency only matters near the budget
                with self._cache_lock:
                    if term_id in self._cache:
                        self._cache.move_to_end(term_id)
            return kept
        a, b = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        if b - a < CACHE_MIN_POSTINGS:
            return self._decode(term_id, a, b)
        slots, counts = self._decode(term_id, a, b)
        slots = slots.astype(np.int32) if self.n_slots < 1 << 31 else slots
        slots.flags.writeable = False
        counts.flags.writeable = False
        size = slots.nbytes + counts.nbytes + _ENTRY_BYTES
        with self._cache_lock:
            if size <= self._cache_budget and term_id not in self._cache:
                self._cache[term_id] = (slots, counts)
                self._cached_bytes += size
                while self._cached_bytes > self._cache_budget:
                    _, (old_slots, old_counts) = self._cache.popitem(last=False)
                    self._cached_bytes -= old_slots.nbytes + old_counts.nbytes + _ENTRY_BYTES
        return slots, counts

    def _decode(self, term_id: int, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        if a == b:
            return np.empty(0, dtype=np.intp), self._counts_slice(0, 0)
        off = int(self.offset[term_id])
        gaps = (self.broad if self.wide[term_id] else self.narrow)[off : off + b - a]
        slots = gaps.astype(np.intp)
        escaped = np.flatnonzero(gaps == 0)
        if escaped.size:
            first = int(self.exception_start[term_id])
            slots[escaped] = self.exceptions[first : first + escaped.size]
        np.cumsum(slots, out=slots)
        slots -= 1
        return slots, self._counts_slice(a, b)

    def _counts_slice(self, a: int, b: int) -> np.ndarray:
        if self.tf_layout != NIBBLES:
            return np.asarray(self.tf[a:b])
        packed = self.tf[a >> 1 : (b + 1) >> 1]
        both = np.empty(packed.size * 2, dtype=np.uint8)
        np.bitwise_and(packed, 15, out=both[0::2])
        np.right_shift(packed, 4, out=both[1::2])
        counts = both[a & 1 : (a & 1) + b - a]
        if self.big_at.size:
            lo, hi = np.searchsorted(self.big_at, (a, b))
            if hi > lo:
                counts = counts.astype(self.big_count.dtype)
                counts[self.big_at[lo:hi] - a] = self.big_count[lo:hi]
        return counts

    def to_csr(self, columns: np.ndarray | None = None) -> sp.csr_matrix:
        """The postings as a CSR matrix, keeping only the local slots ``columns`` (renumbered) if given.

        Decoded a few million postings at a time, all terms of a step together.
        """
        import scipy.sparse as sp

        keep_map = None
        if columns is not None:
            keep_map = np.full(self.n_slots, -1, dtype=np.int64)
            keep_map[columns] = np.arange(columns.size)
        n_cols = self.n_slots if columns is None else int(columns.size)
        counts_dtype = self.counts_dtype
        indptr = np.asarray(self.indptr, dtype=np.int64)
        n_terms = self.n_terms
        kept = np.zeros(n_terms, dtype=np.int64)
        parts_i: list[np.ndarray] = []
        parts_d: list[np.ndarray] = []
        row = 0
        while row < n_terms:
            end = int(np.searchsorted(indptr, indptr[row] + _ENCODE_CHUNK, side="right")) - 1
            end = min(max(end, row + 1), n_terms)
            slots, counts = self.decode_rows(row, end)
            if keep_map is not None:
                new = keep_map[slots]
                live = new >= 0
                owner = np.repeat(np.arange(row, end), np.diff(indptr[row : end + 1]))
                kept[row:end] = np.bincount(owner[live] - row, minlength=end - row)
                slots, counts = new[live], counts[live]
            parts_i.append(slots.astype(np.int32))
            parts_d.append(np.asarray(counts, dtype=counts_dtype))
            row = end
        if keep_map is None:
            out_ptr = indptr.copy()
        else:
            out_ptr = np.zeros(n_terms + 1, dtype=np.int64)
            np.cumsum(kept, out=out_ptr[1:])
        indices = np.concatenate(parts_i) if parts_i else np.empty(0, dtype=np.int32)
        data = np.concatenate(parts_d) if parts_d else np.empty(0, dtype=counts_dtype)
        matrix = sp.csr_matrix((data, indices, out_ptr), shape=(n_terms, n_cols))
        matrix.has_sorted_indices = True
        return matrix

    def decode_rows(self, row: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Slots (int64) and counts of every posting of terms ``[row, end)``, term after term."""
        indptr = self.indptr
        lo, hi = int(indptr[row]), int(indptr[end])
        df = np.diff(np.asarray(indptr[row : end + 1], dtype=np.int64))
        wide = np.asarray(self.wide[row:end]).astype(bool)
        of_posting = np.repeat(wide, df)
        gaps = np.empty(hi - lo, dtype=np.int64)
        for mask, stream, flag in ((wide, self.broad, True), (~wide, self.narrow, False)):
            terms = np.flatnonzero(mask & (df > 0))
            if terms.size:
                start = int(self.offset[row + terms[0]])
                gaps[of_posting == flag] = stream[start : start + int(df[terms].sum())]
        escaped = np.flatnonzero(gaps == 0)
        if escaped.size:
            first_term = row + int(np.flatnonzero(df > 0)[0])
            first = int(self.exception_start[first_term])
            gaps[escaped] = self.exceptions[first : first + escaped.size]
        np.cumsum(gaps, out=gaps)
        heads = indptr[row:end] - lo
        before = np.where(heads > 0, gaps[np.maximum(heads - 1, 0)], 0)
        gaps -= np.repeat(before, df)
        gaps -= 1
        return gaps, self._counts_slice(lo, hi)


class _Stream:
    """An array written front to back, in pieces, into a buffer reserved for the most it can hold.

    It ends as a view of that buffer: pages never written are never
    resident, and no second copy is made at the end (joining the pieces of
    a million passages' gap stream doubled it for a moment: ~130 MB at the
    peak of a build).
    """

    def __init__(self, dtype: type, capacity: int) -> None:
        self._buffer = np.empty(capacity, dtype=dtype)
        self.size = 0

    def append(self, values: np.ndarray) -> None:
        n = int(values.size)
        self._buffer[self.size : self.size + n] = values
        self.size += n

    def finish(self) -> np.ndarray:
        return self._buffer[: self.size]


class Encoder:
    """Builds packed postings from rows appended in term order, a chunk at a time.

    Merging segments feeds it the merged rows of a few million postings at a
    time, so a large merge never holds a plain (5 bytes a posting) copy of
    its output.
    """

    def __init__(
        self,
        n_slots: int,
        counts_dtype: np.dtype | None,
        *,
        max_terms: int,
        max_postings: int,
    ) -> None:
        """``counts_dtype`` None: every count is a whole number 0..15, stored as nibbles.

        ``max_terms`` and ``max_postings`` bound what will be appended: the
        output is written in place (see :class:`_Stream`).
        """
        self.n_slots = n_slots
        self.counts_dtype = counts_dtype
        self._df = _Stream(np.int64, max_terms)
        self._wide = _Stream(np.uint8, max_terms)
        self._exception_start = _Stream(np.int64, max_terms)
        self._narrow = _Stream(np.uint8, max_postings)
        self._broad = _Stream(np.uint16, max_postings)
        self._exceptions = _Stream(np.uint32, max_postings)
        if counts_dtype is None:
            self._tf = _Stream(np.uint8, max_postings // 2 + 1)
        else:
            self._tf = _Stream(counts_dtype, max_postings)
        self._big_at: list[np.ndarray] = []
        self._big_count: list[np.ndarray] = []
        self._n_postings = 0
        self._odd: np.ndarray = np.empty(0, dtype=np.uint8)  # a count waiting for its nibble partner
        self._n_exceptions = 0

    def add_rows(self, df: np.ndarray, slots: np.ndarray, counts: np.ndarray) -> None:
        """Append rows: ``df[i]`` postings each, their ascending local ``slots`` and ``counts`` back to back."""
        df = np.asarray(df, dtype=np.int64)
        self._df.append(df)
        wide = np.zeros(df.size, dtype=np.uint8)
        exception_start = np.full(df.size, self._n_exceptions, dtype=np.int64)
        if slots.size == 0:
            self._wide.append(wide)
            self._exception_start.append(exception_start)
            return
        slots = np.asarray(slots, dtype=np.int64)
        starts = np.zeros(df.size, dtype=np.int64)
        np.cumsum(df[:-1], out=starts[1:])
        gaps = np.empty(slots.size, dtype=np.int64)
        gaps[1:] = slots[1:] - slots[:-1]
        nonempty = df > 0
        heads = starts[nonempty]
        gaps[heads] = slots[heads] + 1  # a term's first gap is from slot -1: never 0
        rows = np.flatnonzero(nonempty)
        big8 = np.add.reduceat(gaps >= 1 << 8, heads, dtype=np.int64)
        big16 = np.add.reduceat(gaps >= 1 << 16, heads, dtype=np.int64)
        # Per term, whichever width costs fewer bytes, exceptions (4 bytes each) included.
        wide[rows] = (2 * df[rows] + 4 * big16) < (df[rows] + 4 * big8)
        self._wide.append(wide)
        of_posting = np.repeat(wide.astype(bool), df)
        escaped = gaps >= np.where(of_posting, 1 << 16, 1 << 8)
        stored = np.where(escaped, 0, gaps)
        self._narrow.append(stored[~of_posting].astype(np.uint8))
        self._broad.append(stored[of_posting].astype(np.uint16))
        self._exceptions.append(gaps[escaped].astype(np.uint32))
        escaped_before = np.concatenate(([0], np.cumsum(escaped)))
        exception_start += escaped_before[starts]
        self._exception_start.append(exception_start)
        self._n_exceptions += int(escaped_before[-1])
        first_posting = self._n_postings
        self._n_postings += int(slots.size)
        if self.counts_dtype is not None:
            self._tf.append(np.asarray(counts, dtype=self.counts_dtype))
            return
        counts = np.asarray(counts)
        big = np.flatnonzero(counts >= _BIG_COUNT)
        if big.size:
            self._big_at.append(big + first_posting)
            self._big_count.append(counts[big].astype(np.uint16))
        small = np.concatenate((self._odd, np.minimum(counts, _BIG_COUNT).astype(np.uint8)))
        even = small.size & ~1
        self._tf.append((small[0:even:2] | (small[1:even:2] << 4)).astype(np.uint8))
        self._odd = small[even:]

    def finish(self) -> PackedPostings:
        df = self._df.finish()
        n_terms = int(df.size)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        wide = self._wide.finish()
        offset = np.zeros(n_terms, dtype=np.int64)
        is_wide = wide.astype(bool)
        for mask in (is_wide, ~is_wide):
            sizes = np.where(mask, df, 0)
            ends = np.cumsum(sizes)
            offset[mask] = (ends - sizes)[mask]
        del df
        if self.counts_dtype is None:
            if self._odd.size:
                self._tf.append(self._odd.astype(np.uint8))  # its partner nibble is 0
            layout = NIBBLES
        else:
            layout = str(np.dtype(self.counts_dtype))
        arrays = {
            "indptr": indptr,
            "offset": _narrowed(offset),
            "wide": wide,
            "narrow": self._narrow.finish(),
            "broad": self._broad.finish(),
            "exceptions": self._exceptions.finish(),
            "exception_start": _narrowed(self._exception_start.finish()),
            "tf": self._tf.finish(),
            "big_at": _joined(self._big_at, np.int64),
            "big_count": _joined(self._big_count, np.uint16),
        }
        return PackedPostings(arrays, self.n_slots, layout)


def nibble_counts(counts: np.ndarray) -> bool:
    """Whether these counts can be stored as nibbles (whole numbers up to 65535, the large ones aside)."""
    return counts.dtype.kind == "u" and (counts.size == 0 or int(counts.max()) <= 0xFFFF)


def encode(postings: sp.csr_matrix) -> PackedPostings:
    """Pack a CSR segment (rows are terms, sorted columns are local slots), a few million postings at a time."""
    if not postings.has_sorted_indices:
        postings.sort_indices()
    data = np.asarray(postings.data)
    encoder = Encoder(
        int(postings.shape[1]),
        None if nibble_counts(data) else data.dtype,
        max_terms=int(postings.shape[0]),
        max_postings=int(postings.nnz),
    )
    indptr = np.asarray(postings.indptr, dtype=np.int64)
    n_terms = int(postings.shape[0])
    row = 0
    while row < n_terms:
        end = int(np.searchsorted(indptr, indptr[row] + _ENCODE_CHUNK, side="right")) - 1
        end = min(max(end, row + 1), n_terms)
        lo, hi = int(indptr[row]), int(indptr[end])
        encoder.add_rows(np.diff(indptr[row : end + 1]), postings.indices[lo:hi], data[lo:hi])
        row = end
    if n_terms == 0:
        encoder.add_rows(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), data[:0])
    return encoder.finish()


def _narrowed(values: np.ndarray) -> np.ndarray:
    """Per-term positions as uint32 when they fit: 4 bytes a term saved on every packed segment."""
    if values.size == 0 or int(values.max()) < 1 << 32:
        return values.astype(np.uint32)
    return values


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The parts end to end; the list is emptied, so only one array's parts and its copy coexist."""
    out = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
    parts.clear()
    return out


def from_arrays(load: Callable[[str], np.ndarray], n_slots: int, tf_layout: str) -> PackedPostings:
    """Packed postings from arrays read (or mapped) by ``load(name)``."""
    return PackedPostings({name: load(name) for name in ARRAYS}, n_slots, tf_layout)
