"""Load run: mixed search and answer requests from concurrent clients against `mizan serve`.

    .venv/bin/python bench/load.py [--requests 200] [--clients 8] [--workers N] [--records 6600]

The index (bench/results/load/index) holds the first --records SaudiNewsNet articles (about
20k passages) and the five seeds, with real passage vectors. It is built on the first run
and reused after (embedding 20k passages takes about 25 minutes on 2 CPU cores; use a GPU
with --device cuda where there is one). Requests: half answers to count questions (كم …)
from XQuAD-ar/ARCD and the mission's question, half searches (hybrid, some bm25, some with
an outlet filter or a second page). The server is warmed with one round first (each worker
loads the index as it starts); that round is reported apart. Questions are not repeated (each
pool is sampled without replacement), so per-process caches of query vectors do not flatter
it. Prints a table and writes bench/results/load.json.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from search.store import Store  # noqa: E402

SHARED = REPO_ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"
SEEDS = SHARED / "seeds"
EVALS = [SHARED / "eval" / "xquad_ar" / "queries.tsv", SHARED / "eval" / "arcd" / "test" / "queries.tsv"]
RESULTS = REPO_ROOT / "bench" / "results"
WORK = RESULTS / "load"
MISSION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
MIN_PASSAGES = 20_000


def build_index(index: Path, records: int, device: str | None) -> None:
    from indexer.pipeline import index_paths

    for path in (CORPUS, SEEDS):
        if not path.exists():
            sys.exit(f"needs {path}: run with ../shared beside the checkout")
    subset = WORK / f"saudinewsnet-{records}.jsonl"
    if not subset.is_file():
        WORK.mkdir(parents=True, exist_ok=True)
        with gzip.open(CORPUS, "rt", encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as out:
            out.writelines(itertools.islice(src, records))
    print(f"building {index} from {subset.name} and the seeds, with passage vectors…", file=sys.stderr)
    index_paths([subset, SEEDS], index, progress=True, device=device)


def check_index(index: Path) -> dict:
    with Store.open(index) as store:
        stats = store.stats()
    if stats["passages"] < MIN_PASSAGES or not stats["embedding_model"]:
        sys.exit(
            f"{index} has {stats['passages']} passages, vectors: {stats['embedding_model']}; the load run wants "
            f"at least {MIN_PASSAGES} with vectors: remove it and run again with a larger --records"
        )
    return stats


def requests_mix(n: int, outlets: list[str], seed: int = 7) -> list[tuple[str, str, dict]]:
    """(kind, path, params): half answers to count questions, half searches of several shapes."""
    rng = random.Random(seed)
    questions = []
    for path in EVALS:
        if not path.is_file():
            sys.exit(f"needs {path}: run with ../shared beside the checkout")
        questions += [line.split("\t", 1)[1].strip() for line in path.read_text("utf-8").splitlines() if "\t" in line]
    count_questions = list(dict.fromkeys([MISSION] + [q for q in questions if q.startswith("كم")]))
    # Distinct questions as far as the pools go: a repeated one would be served partly from caches.
    asked = rng.sample(count_questions, len(count_questions))
    searched = rng.sample(questions, len(questions))
    out: list[tuple[str, str, dict]] = []
    for i in range(n):
        if i % 2 == 0:
            out.append(("answer", "/api/answer", {"q": asked[(i // 2) % len(asked)]}))
            continue
        params: dict = {"q": searched[(i // 2) % len(searched)]}
        shape = rng.random()
        if shape < 0.15:
            params["mode"] = "bm25"
        elif shape < 0.30 and outlets:
            params["outlet"] = rng.choice(outlets)
        elif shape < 0.40:
            params["page"] = 2
        out.append(("search", "/api/search", params))
    rng.shuffle(out)
    return out


def timed(base: str, item: tuple[str, str, dict]) -> dict:
    kind, path, params = item
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    start = time.perf_counter()
    status = 0
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = -1
    return {"kind": kind, "status": status, "ms": (time.perf_counter() - start) * 1000}


def summary(rows: list[dict]) -> dict:
    ms = sorted(r["ms"] for r in rows)
    if not ms:
        return {}
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {
        "requests": len(rows),
        "errors": sum(1 for r in rows if r["status"] != 200),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(pick(0.95), 1),
        "p99_ms": round(pick(0.99), 1),
        "max_ms": round(ms[-1], 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def start_server(index: Path, port: int, workers: int | None) -> subprocess.Popen:
    mizan = Path(sys.executable).with_name("mizan")
    cmd = [str(mizan), "serve", "--index", str(index), "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit("mizan serve did not come up within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=WORK / "index")
    parser.add_argument("--records", type=int, default=6600, help="SaudiNewsNet articles to index (first N)")
    parser.add_argument("--device", default=None, help="where to embed when building: cpu or cuda")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: mizan serve's)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    if not (args.index / "manifest.json").is_file():
        build_index(args.index, args.records, args.device)
    stats = check_index(args.index)
    outlets = [o["outlet"] for o in stats["outlets"] if o["outlet"]][:8]
    mix = requests_mix(args.requests, outlets)
    base = f"http://127.0.0.1:{args.port}"
    proc = start_server(args.index, args.port, args.workers)
    try:
        with ThreadPoolExecutor(args.clients) as pool:
            # words no request of the mix uses, so nothing of the run is cached by the warm-up
            warmers = [("search", "/api/search", {"q": f"تهيئة {n}"}) for n in range(args.clients * 2)]
            warm = list(pool.map(lambda item: timed(base, item), warmers))
            started = time.perf_counter()
            rows = list(pool.map(lambda item: timed(base, item), mix))
            wall = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    from web.serve import default_workers

    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "index": {"passages": stats["passages"], "documents": stats["documents"], "model": stats["embedding_model"]},
        "clients": args.clients,
        "workers": args.workers or default_workers(),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(rows) / wall, 1),
        "warm_up": summary(warm),
        "all": summary(rows),
        "search": summary([r for r in rows if r["kind"] == "search"]),
        "answer": summary([r for r in rows if r["kind"] == "answer"]),
        "statuses": sorted({r["status"] for r in rows}),
    }
    print(
        f"\n{result['index']['passages']:,} passages with vectors; {len(rows)} requests from {args.clients} clients; "
        f"{result['workers']} workers; {result['throughput_rps']} requests/s"
    )
    print(f"{'':<10}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in ("search", "answer", "all", "warm_up"):
        s = result[name]
        print(
            f"{name:<10}{s['requests']:>9}{s['errors']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['p99_ms']:>9}"
            f"{s['max_ms']:>9}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {RESULTS / 'load.json'}")


if __name__ == "__main__":
    main()
