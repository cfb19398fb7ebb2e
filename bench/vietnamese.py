"""A synthetic Vietnamese corpus for the search bench, built once per size and cached on disk.

Passages are 40–150 syllables (the passage splitter's range) of words drawn
from a Zipf distribution over a word vocabulary; words are one to three
syllables (most Vietnamese words are two), themselves drawn from a Zipf
distribution over valid Vietnamese syllables (initial + rhyme + tone, checked
rhymes only with sắc or nặng), with the most frequent syllables of
administrative prose first. When ../shared/seeds is present its syllables,
ranked by how often they occur there, come next; the bench runs without it.

Index terms are made by the real ``TermMaker`` (folded syllables, syllable
bigrams, concept terms), so every engine sees exactly the terms cdsbot would
index. Making terms costs ~150 µs a passage, so the corpus is generated on
both cores and cached as a term list plus flat term ids (never re-made).
Questions are built from sampled passages' words around question phrases and
read by the real ``QueryReader``; a fifth are typed without diacritics.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.query import QueryReader
from index.terms import TERMS_VERSION, TermMaker
from index.text import fold

CORPUS_VERSION = 1
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CHUNK = 10_000
MIN_SYLLABLES, MAX_SYLLABLES = 40, 150

# The most frequent syllables of Vietnamese administrative prose, most frequent first.
COMMON = """
của và các có là được trong cho với không người những một này đã tại về theo để đến năm số
từ trên thực hiện công tỉnh xã chuyển đổi dân chính dịch vụ thông tin quản lý nhà nước phát triển
triển khai hoạt động sở ban hành cơ quan đơn vị huyện thành phố kế hoạch nhiệm giải pháp dữ liệu
điện tử hệ thống cấp tục hồ sơ trực tuyến đạt tỷ lệ đầu tư xây dựng hạ tầng mạng số hóa ứng dụng
kinh tế xã hội tổ chức cá nhân doanh nghiệp chỉ đạo yêu cầu phối hợp trung ương địa phương quốc gia
đảm bảo an toàn toàn bộ nâng cao chất lượng hiệu quả đào tạo nguồn nhân lực văn bản quy định
""".split()
INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "ph", "qu", "s", "t", "th", "tr", "v", "x"]
OPEN_RHYMES = ["a", "ai", "am", "an", "ang", "anh", "ao", "au", "ay", "âm", "ân", "âng", "âu", "ây", "e", "em", "en", "eo",
               "ê", "êm", "ên", "ênh", "êu", "i", "ia", "im", "in", "inh", "iu", "iêm", "iên", "iêu", "o", "oa", "oai", "oan",
               "oang", "oanh", "oe", "oi", "om", "on", "ong", "ô", "ôi", "ôm", "ôn", "ông", "ơ", "ơi", "ơm", "ơn", "u", "ua",
               "uân", "uây", "ui", "um", "un", "ung", "uy", "uyên", "uôi", "uôn", "uông", "ư", "ưa", "ưng", "ươi", "ương", "ưu"]
CHECKED_RHYMES = ["ac", "ach", "ap", "at", "âc", "âp", "ât", "ec", "ep", "et", "êch", "êp", "êt", "ich", "ip", "it", "iêc",
                  "iêp", "iêt", "oc", "oach", "oat", "op", "ot", "ôc", "ôp", "ôt", "ơp", "ơt", "uc", "up", "ut", "uât", "uyêt",
                  "uôc", "uôt", "ưc", "ưt", "ươc", "ươp", "ươt"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # ngang, huyền, sắc, hỏi, ngã, nặng
CHECKED_TONES = ["\u0301", "\u0323"]
QUESTION_TEMPLATES = [
    "{a} {b} là gì?",
    "{a} của {b} đạt bao nhiêu?",
    "tỉnh nào {a} {b}?",
    "{a} {b} như thế nào?",
    "khi nào {a} {b}?",
    "{a} {b} có {c} không?",
    "{a} {b} {c} bao nhiêu?",
    "ai {a} {b}?",
    "{a} {b} xếp thứ mấy?",
    "{a} {b} {c} ra sao?",
]
_SYLLABLE_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


def _with_tone(rhyme: str, tone: str) -> str:
    """The rhyme with its tone mark on the vowel that carries it (modern placement)."""
    vowels = "aeiouyâêôơư"
    marked = [i for i, ch in enumerate(rhyme) if ch in "âêôơư"]
    at_vowels = [i for i, ch in enumerate(rhyme) if ch in vowels]
    if marked:
        at = marked[-1]  # "ương" → ơ, "uyên" → ê
    elif len(at_vowels) >= 2 and rhyme[-1] not in vowels:
        at = at_vowels[1]  # "oan", "oach" → a
    else:
        at = at_vowels[0]  # "ai", "ao", "ua"
    return unicodedata.normalize("NFC", rhyme[: at + 1] + tone + rhyme[at + 1 :])


def syllable_vocabulary(size: int, rng: np.random.Generator, seeds: Path | None = SEEDS) -> list[str]:
    """Valid Vietnamese syllables, most frequent first."""
    ranked: list[str] = list(dict.fromkeys(COMMON))
    if seeds is not None and seeds.is_dir():
        counts: Counter[str] = Counter()
        for path in sorted(seeds.glob("*.txt")):
            counts.update(s.lower() for s in _SYLLABLE_RE.findall(unicodedata.normalize("NFC", path.read_text("utf-8"))))
        ranked += [s for s, c in counts.most_common() if c >= 2]
    ranked = list(dict.fromkeys(ranked))
    seen = set(ranked)
    generated: list[str] = []
    for initial in INITIALS:
        for rhyme in OPEN_RHYMES:
            generated += [initial + _with_tone(rhyme, tone) for tone in TONES]
        for rhyme in CHECKED_RHYMES:
            generated += [initial + _with_tone(rhyme, tone) for tone in CHECKED_TONES]
    generated = [s for s in generated if s not in seen and _spelled_right(s)]
    rng.shuffle(generated)  # type: ignore[arg-type]
    return (ranked + generated)[:size]


def _spelled_right(syllable: str) -> bool:
    """Vietnamese spelling: k/gh/ngh only before e, ê, i (y); c/g/ng never there."""
    base = fold(syllable)
    front = re.match(r"(ngh|gh|ng|k|c|g)([a-z])", base)
    if front is None or base.startswith("gi"):
        return True
    soft = front.group(2) in "eiy"
    return soft if front.group(1) in ("k", "gh", "ngh") else not soft


def _zipf(n: int, s: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return np.cumsum(weights / weights.sum())


@dataclass(frozen=True)
class Language:
    """Words (as syllable tuples) and their Zipf sampler."""

    syllables: list[str]
    words: list[tuple[int, ...]]
    word_cdf: np.ndarray

    @classmethod
    def make(cls, seed: int, n_syllables: int = 6500, n_words: int = 40_000) -> Language:
        rng = np.random.default_rng(seed)
        syllables = syllable_vocabulary(n_syllables, rng)
        # Compounds are made of content syllables, not of "của", "và", "các".
        function_syllables = 30
        syllable_cdf = _zipf(len(syllables) - function_syllables, 1.0)
        words: list[tuple[int, ...]] = [(i,) for i in range(len(dict.fromkeys(COMMON)))]
        seen = set(words)
        while len(words) < n_words:
            n = int(rng.choice([1, 2, 3], p=[0.25, 0.68, 0.07]))
            word = tuple(function_syllables + int(i) for i in np.searchsorted(syllable_cdf, rng.random(n)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        return cls(syllables, words, _zipf(len(words), 1.0))

    def passage_words(self, rng: np.random.Generator) -> list[str]:
        target = int(rng.integers(MIN_SYLLABLES, MAX_SYLLABLES + 1))
        picks = np.searchsorted(self.word_cdf, rng.random(target))
        out: list[str] = []
        count = 0
        for w in picks.tolist():
            word = self.words[w]
            out.append("_".join(self.syllables[s] for s in word))
            count += len(word)
            if count >= target:
                break
        return out


def _make_chunk(args: tuple[int, int, int]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Terms of passages ``[start, start + n)``: local vocabulary, local ids, sizes, sample texts."""
    seed, start, n = args
    language = Language.make(seed)
    rng = np.random.default_rng([seed, start])
    maker = TermMaker()
    local: dict[str, int] = {}
    ids: list[int] = []
    sizes = np.empty(n, dtype=np.int64)
    samples: list[str] = []
    for i in range(n):
        words = language.passage_words(rng)
        terms = maker.terms(words)
        ids += [local.setdefault(t, len(local)) for t in terms]
        sizes[i] = len(terms)
        if i < 40:
            samples.append(" ".join(words))
    return list(local), np.array(ids, dtype=np.int32), sizes, samples


class Corpus:
    """The cached corpus: term strings, each passage's term ids, and sample passage texts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.terms = (directory / "terms.txt").read_text(encoding="utf-8").split("\n")
        self.offsets = np.load(directory / "offsets.npy")
        self.samples: list[str] = json.loads((directory / "samples.json").read_text(encoding="utf-8"))

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def n_postings(self) -> int:
        return int(self.offsets[-1])

    def id_chunks(self, size: int = CHUNK) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first passage, flat term ids, local offsets) per chunk, read from disk so nothing stays resident."""
        path = self.directory / "ids.bin"
        for first in range(0, len(self), size):
            last = min(first + size, len(self))
            lo, hi = int(self.offsets[first]), int(self.offsets[last])
            ids = np.fromfile(path, dtype=np.int32, count=hi - lo, offset=lo * 4)
            yield first, ids, self.offsets[first : last + 1] - lo

    def passages(self) -> Iterator[list[str]]:
        """Each passage's terms as strings, in order."""
        # A chunk's strings gathered by numpy (object array) and sliced per passage:
        # a Python loop per term was a third of a million-passage build's time.
        terms = np.array(self.terms, dtype=object)
        for _, ids, offsets in self.id_chunks():
            bounds = offsets.tolist()
            flat = terms[ids].tolist()
            for j in range(len(bounds) - 1):
                yield flat[bounds[j] : bounds[j + 1]]


def build_corpus(n_passages: int, seed: int, cache: Path) -> Corpus:
    """The corpus of ``n_passages`` for ``seed``, generated on first use."""
    directory = cache / f"corpus-v{CORPUS_VERSION}-t{TERMS_VERSION}-{n_passages}-{seed}"
    if (directory / "done").exists():
        return Corpus(directory)
    directory.mkdir(parents=True, exist_ok=True)
    vocabulary: dict[str, int] = {}
    offsets = [np.zeros(1, dtype=np.int64)]
    samples: list[str] = []
    total = 0
    jobs = [(seed, start, min(CHUNK, n_passages - start)) for start in range(0, n_passages, CHUNK)]
    with (directory / "ids.bin").open("wb") as out, ProcessPoolExecutor(2) as pool:
        for local, ids, sizes, sample in pool.map(_make_chunk, jobs):
            remap = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in local], dtype=np.int32)
            out.write(remap[ids].tobytes())
            offsets.append(total + np.cumsum(sizes))
            total += int(sizes.sum())
            samples += sample
    (directory / "terms.txt").write_text("\n".join(vocabulary), encoding="utf-8")
    np.save(directory / "offsets.npy", np.concatenate(offsets))
    (directory / "samples.json").write_text(json.dumps(samples, ensure_ascii=False), encoding="utf-8")
    (directory / "done").touch()
    return Corpus(directory)


@dataclass(frozen=True)
class Question:
    text: str
    terms: dict[str, float]

    def term_list(self) -> list[str]:
        """The terms with repeats, for engines that take a bag of tokens."""
        return [t for t, w in self.terms.items() for _ in range(int(w))]


def questions(corpus: Corpus, n: int, seed: int, reader: QueryReader) -> list[Question]:
    """Questions of 3–12 query terms about sampled passages, read by the real ``QueryReader``."""
    rng = np.random.default_rng([seed, 7])
    out: list[Question] = []
    while len(out) < n:
        words = corpus.samples[int(rng.integers(len(corpus.samples)))].split()
        at = int(rng.integers(0, max(1, len(words) - 3)))
        a, b, c = (w.replace("_", " ") for w in (words + ["", "", ""])[at : at + 3])
        template = QUESTION_TEMPLATES[int(rng.integers(len(QUESTION_TEMPLATES)))]
        text = template.format(a=a, b=b, c=c)
        if rng.random() < 0.2:
            text = fold(text)
        query = reader.read(text)
        if 3 <= sum(query.terms.values()) <= 12:
            out.append(Question(text, query.terms))
    return out
