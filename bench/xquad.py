"""Retrieval quality on SQuAD-format files (e.g. XQuAD vi), beside rank-bm25 in the same run.

    python bench/xquad.py                       # ../shared/eval/xquad.vi.json when present
    python bench/xquad.py path/to/squad.json --json

Each context is one passage. Our side runs the real pipeline: underthesea word
tokens at ingest, our terms (folded syllables, bigrams, concepts), question
reading (question words out) and our BM25 index. The reference is plain
rank-bm25 BM25Okapi over lowercased syllables, as measured in shared/eval.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.bm25 import Bm25Index  # noqa: E402
from index.query import QueryReader  # noqa: E402
from index.terms import TermMaker, tokenize  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "xquad.vi.json"


def load_squad(path: Path) -> tuple[list[str], list[tuple[str, int]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    contexts: list[str] = []
    questions: list[tuple[str, int]] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            contexts.append(paragraph["context"])
            for qa in paragraph["qas"]:
                questions.append((qa["question"], len(contexts) - 1))
    return contexts, questions


def metrics(rankings: list[list[int]], gold: list[int]) -> dict[str, float]:
    r1 = np.mean([g in r[:1] for r, g in zip(rankings, gold)])
    r5 = np.mean([g in r[:5] for r, g in zip(rankings, gold)])
    mrr = np.mean([1.0 / (r[:10].index(g) + 1) if g in r[:10] else 0.0 for r, g in zip(rankings, gold)])
    return {"recall@1": round(float(r1), 4), "recall@5": round(float(r5), 4), "mrr@10": round(float(mrr), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"no such file: {args.file} (pass a SQuAD-format JSON file)")
    contexts, questions = load_squad(args.file)
    gold = [g for _, g in questions]

    terms = TermMaker()
    reader = QueryReader(terms)
    start = time.perf_counter()
    index = Bm25Index()
    index.add_many((i, terms.terms(tokenize(c))) for i, c in enumerate(contexts))
    ingest_s = time.perf_counter() - start
    ours = [[h.passage_id for h in index.search(reader.read(q).terms, 10)] for q, _ in questions]

    from rank_bm25 import BM25Okapi

    def syllables(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    reference = BM25Okapi([syllables(c) for c in contexts])
    theirs = [list(np.argsort(-reference.get_scores(syllables(q)))[:10]) for q, _ in questions]

    result = {
        "contexts": len(contexts),
        "questions": len(questions),
        "ingest_s": round(ingest_s, 2),
        "cdsbot": metrics(ours, gold),
        "rank_bm25_syllables": metrics([[int(i) for i in r] for r in theirs], gold),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.file.name}: {len(contexts)} contexts, {len(questions)} questions (ingest {ingest_s:.1f} s)")
    for name in ("cdsbot", "rank_bm25_syllables"):
        m = result[name]
        print(f"  {name:<20} Recall@1 {m['recall@1']:.3f}  Recall@5 {m['recall@5']:.3f}  MRR@10 {m['mrr@10']:.3f}")


if __name__ == "__main__":
    main()
