"""Ingestion speed benchmark: index a JSON Lines corpus into a fresh index and time it.

    .venv/bin/python bench/ingest_speed.py                      # the whole corpus
    .venv/bin/python bench/ingest_speed.py --limit 2000 --profile

Runs the real pipeline (`indexer.pipeline.index_paths`) on a fresh index, then a
second time on the same file (a re-index, which should skip the unchanged file),
and prints a markdown table; the same figures go to --out as JSON. With
--profile, a third run on another fresh index is made under cProfile (so the
timed run carries no profiler overhead) and the top functions by cumulative
time are printed, with a per-stage summary.

The corpus lives in ../shared beside the checkout and is licensed for
benchmarks only: nothing of it is written inside the repository (a --limit
sample goes to a temporary directory that is removed afterwards).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import io
import json
import logging
import os
import platform
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from indexer.pipeline import IngestReport, index_paths  # noqa: E402
from search.store import Store  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "saudinewsnet.jsonl.gz"
DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "ingest_speed.json"
PROFILE_TOP = 25

# Stages of ingestion as (label, file name, function name) for the per-stage summary.
# They nest (terms() runs inside Fingerprint and passage_id), so shares do not add up to 100%.
STAGES = [
    ("whole run: index_paths", "pipeline.py", "index_paths"),
    ("per-article ingest()", "pipeline.py", "ingest"),
    ("read + parse + clean (read_file generator)", "readers.py", "read_file"),
    ("  clean: split_page", "clean.py", "split_page"),
    ("    clean: classify (per line)", "clean.py", "classify"),
    ("    clean: agencies_credited", "sources.py", "agencies_credited"),
    ("  dates: parse_date", "dates.py", "parse_date"),
    ("Fingerprint (doc + passages)", "dedup.py", "__init__"),
    ("  near-dup check: Fingerprint.best_match", "dedup.py", "best_match"),
    ("  minhash", "dedup.py", "minhash"),
    ("  shingles", "dedup.py", "shingles"),
    ("make_passages", "passages.py", "make_passages"),
    ("  passage_id", "passages.py", "passage_id"),
    ("tokenise: terms()", "arabic.py", "terms"),
    ("normalise: normalize() (from terms, clean, sources...)", "arabic.py", "normalize"),
    ("  normalize_with_map", "arabic.py", "normalize_with_map"),
    ("SQLite: Connection.execute", "~", "<method 'execute' of 'sqlite3.Connection' objects>"),
    ("SQLite: Connection.executemany", "~", "<method 'executemany' of 'sqlite3.Connection' objects>"),
    ("SQLite: doc_candidates", "store.py", "doc_candidates"),
    ("SQLite: passage_candidates", "store.py", "passage_candidates"),
    ("file_sha256", "readers.py", "file_sha256"),
    ("commit: IndexWriter.__exit__ (with any search-index build)", "store.py", "__exit__"),
    ("  search backend: before_commit", "local.py", "before_commit"),
    ("  BM25: add", "bm25.py", "add"),
]


def _fail(message: str) -> None:
    print(f"ingest_speed: {message}", file=sys.stderr)
    raise SystemExit(2)


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(REPO_ROOT)
        return True
    except ValueError:
        return False


def _open_lines(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def count_records(path: Path) -> int:
    """Non-blank lines of a JSON Lines file (read outside any timed section)."""
    with _open_lines(path) as fh:
        return sum(1 for line in fh if line.strip())


def write_sample(corpus: Path, limit: int, dest_dir: Path) -> tuple[Path, int]:
    """The first `limit` non-blank records of `corpus`, as a plain .jsonl file in `dest_dir`."""
    stem = corpus.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json"):
        stem = stem.removesuffix(suffix)
    sample = dest_dir / f"{stem}-first{limit}.jsonl"
    written = 0
    with _open_lines(corpus) as src, open(sample, "wb") as dst:
        for line in src:
            if written >= limit:
                break
            if not line.strip():
                continue
            dst.write(line if line.endswith(b"\n") else line + b"\n")
            written += 1
    return sample, written


def max_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def dir_size_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / (1024 * 1024)


def documents_read(report: IngestReport) -> int:
    """Articles that came out of the reader (records with text), whatever became of them."""
    return (
        report.documents_added
        + report.documents_replaced
        + report.documents_unchanged
        + report.duplicates_exact
        + report.duplicates_near
    )


def timed_index(corpus: Path, index_dir: Path) -> tuple[IngestReport, float]:
    gc.collect()
    t0 = time.perf_counter()
    # Ingestion alone: passage embedding is measured by bench/retrieval.py (it dominates any run that does it).
    report = index_paths([corpus], index_dir, progress=True, embed=False)
    return report, time.perf_counter() - t0


def code_version() -> dict:
    """The commit the measured code comes from, and whether indexer/ or search/ differ from it."""

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None

    commit = git("rev-parse", "--short=12", "HEAD")
    status = git("status", "--porcelain", "--", "indexer", "search")
    return {"commit": commit.strip() if commit else None, "dirty": bool(status and status.strip())}


def machine_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
    }


def _profile_run(corpus: Path, index_dir: Path, prof_path: Path | None) -> dict:
    """Index `corpus` into a fresh `index_dir` under cProfile; print and return the top functions."""
    profiler = cProfile.Profile()
    gc.collect()
    t0 = time.perf_counter()
    profiler.enable()
    try:
        index_paths([corpus], index_dir, progress=True, embed=False)
    finally:
        profiler.disable()
    wall = time.perf_counter() - t0
    if prof_path is not None:
        profiler.dump_stats(str(prof_path))

    stats = pstats.Stats(profiler)
    raw = stats.stats  # (file, line, func) -> (primitive calls, calls, tottime, cumtime, callers)
    total = max([stats.total_tt] + [v[3] for v in raw.values()]) or 1e-9

    rows = sorted(raw.items(), key=lambda kv: kv[1][3], reverse=True)[:PROFILE_TOP]
    top = []
    for (filename, line, func), (_pcalls, calls, tottime, cumtime, _callers) in rows:
        where = func if filename == "~" else f"{_short_path(filename)}:{line}({func})"
        top.append(
            {
                "function": where,
                "calls": calls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
                "cum_share": round(cumtime / total, 4),
            }
        )

    stages = []
    for label, file_suffix, func in STAGES:
        cum = tot = 0.0
        calls = 0
        for (filename, _line, name), (_pc, nc, tt, ct, _callers) in raw.items():
            if name != func:
                continue
            if file_suffix == "~" and filename != "~":
                continue
            if file_suffix != "~" and not filename.endswith(os.sep + file_suffix):
                continue
            cum, tot, calls = cum + ct, tot + tt, calls + nc
        stages.append(
            {
                "stage": label,
                "calls": calls,
                "cumtime_s": round(cum, 3),
                "tottime_s": round(tot, 3),
                "cum_share": round(cum / total, 4),
            }
        )

    by_self = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    self_top = [
        {
            "function": func if filename == "~" else f"{_short_path(filename)}:{line}({func})",
            "calls": calls,
            "tottime_s": round(tottime, 3),
            "self_share": round(tottime / total, 4),
        }
        for (filename, line, func), (_pc, calls, tottime, _ct, _callers) in by_self
    ]
    return {
        "wall_s_under_profiler": round(wall, 3),
        "profiled_total_s": round(total, 3),
        "top_cumulative": top,
        "top_self": self_top,
        "stages": stages,
    }


def _short_path(filename: str) -> str:
    p = Path(filename)
    try:
        return str(p.resolve().relative_to(REPO_ROOT))
    except (ValueError, OSError):
        pass
    parts = p.parts
    for marker in ("site-packages", "lib"):
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            return "/".join(parts[i + 1 :]) or filename
    return p.name


def print_profile(profile: dict) -> None:
    print(
        f"\n## Profile (cProfile, separate fresh-index run; wall {profile['wall_s_under_profiler']:.2f} s "
        f"under the profiler, {profile['profiled_total_s']:.2f} s profiled)\n"
    )
    print(f"Top {PROFILE_TOP} functions by cumulative time:\n")
    print("| # | function | calls | self s | cumulative s | cum. share |")
    print("|---|---|---:|---:|---:|---:|")
    for n, row in enumerate(profile["top_cumulative"], 1):
        print(
            f"| {n} | `{row['function']}` | {row['calls']} | {row['tottime_s']:.3f} | "
            f"{row['cumtime_s']:.3f} | {row['cum_share']:.1%} |"
        )
    print("\nTop 15 functions by self time:\n")
    print("| # | function | calls | self s | self share |")
    print("|---|---|---:|---:|---:|")
    for n, row in enumerate(profile["top_self"], 1):
        print(f"| {n} | `{row['function']}` | {row['calls']} | {row['tottime_s']:.3f} | {row['self_share']:.1%} |")
    print("\nPer-stage (cumulative; stages nest, so shares overlap):\n")
    print("| stage | calls | cumulative s | share |")
    print("|---|---:|---:|---:|")
    for row in profile["stages"]:
        print(f"| {row['stage']} | {row['calls']} | {row['cumtime_s']:.3f} | {row['cum_share']:.1%} |")


def print_table(results: dict) -> None:
    r = results["run"]
    m = results["machine"]
    rows = [
        (
            "corpus",
            f"`{results['corpus_name']}`" + (f" (first {results['limit']} records)" if results["limit"] else ""),
        ),
        ("records in input", r["records_in_input"]),
        ("documents read", r["documents_read"]),
        ("documents stored", r["documents_stored"]),
        ("duplicates (exact / near)", f"{r['duplicates_exact']} / {r['duplicates_near']}"),
        ("passages stored", r["passages_stored"]),
        ("repeated passages", r["passages_repeated"]),
        ("wall seconds", f"{r['wall_s']:.2f}"),
        ("documents/s (read ÷ wall)", f"{r['documents_per_s']:.1f}"),
        ("passages/s (stored ÷ wall)", f"{r['passages_per_s']:.1f}"),
        ("peak RSS MiB (before run)", f"{r['peak_rss_mib']:.1f} ({r['rss_before_mib']:.1f})"),
        ("index size on disk MiB", f"{r['index_size_mib']:.2f}"),
        ("re-index seconds", f"{r['reindex_wall_s']:.3f}" + ("" if r["reindex_noop"] else " (NOT a no-op!)")),
        ("machine", f"{m['cpu_count']} CPUs, {m['platform']}"),
        ("Python", f"{m['python_implementation']} {m['python']} (SQLite {m['sqlite']})"),
        (
            "code",
            f"{results['code']['commit'] or 'unknown'}" + (" + local changes" if results["code"]["dirty"] else ""),
        ),
    ]
    print("\n## Ingestion speed\n")
    print("| measure | value |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if r["problems"]:
        print(f"\n{len(r['problems'])} problem(s) reported by the reader; first: {r['problems'][0]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="JSON Lines corpus (.jsonl or .jsonl.gz); default ../shared/corpus/saudinewsnet.jsonl.gz",
    )
    ap.add_argument(
        "--limit",
        type=int,
        default=None,
        help="index only the first N records (copied to a temporary file outside the repo)",
    )
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="JSON results (default bench/results/ingest_speed.json)"
    )
    ap.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index directory (must not exist or be empty; kept afterwards); default a temp dir, removed",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also index once more under cProfile (fresh index) and print the top functions",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    corpus: Path = args.corpus
    if not corpus.is_file():
        if corpus == DEFAULT_CORPUS:
            _fail(
                f"corpus not found at {corpus}: this benchmark needs ../shared (with corpus/saudinewsnet.jsonl.gz) "
                f"beside the checkout ({REPO_ROOT}), or pass --corpus PATH"
            )
        _fail(f"corpus not found: {corpus}; pass --corpus PATH to a JSON Lines file")
    corpus = corpus.resolve()
    if args.limit is not None and args.limit <= 0:
        _fail("--limit must be a positive number of records")
    if args.index is not None and args.index.exists() and (not args.index.is_dir() or any(args.index.iterdir())):
        _fail(f"--index {args.index} exists and is not empty; the benchmark needs a fresh index, pass a new directory")

    code = code_version()  # before anything is imported lazily or measured: the code this run measures
    work = Path(tempfile.mkdtemp(prefix="mizan-bench-"))
    try:
        if _inside_repo(work):
            _fail(f"the temporary directory {work} is inside the repository; set TMPDIR to a place outside it")
        if args.limit:
            input_path, records = write_sample(corpus, args.limit, work)
        else:
            input_path, records = corpus, count_records(corpus)
        index_dir = args.index.resolve() if args.index is not None else work / "index"

        rss_before = max_rss_mib()
        print(f"indexing {input_path} ({records} records) into {index_dir} ...", file=sys.stderr, flush=True)
        report, wall = timed_index(input_path, index_dir)
        peak_rss = max_rss_mib()
        index_mib = dir_size_mib(index_dir)
        with Store.open(index_dir) as store:
            stats = store.stats()

        print("re-indexing the same file (should be a no-op) ...", file=sys.stderr, flush=True)
        report2, wall2 = timed_index(input_path, index_dir)
        reindex_noop = report2.files_unchanged == 1 and not report2.changed and report2.files_read == 0

        read = documents_read(report)
        run = {
            "records_in_input": records,
            "documents_read": read,
            "documents_stored": report.documents_added,
            "duplicates_exact": report.duplicates_exact,
            "duplicates_near": report.duplicates_near,
            "passages_stored": report.passages_added,
            "passages_repeated": report.passages_duplicate,
            "wall_s": round(wall, 3),
            "documents_per_s": round(read / wall, 2) if wall else None,
            "passages_per_s": round(report.passages_added / wall, 2) if wall else None,
            "rss_before_mib": round(rss_before, 1),
            "peak_rss_mib": round(peak_rss, 1),
            "index_size_mib": round(index_mib, 3),
            "reindex_wall_s": round(wall2, 4),
            "reindex_noop": reindex_noop,
            "store_stats": {
                k: stats[k]
                for k in (
                    "documents",
                    "passages",
                    "duplicate_documents",
                    "duplicate_passages",
                    "undated_documents",
                    "files",
                )
            },
            "report": report.to_json(),
            "reindex_report": report2.to_json(),
            "problems": [f"{p.path}: {p.message}" for p in report.problems],
        }
        results = {
            "benchmark": "ingest_speed",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "corpus_name": corpus.name,
            "limit": args.limit,
            "machine": machine_info(),
            "code": code,
            "run": run,
        }

        if args.profile:
            out_dir = args.out.resolve().parent
            out_dir.mkdir(parents=True, exist_ok=True)
            prof_path = out_dir / (args.out.stem + ".prof")
            print("profiling a third run on a fresh index ...", file=sys.stderr, flush=True)
            results["profile"] = _profile_run(input_path, work / "index-profiled", prof_path)
            results["profile"]["pstats_file"] = str(prof_path)

        print_table(results)
        if stats["documents"] != report.documents_added or stats["passages"] != report.passages_added:
            print(
                f"\nnote: the store holds {stats['documents']} documents / {stats['passages']} passages, "
                f"the report says {report.documents_added} / {report.passages_added}"
            )
        if code_version() != code:
            results["code"]["changed_during_run"] = True
            print(
                f"\nwarning: the code changed while this ran (started at {code['commit']}, now "
                f"{code_version()['commit']}); the figures may mix both versions"
            )
        if not reindex_noop:
            print(f"\nwarning: the re-index was not a no-op: {report2.to_json()}")
        if args.profile:
            print_profile(results["profile"])
            print(f"\n(pstats dump: {results['profile']['pstats_file']}; `python -m pstats` on it for more)")

        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.out}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
