"""A BM25 index over sparse matrices that can grow and shrink while it serves.

rank-bm25 loops in Python over every document for every query term; bm25s is
fast but its index is frozen once built. Officials add and remove documents
all day, so this index keeps postings in scipy CSR segments (one sealed
segment per batch of additions, merged when they pile up), marks removals in a
mask, and computes IDF and length normalisation at query time from running
counts. Adding a passage therefore never touches another passage's terms.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp

FORMAT_VERSION = 1
_MAX_SEGMENTS = 4

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


class _Segment:
    """Postings of a contiguous run of slots, stored both ways.

    ``forward`` (slots × terms) is what gets saved and what removal reads;
    ``inverted`` (terms × slots) is derived from it for scoring.
    """

    def __init__(self, first_slot: int, forward: sp.csr_matrix) -> None:
        self.first_slot = first_slot
        self.forward = forward
        self.inverted = forward.T.tocsr()

    @property
    def n_slots(self) -> int:
        return int(self.forward.shape[0])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        if term_id >= self.inverted.shape[0]:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.astype(np.float32)
        start, end = self.inverted.indptr[term_id], self.inverted.indptr[term_id + 1]
        slots = self.inverted.indices[start:end].astype(np.int64) + self.first_slot
        return slots, self.inverted.data[start:end]

    def term_ids(self, slot: int) -> np.ndarray:
        local = slot - self.first_slot
        start, end = self.forward.indptr[local], self.forward.indptr[local + 1]
        return self.forward.indices[start:end]


class Bm25Index:
    """Maps passage ids to bags of terms and ranks them for a query."""

    def __init__(self, params: Bm25Params | None = None) -> None:
        self.params = params or Bm25Params()
        self._vocab: dict[str, int] = {}
        self._df = np.zeros(1024, dtype=np.int64)
        self._ids = np.zeros(1024, dtype=np.int64)
        self._lengths = np.zeros(1024, dtype=np.float32)
        self._alive = np.zeros(1024, dtype=bool)
        self._n_slots = 0
        self._slot_of: dict[int, int] = {}
        self._segments: list[_Segment] = []
        self._pending: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._total_length = 0.0
        self._mean_idf_cache: float | None = None

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
        term_ids = np.fromiter((self._term_id(t) for t in counts), dtype=np.int32, count=len(counts))
        tfs = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        slot = self._new_slot(passage_id, float(len(terms)))
        order = np.argsort(term_ids)
        self._pending.append((slot, term_ids[order], tfs[order]))
        self._df[term_ids] += 1
        self._mean_idf_cache = None

    def add_many(self, items: Iterable[tuple[int, Sequence[str]]]) -> None:
        """Index a batch and seal it into one segment."""
        for passage_id, terms in items:
            self.add(passage_id, terms)
        self._seal()

    def remove(self, passage_id: int) -> bool:
        """Forget a passage; its postings stay in place but never score again."""
        slot = self._slot_of.pop(passage_id, None)
        if slot is None:
            return False
        self._seal()
        segment = self._segment_of(slot)
        self._df[segment.term_ids(slot)] -= 1
        self._alive[slot] = False
        self._total_length -= float(self._lengths[slot])
        self._mean_idf_cache = None
        return True

    # ---------------------------------------------------------------- search
    def idf(self, term: str) -> float:
        """IDF of a term now (0 for terms never seen)."""
        term_id = self._vocab.get(term)
        if term_id is None:
            return 0.0
        return float(self._idf_of(np.array([self._df[term_id]], dtype=np.float64))[0])

    def document_frequency(self, term: str) -> int:
        term_id = self._vocab.get(term)
        return 0 if term_id is None else int(self._df[term_id])

    def scores(self, query: Mapping[str, float] | Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Scores of every passage that matches at least one query term.

        ``query`` is either a list of terms (repeats count, as in rank-bm25)
        or a mapping of term → weight. Returns (passage_ids, scores).
        """
        self._seal()
        weights = Counter(query) if not isinstance(query, Mapping) else dict(query)
        n_docs = len(self._slot_of)
        if n_docs == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        avgdl = self._total_length / n_docs
        k1, b = self.params.k1, self.params.b
        all_slots: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        for term, weight in weights.items():
            term_id = self._vocab.get(term)
            if term_id is None or self._df[term_id] == 0 or weight == 0:
                continue
            idf = float(self._idf_of(np.array([self._df[term_id]], dtype=np.float64))[0]) * weight
            for segment in self._segments:
                slots, tfs = segment.postings(term_id)
                if slots.size == 0:
                    continue
                norm = k1 * (1.0 - b + b * self._lengths[slots] / avgdl)
                all_slots.append(slots)
                all_scores.append(idf * tfs * (k1 + 1.0) / (tfs + norm))
        if not all_slots:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        slots = np.concatenate(all_slots)
        partial = np.concatenate(all_scores).astype(np.float64)
        unique, inverse = np.unique(slots, return_inverse=True)
        summed = np.bincount(inverse, weights=partial)
        keep = self._alive[unique]
        return self._ids[unique[keep]], summed[keep]

    def search(self, query: Mapping[str, float] | Sequence[str], k: int = 10) -> list[Hit]:
        """The ``k`` best passages, best first; ties broken by lower id."""
        ids, scores = self.scores(query)
        if ids.size == 0 or k <= 0:
            return []
        if ids.size > k:
            top = np.argpartition(-scores, k - 1)[:k]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))
        return [Hit(int(ids[i]), float(scores[i])) for i in order]

    # ----------------------------------------------------------- persistence
    def save(self, directory: Path, extra: Mapping[str, object] | None = None) -> None:
        """Write the index to ``directory`` (arrays, vocabulary, manifest).

        The manifest is written last, so a crash mid-save leaves an index that
        :meth:`load` refuses rather than one that silently lies.
        """
        self._seal()
        self._compact()
        directory.mkdir(parents=True, exist_ok=True)
        manifest_path = directory / "manifest.json"
        manifest_path.unlink(missing_ok=True)
        forward = self._segments[0].forward if self._segments else sp.csr_matrix((0, 0), dtype=np.float32)
        n = self._n_slots
        np.savez(
            directory / "postings.npz",
            indptr=forward.indptr,
            indices=forward.indices,
            data=forward.data,
            ids=self._ids[:n],
            lengths=self._lengths[:n],
        )
        terms = sorted(self._vocab, key=self._vocab.__getitem__)
        (directory / "vocabulary.txt").write_text("\n".join(terms), encoding="utf-8")
        manifest = {
            "format": FORMAT_VERSION,
            "params": asdict(self.params),
            "passages": len(self),
            "terms": len(terms),
            "extra": dict(extra or {}),
        }
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> tuple[Bm25Index, dict[str, object]]:
        """Read an index written by :meth:`save`; returns it and the manifest's extra."""
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported index format {manifest.get('format')!r}")
        index = cls(Bm25Params(**manifest["params"]))
        terms = (directory / "vocabulary.txt").read_text(encoding="utf-8")
        vocab_list = terms.split("\n") if terms else []
        index._vocab = {t: i for i, t in enumerate(vocab_list)}
        with np.load(directory / "postings.npz") as arrays:
            ids, lengths = arrays["ids"], arrays["lengths"]
            n = int(ids.size)
            forward = sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n, max(len(vocab_list), 1))
            )
        index._grow_slots(n)
        index._ids[:n] = ids
        index._lengths[:n] = lengths
        index._alive[:n] = True
        index._n_slots = n
        index._slot_of = {int(pid): slot for slot, pid in enumerate(ids.tolist())}
        index._total_length = float(lengths.sum(dtype=np.float64))
        index._grow_terms(len(vocab_list))
        if n:
            index._df[: forward.shape[1]] = np.bincount(forward.indices, minlength=forward.shape[1])
            index._segments = [_Segment(0, forward)]
        if len(index._slot_of) != manifest["passages"]:
            raise ValueError("index manifest does not match its postings")
        return index, dict(manifest.get("extra", {}))

    # -------------------------------------------------------------- internals
    def _term_id(self, term: str) -> int:
        term_id = self._vocab.get(term)
        if term_id is None:
            term_id = len(self._vocab)
            self._vocab[term] = term_id
            self._grow_terms(term_id + 1)
        return term_id

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
        """Turn pending additions into a segment (and merge if there are many)."""
        if not self._pending:
            return
        first = self._pending[0][0]
        indptr = np.zeros(len(self._pending) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(t) for _, t, _ in self._pending])
        indices = np.concatenate([t for _, t, _ in self._pending]).astype(np.int32)
        data = np.concatenate([f for _, _, f in self._pending]).astype(np.float32)
        forward = sp.csr_matrix((data, indices, indptr), shape=(len(self._pending), len(self._vocab)))
        self._pending = []
        self._segments.append(_Segment(first, forward))
        if len(self._segments) > _MAX_SEGMENTS:
            self._compact()

    def _compact(self) -> None:
        """Merge all segments into one, dropping removed passages' postings."""
        if not self._segments:
            return
        width = len(self._vocab)
        blocks = [seg.forward for seg in self._segments]
        blocks = [sp.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)) for b in blocks]
        forward = sp.vstack(blocks, format="csr")
        alive = self._alive[: self._n_slots]
        if not alive.all():
            forward = forward[np.flatnonzero(alive)]
            self._ids[: alive.sum()] = self._ids[: self._n_slots][alive]
            self._lengths[: alive.sum()] = self._lengths[: self._n_slots][alive]
            self._n_slots = int(alive.sum())
            self._alive[: self._n_slots] = True
            self._alive[self._n_slots :] = False
            self._slot_of = {int(pid): slot for slot, pid in enumerate(self._ids[: self._n_slots].tolist())}
        self._segments = [_Segment(0, forward.astype(np.float32))] if self._n_slots else []

    def _segment_of(self, slot: int) -> _Segment:
        for segment in self._segments:
            if segment.first_slot <= slot < segment.first_slot + segment.n_slots:
                return segment
        raise KeyError(slot)

    def _idf_of(self, df: np.ndarray) -> np.ndarray:
        n = float(len(self._slot_of))
        if self.params.variant == "lucene":
            return np.log1p((n - df + 0.5) / (df + 0.5))
        raw = np.log(n - df + 0.5) - np.log(df + 0.5)
        return np.where(raw < 0, self.params.epsilon * self._mean_idf(), raw)

    def _mean_idf(self) -> float:
        """rank-bm25 floors negative IDFs at epsilon × the mean IDF of its vocabulary."""
        if self._mean_idf_cache is None:
            live = self._df[: len(self._vocab)]
            live = live[live > 0].astype(np.float64)
            n = float(len(self._slot_of))
            self._mean_idf_cache = (
                float(np.mean(np.log(n - live + 0.5) - np.log(live + 0.5))) if live.size else 0.0
            )
        return self._mean_idf_cache

