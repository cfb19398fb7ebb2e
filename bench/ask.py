"""The whole question in process: ``Library.ask`` on a real-shaped base of 1,200 documents.

    python bench/ask.py                    # build (once, cached) and measure
    python bench/ask.py --profile          # cProfile of the asks, top functions by own time
    python bench/ask.py --documents 2000 --passes 5
    python bench/ask.py --answers out.jsonl  # also write every answer, to diff before/after a change

The base is shaped like the real one (403 articles, ~1,900 characters each, a
few passages each, one upload at a time): 1,200 documents of 1–8 passages of
3–6 sentences. Sentences are the demo documents' and ../shared/seeds' (when
present) mixed with sentences generated from templates in our own words
(province, year, count and percentage slots). Each template chunk and slot
value is word-segmented by the real tokenizer once and a sentence's tokens are
the concatenation, so building the base takes no underthesea call per
passage; each document is then prepared for storing (sentence terms included)
and committed through ``Library.commit`` one at a time, as uploads are. The
demo and seed documents themselves go through the real ingest.

Every question is asked once per pass, passes interleaved with the index
search alone for the same question (its read terms, k=50), so the report
gives p50/p95 of ``ask`` and the median per-question ratio ask / index
search, which the machine's load moves much less than absolute times.
Questions are logged as a Telegram user's would be (``log_as``), so the
question log is part of what is timed.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import shutil
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.bm25 import Bm25Index  # noqa: E402
from index.query import Query  # noqa: E402
from index.terms import tokenize  # noqa: E402
from index.text import join_words  # noqa: E402
from knowledge.db import default_sqlite_url, make_engine  # noqa: E402
from knowledge.documents.demo import demo_documents  # noqa: E402
from knowledge.documents.passages import sentences  # noqa: E402
from knowledge.documents.prepare import PreparedDocument  # noqa: E402
from knowledge.library import Library  # noqa: E402
from knowledge.models import Document  # noqa: E402
from knowledge.provinces import load_gazetteer  # noqa: E402

CACHE = Path(os.environ.get("CDSBOT_BENCH_CACHE", Path(tempfile.gettempdir()) / "cdsbot-bench-ask"))
SEEDS = ROOT.parent.parent / "shared" / "seeds"
SEED_QUESTIONS = ROOT.parent.parent / "shared" / "eval" / "seed_questions.jsonl"
# Bump when the generated base changes, so a stale cached one is rebuilt.
BASE_VERSION = 1

_TEMPLATES = [
    "Đến hết {period} năm {year}, {province} đã đưa {n} dịch vụ công lên cổng dịch vụ công quốc gia.",
    "{agency} {province} cho biết tỷ lệ thanh toán trực tuyến phí, lệ phí đạt {pct}% trong {period}.",
    "Chỉ số chuyển đổi số năm {year} của {province} xếp thứ {rank}/63, tăng {small} bậc so với năm trước.",
    "Toàn tỉnh {province} hiện có {n} tổ công nghệ số cộng đồng với hơn {big} thành viên.",
    "{agency} {province} đề nghị các sở, ngành hoàn thành số hóa sổ hộ tịch trước ngày {day}/{month}/{year}.",
    "Năm {year}, {province} bố trí {n} tỷ đồng cho các nhiệm vụ chuyển đổi số, trong đó {pct}% từ ngân sách tỉnh.",
    "Về chính quyền số, {province} đứng thứ {rank} cả nước với {score} điểm.",
    "Hệ thống quản lý văn bản của {province} đã liên thông bốn cấp, xử lý {big} văn bản điện tử trong {period}.",
    "Tại hội nghị, lãnh đạo {agency} {province} yêu cầu khắc phục tình trạng hồ sơ trực tuyến quá hạn.",
    "Khó khăn lớn nhất của {province} là hạ tầng mạng ở {n} thôn vùng sâu chưa có sóng di động.",
    "Trung tâm giám sát điều hành thông minh của {province} đã kết nối {n} camera và {small} hệ thống thông tin.",
    "{province} đặt mục tiêu đến năm {year} có {pct}% hộ gia đình sử dụng cáp quang băng rộng.",
    "Kinh tế số của {province} năm {year} ước chiếm {pct}% GRDP, thấp hơn mục tiêu đề ra.",
    "Ban chỉ đạo chuyển đổi số {province} do Chủ tịch UBND tỉnh làm trưởng ban, họp {small} lần trong {period}.",
    "{agency} {province} phối hợp Viettel tập huấn kỹ năng số cho {big} người dân ở {n} xã.",
    "Cơ sở dữ liệu đất đai của {province} đã số hóa {pct}% hồ sơ địa chính, dự kiến xong vào quý {quarter}/{year}.",
]
_PERIODS = ["6 tháng đầu năm", "quý I", "quý II", "9 tháng", "cả năm", "tháng 10"]
_AGENCIES = ["Sở Thông tin và Truyền thông", "UBND", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Sở Tư pháp"]
_QUESTIONS = [
    "{province} xếp thứ mấy về chỉ số chuyển đổi số năm {year}?",
    "Tỷ lệ thanh toán trực tuyến của {province} trong {period} là bao nhiêu?",
    "{province} có bao nhiêu tổ công nghệ số cộng đồng?",
    "kinh te so cua {province_folded} chiem bao nhieu phan tram GRDP",
    "Khó khăn về hạ tầng mạng của {province} là gì?",
    "Ai làm trưởng ban chỉ đạo chuyển đổi số {province}?",
    "Khi nào {province} phải hoàn thành số hóa sổ hộ tịch?",
    "Năm {year} {province} bố trí bao nhiêu tỷ đồng cho chuyển đổi số và lấy từ nguồn nào?",
    "Trung tâm giám sát điều hành thông minh của {province} kết nối được bao nhiêu camera và hệ thống?",
    "Cơ sở dữ liệu đất đai {province} số hóa được bao nhiêu phần trăm hồ sơ địa chính, khi nào xong?",
]


def _texts() -> list[tuple[str, bytes]]:
    files = list(demo_documents())
    if SEEDS.is_dir():
        files += [(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    return files


class Generator:
    """Sentences of the demo and seed documents and of our templates, with their word tokens."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.provinces = load_gazetteer().all_names()
        self.pool: list[tuple[str, list[str]]] = []
        for _, data in _texts():
            for paragraph in data.decode("utf-8").split("\n"):
                if len(paragraph.split()) >= 6 and not paragraph.startswith(("---", "#")):
                    self.pool += [(s, tokenize(s)) for s in sentences(paragraph)]
        self._segmented: dict[str, list[str]] = {}

    def _tokens(self, chunk: str) -> list[str]:
        if chunk not in self._segmented:
            self._segmented[chunk] = tokenize(chunk) if chunk.strip() else []
        return self._segmented[chunk]

    def values(self) -> dict[str, str]:
        rng = self.rng
        province = rng.choice(self.provinces)
        return {
            "province": province,
            "year": str(rng.randint(2020, 2026)),
            "n": str(rng.randint(2, 900)),
            "big": f"{rng.randint(1, 99)}.{rng.randint(100, 999)}",
            "small": str(rng.randint(1, 9)),
            "pct": f"{rng.randint(10, 99)},{rng.randint(0, 9)}",
            "rank": str(rng.randint(1, 63)),
            "score": f"{rng.randint(100, 600)},{rng.randint(10, 99)}",
            "period": rng.choice(_PERIODS),
            "agency": rng.choice(_AGENCIES),
            "day": str(rng.randint(1, 28)),
            "month": str(rng.randint(1, 12)),
            "quarter": rng.choice(["I", "II", "III", "IV"]),
        }

    def sentence(self, values: dict[str, str]) -> tuple[str, list[str]]:
        if self.rng.random() < 0.4:
            return self.rng.choice(self.pool)
        rest = self.rng.choice(_TEMPLATES)
        text, tokens = "", []
        while "{" in rest:
            before, _, after = rest.partition("{")
            slot, _, rest = after.partition("}")
            text += before + values[slot]
            tokens += self._tokens(before) + self._tokens(values[slot])
        return text + rest, tokens + self._tokens(rest)

    def document(self, number: int) -> PreparedDocument:
        values = self.values()
        passages, tokens = [], []
        for _ in range(self.rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8])):
            chosen = [self.sentence(values) for _ in range(self.rng.randint(3, 6))]
            passages.append(" ".join(s for s, _ in chosen))
            tokens.append(join_words([t for _, toks in chosen for t in toks]))
        province = values["province"]
        document = Document(
            title=f"{province}: kết quả chuyển đổi số, bản tin số {number}",
            source=f"https://example.gov.vn/tin/{number}",
            provinces=province,
            content_hash=hashlib.sha256("\n".join(passages).encode()).hexdigest(),
            filename=f"tin-{number}.txt",
        )
        return PreparedDocument(document, passages, tokens, [])

    def question(self) -> str:
        values = self.values()
        from index.text import fold

        values["province_folded"] = fold(values["province"]).lower()
        return self.rng.choice(_QUESTIONS).format(**values)


def build_base(data_dir: Path, documents: int, seed: int = 11) -> dict[str, object]:
    """Store the base one upload at a time; returns what the index looks like after it."""
    library = Library(make_engine(default_sqlite_url(data_dir)), index_dir=data_dir / "index")
    for name, data in _texts():
        library.ingest_bytes(data, name)
    generator = Generator(seed)
    segments = []
    for number in range(1, documents + 1):
        result = library.commit(generator.document(number))
        if result.status != "added":
            raise SystemExit(f"document {number} not added: {result.error}")
        if number % 100 == 0:
            segments.append((number, library.index.segment_count))
    library.save_index()
    return {"passages": len(library.live), "segments_after_uploads": segments}


def questions(seed: int, n: int) -> list[str]:
    asked = [json.loads(line)["q"] for line in (ROOT / "bench" / "demo_questions.jsonl").open(encoding="utf-8") if line.strip()]
    if SEED_QUESTIONS.exists():
        asked += [json.loads(line)["q"] for line in SEED_QUESTIONS.open(encoding="utf-8") if line.strip()]
    generator = Generator(seed)
    while len(asked) < n:
        asked.append(generator.question())
    return asked[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1200)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the asks instead of timing them")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--answers", type=Path, help="write each question's answer (snippets, highlights, scores) as JSON lines"
    )
    args = parser.parse_args()
    data_dir = CACHE / f"base-{args.documents}-v{BASE_VERSION}"
    marker = data_dir / "built.json"
    if not marker.exists():
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        start = time.perf_counter()
        built = build_base(data_dir, args.documents)
        built["build_s"] = round(time.perf_counter() - start, 1)
        marker.write_text(json.dumps(built))
    built = json.loads(marker.read_text())
    # As the bot starts: a fresh library over the stored base and its saved index.
    library = Library(make_engine(default_sqlite_url(data_dir)), index_dir=data_dir / "index")
    asked = questions(5, args.questions)
    read = [library.reader.read(q) for q in asked]
    log_as = ("bench", None, None)
    if args.answers:
        _write_answers(library, asked, args.answers)
    for q in asked[:20]:  # warm caches (sentence splitter, regexes, SQLite pages)
        library.ask(q, log_as=log_as)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.passes):
            for q in asked:
                library.ask(q, log_as=log_as)
        profiler.disable()
        _close(library)
        stats = pstats.Stats(profiler)
        stats.dump_stats(CACHE / "ask.prof")  # for a closer look: python -m pstats
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(45)
        return
    ask_ms: dict[int, list[float]] = {i: [] for i in range(len(asked))}
    search_ms: dict[int, list[float]] = {i: [] for i in range(len(asked))}
    # CPU time of the asking thread: what an idle machine would show as wall time (the load moves it less).
    cpu_ms: dict[int, list[float]] = {i: [] for i in range(len(asked))}
    found = 0
    for p in range(args.passes):
        for i, (q, query) in enumerate(zip(asked, read)):
            start, cpu = time.perf_counter(), time.thread_time()
            answer = library.ask(q, log_as=log_as)
            ask_ms[i].append((time.perf_counter() - start) * 1000)
            cpu_ms[i].append((time.thread_time() - cpu) * 1000)
            start = time.perf_counter()
            library.live.search(query.terms, 50)
            search_ms[i].append((time.perf_counter() - start) * 1000)
            found += p == 0 and answer.found
    _close(library)
    merged_ratio = _merged_search_ratio(data_dir, read)
    per_ask = [statistics.median(v) for v in ask_ms.values()]
    per_search = [statistics.median(v) for v in search_ms.values()]
    ratios = [a / s for a, s in zip(per_ask, per_search) if s > 0]
    result = {
        "documents": args.documents,
        "passages": built["passages"],
        "questions": len(asked),
        "found": found,
        "ask_p50_ms": round(percentile(per_ask, 0.5), 2),
        "ask_p95_ms": round(percentile(per_ask, 0.95), 2),
        "ask_cpu_p50_ms": round(percentile([statistics.median(v) for v in cpu_ms.values()], 0.5), 2),
        "index_search_p50_ms": round(percentile(per_search, 0.5), 2),
        "median_ratio_ask_over_search": round(statistics.median(ratios), 2),
        "segments": library.index.segment_count,
        # Would merging the segments in the background pay? Search time merged / as uploaded, per question.
        "median_ratio_search_merged_over_unmerged": merged_ratio,
        "segments_after_uploads": built["segments_after_uploads"],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        print(f"{key:>32}: {value}")


def _merged_search_ratio(data_dir: Path, read: list[Query], passes: int = 3) -> float:
    """Median per-question ratio of search time on a merged copy of the saved index to the index as uploaded."""
    as_uploaded, _ = Bm25Index.load(data_dir / "index")
    merged, _ = Bm25Index.load(data_dir / "index")
    merged.merge_segments()
    times: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(read))}
    for _ in range(passes):
        for i, query in enumerate(read):
            pair = []
            for index in (as_uploaded, merged):
                start = time.perf_counter()
                index.search(query.terms, 50)
                pair.append(time.perf_counter() - start)
            times[i].append((pair[0], pair[1]))
    ratios = [statistics.median(m for _, m in v) / statistics.median(u for u, _ in v) for v in times.values()]
    return round(statistics.median(ratios), 2)


def _write_answers(library: Library, asked: list[str], path: Path) -> None:
    """Every answer as a user would see it, one JSON line a question: a speed change must leave this file unchanged."""
    with path.open("w", encoding="utf-8") as out:
        for q in asked:
            answer = library.ask(q)
            cited = [
                {"passage": c.passage_id, "snippet": c.snippet, "highlights": c.highlights, "score": c.score}
                for c in answer.citations
            ]
            line = {"q": q, "found": answer.found, "text": answer.text, "citations": cited}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _close(library: Library) -> None:
    close = getattr(library, "close", None)
    if callable(close):
        close()


if __name__ == "__main__":
    main()
