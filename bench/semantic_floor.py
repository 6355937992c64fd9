"""The similarity floor of the results page's count: how near in meaning (e5 cosine) a passage
without the query's words must be to count as a result.

    .venv/bin/python bench/semantic_floor.py

Indexes ARCD-train (fit) and XQuAD-ar (check) from ../shared/eval as Mizan indexes them
(passages, e5 vectors), asks every question through the dense backend over all passages, and
reads the similarity of the best passage of its gold article. The floor is the similarity that
FLOOR_RECALL of fit questions' gold passages reach; the check set reports how many gold
passages clear it and how many other passages do too (what the count would include).
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.backends.base import Filters  # noqa: E402
from search.embeddings import query_vector  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from tests.conftest import SHARED, build_index  # noqa: E402

FLOOR_RECALL = 0.95


def _read(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    queries = {}
    with (folder / "queries.tsv").open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            queries[row[0]] = row[1]
    gold = {}
    for line in (folder / "qrels.txt").read_text(encoding="utf-8").splitlines():
        qid, _, doc, rel = line.split()
        if int(rel) > 0:
            gold[qid] = doc
    return queries, gold


def similarities(folder: Path, tmp: Path) -> tuple[np.ndarray, np.ndarray]:
    """(each question's gold similarity, the share of other passages at or above each value)."""
    index = tmp / folder.name
    build_index([folder / "corpus.jsonl"], index, embed=True)
    engine = SearchEngine.open(index)
    backend = engine.backend
    model = backend.dense_model
    total = backend.stats()["passages"]
    queries, gold = _read(folder)
    source: dict[str, str] = {}  # doc_id → the corpus id its source key ends with ("path#id")
    for doc_id in {
        p.doc_id for p in backend.get_passages(backend.dense(query_vector(model, "؟"), total, Filters()).ids)
    }:
        doc = backend.get_document(doc_id, with_passages=False)
        source[doc_id] = doc.source_key.rsplit("#", 1)[-1] if doc else ""
    golds, others = [], []
    for qid, text in queries.items():
        if qid not in gold:
            continue
        hits = backend.dense(query_vector(model, text), total, Filters())
        docs = {p.passage_id: source[p.doc_id] for p in backend.get_passages(hits.ids)}
        sims = [(docs.get(pid), score) for pid, score in zip(hits.ids, hits.scores, strict=True)]
        mine = [s for d, s in sims if d == gold[qid]]
        if not mine:
            continue
        golds.append(max(mine))
        others.append([s for d, s in sims if d != gold[qid]])
    engine.close()
    return np.array(golds), others  # type: ignore[return-value]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fit_gold, _ = similarities(SHARED / "eval" / "arcd" / "train", Path(tmp))
        floor = float(np.quantile(fit_gold, 1 - FLOOR_RECALL))
        check_gold, check_others = similarities(SHARED / "eval" / "xquad_ar", Path(tmp))
    above = [np.mean(np.array(o) >= floor) for o in check_others]
    print(
        f"fit (ARCD-train): {len(fit_gold)} questions; gold similarity p5 {floor:.3f}, median {np.median(fit_gold):.3f}"
    )
    print(f"floor = {floor:.3f}")
    print(
        f"check (XQuAD-ar): {len(check_gold)} questions; "
        f"gold at or above the floor {np.mean(check_gold >= floor):.1%}; "
        f"other passages at or above it: median {np.median(above):.1%}, p90 {np.quantile(above, 0.9):.1%}"
    )


if __name__ == "__main__":
    main()
