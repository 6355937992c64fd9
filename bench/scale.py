"""One million passages on one machine: build time, size, memory and speed of a local index at scale.

    .venv/bin/python bench/scale.py [--passages 1000000] [--work DIR] [--keep] [--reuse]

1. base: `mizan index --no-embed` of SaudiNewsNet and ANT Jawhara FM (the real pipeline: reading,
   cleaning, dedup, figures, BM25): wall time, passages, peak RSS. Kept in --work and reused.
2. tiles: the base's documents, passages, figures and band rows copied in SQLite under new ids
   (every id and source key suffixed «~tN») until --passages passages. A copy holds what a corpus
   N times larger would hold, without reading text the pipeline has read once; dedup would
   otherwise (rightly) store every copy as a duplicate.
3. lexical: BM25 over every passage, built by the index's own LexicalComponent (what a rebuild runs).
4. dense: random unit vectors (384 dimensions: search speed does not depend on what vectors say,
   and embedding a million passages on 2 CPU cores would take a week of this machine), saved by
   the index's own DenseIndex with its HNSW graph.
5. `mizan check` on the result: the tiled index is a whole index.
6. speed in one process, as a server worker runs it, after a first hybrid pass timed apart (the
   mapped index read from disk): the BM25 sub-query alone, then lexical (bm25) and hybrid search
   end to end, p50/p95 over real questions, with the engine's real query vectors (hybrid with them
   remembered, then with each computed); answers to count questions p50/p95; RSS after loading.
   Then `mizan serve` (2 workers) on it: the server's RSS at rest, summed over its processes, after
   a warm-up request to each worker.
7. size on disk of each part.
8. with --keep only (they change the index): documents added one write at a time, as the API adds
   them. --reuse measures a kept index again without building it.

Each step runs in a child process, so each one's peak RSS is its own. Prints a table and writes
bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SHARED = REPO_ROOT.parent / "shared"
CORPORA = [SHARED / "corpus" / "saudinewsnet.jsonl.gz", SHARED / "corpus" / "ant_jawharafm.jsonl.gz"]
QUESTIONS = [SHARED / "eval" / "xquad_ar" / "queries.tsv", SHARED / "eval" / "arcd" / "test" / "queries.tsv"]
COUNT_QUESTIONS = REPO_ROOT / "bench" / "figures_gold" / "questions.jsonl"
RESULTS = REPO_ROOT / "bench" / "results"
MIZAN = str(Path(sys.executable).with_name("mizan"))
SEED = 11
DIMENSION = 384


def child(step: str, *args: str) -> tuple[dict, float, float]:
    """Run `bench/scale.py step ...` in a child: (its JSON line, wall seconds, peak RSS GiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, step, *args], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"step {step} failed with code {proc.returncode}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return (json.loads(lines[-1]) if lines else {}), wall, usage.ru_maxrss / 2**20


# ---------------------------------------------------------------- steps (each in its own process)


def step_tile(index: str, target: str) -> dict:
    """Copy rows under new ids until `target` passages."""
    db = sqlite3.connect(Path(index) / "mizan.sqlite")
    db.execute("PRAGMA foreign_keys = ON")  # the trim below deletes figures and bands with their passages
    base = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    copies = -(-int(target) // base) - 1  # ceil(target / base) - 1 copies beside the original
    tables = {  # (columns with the copy's suffix on every id, the id that tells an original row)
        "documents": (
            "doc_id || :s, source_key || :s, source_path, title, outlet, agency, published, "
            "date_estimated, url, text, content_hash || :s, signature, added_at",
            "doc_id",
        ),
        "passages": ("passage_id || :s, doc_id || :s, ordinal, start, end, text, signature", "passage_id"),
        "figures": (
            "passage_id || :s, ordinal, value_low, value_high, qualifier, percent, unit, noun, category, "
            "subject, claimant, denied, start, end, sentence_start, sentence_end",
            "passage_id",
        ),
        "doc_bands": ("band_key, doc_id || :s", "doc_id"),
        "passage_bands": ("band_key, passage_id || :s", "passage_id"),
    }
    with db:
        for n in range(1, copies + 1):
            for table, (columns, key) in tables.items():
                db.execute(
                    f"INSERT INTO {table} SELECT {columns} FROM {table} WHERE instr({key}, '~') = 0", {"s": f"~t{n}"}
                )
            print(f"  copy {n}/{copies}", file=sys.stderr, flush=True)
        extra = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0] - int(target)
        if extra > 0:  # the last copy's surplus goes, with its figures and bands
            db.execute(
                "DELETE FROM passages WHERE rowid IN (SELECT rowid FROM passages ORDER BY rowid DESC LIMIT :n)",
                {"n": extra},
            )
            db.execute(
                "DELETE FROM documents WHERE doc_id LIKE :p AND NOT EXISTS "
                "(SELECT 1 FROM passages p WHERE p.doc_id = documents.doc_id)",
                {"p": f"%~t{copies}"},
            )
        db.execute("DELETE FROM meta WHERE key IN ('lexical', 'dense')")  # both rebuilt over every passage
    passages, documents = (db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("passages", "documents"))
    db.close()
    return {"base_passages": base, "copies": copies, "passages": passages, "documents": documents}


def step_lexical(index: str) -> dict:
    from search.backends.local import LexicalComponent
    from search.store import IndexWriter

    with IndexWriter(Path(index), components=[LexicalComponent(progress=True)]):
        pass  # no lexical generation is named (step_tile removed it): the component builds one over every passage
    return {}


def step_dense(index: str) -> dict:
    import numpy as np

    from search.backends.local import DENSE_DIR, DENSE_KEY, _publish
    from search.dense import DenseIndex
    from search.embeddings import DEFAULT_MODEL
    from search.encoders import default_encoder
    from search.store import IndexWriter, record_embedding_model

    index_dir = Path(index)
    with IndexWriter(index_dir) as store:
        ids = [pid for pid, _, _ in store.passages_for_indexing(None)]
        rng = np.random.default_rng(SEED)
        dense = DenseIndex(DEFAULT_MODEL, DIMENSION, default_encoder())
        for start in range(0, len(ids), 100_000):  # in parts: one 1M x 384 draw in fp64 would take 3 GB
            part = rng.standard_normal((min(100_000, len(ids) - start), DIMENSION), dtype=np.float32)
            dense.add(ids[start : start + len(part)], part / np.linalg.norm(part, axis=1, keepdims=True))
        started = time.perf_counter()
        dense.search(dense.vectors[0], 10)  # builds the HNSW graph
        graph_s = time.perf_counter() - started
        _publish(store, index_dir, DENSE_DIR, DENSE_KEY, None, dense.save, len(dense))
    record_embedding_model(index_dir, DEFAULT_MODEL, DIMENSION)
    return {"graph_s": round(graph_s, 1), "structure": type(dense._index()).__name__}


def step_speed(index: str, questions: int) -> dict:
    import numpy as np

    from search.engine import Query, SearchEngine, SearchMode
    from search.figures.answers import answer

    searches, counts = load_questions(questions)
    started = time.perf_counter()
    engine = SearchEngine.open(Path(index))
    engine.search(Query("ميزان", k=1))  # loads the lexical and dense generations
    load_s = time.perf_counter() - started
    rss_loaded = rss_gib()

    from bench.retrieval import latencies_ms

    def timed(fn, items) -> list[float]:
        return list(latencies_ms(fn, items, warmup=1))

    from search.embeddings import DEFAULT_MODEL
    from search.query_encoder import _cached_query_vector, _vino_query_vector, query_vector

    for q in searches + counts:  # the query vector is its own cost (bench/embedding.py); measured apart
        query_vector(DEFAULT_MODEL, q)
    # The first pass reads the mapped index from disk (HNSW visits pages of 1.5 GB of vectors at random):
    # timed apart, as a server's first minutes; the rows after it are a server's steady state.
    first = timed(lambda q: engine.search(Query(q, k=10)), searches)
    bm25 = timed(lambda q: engine.backend.lexical(q, 10), searches)  # the BM25 sub-query alone
    bm25_100 = timed(lambda q: engine.backend.lexical(q, 100), searches)  # at the depth hybrid fuses
    lexical = timed(lambda q: engine.search(Query(q, k=10, mode=SearchMode.BM25)), searches)
    hybrid = timed(lambda q: engine.search(Query(q, k=10)), searches)
    answers = timed(lambda q: answer(engine, Query(q)), counts)
    vector = timed(_vino_query_vector, searches[:50])
    _cached_query_vector.cache_clear()  # hybrid again, each query's vector computed as a new query's is
    hybrid_cold = timed(lambda q: engine.search(Query(q, k=10)), searches)
    engine.close()

    def pct(values: list[float], p: int) -> float:
        return round(float(np.percentile(values, p)), 2)

    return {
        "load_s": round(load_s, 1),
        "rss_loaded_gib": round(rss_loaded, 2),
        "bm25_p50_ms": pct(bm25, 50),
        "bm25_p95_ms": pct(bm25, 95),
        "bm25_depth100_p50_ms": pct(bm25_100, 50),
        "hybrid_with_vector_p50_ms": pct(hybrid_cold, 50),
        "hybrid_with_vector_p95_ms": pct(hybrid_cold, 95),
        "lexical_p50_ms": pct(lexical, 50),
        "lexical_p95_ms": pct(lexical, 95),
        "first_pass_hybrid_p50_ms": pct(first, 50),
        "first_pass_hybrid_p95_ms": pct(first, 95),
        "hybrid_p50_ms": pct(hybrid, 50),
        "hybrid_p95_ms": pct(hybrid, 95),
        "answer_p50_ms": pct(answers, 50),
        "answer_p95_ms": pct(answers, 95),
        "query_vector_p50_ms": pct(vector, 50),
        "searches": len(searches),
        "answers": len(counts),
    }


def step_writes(index: str) -> dict:
    """Documents added one write at a time to the whole index, as the API adds them: each saves a delta
    (search/generations.py) and the reader replays it. The first write also loads the model."""
    import statistics

    from indexer.passages import make_passages
    from search.backends.local import LocalBackend
    from search.models import Document

    backend = LocalBackend(Path(index))
    took = []
    run = int(time.time())  # new documents every run (one stored before would only be replaced)
    for n in range(8):
        text = f"أعلنت السلطات أن {n + 7} أشخاص أصيبوا في حادث سير وقع صباح اليوم على الطريق رقم {run}-{n}."
        doc = Document(
            doc_id=f"scale-write-{run}-{n}",
            source_key=f"api:scale-write-{run}-{n}",
            title=f"حادث سير {n}",
            text=text,
            outlet="ميزان",
        )
        doc.passages = make_passages(doc.doc_id, text)
        started = time.perf_counter()
        backend.add([doc])  # the write, then the reader's refresh
        took.append(time.perf_counter() - started)
    backend.close()
    return {
        "writes": len(took) - 1,
        "first_write_s": round(took[0], 2),
        "write_p50_s": round(statistics.median(took[1:]), 3),
        "write_max_s": round(max(took[1:]), 3),
    }


def load_questions(n: int) -> tuple[list[str], list[str]]:
    """Real questions: XQuAD-ar/ARCD-test for searches; the gold count questions about SaudiNewsNet
    stories (bench/figures_gold) for answers."""
    searches = []
    for path in QUESTIONS:
        searches += [line.split("\t", 1)[1].strip() for line in path.read_text("utf-8").splitlines() if "\t" in line]
    searches = random.Random(SEED).sample(searches, min(n, len(searches)))
    counts = [json.loads(line)["question"] for line in COUNT_QUESTIONS.read_text("utf-8").splitlines() if line]
    return searches, counts


def rss_gib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def pss_gib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def server_memory(index: Path, port: int = 18765) -> dict:
    """`mizan serve` with 2 workers, each warmed: RSS and PSS summed over the server's processes."""
    proc = subprocess.Popen(
        [MIZAN, "serve", "--index", str(index), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=60):
                    break
            except OSError:
                time.sleep(1)
        for _ in range(8):  # reach both workers (each warms itself on start; this makes sure)
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/search?q=%D9%85%D9%8A%D8%B2%D8%A7%D9%86", timeout=120
            ):
                pass
        time.sleep(2)
        pids = [proc.pid] + [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        return {
            "processes": len(pids),
            "rss_gib": round(sum(rss_gib(p) for p in pids), 2),
            "pss_gib": round(sum(pss_gib(p) for p in pids), 2),
        }
    finally:
        proc.terminate()
        proc.wait(30)


def disk(index: Path) -> dict:
    def size(path: Path) -> float:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        return round(sum(p.stat().st_size for p in files) / 2**30, 2)

    return {
        "database_gib": size(index / "mizan.sqlite"),
        "lexical_gib": size(index / "lexical"),
        "dense_gib": size(index / "dense"),
        "total_gib": size(index),
    }


# ---------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    steps = {
        "tile": step_tile,
        "lexical": step_lexical,
        "dense": step_dense,
        "speed": step_speed,
        "writes": step_writes,
    }
    if argv and argv[0] in steps:
        args = [int(a) if a.isdigit() and argv[0] == "speed" else a for a in argv[1:]]
        print(json.dumps(steps[argv[0]](*args)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "mizan" / "bench" / "scale")
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--base-articles", type=int, default=0, help="first N articles of each corpus (0: all)")
    ap.add_argument("--keep", action="store_true", help="keep the tiled index (several GB) after the run")
    ap.add_argument("--reuse", action="store_true", help="measure a kept index again instead of building one")
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = ap.parse_args(argv)
    for path in (*CORPORA, *QUESTIONS):
        if not path.exists():
            sys.exit(f"needs {path}: run with ../shared beside the checkout")
    result: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    }
    base = args.work / f"base-{args.base_articles or 'all'}"
    args.work.mkdir(parents=True, exist_ok=True)
    if not (base / "manifest.json").is_file():
        print("1. base: mizan index --no-embed of both corpora…", file=sys.stderr)
        sources = [str(p) for p in CORPORA]
        if args.base_articles:  # the first N articles of each, as files of their own
            sources = []
            for path in CORPORA:
                part = args.work / f"{path.name.split('.')[0]}-{args.base_articles}.jsonl"
                with gzip.open(path, "rt", encoding="utf-8") as src, open(part, "w", encoding="utf-8") as out:
                    out.writelines(itertools.islice(src, args.base_articles))
                sources.append(str(part))
        started = time.perf_counter()
        proc = subprocess.Popen(
            [MIZAN, "index", *sources, "--index", str(base), "--no-embed", "--json"],
            stdout=subprocess.PIPE,
            text=True,
        )
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status):
            sys.exit("mizan index failed")
        report = json.loads(out)
        (args.work / f"{base.name}.json").write_text(
            json.dumps(
                {
                    "wall_s": round(time.perf_counter() - started, 1),
                    "peak_rss_gib": round(usage.ru_maxrss / 2**20, 2),
                    "passages": report["passages_added"],
                    "documents": report["documents_added"],
                }
            ),
            encoding="utf-8",
        )
    result["base"] = json.loads((args.work / f"{base.name}.json").read_text(encoding="utf-8"))
    index = args.work / "index"
    built = args.work / "index.json"  # the build steps' figures, kept with a kept index
    if args.reuse and built.is_file() and (index / "manifest.json").is_file():
        result.update(json.loads(built.read_text(encoding="utf-8")))
    else:
        shutil.rmtree(index, ignore_errors=True)
        shutil.copytree(base, index)
        for name, step, extra in (
            ("tile", "tile", [str(args.passages)]),
            ("lexical", "lexical", []),
            ("dense", "dense", []),
        ):
            print(f"{name}…", file=sys.stderr)
            out, wall, peak = child(step, str(index), *extra)
            result[name] = {**out, "wall_s": round(wall, 1), "peak_rss_gib": round(peak, 2)}
        built.write_text(json.dumps({k: result[k] for k in ("tile", "lexical", "dense")}), encoding="utf-8")
    done = subprocess.run([MIZAN, "check", "--index", str(index)], capture_output=True, text=True, check=False)
    result["check"] = {"code": done.returncode, "says": (done.stdout + done.stderr).strip().splitlines()[-1:]}
    result["disk"] = disk(index)
    print("speed…", file=sys.stderr)
    out, wall, peak = child("speed", str(index), str(args.questions))
    result["speed"] = {**out, "peak_rss_gib": round(peak, 2)}
    print("server…", file=sys.stderr)
    result["server"] = server_memory(index)
    if args.keep:  # the writes change the index: only on one that is kept (and so rebuilt on purpose)
        print("writes…", file=sys.stderr)
        out, wall, peak = child("writes", str(index))
        result["writes"] = {**out, "peak_rss_gib": round(peak, 2)}
    result["build_s"] = round(sum(result[k]["wall_s"] for k in ("tile", "lexical", "dense")), 1)
    if not args.keep:
        shutil.rmtree(index, ignore_errors=True)
        built.unlink(missing_ok=True)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


def print_table(r: dict) -> None:
    s = r["speed"]
    print(
        f"\n{r['machine']}; {r['tile']['passages']:,} passages, {r['tile']['documents']:,} documents "
        f"({r['tile']['copies'] + 1} tiles of {r['tile']['base_passages']:,})"
    )
    print("\n| step | wall s | peak RSS GiB |\n|---|---:|---:|")
    print(
        f"| base: mizan index --no-embed ({r['base']['passages']:,} passages) | {r['base']['wall_s']} | "
        f"{r['base']['peak_rss_gib']} |"
    )
    for k in ("tile", "lexical", "dense"):
        print(f"| {k} | {r[k]['wall_s']} | {r[k]['peak_rss_gib']} |")
    print(f"| speed run (one process) | — | {s['peak_rss_gib']} |")
    print(
        "\n| lexical p50 / p95 ms | hybrid p50 / p95 ms | answer p50 / p95 ms | query vector p50 ms | "
        "RSS loaded GiB | server RSS / PSS GiB | disk GiB |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {s['lexical_p50_ms']} / {s['lexical_p95_ms']} | {s['hybrid_p50_ms']} / {s['hybrid_p95_ms']} | "
        f"{s['answer_p50_ms']} / {s['answer_p95_ms']} | {s['query_vector_p50_ms']} | {s['rss_loaded_gib']} | "
        f"{r['server']['rss_gib']} / {r['server']['pss_gib']} | {r['disk']['total_gib']} |"
    )
    print(
        f"\nBM25 sub-query p50 / p95 ms: {s['bm25_p50_ms']} / {s['bm25_p95_ms']} (k = 10), "
        f"{s['bm25_depth100_p50_ms']} p50 at the hybrid depth of 100; hybrid with its query vector "
        f"p50 / p95 ms: {s['hybrid_with_vector_p50_ms']} / {s['hybrid_with_vector_p95_ms']}; the first hybrid "
        f"pass (the mapped index read from disk) p50 / p95 ms: {s['first_pass_hybrid_p50_ms']} / "
        f"{s['first_pass_hybrid_p95_ms']}"
    )
    if "writes" in r:
        w = r["writes"]
        print(
            f"one-document writes: p50 {w['write_p50_s']} s, max {w['write_max_s']} s over {w['writes']} "
            f"(the first, loading the model: {w['first_write_s']} s)"
        )
    print(f"\nmizan check: code {r['check']['code']}: {' '.join(r['check']['says'])}")


if __name__ == "__main__":
    sys.exit(main())
