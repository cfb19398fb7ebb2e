"""Bot throughput and latency through the real Application and the fake Bot API.

    python bench/bot_load.py                     # 200 questions from 20 users, both scenarios
    python bench/bot_load.py --rate 25 --json

Two scenarios, each 200 questions from 20 simulated users:

* steady: questions arrive at random (Poisson) at ``--rate`` per second, from
  the users in turn; 20/s is already far more than a province's officials
  ask, and under the 30 messages/s Telegram lets a bot send. This is where
  the p95 ≤ 200 ms target applies.
* burst: every user asks its ten questions back to back, all users at once:
  the most the bot can answer per second. Replies are paced by the
  application's AIORateLimiter (Telegram's 30 messages/s), so queueing, not
  search, sets the latency here.

Latency is from the moment the update is queued on the fake server to the
moment the bot's sendMessage for it arrives there: the long poll, PTB's
dispatch, the search in a worker thread, rendering and the HTTP round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402
from bot.services import Services
from bot.telegram.app import build_application
from knowledge.db import make_engine  # noqa: E402
from knowledge.library import Library  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

QUESTIONS_FILE = Path(__file__).resolve().parent / "demo_questions.jsonl"


def load_questions() -> list[str]:
    with QUESTIONS_FILE.open(encoding="utf-8") as f:
        return [json.loads(line)["q"] for line in f if line.strip()]


async def simulate_user(tg: FakeTelegram, user_id: int, questions: list[str], latencies: list[float]) -> None:
    """Ask, wait for the answer, ask the next one."""
    for n, question in enumerate(questions, start=1):
        started = time.monotonic()
        tg.send_message(question, user_id=user_id)
        await tg.wait_for("sendMessage", count=n, timeout=30, predicate=lambda p: p.get("chat_id") == user_id)
        arrived = [r for r in tg.requests_for("sendMessage") if r.params.get("chat_id") == user_id][n - 1]
        latencies.append(arrived.time - started)


async def steady(tg: FakeTelegram, questions: list[str], users: int, rate: float, seed: int = 7) -> list[float]:
    """Open-loop arrivals at ``rate`` per second; latencies matched per chat, first in first out."""
    rng = random.Random(seed)
    sent: dict[int, list[float]] = {}
    for n, question in enumerate(questions):
        user_id = 2000 + n % users
        sent.setdefault(user_id, []).append(time.monotonic())
        tg.send_message(question, user_id=user_id)
        await asyncio.sleep(rng.expovariate(rate))
    await tg.wait_for(
        "sendMessage", count=len(questions), timeout=60, predicate=lambda p: int(p.get("chat_id", 0)) >= 2000
    )
    latencies = []
    for user_id, times in sent.items():
        arrivals = [r.time for r in tg.requests_for("sendMessage") if r.params.get("chat_id") == user_id]
        latencies += [arrived - started for started, arrived in zip(times, arrivals)]
    return latencies


def summary(name: str, latencies: list[float], elapsed: float) -> dict[str, float | int | str]:
    ordered = sorted(latencies)
    return {
        "scenario": name,
        "questions": len(ordered),
        "seconds": round(elapsed, 3),
        "answers_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


async def run(users: int, total: int, rate: float, data_dir: Path) -> list[dict[str, float | int | str]]:
    library = Library(make_engine(f"sqlite:///{data_dir / 'cdsbot.sqlite3'}"), index_dir=data_dir / "index")
    library.load_demo_once()
    pool = load_questions()
    questions = [pool[n % len(pool)] for n in range(total)]
    per_user = max(1, total // users)
    results = []
    async with FakeTelegram() as tg:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=tg.token,
            telegram_api_url=tg.base_url,
            telegram_file_url=tg.base_file_url,
            data_dir=data_dir,
            demo=False,
            rate_limit_per_minute=0,  # the per-user limit would refuse a simulated user's burst
        )
        application = build_application(Services(settings=settings, library=library))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10)
            # Warm up: first-question costs (imports, caches) are not what users wait for.
            await simulate_user(tg, 1, pool[:3], [])

            started = time.monotonic()
            latencies = await steady(tg, questions, users, rate)
            results.append(summary(f"steady {rate:g}/s", latencies, time.monotonic() - started))

            latencies = []
            started = time.monotonic()
            await asyncio.gather(
                *(
                    simulate_user(tg, 1000 + u, questions[u * per_user : (u + 1) * per_user], latencies)
                    for u in range(users)
                )
            )
            results.append(summary("burst", latencies, time.monotonic() - started))
            await application.updater.stop()
            await application.stop()
    library.engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="steady arrivals per second (default 20)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run(args.users, args.questions, args.rate, Path(tmp)))
    for result in results:
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['scenario']:<12} {result['questions']} questions, {args.users} users, {result['seconds']} s: "
                f"{result['answers_per_second']} answers/s, update→sendMessage p50 {result['p50_ms']} ms, "
                f"p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
            )
    if not args.json:
        print("target: steady p95 ≤ 200 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
