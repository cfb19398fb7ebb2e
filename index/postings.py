"""Compressed postings: what a saved segment holds, about 2 bytes a posting instead of 5.

A segment's postings as a scipy CSR matrix cost a 4-byte slot and a 1-byte
term count each: 810 MB at a million passages, most of it slots. Here, per
term, slots are stored as gaps from the previous slot, in one byte (or two
for rare terms, whichever costs less for that term); a gap too large for its
width is stored as 0 and its value read from a shared 32-bit exception list.
Term counts are packed two to a byte (a count above 15 keeps the plain
array). Every 128 postings of a term start a block whose first slot and first
exception are kept, so a search looking up a few hundred passages in the
postings of "của" decodes the few blocks they fall in, not the whole list.

Everything decodes with a handful of numpy passes (a cast, a scatter of the
exceptions, a cumulative sum): about 2.5 ns a posting, which is why this
layout was chosen over bit-packing, which numpy cannot unpack cheaply.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

BLOCK = 128
# Term rows encoded per step: bounds the scratch memory of encoding a large segment.
_ENCODE_CHUNK = 1 << 22
# Count storage when every count is a whole number 0..15: two to a byte.
NIBBLES = "nibbles"

ARRAYS = ("indptr", "offset", "wide", "narrow", "broad", "exceptions", "block_first", "block_exception", "block_ptr", "tf")


class PackedPostings:
    """Read-only postings of ``n_terms`` terms over ``n_slots`` local slots, in the layout above.

    Arrays (all may be memory-mapped):
    ``indptr`` (postings per term, as in CSR), ``offset`` (where a term's gaps
    start in its stream), ``wide`` (1 if its gaps are 16-bit), ``narrow`` and
    ``broad`` (the 8- and 16-bit gap streams), ``exceptions`` (gaps that did
    not fit, in posting order), ``block_ptr`` (a term's first block),
    ``block_first`` and ``block_exception`` (a block's first slot and first
    exception), ``tf`` (counts: nibbles, or the plain array when
    ``tf_layout`` names its dtype).
    """

    __slots__ = (*ARRAYS, "n_slots", "tf_layout")

    def __init__(self, arrays: dict[str, np.ndarray], n_slots: int, tf_layout: str) -> None:
        for name in ARRAYS:
            setattr(self, name, arrays[name])
        self.n_slots = n_slots
        self.tf_layout = tf_layout

    @property
    def n_terms(self) -> int:
        return int(self.indptr.size) - 1

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_terms, self.n_slots

    def term_counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in ARRAYS}

    # ---------------------------------------------------------------- reading
    def row(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(ascending local slots as intp, term counts) of one term."""
        a, b = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        if a == b:
            return np.empty(0, dtype=np.intp), self._counts_slice(0, 0)
        off = int(self.offset[term_id])
        gaps = (self.broad if self.wide[term_id] else self.narrow)[off : off + b - a]
        slots = gaps.astype(np.intp)
        escaped = np.flatnonzero(gaps == 0)
        if escaped.size:
            first = int(self.block_exception[self.block_ptr[term_id]])
            slots[escaped] = self.exceptions[first : first + escaped.size]
        np.cumsum(slots, out=slots)
        slots -= 1
        return slots, self._counts_slice(a, b)

    def counts_at(self, term_id: int, wanted: np.ndarray) -> np.ndarray:
        """The term's count at each of the ascending local slots ``wanted`` (0 where absent).

        Decodes only the blocks the slots fall in, unless that is most of the list.
        """
        out = np.zeros(wanted.size, dtype=np.float64)
        a, b = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        if a == b or wanted.size == 0:
            return out
        p0, p1 = int(self.block_ptr[term_id]), int(self.block_ptr[term_id + 1])
        firsts = self.block_first[p0:p1]
        which = np.searchsorted(firsts, wanted, side="right") - 1
        inside = which >= 0
        if not inside.any():
            return out
        blocks = which[inside]
        keep = np.ones(blocks.size, dtype=bool)
        keep[1:] = blocks[1:] != blocks[:-1]
        blocks = blocks[keep]  # ascending, as ``wanted`` is
        if blocks.size * BLOCK * 2 >= b - a:
            slots, counts = self.row(term_id)
            positions = None
        else:
            slots, positions = self._decode_blocks(term_id, a, b, p0, blocks)
            counts = None
        at = np.searchsorted(slots, wanted)
        np.minimum(at, slots.size - 1, out=at)
        hit = np.flatnonzero(slots[at] == wanted)
        if hit.size:
            if positions is None:
                assert counts is not None
                out[hit] = counts[at[hit]]
            else:
                out[hit] = self._counts_at(positions[at[hit]])
        return out

    def _decode_blocks(
        self, term_id: int, a: int, b: int, p0: int, blocks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Slots of the term's ``blocks`` (ascending, local block numbers) and their posting positions."""
        starts = a + blocks * BLOCK
        lengths = np.minimum(starts + BLOCK, b) - starts
        total = int(lengths.sum())
        begin = np.zeros(blocks.size, dtype=np.intp)
        np.cumsum(lengths[:-1], out=begin[1:])
        of_block = np.repeat(np.arange(blocks.size), lengths)
        positions = np.arange(total) - begin[of_block] + starts[of_block]  # posting positions
        off = int(self.offset[term_id]) - a
        stream = self.broad if self.wide[term_id] else self.narrow
        gaps = stream[positions + off]
        values = gaps.astype(np.intp)
        escaped = gaps == 0
        if escaped.any():
            rank = np.cumsum(escaped)
            before = np.where(begin > 0, rank[begin - 1], 0)  # exceptions in earlier chosen blocks
            at = np.flatnonzero(escaped)
            blk = of_block[at]
            first = self.block_exception[p0 + blocks].astype(np.intp)
            values[at] = self.exceptions[first[blk] + rank[at] - 1 - before[blk]]
        np.cumsum(values, out=values)
        slots = values - values[begin][of_block] + self.block_first[p0 + blocks].astype(np.intp)[of_block]
        return slots, positions

    def _counts_slice(self, a: int, b: int) -> np.ndarray:
        if self.tf_layout != NIBBLES:
            return self.tf[a:b]
        packed = self.tf[a >> 1 : (b + 1) >> 1]
        both = np.empty(packed.size * 2, dtype=np.uint8)
        np.bitwise_and(packed, 15, out=both[0::2])
        np.right_shift(packed, 4, out=both[1::2])
        return both[a & 1 : (a & 1) + b - a]

    def _counts_at(self, positions: np.ndarray) -> np.ndarray:
        if self.tf_layout != NIBBLES:
            return self.tf[positions]
        return (self.tf[positions >> 1] >> ((positions & 1) << 2).astype(np.uint8)) & 15

    def to_csr(self, columns: np.ndarray | None = None) -> sp.csr_matrix:
        """The postings as a CSR matrix, keeping only the local slots ``columns`` (renumbered) if given.

        Decoded a few million postings at a time, all terms of a step together.
        """
        keep_map = None
        if columns is not None:
            keep_map = np.full(self.n_slots, -1, dtype=np.int64)
            keep_map[columns] = np.arange(columns.size)
        n_cols = self.n_slots if columns is None else int(columns.size)
        counts_dtype = np.uint8 if self.tf_layout == NIBBLES else self.tf.dtype
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
            first = int(self.block_exception[self.block_ptr[first_term]])
            gaps[escaped] = self.exceptions[first : first + escaped.size]
        np.cumsum(gaps, out=gaps)
        heads = indptr[row:end] - lo
        before = np.where(heads > 0, gaps[np.maximum(heads - 1, 0)], 0)
        gaps -= np.repeat(before, df)
        gaps -= 1
        return gaps, self._counts_slice(lo, hi)


class Encoder:
    """Builds packed postings from rows appended in term order, a chunk at a time.

    Merging segments feeds it the merged rows of a few million postings at a
    time, so a large merge never holds a plain (5 bytes a posting) copy of
    its output.
    """

    def __init__(self, n_slots: int, counts_dtype: np.dtype | None) -> None:
        """``counts_dtype`` None: every count is a whole number 0..15, stored as nibbles."""
        self.n_slots = n_slots
        self.counts_dtype = counts_dtype
        self._df: list[np.ndarray] = []
        self._wide: list[np.ndarray] = []
        self._narrow: list[np.ndarray] = []
        self._broad: list[np.ndarray] = []
        self._exceptions: list[np.ndarray] = []
        self._first: list[np.ndarray] = []
        self._block_exception: list[np.ndarray] = []
        self._tf: list[np.ndarray] = []
        self._odd: np.ndarray = np.empty(0, dtype=np.uint8)  # a count waiting for its nibble partner
        self._n_exceptions = 0

    def add_rows(self, df: np.ndarray, slots: np.ndarray, counts: np.ndarray) -> None:
        """Append rows: ``df[i]`` postings each, their ascending local ``slots`` and ``counts`` back to back."""
        df = np.asarray(df, dtype=np.int64)
        self._df.append(df)
        wide = np.zeros(df.size, dtype=np.uint8)
        self._wide.append(wide)
        if slots.size == 0:
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
        big8 = np.add.reduceat((gaps >= 1 << 8).astype(np.int64), heads)
        big16 = np.add.reduceat((gaps >= 1 << 16).astype(np.int64), heads)
        # Per term, whichever width costs fewer bytes, exceptions (4 bytes each) included.
        wide[rows] = (2 * df[rows] + 4 * big16) < (df[rows] + 4 * big8)
        of_posting = np.repeat(wide.astype(bool), df)
        escaped = gaps >= np.where(of_posting, 1 << 16, 1 << 8)
        stored = np.where(escaped, 0, gaps)
        self._narrow.append(stored[~of_posting].astype(np.uint8))
        self._broad.append(stored[of_posting].astype(np.uint16))
        self._exceptions.append(gaps[escaped].astype(np.uint32))
        within = np.arange(slots.size) - np.repeat(starts, df)
        block_head = np.flatnonzero(within % BLOCK == 0)
        before = np.concatenate(([0], np.cumsum(escaped)))[block_head] + self._n_exceptions
        self._first.append(slots[block_head].astype(np.uint32))
        self._block_exception.append(before.astype(np.uint32))
        self._n_exceptions += int(escaped.sum())
        if self.counts_dtype is not None:
            self._tf.append(np.asarray(counts, dtype=self.counts_dtype))
            return
        small = np.concatenate((self._odd, np.asarray(counts, dtype=np.uint8)))
        even = small.size & ~1
        self._tf.append((small[0:even:2] | (small[1:even:2] << 4)).astype(np.uint8))
        self._odd = small[even:]

    def finish(self) -> PackedPostings:
        df = _joined(self._df, np.int64)
        n_terms = int(df.size)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        n_blocks = (df + BLOCK - 1) // BLOCK
        block_ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(n_blocks, out=block_ptr[1:])
        wide = _joined(self._wide, np.uint8)
        offset = np.zeros(n_terms, dtype=np.int64)
        is_wide = wide.astype(bool)
        for mask in (is_wide, ~is_wide):
            sizes = np.where(mask, df, 0)
            ends = np.cumsum(sizes)
            offset[mask] = (ends - sizes)[mask]
        if self.counts_dtype is None:
            tail = [self._odd.astype(np.uint8)] if self._odd.size else []  # its partner nibble is 0
            tf = _joined(self._tf + tail, np.uint8)
            layout = NIBBLES
        else:
            tf = _joined(self._tf, self.counts_dtype)
            layout = str(np.dtype(self.counts_dtype))
        arrays = {
            "indptr": indptr,
            "offset": offset,
            "wide": wide,
            "narrow": _joined(self._narrow, np.uint8),
            "broad": _joined(self._broad, np.uint16),
            "exceptions": _joined(self._exceptions, np.uint32),
            "block_first": _joined(self._first, np.uint32),
            "block_exception": _joined(self._block_exception, np.uint32),
            "block_ptr": block_ptr,
            "tf": tf,
        }
        return PackedPostings(arrays, self.n_slots, layout)


def nibble_counts(counts: np.ndarray) -> bool:
    """Whether these counts can be stored as nibbles (whole numbers 0..15)."""
    return counts.dtype.kind == "u" and (counts.size == 0 or int(counts.max()) <= 15)


def encode(postings: sp.csr_matrix) -> PackedPostings:
    """Pack a CSR segment (rows are terms, sorted columns are local slots), a few million postings at a time."""
    if not postings.has_sorted_indices:
        postings.sort_indices()
    data = np.asarray(postings.data)
    encoder = Encoder(int(postings.shape[1]), None if nibble_counts(data) else data.dtype)
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


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def from_arrays(load: Callable[[str], np.ndarray], n_slots: int, tf_layout: str) -> PackedPostings:
    """Packed postings from arrays read (or mapped) by ``load(name)``."""
    return PackedPostings({name: load(name) for name in ARRAYS}, n_slots, tf_layout)
