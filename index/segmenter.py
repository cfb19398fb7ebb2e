"""Word segmentation that gives exactly ``underthesea.word_tokenize``'s words, for a fraction of its CPU time.

underthesea 9.5 segments in two steps: a regex tokenizer in plain Python, then a
CRF (underthesea_core, Rust) that tags each token as beginning or continuing a
word. Measured on a real-shaped folder, the CRF is three quarters of the time,
and of that most is not arithmetic: the featurizer builds 43 feature strings per
token as Python objects (~100 per sentence word, ten million for a folder) and the
tagger hashes them back into the model's weights.

Every one of the 43 feature templates reads one span of one to three adjacent
tokens ("T[-1,0].lower", "T[0,2].is_in_dict"), so a position's score is a sum of
span scores, and spans repeat far more than sentences do. Here each distinct
span's score is computed once, from the feature strings underthesea_core's own
featurizer makes for that span (so no template is re-implemented), and kept; a
passage's scores are then sums of cached numbers and the best tag sequence is
found by the same Viterbi search over the model's weights, read from the
CRFsuite model file underthesea ships. The first and last two positions, whose
features name the sequence's ends ("BOS", "EOS"), are scored from the
featurizer's output for that end. The regex step is underthesea's own pattern;
only its per-token normalization is remembered per token.

Floating-point sums in another order can differ in the last bits, so a decision
closer than :data:`TIE_MARGIN` (scores here are tens; the reordering error is
~1e-13) is left to underthesea itself: the words are underthesea's, never an
approximation (tests/index/test_segmenter.py compares them on a fixed sample).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy

# A Viterbi choice closer than this is re-decided by underthesea (see the module doc).
TIE_MARGIN = 1e-6
# Cached span scores kept before a cache is emptied: about 270 bytes each, so the four caches stay
# under ~55 MB in a parse worker whose address space is limited (CDSBOT_PARSE_MEMORY_MB).
MAX_CACHED_SPANS = 50_000

_TEMPLATE_RE = re.compile(r"^T\[(-?\d+)(?:,(-?\d+))?\](.*)$")
_MODEL_DIR = "ws_crf_vlsp2013_20230727"


class CrfWeights:
    """The weights of a CRFsuite model file (the format underthesea_core reads): attributes and transitions.

    Layout (crfsuite ``crf1d_model.c``): a 48-byte header with the offsets of the
    feature list ("FEAT": type, source, destination, weight) and of the attribute
    names (a CQDB whose backward array maps an attribute id to its name).
    """

    def __init__(self, data: bytes) -> None:
        magic, _size, _kind, _version, _nf, n_labels, _na, off_features, off_labels, off_attrs = struct.unpack_from(
            "<4sI4sIIIIIII", data, 0
        )
        if magic != b"lCRF" or n_labels != 2:
            raise ValueError("not a two-label CRFsuite model")
        self.labels = _cqdb_names(data, off_labels)
        names = _cqdb_names(data, off_attrs)
        chunk, _chunk_size, count = struct.unpack_from("<4sII", data, off_features)
        if chunk != b"FEAT":
            raise ValueError("CRFsuite model without a feature chunk")
        # Per attribute name: (weight for label 0, weight for label 1).
        self.state: dict[str, tuple[float, float]] = {}
        self.transition = [[0.0, 0.0], [0.0, 0.0]]
        offset = off_features + 12
        for _ in range(count):
            kind, source, target, weight = struct.unpack_from("<IIId", data, offset)
            offset += 20
            if kind == 0:
                pair = self.state.get(names[source], (0.0, 0.0))
                self.state[names[source]] = (weight, pair[1]) if target == 0 else (pair[0], weight)
            else:
                self.transition[source][target] = weight
        # The same weights by template: "T[0,1].lower" -> {"hà nội": label 1's weight minus label 0's}.
        self.by_template: dict[str, dict[str, float]] = {}
        for feature, (zero, one) in self.state.items():
            template, _, value = feature.partition("=")
            self.by_template.setdefault(template, {})[value] = one - zero

    def score(self, features: Sequence[str]) -> float:
        """Label 1's state score minus label 0's, summed over ``features`` (unknown ones weigh nothing)."""
        total = 0.0
        state = self.state
        for feature in features:
            pair = state.get(feature)
            if pair is not None:
                total += pair[1] - pair[0]
        return total


def _cqdb_names(data: bytes, base: int) -> list[str]:
    chunk, _size, _flag, _order, count, off_backward = struct.unpack_from("<4sIIIII", data, base)
    if chunk != b"CQDB":
        raise ValueError("CRFsuite model without an attribute database")
    names = []
    for i in range(count):
        (record,) = struct.unpack_from("<I", data, base + off_backward + 4 * i)
        _id, length = struct.unpack_from("<II", data, base + record)
        start = base + record + 8
        names.append(data[start : start + length - 1].decode("utf-8"))  # the stored length counts a final NUL
    return names


class Segmenter:
    """``words(text)`` is ``underthesea.word_tokenize(text)``; built once per process (see :func:`load_segmenter`)."""

    def __init__(
        self,
        *,
        templates: Sequence[str],
        dictionary: set[str],
        weights: CrfWeights,
        featurizer_class: Any,
        regex_module: Any,
        normalize_text: Callable[[str], str],
        normalize_token: Callable[[str], str],
        reference: Callable[[str], list[str]],
    ) -> None:
        self._weights = weights
        self._featurizer = featurizer_class(list(templates), dictionary)
        self._regex = regex_module
        self._normalize_text = normalize_text
        self._normalize_token = normalize_token
        self._reference = reference
        self._continues = weights.labels.index("I-W")  # the label that joins a token to the word before it
        self._token_cache: dict[str, str] = {}
        # Templates by span: (first offset, last offset) -> [(attribute suffix, e.g. ".lower")].
        spans: dict[tuple[int, int], list[str]] = {}
        for template in templates:
            m = _TEMPLATE_RE.match(template)
            if m is None:
                raise ValueError(f"unknown feature template {template!r}")
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) is not None else first
            spans.setdefault((first, last), []).append(m.group(3))
        if any(last - first > 2 or not -2 <= first <= last <= 2 for first, last in spans):
            raise ValueError("feature templates reach past two tokens on either side")
        # For each span length, the offsets it is read at and each offset's template names.
        # Each template's name and the name the same attribute has in a span read at position 0.
        self._shapes: dict[int, list[tuple[int, list[tuple[str, str]]]]] = {1: [], 2: [], 3: []}
        for (first, last), suffixes in sorted(spans.items()):
            name = f"T[{first}]" if first == last else f"T[{first},{last}]"
            at_zero = "T[0]" if first == last else f"T[0,{last - first}]"
            self._shapes[last - first + 1].append((first, [(name + s, at_zero + s) for s in suffixes]))
        expected = {1: [-2, -1, 0, 1, 2], 2: [-2, -1, 0, 1], 3: [-2, -1, 0]}
        if {length: [first for first, _ in shape] for length, shape in self._shapes.items()} != expected:
            raise ValueError("feature templates other than underthesea's word segmentation ones")
        # Per span length, a featurizer reading each attribute of a span that starts at position 0, and
        # per attribute a table: its value -> what it adds at each offset the span is read at.
        self._probes: dict[int, tuple[Any, list[tuple[int, dict[str, list[float]]]]]] = {}
        for length, shape in self._shapes.items():
            probe_names = sorted({probe for _, names in shape for _, probe in names})
            tables: dict[str, dict[str, list[float]]] = {probe: {} for probe in probe_names}
            for index, (_first, names) in enumerate(shape):
                for name, probe in names:
                    for value, diff in weights.by_template.get(name, {}).items():
                        tables[probe].setdefault(value, [0.0] * len(shape))[index] += diff
            probe = featurizer_class(probe_names, dictionary)
            row = probe.process([[["x"]] * length])[0][0]
            if [feature.partition("=")[0] for feature in row] != probe_names:
                raise ValueError("underthesea_core's featurizer no longer writes features in template order")
            self._probes[length] = (probe, [(len(name) + 1, tables[name]) for name in probe_names])
        # Span scores by offset, per span length: tokens -> (score at each offset the span is read at).
        self._cache: dict[int, dict[tuple[str, ...], tuple[float, ...]]] = {1: {}, 2: {}, 3: {}}
        # The same, summed per start token: (token, next, one after) -> scores at positions start-2..start+2.
        self._combined: dict[tuple[str, str | None, str | None], tuple[float, ...]] = {}

    # ------------------------------------------------------------------ the public step
    def words(self, text: str) -> list[str]:
        """The words of ``text`` exactly as ``underthesea.word_tokenize(text)`` returns them."""
        tokens = self.tokens(text)
        tags = self._tags(tokens)
        if tags is None:  # a near tie: underthesea decides
            return self._reference(text)
        output: list[str] = []
        for continues, token in zip(tags, tokens):
            if continues and output:
                output[-1] = output[-1] + " " + token
            else:
                output.append(token)
        return output

    def tokens(self, text: str) -> list[str]:
        """underthesea's regex tokenizer (``regex_tokenize.tokenize`` with its defaults), per-token work remembered."""
        text = self._normalize_text(text)
        cache = self._token_cache
        if len(cache) > MAX_CACHED_SPANS:
            cache.clear()
        # Every alternative of the pattern is one named group spanning the whole match.
        tokens = [m.group() for m in self._regex.patterns.finditer(text)]
        for i, token in enumerate(tokens):
            if len(token) <= 6:  # token_normalize leaves longer tokens alone
                normal = cache.get(token)
                if normal is None:
                    normal = cache[token] = self._normalize_token(token)
                tokens[i] = normal
        return tokens

    # ------------------------------------------------------------------ the CRF
    def _tags(self, tokens: list[str]) -> list[bool] | None:
        """For each token, whether it continues the previous word; None on a near tie."""
        n = len(tokens)
        if n == 0:
            return []
        scores = self._scores(tokens)
        (bb, bi), (ib, ii) = self._weights.transition
        margin = TIE_MARGIN
        # Viterbi over two labels, kept as one number: how far the best path ending in label 1
        # leads the best ending in label 0 (only differences matter). For each step, whether the
        # best way into label 0, and into label 1, comes from label 1.
        lead = scores[0]
        zero_from_one: list[bool] = []
        one_from_one: list[bool] = []
        for score in scores[1:]:
            into_zero, into_one = lead + ib, lead + ii  # from label 1; from label 0 it is bb, bi
            if -margin < into_zero - bb < margin or -margin < into_one - bi < margin:
                return None
            a, b = into_zero > bb, into_one > bi
            zero_from_one.append(a)
            one_from_one.append(b)
            lead = (into_one if b else bi) - (into_zero if a else bb) + score
        if -margin < lead < margin:
            return None
        label = lead > 0
        tags = [label]
        for a, b in zip(reversed(zero_from_one), reversed(one_from_one)):
            label = b if label else a
            tags.append(label)
        tags.reverse()
        ones = self._continues == 1
        return tags if ones else [not t for t in tags]

    def _scores(self, tokens: list[str]) -> list[float]:
        """Each position's state score (label 1 minus label 0)."""
        n = len(tokens)
        weights = self._weights
        if n <= 6:  # short: every position touches an end; score the featurizer's own output
            return [weights.score(row) for row in self._featurizer.process([[[t] for t in tokens]])[0]]
        # What the spans starting at each token add to the five positions around it.
        starts = list(zip(tokens, [*tokens[1:], None], [*tokens[2:], None, None]))
        combined = self._combined
        found = [combined.get(start) for start in starts]
        if None in found:
            found = self._combine(starts, found)
        spread = numpy.array(found)
        # Position i gets offset +2 from the spans starting at i-2, ..., offset -2 from those at i+2.
        interior = spread[0 : n - 4, 4] + spread[1 : n - 3, 3] + spread[2 : n - 2, 2] + spread[3 : n - 1, 1] + spread[4:n, 0]
        head, tail = self._featurizer.process([[[t] for t in tokens[:4]], [[t] for t in tokens[-4:]]])
        return [
            weights.score(head[0]), weights.score(head[1]), *interior.tolist(), weights.score(tail[2]), weights.score(tail[3])
        ]

    def _combine(
        self, starts: list[tuple[str, str | None, str | None]], found: list[tuple[float, ...] | None]
    ) -> list[tuple[float, ...]]:
        """Fill the starts not yet combined: their unigram, pair and triple scores, spread over positions."""
        missing = [start for start, f in zip(starts, found) if f is None]
        uni = self._span_scores(1, [(a,) for a, _, _ in missing])
        pairs = self._span_scores(2, [(a, b) for a, b, _ in missing if b is not None])
        triples = self._span_scores(3, [(a, b, c) for a, b, c in missing if c is not None])
        combined = self._combined
        if len(combined) > MAX_CACHED_SPANS:
            combined.clear()
        p = t = 0
        for start, u in zip(missing, uni):
            # Offsets -2..2 relative to the start: a unigram is read at offsets -2..2 of the positions
            # two after it down to two before it; a pair (first offsets -2..1) and a triple (-2..0) likewise.
            spread = [u[4], u[3], u[2], u[1], u[0]]
            if start[1] is not None:
                b = pairs[p]
                p += 1
                spread[1] += b[3]
                spread[2] += b[2]
                spread[3] += b[1]
                spread[4] += b[0]
            if start[2] is not None:
                c = triples[t]
                t += 1
                spread[2] += c[2]
                spread[3] += c[1]
                spread[4] += c[0]
            combined[start] = tuple(spread)
        return [combined[start] for start in starts]

    def _span_scores(self, length: int, spans: list[tuple[str, ...]]) -> list[tuple[float, ...]]:
        """The cached scores of ``spans`` (all of one length); the missing ones scored with one probe call."""
        cache = self._cache[length]
        found = [cache.get(span) for span in spans]
        if None not in found:
            return found  # type: ignore[return-value]
        if len(cache) > MAX_CACHED_SPANS:
            cache.clear()
        missing = list(dict.fromkeys(span for span, score in zip(spans, found) if score is None))
        probe, tables = self._probes[length]
        rows = probe.process([[[t] for t in span] for span in missing])
        zero = [0.0] * len(self._shapes[length])
        for span, row in zip(missing, rows):
            total = zero
            for feature, (cut, table) in zip(row[0], tables):
                adds = table.get(feature[cut:])
                if adds is not None:
                    total = [a + b for a, b in zip(total, adds)]
            cache[span] = tuple(total)
        return [cache[span] for span in spans]


def load_segmenter() -> Segmenter:
    """A segmenter over the model underthesea's ``word_tokenize`` loads (underthesea ≥ 9.5, underthesea_core)."""
    import joblib
    from underthesea import word_tokenize as reference
    from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text
    from underthesea.pipeline.text_normalize.token_normalize import token_normalize
    from underthesea.pipeline.word_tokenize import regex_tokenize
    from underthesea_core import CRFFeaturizer

    model = Path(regex_tokenize.__file__).parent / "models" / _MODEL_DIR
    weights = CrfWeights((model / "models.bin").read_bytes())
    reference("Khởi động")  # loads underthesea's own tagger, the fallback on near ties
    return Segmenter(
        templates=joblib.load(model / "features.bin"),
        dictionary=joblib.load(model / "dictionary.bin"),
        weights=weights,
        featurizer_class=CRFFeaturizer,
        regex_module=regex_tokenize,
        normalize_text=normalize_characters_in_text,
        normalize_token=token_normalize,
        reference=lambda text: list(reference(text)),
    )
