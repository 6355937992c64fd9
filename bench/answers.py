"""Answer benchmark: «كم» (how many/much) questions, answered from stored figures, against gold values.

    .venv/bin/python bench/answers.py              # full run (a few minutes on 2 cores)
    .venv/bin/python bench/answers.py --limit 20   # the first 20 questions, for a quick look
    .venv/bin/python bench/answers.py --eval DIR --eval DIR2 --distractors news.jsonl.gz

Gold: bench/kam_gold_values.tsv (qid, value_low, value_high, unit, note; TAB-separated),
hand-annotated numbers for every «كم» question with a numeric answer (is_kam and
answer_numeric in answers.jsonl) of the --eval collections. value_low «none»: the gold
answer holds no countable number (those rows are left out); an empty value_high: an open
upper bound («أكثر من …»).

Collection: the retrieval benchmark's pool (bench/retrieval.py): all paragraphs of each
--eval collection with --n-distractors news paragraphs (seed 13). It is indexed into a real
local index in a temporary directory outside the repository: one Document per paragraph
(doc_id and passage_id are the pool id, outlet the set name or «distractor») holding one
Passage with the whole text, written through IndexWriter and Store.insert_document /
insert_passage, so figures are extracted exactly as at index time; the lexical index is
built by the local backend's LexicalComponent, and the passage vectors (title + text, as
the dense component embeds them) come from the retrieval benchmark's vector cache
(~/.cache/mizan/bench; computed and cached there when missing, which takes minutes).

Part 1, parser. For every gold row with a value, search.figures.quantities.find_quantities on the
question's first gold answer string: share where it finds any quantity, and share where
one equals the annotation (both ends within relative 1e-6; an open end must be open on
our side too; a percentage compares its number). Failures are listed in the JSON.

Part 2, answers. `answer(SearchEngine(LocalBackend(index)), Query(question, k=10))`, hybrid,
for every gold row with a value. A group holds the gold when one of its figures matches:
the figure's interval [low or high, high or low] overlaps the gold [low, high or low]
(relative tolerance 1e-6). Per set and overall: the share understood as count questions,
with any group, gold in the top group, gold in any group; the gold paragraph (qrels) in
the 10 passages shown and in the passages the answer reads; the extraction ceiling
(the gold paragraph's stored figures include a match at all); answer latency p50/p95
(one question at a time, after 5 untimed warm-up questions).

Prints markdown tables; writes JSON (machine, commit, every figure, per-question outcomes)
to --out, default bench/results/answers.json. The news corpora are licensed for benchmarks
only: nothing of them is written inside the repository (the index lives in a temporary
directory outside it, and the JSON keeps no sentence or title of a distractor paragraph).
"""

from __future__ import annotations

import os

# Single-threaded numerics, set before numpy is imported anywhere.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.retrieval import (  # noqa: E402
    DEFAULT_DISTRACTORS,
    DEFAULT_EVALS,
    RESULTS,
    SEED,
    Passage,
    QuerySet,
    _cached_vectors,
    _inside_repo,
    code_version,
    load_eval,
    log,
    machine_info,
    passage_text,
    read_jsonl,
    sample_distractors,
)
from search.backends.local import DENSE_DIR, DENSE_KEY, DenseComponent, LexicalComponent, LocalBackend  # noqa: E402
from search.dense import DenseIndex  # noqa: E402
from search.embeddings import DEFAULT_MODEL  # noqa: E402
from search.engine import Query, SearchEngine  # noqa: E402
from search.figures import Figure  # noqa: E402
from search.figures.answers import ANSWER_DEPTH, answer  # noqa: E402
from search.figures.quantities import Quantity, find_quantities  # noqa: E402
from search.models import Document  # noqa: E402
from search.models import Passage as StoredPassage  # noqa: E402
from search.store import IndexWriter, Store  # noqa: E402

GOLD = REPO_ROOT / "bench" / "kam_gold_values.tsv"
DISTRACTOR_OUTLET = "distractor"
REL_TOL = 1e-6
K = 10
WARMUP_QUESTIONS = 5
GROUPS_KEPT = 5  # groups per question in the JSON
FIGURES_KEPT = 3  # figures per group in the JSON


# ---------------------------------------------------------------- gold


@dataclass(frozen=True)
class Gold:
    """One annotated row; low None: the answer holds no countable number; high None: open upper bound."""

    qid: str
    low: float | None
    high: float | None
    unit: str
    note: str

    @property
    def has_value(self) -> bool:
        return self.low is not None

    def to_json(self) -> dict:
        return {"value_low": self.low, "value_high": self.high, "unit": self.unit or None, "note": self.note or None}


def read_gold(path: Path) -> list[Gold]:
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = dict(zip(header, line.split("\t") + [""] * (len(header) - len(line.split("\t"))), strict=True))
        low = None if cells["value_low"] in ("", "none") else float(cells["value_low"])
        high = float(cells["value_high"]) if low is not None and cells["value_high"] else None
        rows.append(Gold(cells["qid"], low, high, cells["unit"], cells["note"]))
    return rows


@dataclass
class Item:
    """A gold row with its question, set, first gold answer string and relevant paragraphs."""

    gold: Gold
    set_name: str
    question: str
    answer_text: str
    relevant: set[str]


def gold_items(gold: Sequence[Gold], evals: Sequence[Path], query_sets: Sequence[QuerySet]) -> list[Item]:
    """The gold rows with a value whose question is in one of the eval collections, in gold-file order."""
    records: dict[str, tuple[str, dict]] = {}
    for directory, qs in zip(evals, query_sets, strict=True):
        for record in read_jsonl(directory / "answers.jsonl"):
            records[record["qid"]] = (qs.name, record)
    relevant = {qid: pids for qs in query_sets for qid, pids in qs.relevant.items()}
    items = []
    for g in gold:
        if not g.has_value or g.qid not in records:
            continue
        set_name, record = records[g.qid]
        answers = record.get("answers") or [""]
        items.append(Item(g, set_name, record["question"].strip(), answers[0], relevant.get(g.qid, set())))
    return items


# ---------------------------------------------------------------- matching


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def equals_gold(low: float | None, high: float | None, gold: Gold) -> bool:
    """A parsed quantity says exactly the gold: both ends equal, an open end open on both sides."""
    assert gold.low is not None
    if low is None or not close(low, gold.low):
        return False
    if gold.high is None:
        return high is None
    return high is not None and close(high, gold.high)


def figure_matches(low: float | None, high: float | None, gold: Gold) -> bool:
    """A figure's interval [low or high, high or low] overlaps the gold [low, high or low]."""
    assert gold.low is not None
    f_low = low if low is not None else high
    f_high = high if high is not None else low
    if f_low is None or f_high is None:
        return False
    g_low, g_high = gold.low, gold.high if gold.high is not None else gold.low
    return (f_low <= g_high or close(f_low, g_high)) and (g_low <= f_high or close(g_low, f_high))


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def quantity_json(q: Quantity) -> dict:
    return {
        "value_low": _number(q.value_low),
        "value_high": _number(q.value_high),
        "qualifier": q.qualifier.value,
        "percent": q.percent,
    }


# ---------------------------------------------------------------- the index


def pool_vectors(pool: Sequence[Passage]) -> np.ndarray:
    """The pool's e5 passage vectors from the retrieval benchmark's cache (embedded and cached if missing)."""

    def encode(texts: list[str]) -> np.ndarray:
        from search.encoders import shared_encoder

        log(f"index: {len(texts):,} passage vectors not cached: embedding them (minutes on a CPU) ...")
        return shared_encoder().encode_passages(texts, progress=True)

    t0 = time.perf_counter()
    vectors = _cached_vectors("passages", [passage_text(p) for p in pool], encode)
    log(f"index: {len(pool):,} passage vectors in {time.perf_counter() - t0:.1f} s")
    return vectors


class CachedVectors(DenseComponent):
    """The dense component with vectors given instead of embedded: same layout, meta key and manifest."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray, model: str = DEFAULT_MODEL):
        super().__init__(model, progress=False)
        self.ids = list(ids)
        self.vectors = vectors

    def before_commit(self, store: Store, index_dir: Path) -> None:
        stored = set(store.passage_ids())
        if stored != set(self.ids):
            raise RuntimeError(f"vectors for {len(self.ids)} passages, the store holds {len(stored)}")
        dense = DenseIndex(self.model, self.vectors.shape[1])
        dense.add(self.ids, self.vectors)
        generation = f"{DENSE_DIR}/g000001"  # a new index: the first generation
        dense.save(index_dir / generation)
        store.set_meta(DENSE_KEY, generation)


@dataclass
class IndexInfo:
    passages: int
    figures: int
    build_s: float
    extraction_errors: dict[str, str]  # passage id → the exception figure extraction raised


def build_index(pool: Sequence[Passage], outlet_of: dict[str, str], vectors: np.ndarray, index_dir: Path) -> IndexInfo:
    """One document and one whole-text passage per pool paragraph, written as the indexer writes them.

    A passage whose figure extraction raises is kept without figures (its row is stored before
    extraction runs) and listed, so one bad paragraph does not stop the benchmark.
    """
    errors: dict[str, str] = {}
    components = [LexicalComponent(progress=False), CachedVectors([p.pid for p in pool], vectors)]
    t0 = time.perf_counter()
    with IndexWriter(index_dir, components=components) as store:
        for n, p in enumerate(pool, 1):
            doc = Document(p.pid, f"bench:{p.pid}", p.title, p.text, outlet=outlet_of[p.pid])
            store.insert_document(doc, f"bench:{p.pid}", None, [])
            try:
                store.insert_passage(StoredPassage(p.pid, p.pid, 0, 0, len(p.text), p.text), None, [])
            except Exception as exc:  # reported, not hidden
                errors[p.pid] = f"{type(exc).__name__}: {exc}"
                log(f"index: figure extraction failed on {p.pid}: {errors[p.pid]} (kept without figures)")
            if n % 1000 == 0 or n == len(pool):
                log(f"index: {n:,}/{len(pool):,} passages stored ({time.perf_counter() - t0:.1f} s)")
        log("index: lexical index and vectors ...")
    build_s = time.perf_counter() - t0
    with Store.open(index_dir) as store:
        figures = sum(len(f) for f in store.figures_of(store.passage_ids()).values())
        passages = store.passage_count()
    log(f"index: {passages:,} passages, {figures:,} figures in {build_s:.1f} s")
    return IndexInfo(passages, figures, build_s, errors)


# ---------------------------------------------------------------- part 1: parser


def run_parser(items: Sequence[Item]) -> tuple[list[dict], list[dict]]:
    """find_quantities on each first gold answer: (outcomes, failures)."""
    outcomes, failures = [], []
    for it in items:
        try:
            read = find_quantities(it.answer_text)
            error = None
        except Exception as exc:  # a crash is a parser failure
            read, error = [], f"{type(exc).__name__}: {exc}"
        equal = any(equals_gold(q.value_low, q.value_high, it.gold) for q in read)
        outcome = {"qid": it.gold.qid, "set": it.set_name, "found_any": bool(read), "found_equal": equal}
        outcomes.append(outcome)
        if not equal:
            failures.append(
                {
                    "qid": it.gold.qid,
                    "set": it.set_name,
                    "answer": it.answer_text,
                    "gold": [_number(it.gold.low), _number(it.gold.high)],
                    "note": it.gold.note or None,
                    "read": [quantity_json(q) for q in read],
                    "error": error,
                }
            )
    return outcomes, failures


def parser_summary(outcomes: Sequence[dict]) -> dict[str, float]:
    n = len(outcomes)
    return {
        "n": n,
        "found_any": _share(o["found_any"] for o in outcomes),
        "found_equal": _share(o["found_equal"] for o in outcomes),
    }


# ---------------------------------------------------------------- part 2: answers


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def figure_json(f: dict, is_distractor: bool) -> dict:
    """A figure of an answer group; nothing of a distractor's text (licence)."""
    keys = ["value_low", "value_high", "qualifier", "unit", "category", "outlet", "passage_id"]
    if not is_distractor:
        keys += ["noun", "subject", "claimant", "sentence"]
    return {k: f.get(k) for k in keys}


def stored_figure_json(f: Figure, text: str) -> dict:
    return {
        "value_low": _number(f.value_low),
        "value_high": _number(f.value_high),
        "qualifier": f.qualifier,
        "unit": f.unit,
        "noun": f.noun,
        "category": f.category,
        "text": text[f.start : f.end],
    }


def run_answers(engine: SearchEngine, items: Sequence[Item]) -> list[dict]:
    """Ask every question (timed, after a warm-up) and judge its groups, passages and the ceiling."""
    for it in items[:WARMUP_QUESTIONS]:
        answer(engine, Query(it.question, k=K))
    outcomes = []
    t_all = time.perf_counter()
    for n, it in enumerate(items, 1):
        t0 = time.perf_counter()
        result = answer(engine, Query(it.question, k=K))
        latency_ms = (time.perf_counter() - t0) * 1000
        outcomes.append(judge(engine, it, result, latency_ms))
        if n % 25 == 0 or n == len(items):
            log(f"answers: {n}/{len(items)} questions ({time.perf_counter() - t_all:.1f} s)")
    return outcomes


def judge(engine: SearchEngine, it: Item, result: dict, latency_ms: float) -> dict:
    groups = result["groups"]
    hit = [any(figure_matches(f["value_low"], f["value_high"], it.gold) for f in g["figures"]) for g in groups]
    shown = [p["passage_id"] for p in result["passages"]]
    # The passages the answer reads (it does this search itself; repeated here, untimed, to see them).
    read = [r["passage_id"] for r in engine.search(Query(it.question), highlights=False, depth=ANSWER_DEPTH)["results"]]
    stored = engine.backend.figures(sorted(it.relevant))
    texts = {p.passage_id: p.text for p in engine.backend.get_passages(sorted(it.relevant))}
    gold_figures = [
        {**stored_figure_json(f, texts.get(pid, "")), "matches": figure_matches(f.value_low, f.value_high, it.gold)}
        for pid in sorted(it.relevant)
        for f in stored.get(pid, [])
    ]
    return {
        "qid": it.gold.qid,
        "set": it.set_name,
        "question": it.question,
        "answer": it.answer_text,
        "gold": it.gold.to_json(),
        "status": result["status"],
        "understood": result.get("understood"),
        "count_question": result["status"] != "not_a_count_question",
        "groups": len(groups),
        "any_group": bool(groups),
        "gold_group_rank": next((r for r, h in enumerate(hit, 1) if h), None),
        "gold_in_top_group": bool(hit) and hit[0],
        "gold_in_any_group": any(hit),
        "gold_passage_rank_shown": next((r for r, pid in enumerate(shown, 1) if pid in it.relevant), None),
        "gold_passage_rank_read": next((r for r, pid in enumerate(read, 1) if pid in it.relevant), None),
        "ceiling": any(f["matches"] for f in gold_figures),
        "latency_ms": round(latency_ms, 2),
        "top_groups": [
            {
                "value_low": g["value_low"],
                "value_high": g["value_high"],
                "qualifier": g["qualifier"],
                "label": g["label"],
                "unit": g["unit"],
                "outlets": g["outlets"],
                "matches_gold": h,
                "n_figures": len(g["figures"]),
                "figures": [figure_json(f, f.get("outlet") == DISTRACTOR_OUTLET) for f in g["figures"][:FIGURES_KEPT]],
            }
            for g, h in list(zip(groups, hit, strict=True))[:GROUPS_KEPT]
        ],
        "gold_paragraph_figures": gold_figures,
    }


def answers_summary(outcomes: Sequence[dict]) -> dict[str, float | None]:
    lat = np.array([o["latency_ms"] for o in outcomes]) if outcomes else np.zeros(0)
    return {
        "n": len(outcomes),
        "count_question": _share(o["count_question"] for o in outcomes),
        "any_group": _share(o["any_group"] for o in outcomes),
        "gold_in_top_group": _share(o["gold_in_top_group"] for o in outcomes),
        "gold_in_any_group": _share(o["gold_in_any_group"] for o in outcomes),
        "gold_passage_shown": _share(o["gold_passage_rank_shown"] is not None for o in outcomes),
        "gold_passage_read": _share(o["gold_passage_rank_read"] is not None for o in outcomes),
        "ceiling": _share(o["ceiling"] for o in outcomes),
        "p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
        "p95_ms": float(np.percentile(lat, 95)) if len(lat) else None,
    }


def per_set(outcomes: Sequence[dict], sets: Sequence[str], summarise: Any) -> dict[str, dict]:
    out = {name: summarise([o for o in outcomes if o["set"] == name]) for name in sets}
    out["all"] = summarise(list(outcomes))
    return out


# ---------------------------------------------------------------- output


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def print_tables(parser: dict[str, dict], answers: dict[str, dict], info: dict) -> None:
    print(
        f"\n## «كم» answers: {info['questions']} gold questions with a value ({info['no_value']} gold rows without "
        f"one left out), {info['passages']:,} pooled passages ({info['eval_passages']:,} eval paragraphs + "
        f"{info['distractors']:,} distractors), {info['figures']:,} stored figures\n"
    )
    print("### Parser: find_quantities on the first gold answer string\n")
    print("| set | n | found any quantity | found and equal |")
    print("|---|---:|---:|---:|")
    for name, m in parser.items():
        print(f"| {name} | {m['n']} | {_pct(m['found_any'])} | {_pct(m['found_equal'])} |")
    print(f"\n### Answers: answer(engine, Query(question, k={K})), hybrid\n")
    print(
        "| set | n | count question | any group | gold in top group | gold in any group "
        f"| gold ¶ in top {K} | gold ¶ read (top {ANSWER_DEPTH}) | ceiling: gold ¶ has the figure | p50 ms | p95 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in answers.items():
        print(
            f"| {name} | {m['n']} | {_pct(m['count_question'])} | {_pct(m['any_group'])} "
            f"| {_pct(m['gold_in_top_group'])} | {_pct(m['gold_in_any_group'])} | {_pct(m['gold_passage_shown'])} "
            f"| {_pct(m['gold_passage_read'])} | {_pct(m['ceiling'])} | {_ms(m['p50_ms'])} | {_ms(m['p95_ms'])} |"
        )
    print(
        "\nceiling: the gold paragraph's stored figures include one matching the gold (extraction bound); "
        f"latency after {WARMUP_QUESTIONS} warm-up questions, one at a time."
    )
    if info["extraction_errors"]:
        print(f"\n**Figure extraction raised on {len(info['extraction_errors'])} passage(s)** (kept without figures):")
        for pid, error in info["extraction_errors"].items():
            print(f"- {pid}: {error}")


def print_statuses(outcomes: Sequence[dict]) -> None:
    counts = Counter(o["status"] for o in outcomes)
    print("\n| status | questions |\n|---|---:|")
    for status, n in counts.most_common():
        print(f"| {status} | {n} |")


# ---------------------------------------------------------------- main


def apply_settings(ap: argparse.ArgumentParser, settings: Sequence[str]) -> None:
    """`--set NAME=VALUE`: override a weight of search/figures/answers.py for this run."""
    import search.figures.answers as answers_module

    for setting in settings:
        name, _, value = setting.partition("=")
        if not hasattr(answers_module, name) or not name.isupper():
            ap.error(f"--set {setting}: search/figures/answers.py has no weight {name}")
        setattr(answers_module, name, type(getattr(answers_module, name))(value))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval", type=Path, action="append", help="eval collection directory (repeatable)")
    ap.add_argument("--distractors", type=Path, default=DEFAULT_DISTRACTORS, help="news JSONL(.gz) for distractors")
    ap.add_argument("--n-distractors", type=int, default=5000)
    ap.add_argument("--gold", type=Path, default=GOLD, help="gold values TSV")
    ap.add_argument("--limit", type=int, help="only the first N gold questions (a quick run)")
    ap.add_argument("--out", type=Path, default=RESULTS / "answers.json", help="JSON results")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a weight of search/figures/answers.py (fit on ARCD-train, never on the test sets)",
    )
    args = ap.parse_args(argv)
    apply_settings(ap, args.set)
    return args


def fail(message: str) -> None:
    print(f"answers: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    evals = args.eval or DEFAULT_EVALS
    for path in [*evals, args.distractors, args.gold]:
        if not path.exists():
            fail(f"{path} not found: this benchmark needs ../shared beside the checkout, or pass the paths")
    started = time.perf_counter()
    report: dict[str, Any] = {
        "benchmark": "answers",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": machine_info(),
    }

    eval_passages: list[Passage] = []
    query_sets: list[QuerySet] = []
    outlet_of: dict[str, str] = {}
    for directory in evals:
        passages, qs = load_eval(directory)
        eval_passages.extend(passages)
        query_sets.append(qs)
        outlet_of.update(dict.fromkeys((p.pid for p in passages), qs.name))
    if len(outlet_of) != len(eval_passages):
        fail("eval collections share doc_ids; they cannot be pooled")
    distractors = sample_distractors(args.distractors, args.n_distractors, SEED)
    outlet_of.update(dict.fromkeys((p.pid for p in distractors), DISTRACTOR_OUTLET))
    pool = eval_passages + distractors

    gold = read_gold(args.gold)
    items = gold_items(gold, evals, query_sets)
    missing = [g.qid for g in gold if g.has_value and g.qid not in {it.gold.qid for it in items}]
    if missing:
        log(f"note: {len(missing)} gold questions are in none of the eval collections: {', '.join(missing[:5])} ...")
    if args.limit:
        items = items[: args.limit]
    set_names = [qs.name for qs in query_sets]

    log(f"parser: {len(items)} gold answers ...")
    parser_outcomes, parser_failures = run_parser(items)
    parser = per_set(parser_outcomes, set_names, parser_summary)

    vectors = pool_vectors(pool)
    with tempfile.TemporaryDirectory(prefix="mizan-bench-answers-") as tmp:
        if _inside_repo(Path(tmp)):
            fail(f"the temporary directory {tmp} is inside the repository; set TMPDIR to a place outside it")
        index_dir = Path(tmp) / "index"
        index = build_index(pool, outlet_of, vectors, index_dir)
        engine = SearchEngine(LocalBackend(index_dir))
        if engine.backend.dense_model != DEFAULT_MODEL:  # hybrid would quietly fall back to bm25
            fail(f"the index at {index_dir} has no {DEFAULT_MODEL} vectors")
        try:
            log(f"answers: {len(items)} questions ({WARMUP_QUESTIONS} warm-up first) ...")
            outcomes = run_answers(engine, items)
        finally:
            engine.close()
    answers = per_set(outcomes, set_names, answers_summary)

    info = {
        "questions": len(items),
        "no_value": sum(1 for g in gold if not g.has_value),
        "passages": index.passages,
        "eval_passages": len(eval_passages),
        "distractors": len(distractors),
        "figures": index.figures,
        "extraction_errors": index.extraction_errors,
    }
    print_tables(parser, answers, info)
    print_statuses(outcomes)

    report["collection"] = {
        **info,
        "distractor_source": args.distractors.name,
        "seed": SEED,
        "index_build_s": round(index.build_s, 1),
        "gold": str(args.gold.resolve().relative_to(REPO_ROOT) if _inside_repo(args.gold) else args.gold),
        "limit": args.limit,
    }
    report["parser"] = {"per_set": parser, "failures": parser_failures}
    report["answers"] = {"k": K, "answer_depth": ANSWER_DEPTH, "per_set": answers, "questions": outcomes}
    report["wall_s"] = round(time.perf_counter() - started, 1)
    report["machine"]["loadavg_at_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"done in {report['wall_s']:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
