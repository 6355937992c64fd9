"""Figure benchmark on real news nobody here wrote: the reader's figures and the answer card, dev beside test.

    .venv/bin/python bench/figures.py                   # both levels, plus bench/answers.py's «كم» rates
    .venv/bin/python bench/figures.py --skip-answers    # without the bench/answers.py run (minutes)
    .venv/bin/python bench/figures.py --level figures   # the figure level only (seconds)
    .venv/bin/python bench/figures.py --level questions --split dev --set MIN_TOPIC=0.3 --set AROUND=4
                                                        # try answer weights on dev only (never fit on test)

Gold: bench/figures_gold/ (SaudiNewsNet by url and offsets, ANT Jawhara FM; see its README),
split by article (figures) and by story (questions), the test split frozen in split.json.

Figure level. Each gold paragraph's article is cut into passages as the indexer cuts it
(indexer.passages.chunk_spans) and read by search.figures.extract_figures passage by
passage; the figures inside the paragraph are judged. A predicted figure matches the gold
figure whose span it overlaps most. Value+hedge is right when the qualifier and both ends
agree (relative 1e-6; an open end open on both sides; percent alike): precision over every
predicted figure, recall over every gold figure. Over matched pairs: category accuracy (the
same "+"-joined set), counted-noun accuracy (the same word, lemma or light stem; none on both
sides counts), and claimant accuracy on the figures whose text credits someone
(same_claimant: token Dice ≥ 0.5 with the gold span, stop words aside, or all the gold's
words within at most six more). A gold claimant outside the figure's passage is out of the
reader's sight and counts as missed.

Question level. The articles of every story plus --n-distractors random SaudiNewsNet
articles (seed 13) are indexed by the real pipeline (`index_paths`: cleaning, passages,
duplicates, figures, BM25 and e5 vectors) into a cache outside the repository; later runs
rebuild it, re-reading every article with the current reader but reusing the vectors.
Each question goes through SearchEngine.answer. A gold figure is shown when a group holds a
figure from its article (or from the stored article it duplicates) whose value overlaps it;
a forbidden figure appears likewise (unless its value is also a gold value). A question is
fully right when every gold figure is shown, no forbidden figure appears and the top group
holds a gold value.

Prints markdown tables; writes JSON to --out (default bench/results/figures.json).
SaudiNewsNet's licence allows benchmarks only: the JSON keeps urls, offsets and values,
never its text.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.answers import _pct, apply_settings  # noqa: E402
from bench.answers import main as answers_main  # noqa: E402
from bench.figure_gold import (  # noqa: E402
    GoldAnswer,
    GoldFigure,
    GoldParagraph,
    GoldQuestion,
    load_paragraphs,
    load_questions,
)
from bench.news_corpus import CORPORA, article, articles, available  # noqa: E402
from bench.retrieval import RESULTS, code_version, machine_info  # noqa: E402
from indexer.passages import chunk_spans  # noqa: E402
from search.arabic import STOPWORDS, normalize, stem, tokenize  # noqa: E402
from search.engine import Query, SearchEngine  # noqa: E402
from search.figures import Figure, context_before, extract_figures  # noqa: E402
from search.figures.answers import answer  # noqa: E402
from search.figures.nouns import lookup  # noqa: E402
from search.store import DATABASE  # noqa: E402

SEED = 13
CACHE = Path(os.environ.get("MIZAN_BENCH_CACHE", Path.home() / ".cache" / "mizan" / "bench"))
REL_TOL = 1e-3  # annotators wrote two thirds as 0.667
SPLITS = ("dev", "test")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


# ---------------------------------------------------------------- figure level


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _tokens(text: str) -> set[str]:
    return {t.text for t in tokenize(text) if t.text not in STOPWORDS}


def same_claimant(found: str, gold: str) -> bool:
    """The found claimant names the gold one: token Dice ≥ 0.5, or it holds all the gold's words
    with a title or apposition around them (at most 6 words more: «مارك راولي قائد شرطة …»)."""
    x, y = _tokens(found), _tokens(gold)
    if not x or not y:
        return False
    return 2 * len(x & y) / (len(x) + len(y)) >= 0.5 or (y <= x and len(x) <= len(y) + 6)


def same_noun(predicted: str | None, gold_word: str | None) -> bool:
    if predicted is None or gold_word is None:
        return predicted is None and gold_word is None
    predicted = predicted.rstrip("²³")  # «متر مربع» is read as متر²; the gold marks the word متر
    gold = normalize(gold_word)
    if predicted == gold:
        return True
    a, b = lookup(predicted), lookup(gold)
    if a is not None and b is not None:
        return a.lemma == b.lemma
    return stem(predicted) == stem(gold)


def value_right(f: Figure, g: GoldFigure) -> bool:
    return (
        f.qualifier == g.qualifier
        and close(f.value_low, g.value_low)
        and close(f.value_high, g.value_high)
        and f.percent == g.percent
    )


def _match(predicted: list[tuple[int, int]], gold: Sequence[GoldFigure]) -> dict[int, int]:
    """gold index → predicted index, greedily by overlap, one to one."""
    pairs = sorted(
        ((_overlap(p, g.span), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)),
        reverse=True,
    )
    out: dict[int, int] = {}
    used: set[int] = set()
    for overlap, gi, pi in pairs:
        if overlap and gi not in out and pi not in used:
            out[gi] = pi
            used.add(pi)
    return out


def read_paragraph(p: GoldParagraph) -> dict:
    """The reader's figures for one gold paragraph, judged field by field."""
    body = article(p.article).body
    start, end = p.paragraph
    figures, spans = [], []
    for c_start, c_end in chunk_spans(body):  # read as the indexer reads: passage by passage
        if c_end <= start or c_start >= end:
            continue
        for f in extract_figures(body[c_start:c_end], context_before(body, c_start)):
            if start <= c_start + f.start < end:
                figures.append(f)
                spans.append((c_start + f.start, c_start + f.end))
    pairs = _match(spans, p.figures)
    rows = []
    for gi, g in enumerate(p.figures):
        row: dict[str, Any] = {"span": list(g.span), "gold": _gold_json(g, body)}
        pi = pairs.get(gi)
        if pi is None:
            row["found"] = None
            rows.append(row)
            continue
        f = figures[pi]
        claimant_ok = None
        if g.claimant is not None:
            claimant_ok = f.claimant is not None and same_claimant(f.claimant, body[g.claimant[0] : g.claimant[1]])
        row["found"] = {
            "span": list(spans[pi]),
            "value_low": f.value_low,
            "value_high": f.value_high,
            "qualifier": f.qualifier,
            "percent": f.percent,
            "category": f.category,
            "noun": f.noun,
            "claimant_found": f.claimant is not None,
        }
        row["value_right"] = value_right(f, g)
        row["category_right"] = (f.category or None) == g.category
        row["noun_right"] = same_noun(f.noun, body[g.noun[0] : g.noun[1]] if g.noun else None)
        row["claimant_right"] = claimant_ok
        rows.append(row)
    extra = [list(spans[pi]) for pi in range(len(figures)) if pi not in set(pairs.values())]
    return {
        "article": p.article,
        "paragraph": list(p.paragraph),
        "split": p.split,
        "predicted": len(figures),
        "predicted_right": sum(1 for r in rows if r.get("value_right")),
        "figures": rows,
        "extra": extra,
    }


def _gold_json(g: GoldFigure, body: str) -> dict:
    """The gold's values (no text: SaudiNewsNet's words stay in its corpus)."""
    return {
        "value_low": g.value_low,
        "value_high": g.value_high,
        "qualifier": g.qualifier,
        "percent": g.percent,
        "category": g.category,
        "has_noun": g.noun is not None,
        "has_claimant": g.claimant is not None,
    }


def _share(flags: Iterable[bool | None]) -> float | None:
    values = [bool(f) for f in flags if f is not None]
    return sum(values) / len(values) if values else None


def figure_summary(outcomes: Sequence[dict]) -> dict:
    rows = [r for o in outcomes for r in o["figures"]]
    matched = [r for r in rows if r["found"] is not None]
    right = sum(o["predicted_right"] for o in outcomes)
    predicted = sum(o["predicted"] for o in outcomes)
    precision = right / predicted if predicted else None
    recall = right / len(rows) if rows else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {
        "paragraphs": len(outcomes),
        "gold_figures": len(rows),
        "predicted": predicted,
        "value_precision": precision,
        "value_recall": recall,
        "value_f1": f1,
        "found": _share(r["found"] is not None for r in rows),
        "category_accuracy": _share(r["category_right"] for r in matched),
        "category_accuracy_casualties": _share(r["category_right"] for r in matched if r["gold"]["category"]),
        "noun_accuracy": _share(r["noun_right"] for r in matched),
        "claimant_accuracy": _share(r["claimant_right"] for r in matched),
        "claimant_n": sum(1 for r in matched if r["claimant_right"] is not None),
    }


def run_figure_level(paragraphs: Sequence[GoldParagraph]) -> dict:
    outcomes = [read_paragraph(p) for p in paragraphs]
    return {
        "per_split": {
            s: figure_summary([o for o in outcomes if o["split"] == s])
            for s in SPLITS
            if any(o["split"] == s for o in outcomes)
        },
        "paragraphs": outcomes,
    }


# ---------------------------------------------------------------- question level


def _records(ids: Sequence[str]) -> list[dict]:
    """SaudiNewsNet's raw records of these articles, as the corpus holds them."""
    wanted = set(ids)
    out = []
    with gzip.open(CORPORA["snn"], "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["url"] in wanted:
                out.append(record)
    return out


def distractor_ids(n: int, exclude: set[str], seed: int = SEED) -> list[str]:
    ids = [a.id for a in articles("snn") if a.id not in exclude]
    random.Random(seed).shuffle(ids)
    return sorted(ids[:n])


def build_index(ids: Sequence[str], work: Path, embed: bool) -> tuple[Path, dict]:
    """The bench index of these articles, read by the current code (vectors reused when cached)."""
    from indexer.pipeline import index_paths

    work.mkdir(parents=True, exist_ok=True)
    source = work / "articles.jsonl"
    records = _records(ids)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    index_dir = work / ("index" if embed else "index-bm25")
    started = time.perf_counter()
    report = index_paths([source], index_dir, rebuild=index_dir.exists(), progress=True, embed=embed)
    return index_dir, {"articles": len(records), "build_s": round(time.perf_counter() - started, 1), **report.to_json()}


def doc_map(index_dir: Path) -> dict[str, set[str]]:
    """url → the stored doc ids that hold its text: itself, the document it duplicates, and the
    documents holding passages it repeats."""
    conn = sqlite3.connect(f"file:{index_dir / DATABASE}?mode=ro", uri=True)
    try:
        out: dict[str, set[str]] = {}
        for url, doc_id in conn.execute("SELECT url, doc_id FROM documents"):
            out.setdefault(url, set()).add(doc_id)
        for url, doc_id in conn.execute("SELECT url, duplicate_of FROM duplicates"):
            out.setdefault(url, set()).add(doc_id)
        rows = conn.execute(
            "SELECT d.url, p.doc_id FROM passage_duplicates pd JOIN documents d ON d.doc_id = pd.doc_id "
            "JOIN passages p ON p.passage_id = pd.duplicate_of"
        )
        for url, doc_id in rows:
            out.setdefault(url, set()).add(doc_id)
        return out
    finally:
        conn.close()


def _interval(low: float | None, high: float | None) -> tuple[float, float] | None:
    lo = low if low is not None else high
    hi = high if high is not None else low
    return None if lo is None or hi is None else (lo, hi)


def overlaps(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    if a is None or b is None:
        return False
    return (a[0] <= b[1] or close(a[0], b[1])) and (b[0] <= a[1] or close(b[0], a[1]))


def _shown(group_figures: list[tuple[int, dict]], g: GoldAnswer, docs: dict[str, set[str]]) -> int | None:
    """The rank of the group showing this figure from its article, or None."""
    mine = docs.get(g.article, set())
    want = _interval(g.value_low, g.value_high)
    for rank, f in group_figures:
        if f["doc_id"] in mine and overlaps(_interval(f["value_low"], f["value_high"]), want):
            return rank
    return None


def judge_question(q: GoldQuestion, result: dict, docs: dict[str, set[str]], latency_ms: float) -> dict:
    groups = result.get("groups", [])
    flat = [(rank, f) for rank, g in enumerate(groups) for f in g["figures"]]
    gold_values = [_interval(g.value_low, g.value_high) for g in q.gold]
    shown = [_shown(flat, g, docs) for g in q.gold]
    leaked = [
        f
        for f in q.forbidden
        if _shown(flat, f, docs) is not None
        and not any(overlaps(_interval(f.value_low, f.value_high), v) for v in gold_values)
    ]
    top_right = bool(groups) and any(
        overlaps(_interval(f["value_low"], f["value_high"]), v) for f in groups[0]["figures"] for v in gold_values
    )
    all_shown = all(s is not None for s in shown)
    return {
        "qid": q.qid,
        "story": q.story,
        "split": q.split,
        "status": result.get("status"),
        "groups": [
            {"value_low": g["value_low"], "value_high": g["value_high"], "figures": len(g["figures"])} for g in groups
        ],
        "gold": len(q.gold),
        "gold_shown": sum(1 for s in shown if s is not None),
        "gold_missed": [
            {"article": g.article, "value_low": g.value_low} for g, s in zip(q.gold, shown, strict=True) if s is None
        ],
        "forbidden_shown": [{"article": f.article, "value_low": f.value_low} for f in leaked],
        "top_group_gold": top_right,
        "fully_right": all_shown and not leaked and top_right,
        "latency_ms": round(latency_ms, 1),
    }


def question_summary(outcomes: Sequence[dict]) -> dict:
    gold = sum(o["gold"] for o in outcomes)
    lat = np.array([o["latency_ms"] for o in outcomes]) if outcomes else np.zeros(0)
    return {
        "questions": len(outcomes),
        "fully_right": _share(o["fully_right"] for o in outcomes),
        "top_group_gold": _share(o["top_group_gold"] for o in outcomes),
        "no_forbidden": _share(not o["forbidden_shown"] for o in outcomes),
        "gold_figures": gold,
        "gold_shown": sum(o["gold_shown"] for o in outcomes) / gold if gold else None,
        "p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
        "p95_ms": float(np.percentile(lat, 95)) if len(lat) else None,
    }


def run_question_level(
    questions: Sequence[GoldQuestion], n_distractors: int, embed: bool, splits: Sequence[str] = SPLITS
) -> dict:
    """Every story's articles are indexed whatever the splits judged, so dev's figures are read
    among the same collection as a full run's (and the cached vectors stay valid)."""
    story_ids = sorted({a for q in questions for a in q.articles})
    ids = story_ids + distractor_ids(n_distractors, set(story_ids))
    CACHE.mkdir(parents=True, exist_ok=True)
    index_dir, info = build_index(ids, CACHE / "figures-questions", embed)
    docs = doc_map(index_dir)
    engine = SearchEngine.open(index_dir, "local")
    outcomes = []
    try:
        for q in questions[:3]:  # warm-up: model, caches
            answer(engine, Query(q.question))
        for q in (q for q in questions if q.split in splits):
            started = time.perf_counter()
            result = answer(engine, Query(q.question, k=10))
            outcomes.append(judge_question(q, result, docs, (time.perf_counter() - started) * 1000))
    finally:
        engine.close()
    return {
        "collection": {**info, "story_articles": len(story_ids), "distractors": n_distractors, "seed": SEED},
        "per_split": {s: question_summary([o for o in outcomes if o["split"] == s]) for s in splits},
        "questions": outcomes,
    }


# ---------------------------------------------------------------- report


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def print_tables(report: dict) -> None:
    if "figure_level" in report:
        per = report["figure_level"]["per_split"]
        print("\n## Figure level (real paragraphs)\n")
        print("| split | paragraphs | gold figures | value+hedge P | R | F1 | category | noun | claimant (n) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for s in per:
            r = per[s]
            print(
                f"| {s} | {r['paragraphs']} | {r['gold_figures']} | {_pct(r['value_precision'])} | "
                f"{_pct(r['value_recall'])} | {_pct(r['value_f1'])} | {_pct(r['category_accuracy'])} | "
                f"{_pct(r['noun_accuracy'])} | {_pct(r['claimant_accuracy'])} ({r['claimant_n']}) |"
            )
    if "question_level" in report:
        per = report["question_level"]["per_split"]
        print("\n## Question level (SaudiNewsNet stories, several outlets)\n")
        print("| split | questions | fully right | top group gold | no forbidden | outlet figures shown | p50 | p95 |")
        print("|---|---|---|---|---|---|---|---|")
        for s in per:
            r = per[s]
            print(
                f"| {s} | {r['questions']} | {_pct(r['fully_right'])} | {_pct(r['top_group_gold'])} | "
                f"{_pct(r['no_forbidden'])} | {_pct(r['gold_shown'])} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} |"
            )
    if "kam" in report:
        r = report["kam"]
        print("\n## «كم» questions of XQuAD-ar + ARCD-test (bench/answers.py)\n")
        print("| questions | gold in top group | gold in any group | answer p50 | p95 |")
        print("|---|---|---|---|---|")
        print(
            f"| {r['n']} | {_pct(r['gold_in_top_group'])} | {_pct(r['gold_in_any_group'])} | "
            f"{_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} |"
        )


def run_kam(limit: int | None) -> dict:
    """bench/answers.py's «كم» rates and latency (its own run, its own JSON)."""
    out = RESULTS / "answers.json"
    answers_main(["--out", str(out)] + (["--limit", str(limit)] if limit else []))
    summary: dict = json.loads(out.read_text(encoding="utf-8"))["answers"]["per_set"]["all"]
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--level", choices=("all", "figures", "questions"), default="all")
    ap.add_argument("--skip-answers", action="store_true", help="do not run bench/answers.py")
    ap.add_argument("--n-distractors", type=int, default=1500, help="random SaudiNewsNet articles beside the stories")
    ap.add_argument("--no-embed", action="store_true", help="question level on BM25 alone (no vectors)")
    ap.add_argument("--split", choices=SPLITS, help="judge this split only (fit weights on dev, never on test)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a weight of search/figures/answers.py for this run (e.g. MIN_TOPIC=0.3)",
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "figures.json")
    args = ap.parse_args(argv)
    apply_settings(ap, args.set)
    if not available():
        print("figures: ../shared/corpus is missing: this benchmark reads the real news there", file=sys.stderr)
        return 2
    splits = [args.split] if args.split else list(SPLITS)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "benchmark": "figures",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_version(),
        "machine": machine_info(),
        "settings": args.set,
    }
    if args.level in ("all", "figures"):
        log("figure level ...")
        report["figure_level"] = run_figure_level([p for p in load_paragraphs() if p.split in splits])
    if args.level in ("all", "questions"):
        log("question level: indexing the stories and distractors ...")
        report["question_level"] = run_question_level(load_questions(), args.n_distractors, not args.no_embed, splits)
    if args.level == "all" and not args.skip_answers:
        log("bench/answers.py ...")
        report["kam"] = run_kam(None)
    print_tables(report)
    report["wall_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"done in {report['wall_s']:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
