"""Hybrid fusion of ranked lists, with OpenSearch's formulas so both backends rank alike.

From the neural-search processors (see ../shared/notes/opensearch.md):
- min-max: per sub-query over its returned hits, (s − min)/(max − min); a result that
  normalises to 0 gets 0.001; when every hit has the same score, each gets 1.0.
  Combined by arithmetic mean Σ wᵢ·sᵢ / Σ wᵢ, a hit missing from a sub-query counting 0.
- RRF: Σ wᵢ / (rank_constant + rankᵢ), ranks from 1, rank_constant 60.
Ties are broken by the best rank in any list, then by id, so the order is total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

RRF_RANK_CONSTANT = 60
MIN_SCORE = 0.001
SINGLE_RESULT_SCORE = 1.0


class FusionMode(Enum):
    MINMAX = "minmax"
    RRF = "rrf"


@dataclass(frozen=True)
class Ranked:
    """One sub-query's hits, best first: ids and their raw scores."""

    ids: Sequence[str]
    scores: Sequence[float]


def min_max_normalize(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    lo, hi = min(scores), max(scores)
    if hi == lo:
        return [SINGLE_RESULT_SCORE] * len(scores)
    out = []
    for s in scores:
        value = (s - lo) / (hi - lo)
        out.append(value if value != 0.0 else MIN_SCORE)
    return out


def fuse(
    lists: Sequence[Ranked],
    mode: FusionMode = FusionMode.MINMAX,
    weights: Sequence[float] | None = None,
    rank_constant: int = RRF_RANK_CONSTANT,
) -> list[tuple[str, float]]:
    """Fused (id, score) pairs, best first."""
    if weights is None:
        weights = [1.0 / len(lists)] * len(lists) if lists else []
    if len(weights) != len(lists):
        raise ValueError(f"{len(lists)} result lists but {len(weights)} weights")
    total_weight = sum(weights)
    combined: dict[str, float] = {}
    best_rank: dict[str, int] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        if mode is FusionMode.RRF:
            contributions = [weight / (rank_constant + rank) for rank in range(1, len(ranked.ids) + 1)]
        else:
            contributions = [weight * s / total_weight for s in min_max_normalize(ranked.scores)]
        for rank, (pid, value) in enumerate(zip(ranked.ids, contributions, strict=True), 1):
            combined[pid] = combined.get(pid, 0.0) + value
            best_rank[pid] = min(best_rank.get(pid, rank), rank)
    return sorted(combined.items(), key=lambda item: (-item[1], best_rank[item[0]], item[0]))
