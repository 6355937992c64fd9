"""What OpenSearch's hybrid search pipelines compute, step for step, to check it against search.fusion.

A transcription of the neural-search plugin's processors for one shard:
- MinMaxScoreNormalizationTechnique: per sub-query over the hits it returned, in float32,
  (s − min)/(max − min); 0 becomes 0.001; when max == min (a single hit) the score is 1.0.
- ArithmeticMeanScoreCombinationTechnique: Σ wᵢ·sᵢ / Σ wᵢ over the sub-queries, a document
  a sub-query did not return scoring 0.0 there (ScoreCombiner zero-fills its score array).
- RRFNormalizationTechnique: 1/(rank_constant + rank), rank from 1, rounded to 10 decimals
  (BigDecimal HALF_UP) then to float; RRFScoreCombinationTechnique sums wᵢ·sᵢ, each weight
  1.0 when the pipeline gives none (ours gives none: see opensearch_bodies.rrf_pipeline_body).
- ScoreCombiner: a stable sort by combined score, descending, of the documents in HashMap
  order (ascending Lucene doc id), keeping as many as the longest sub-query list.

So ties fall to Lucene's doc ids (the order passages were indexed in a segment), where
search.fusion breaks them by best rank, then id: exact ties may order differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from search.fusion import RRF_RANK_CONSTANT, FusionMode, Ranked

_MIN_SCORE = np.float32(0.001)
_SINGLE_RESULT_SCORE = np.float32(1.0)


def min_max_float32(scores: Sequence[float]) -> list[np.float32]:
    """MinMaxScoreNormalizationTechnique.normalizeSingleScore over one sub-query's hits."""
    values = [np.float32(s) for s in scores]
    if not values:
        return []
    lo, hi = min(values), max(values)
    out = []
    for s in values:
        if hi == lo:
            out.append(_SINGLE_RESULT_SCORE)
            continue
        value = np.float32((s - lo) / (hi - lo))
        out.append(value if value != 0 else _MIN_SCORE)
    return out


def rrf_float32(count: int, rank_constant: int = RRF_RANK_CONSTANT) -> list[np.float32]:
    """RRFNormalizationTechnique: 1/(rank_constant + rank) to 10 decimals, then float."""
    tenth = Decimal("1e-10")
    return [
        np.float32(str((Decimal(1) / Decimal(rank_constant + rank)).quantize(tenth, rounding=ROUND_HALF_UP)))
        for rank in range(1, count + 1)
    ]


def processor_fuse(
    lists: Sequence[Ranked],
    mode: FusionMode = FusionMode.MINMAX,
    weights: Sequence[float] | None = None,
    rank_constant: int = RRF_RANK_CONSTANT,
    doc_order: Mapping[str, int] | None = None,
) -> list[tuple[str, float]]:
    """Fused (id, score) pairs, best first, as a one-shard hybrid query with our pipeline returns them.

    `weights`: the pipeline's (None: 1.0 each, as in our RRF pipeline). `doc_order`: Lucene
    doc ids, which decide exact ties (ids it lacks come after, in string order).
    """
    w = [np.float32(x) for x in weights] if weights is not None else [np.float32(1.0)] * len(lists)
    if len(w) != len(lists):
        raise ValueError(f"{len(lists)} result lists but {len(w)} weights")
    normalised = [
        min_max_float32(r.scores) if mode is FusionMode.MINMAX else rrf_float32(len(r.ids), rank_constant)
        for r in lists
    ]
    per_doc: dict[str, list[np.float32]] = {}
    for j, (ranked, scores) in enumerate(zip(lists, normalised, strict=True)):
        for pid, score in zip(ranked.ids, scores, strict=True):
            per_doc.setdefault(pid, [np.float32(0.0)] * len(lists))[j] = score
    combined: dict[str, np.float32] = {}
    for pid, scores in per_doc.items():
        total, weight_sum = np.float32(0.0), np.float32(0.0)
        for score, weight in zip(scores, w, strict=True):
            total = np.float32(total + np.float32(score * weight))
            weight_sum = np.float32(weight_sum + weight)
        combined[pid] = np.float32(total / weight_sum) if mode is FusionMode.MINMAX else total
    order = doc_order or {}
    in_lucene_order = sorted(combined, key=lambda pid: (order.get(pid, len(order)), pid))
    ranked_ids = sorted(in_lucene_order, key=lambda pid: -combined[pid])  # stable, like Java's List.sort
    keep = max((len(r.ids) for r in lists), default=0)
    return [(pid, float(combined[pid])) for pid in ranked_ids[:keep]]
