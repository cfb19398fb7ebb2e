"""Start-up time of the ``cdsbot`` command, measured as whole processes.

    python bench/startup.py                  # --help, cold ask on the demo base and at 100k passages
    python bench/startup.py --runs 9 --skip-100k
    python bench/startup.py --compare /tmp/main-tree   # beside another checkout, interleaved

Each case runs the installed ``cdsbot`` script in a fresh process several
times and reports the median wall time and the median CPU time (user + system
of the child). The machine is shared, so wall time swings with the load while
CPU time is close to what an idle machine would show as wall time; both are
printed. Bytecode is cached as after ``pip install`` (PYTHONDONTWRITEBYTECODE
is dropped for the children). "Cold" means a new Python process: the operating system's file cache
is warm (a second run of the command, as a user would see it).

Goals (issue 10): ``--help`` ≤ 0.3 s; a cold ``ask`` ≤ 0.8 s on the demo base
and ≤ 1.5 s at 100k passages, with the saved index loaded and nothing
re-tokenized. After the timings, ``python -X importtime`` of each command is
summed per top-level package (self time), top 15, and the 15 single modules
with the largest cumulative time, to show where the time goes.

Each ``ask`` case also lists every question's CPU median (and ratio): a found
answer is printed by the cold path (``bot.cli.cold_ask``, no SQLAlchemy or
pydantic), "no information" with its example questions by the full one, so
the questions do not cost the same.

``--compare DIR`` runs every case also with the sources of another checkout
(``git archive main | tar -x -C DIR``; PYTHONPATH=DIR, same interpreter and
data), one process of each in turn, and prints the median of the per-run CPU
ratios (this tree / DIR): on a shared machine the ratio holds while absolute
times swing with the load.

The 100k-passage base is built once, through the library, and cached under the
temporary directory. Its passages are synthetic but Vietnamese: sentences of
the demo documents (and ../shared/seeds when present) mixed with sentences
generated from templates in our own words (province, year, count and
percentage slots). Each template chunk and each slot value is word-segmented
by the real tokenizer once, and a sentence's tokens are the concatenation, so
building 100k passages does not take 100k underthesea calls; every passage is
then stored and indexed exactly as an ingested one (``Library.commit``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "cdsbot-bench-startup"
# Bump when the synthetic base changes, so a stale cached one is rebuilt.
BASE_VERSION = 2
QUESTIONS = [
    "Hải Dương xếp hạng chuyển đổi số thứ mấy năm 2023?",
    "hai duong xep hang kinh te so thu may",
    "Tỷ lệ hồ sơ trực tuyến toàn trình của Quảng Ngãi là bao nhiêu?",
    "Ban chỉ đạo chuyển đổi số Ninh Thuận làm được gì trong 6 tháng?",
    "to cong nghe so cong dong quang tri",
]


def _cdsbot() -> list[str]:
    script = Path(sys.executable).parent / "cdsbot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"]


def _env(data_dir: Path | None, *, demo: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDSBOT_", "TELEGRAM_"))}
    # An installed package has its bytecode compiled; without this a sandbox
    # that sets PYTHONDONTWRITEBYTECODE would recompile our sources every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["CDSBOT_DEMO"] = "1" if demo else "0"
    env["CDSBOT_LOG_LEVEL"] = "WARNING"
    if data_dir is not None:
        env["CDSBOT_DATA_DIR"] = str(data_dir)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stderr) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


# ``cdsbot`` from the sources on PYTHONPATH (which wins over the editable install).
_FROM_SOURCES = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"]


def baseline_env(env: dict[str, str], baseline: Path) -> dict[str, str]:
    """``env`` for the other checkout: its sources, and a data folder of its own.

    Two checkouts must not share a database: the newer one upgrades its
    schema, which the older one then refuses to open. The demo base is made
    by the baseline's own first start; a generated base is copied once.
    """
    env = env | {"PYTHONPATH": str(baseline)}
    if "CDSBOT_DATA_DIR" in env:
        tag = hashlib.sha256(str(baseline).encode()).hexdigest()[:8]
        ours = Path(env["CDSBOT_DATA_DIR"])
        theirs = ours.with_name(f"{ours.name}-baseline-{tag}")
        if theirs.exists() and _index_format(theirs) != _index_format(ours):
            shutil.rmtree(theirs)  # ours was saved again in the current format since it was copied
        if not theirs.exists() and (ours / "built.json").exists():
            shutil.copytree(ours, theirs)
        env["CDSBOT_DATA_DIR"] = str(theirs)
    return env


def measure(
    name: str, commands: list[list[str]], env: dict[str, str], runs: int, baseline: Path | None = None
) -> dict[str, object]:
    """Median wall and CPU time over ``runs`` processes (cycling through ``commands``).

    With ``baseline``, each run is followed by the same command from that source
    tree, and the median of the per-run CPU ratios (ours / baseline) is reported too.
    """
    walls, cpus, base_cpus, ratios = [], [], [], []
    # Per command (question): a found answer is printed by the cold path, "no information"
    # with its examples by the full one, so the questions are not alike.
    per_command: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for i in range(runs):
        wall, cpu, _ = _run(commands[i % len(commands)], env, CACHE)
        walls.append(wall)
        cpus.append(cpu)
        ratio = None
        if baseline is not None:
            args = commands[i % len(commands)][len(_cdsbot()) :]
            _, base_cpu, _ = _run([*_FROM_SOURCES, *args], baseline_env(env, baseline), CACHE)
            base_cpus.append(base_cpu)
            ratio = cpu / base_cpu
            ratios.append(ratio)
        per_command[" ".join(commands[i % len(commands)][len(_cdsbot()) :])].append((cpu, ratio))
    result: dict[str, object] = {
        "case": name,
        "runs": runs,
        "wall_median_s": round(statistics.median(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "wall_min_s": round(min(walls), 3),
    }
    if baseline is not None:
        result["baseline_cpu_median_s"] = round(statistics.median(base_cpus), 3)
        result["cpu_ratio_median"] = round(statistics.median(ratios), 3)
    if len(per_command) > 1:
        result["per_command"] = [
            {
                "command": command,
                "runs": len(samples),
                "cpu_median_s": round(statistics.median(c for c, _ in samples), 3),
                "cpu_ratio_median": (
                    round(statistics.median(r for _, r in samples if r is not None), 3) if baseline else None
                ),
            }
            for command, samples in per_command.items()
        ]
    return result


def importtime_top(
    args: list[str], env: dict[str, str], top: int = 15
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(self import time per top-level package, cumulative time of single modules), seconds, largest first.

    The second list names the module that pulled a heavy library in (``index.bm25``
    for scipy), which the per-package sums hide.
    """
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    _, _, stderr = _run([sys.executable, "-X", "importtime", "-c", code, *args], env, CACHE)
    per_package: dict[str, float] = defaultdict(float)
    cumulative: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line[len("import time:") :].split("|")
        if not fields[0].strip().isdigit():
            continue  # the header line
        module = fields[2].strip()
        per_package[module.split(".")[0]] += int(fields[0]) / 1e6
        cumulative[module] = max(cumulative.get(module, 0.0), int(fields[1]) / 1e6)
    ranked = sorted(per_package.items(), key=lambda item: -item[1])
    modules = sorted(cumulative.items(), key=lambda item: -item[1])
    return [("(all imports)", sum(per_package.values()))] + ranked[:top], modules[:top]


# ------------------------------------------------------------ the 100k base
_TEMPLATES = [
    "Năm {year}, {province} có {n} thủ tục hành chính được cung cấp dưới dạng dịch vụ công trực tuyến toàn trình.",
    "Tỷ lệ hồ sơ giải quyết trực tuyến của {province} đạt {pct}% trong {period} năm {year}.",
    "{agency} {province} đã triển khai {n} nền tảng số dùng chung cho cấp xã.",
    "Theo báo cáo, {province} xếp thứ {rank}/63 về chỉ số chuyển đổi số cấp tỉnh năm {year}.",
    "Trong {period}, {province} thành lập thêm {n} tổ công nghệ số cộng đồng tại các thôn, khu phố.",
    "{agency} {province} yêu cầu hoàn thành việc số hoá hồ sơ, kết quả giải quyết thủ tục trước ngày {day}/{month}/{year}.",
    "Kinh phí dành cho các dự án chuyển đổi số của {province} năm {year} là {n} tỷ đồng.",
    "{province} có {pct}% người dân trưởng thành sử dụng tài khoản định danh điện tử mức độ 2.",
    "Hội nghị sơ kết {period} của Ban chỉ đạo chuyển đổi số {province} đánh giá {n} chỉ tiêu đã đạt kế hoạch.",
    "{agency} {province} phối hợp với doanh nghiệp viễn thông phủ sóng 4G cho {n} thôn bản vùng sâu.",
    "Về kinh tế số, {province} đứng thứ {rank} cả nước, tỷ trọng đóng góp vào GRDP ước đạt {pct}%.",
    "Kho dữ liệu dùng chung của {province} đã kết nối với {n} cơ sở dữ liệu chuyên ngành.",
]
_PERIODS = ["6 tháng đầu năm", "quý I", "quý III", "9 tháng", "cả năm"]
_AGENCIES = ["Sở Thông tin và Truyền thông", "Ủy ban nhân dân", "Sở Khoa học và Công nghệ", "Văn phòng UBND", "Sở Nội vụ"]


def _build_base(data_dir: Path, n_passages: int, seed: int = 7) -> None:
    """Store ``n_passages`` synthetic passages through the library and save the index cache."""
    sys.path.insert(0, str(ROOT))
    from index.terms import tokenize
    from index.text import join_words
    from knowledge.db import default_sqlite_url, make_engine
    from knowledge.documents.demo import demo_documents
    from knowledge.documents.passages import sentences
    from knowledge.documents.prepare import PreparedDocument
    from knowledge.library import Library
    from knowledge.models import Document
    from knowledge.provinces import load_gazetteer

    rng = random.Random(seed)
    texts = [data.decode("utf-8") for _, data in demo_documents()]
    seeds = ROOT.parent.parent / "shared" / "seeds"
    if seeds.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    pool: list[tuple[str, list[str]]] = []
    for text in texts:
        for paragraph in text.split("\n"):
            if len(paragraph.split()) >= 6 and not paragraph.startswith(("---", "#")):
                pool += [(s, tokenize(s)) for s in sentences(paragraph)]
    provinces = load_gazetteer().all_names()
    segmented: dict[str, list[str]] = {}

    def tokens_of(chunk: str) -> list[str]:
        if chunk not in segmented:
            segmented[chunk] = tokenize(chunk) if chunk.strip() else []
        return segmented[chunk]

    def generated() -> tuple[str, list[str]]:
        template = rng.choice(_TEMPLATES)
        values = {
            "province": rng.choice(provinces),
            "year": str(rng.randint(2019, 2026)),
            "n": str(rng.randint(2, 2500)),
            "pct": f"{rng.randint(10, 99)},{rng.randint(0, 9)}",
            "rank": str(rng.randint(1, 63)),
            "period": rng.choice(_PERIODS),
            "agency": rng.choice(_AGENCIES),
            "day": str(rng.randint(1, 28)),
            "month": str(rng.randint(1, 12)),
        }
        text, tokens, rest = "", [], template
        while "{" in rest:
            before, _, after = rest.partition("{")
            slot, _, rest = after.partition("}")
            text += before + values[slot]
            # Numbers are segmented in context ("63" after "13/" and "%" after a number).
            tokens += tokens_of(before) + tokens_of(values[slot])
        return text + rest, tokens + tokens_of(rest)

    library = Library(make_engine(default_sqlite_url(data_dir)), index_dir=data_dir / "index")
    per_document = 50
    made = 0
    number = 0
    while made < n_passages:
        number += 1
        passages, tokens = [], []
        for _ in range(min(per_document, n_passages - made)):
            chosen = [rng.choice(pool) if rng.random() < 0.5 else generated() for _ in range(rng.randint(3, 6))]
            passages.append(" ".join(s for s, _ in chosen))
            tokens.append(join_words([t for _, toks in chosen for t in toks]))
        province = rng.choice(provinces)
        document = Document(
            title=f"Báo cáo chuyển đổi số {province} số {number}",
            source=f"https://example.gov.vn/bao-cao/{number}",
            provinces=province,
            content_hash=hashlib.sha256("\n".join(passages).encode()).hexdigest(),
            filename=f"bao-cao-{number}.txt",
        )
        result = library.commit(PreparedDocument(document, passages, tokens, []))
        if result.status != "added":
            raise SystemExit(f"synthetic document {number} not added: {result.error}")
        made += len(passages)
    library.save_index()


def _index_format(data_dir: Path) -> object:
    manifest = data_dir / "index" / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8")).get("format") if manifest.exists() else None


def resave_in_current_format(data_dir: Path) -> None:
    """Save the base's index again if an older format was kept (still read, but with scipy on every start).

    A base built by this code is saved in the current format; one built by an older
    checkout would otherwise make every timed start pay for reading the old one.
    """
    code = (
        "import sys; from pathlib import Path; from index.bm25 import FORMAT_VERSION; "
        "from knowledge.db import make_engine; from knowledge.library import Library\n"
        f"d = Path({str(data_dir)!r})\n"
        "if __import__('json').loads((d / 'index' / 'manifest.json').read_text()).get('format') != FORMAT_VERSION:\n"
        "    library = Library(make_engine(f'sqlite:///{d / \"cdsbot.sqlite3\"}'), index_dir=d / 'index')\n"
        "    library.save_index(); library.close(); print('saved again', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=CACHE, env=_env(data_dir, demo=False),
                          capture_output=True, text=True)
    if "saved again" in done.stderr:
        print(f"the saved index of {data_dir} was in an older format and has been saved again", file=sys.stderr)


def base_100k(n_passages: int) -> Path:
    data_dir = CACHE / f"base-{n_passages}"
    marker = data_dir / "built.json"
    if marker.exists() and json.loads(marker.read_text()).get("version") == BASE_VERSION:
        return data_dir
    if data_dir.exists():
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    data_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    # In a child process: the bench itself stays free of the project's imports.
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import startup; startup._build_base(__import__('pathlib').Path({str(data_dir)!r}), {n_passages})"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=CACHE, env=_env(data_dir, demo=False))
    marker.write_text(json.dumps({"version": BASE_VERSION, "passages": n_passages}))
    print(f"built a {n_passages}-passage base in {time.perf_counter() - start:.0f} s: {data_dir}", file=sys.stderr)
    return data_dir


# ---------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per case (median reported)")
    parser.add_argument("--passages", type=int, default=100_000, help="size of the large base")
    parser.add_argument("--skip-100k", action="store_true", help="only --help and the demo base")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--compare", type=Path, metavar="DIR", help="also run each case from the sources in DIR, interleaved"
    )
    args = parser.parse_args()
    baseline = args.compare.resolve() if args.compare else None
    if baseline is not None and not (baseline / "bot" / "cli.py").is_file():
        raise SystemExit(f"{baseline} holds no cdsbot sources (bot/cli.py)")
    CACHE.mkdir(parents=True, exist_ok=True)
    cdsbot = _cdsbot()
    asks = [["ask", q] for q in QUESTIONS]

    demo_dir = CACHE / "demo"
    demo_env = _env(demo_dir, demo=True)
    _run([*cdsbot, *asks[0]], demo_env, CACHE)  # first start: loads the demo base and saves the index
    cases: list[tuple[str, list[list[str]], dict[str, str]]] = [
        ("cdsbot --help", [["--help"]], _env(None, demo=False)),
        ("cold ask, demo base", asks, demo_env),
    ]
    if not args.skip_100k:
        big_dir = base_100k(args.passages)
        big_env = _env(big_dir, demo=False)
        # A base saved by an older index format is rebuilt here once (minutes at 100k), not in the timed runs.
        _, _, warmup_log = _run([*cdsbot, *asks[0]], big_env, CACHE)
        if "rebuilding" in warmup_log:
            print("the saved 100k index was unusable and has been rebuilt and saved again", file=sys.stderr)
        resave_in_current_format(big_dir)
        # The saved index must be the one loaded (same database, nothing rebuilt).
        manifest = json.loads((big_dir / "index" / "manifest.json").read_text(encoding="utf-8"))
        if manifest["passages"] != args.passages:
            raise SystemExit(f"the saved index holds {manifest['passages']} passages, not {args.passages}")
        cases.append((f"cold ask, {args.passages // 1000}k passages", asks, big_env))

    if baseline is not None:  # its bytecode written once, not during the timed runs
        for _, commands, env in cases:
            _run([*_FROM_SOURCES, *commands[0]], baseline_env(env, baseline), CACHE)
    results = []
    for name, commands, env in cases:
        result = measure(name, [[*cdsbot, *c] for c in commands], env, args.runs, baseline)
        packages, modules = importtime_top(commands[0], env)
        result["importtime_top"] = [(pkg, round(s, 3)) for pkg, s in packages]
        result["importtime_modules"] = [(module, round(s, 3)) for module, s in modules]
        results.append(result)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    load = os.getloadavg()[0]
    extra = f" {'baseline cpu':>13} {'cpu ratio':>10}" if baseline else ""
    print(
        f"{'case':<28} {'wall median':>12} {'cpu median':>11} {'wall min':>9}{extra}"
        f"   (load average {load:.1f}, {os.cpu_count()} cpus)"
    )
    for r in results:
        line = f"{r['case']:<28} {r['wall_median_s']:>11.3f}s {r['cpu_median_s']:>10.3f}s {r['wall_min_s']:>8.3f}s"
        if baseline:
            line += f" {r['baseline_cpu_median_s']:>12.3f}s {r['cpu_ratio_median']:>10.2f}"
        print(line)
    if baseline:
        print(f"(cpu ratio: median over runs of this tree's CPU / {baseline}'s, run in turn)")
    for r in results:
        for c in r.get("per_command", []):  # type: ignore[attr-defined]
            ratio = f"  ratio {c['cpu_ratio_median']:.2f}" if c["cpu_ratio_median"] is not None else ""
            print(f"  {r['case']}: {c['cpu_median_s']:.3f}s cpu{ratio} over {c['runs']} run(s)  {c['command']}")
    for r in results:
        print(f"\n-X importtime, {r['case']}: self time per top-level package (s) | largest cumulative (s)")
        for (package, seconds), (module, total) in zip(r["importtime_top"], r["importtime_modules"] + [("", 0.0)]):  # type: ignore[operator]
            print(f"  {seconds:7.3f}  {package:<22} | {total:7.3f}  {module}")


if __name__ == "__main__":
    main()
