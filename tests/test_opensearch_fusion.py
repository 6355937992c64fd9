"""OpenSearch's hybrid pipelines, transcribed (search/backends/opensearch_fusion.py), order results as
search.fusion does, on recorded sub-query scores: BM25 scores as OpenSearch prints them and faiss
innerproduct knn scores (1 + cosine)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from search.backends.opensearch_fusion import min_max_float32, processor_fuse, rrf_float32
from search.engine import HYBRID_WEIGHTS
from search.fusion import FusionMode, Ranked, fuse

# (lexical, dense) answers of one query each, best first.
RECORDED = {
    "overlapping": (
        Ranked(["p1", "p2", "p3", "p4", "p5"], [13.207431, 11.734882, 8.4117155, 6.0291023, 5.0233445]),
        Ranked(["p3", "p1", "p6", "p7"], [1.8734561, 1.8612047, 1.8440387, 1.8011216]),
    ),
    "bm25_ties": (  # two passages with the same BM25 score, and the lowest score twice
        Ranked(["p1", "p2", "p3", "p4", "p5"], [9.871245, 7.440018, 7.440018, 3.1022573, 3.1022573]),
        Ranked(["p5", "p2", "p9"], [1.8813006, 1.8653117, 1.8329074]),
    ),
    "single_lexical_hit": (
        Ranked(["p4"], [7.2995167]),
        Ranked(["p2", "p4", "p8", "p1"], [1.8901111, 1.8875012, 1.8322034, 1.8120475]),
    ),
    "single_dense_hit": (
        Ranked(["p1", "p2", "p3"], [4.4231534, 2.9019876, 2.6607232]),
        Ranked(["p3"], [1.7925313]),
    ),
    "no_lexical_match": (
        Ranked([], []),
        Ranked(["p7", "p8", "p9"], [1.8402919, 1.8356037, 1.8122444]),
    ),
    "equal_scores": (  # min == max with several hits: each scores 1.0
        Ranked(["p1", "p2"], [5.5, 5.5]),
        Ranked(["p2", "p3", "p1"], [1.85, 1.84, 1.83]),
    ),
}


def _ids(fused: list[tuple[str, float]]) -> list[str]:
    return [pid for pid, _ in fused]


def _same_tie_breaks(fused: list[tuple[str, float]]) -> dict[str, int]:
    """Lucene doc ids that break exact ties as the engine does (OpenSearch breaks them by doc id):
    with them, any remaining difference comes from the scores themselves."""
    return {pid: n for n, (pid, _) in enumerate(fused)}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_minmax_order_and_scores_match_the_engines_fusion(name: str) -> None:
    lists = RECORDED[name]
    ours = fuse(lists, FusionMode.MINMAX, HYBRID_WEIGHTS)
    theirs = processor_fuse(lists, FusionMode.MINMAX, HYBRID_WEIGHTS, doc_order=_same_tie_breaks(ours))
    assert _ids(theirs) == _ids(ours)[: len(theirs)]
    assert [s for _, s in theirs] == pytest.approx([s for _, s in ours][: len(theirs)], abs=1e-5)  # float32


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_rrf_order_matches_and_scores_differ_by_the_weights_only(name: str) -> None:
    lists = RECORDED[name]
    ours = fuse(lists, FusionMode.RRF, HYBRID_WEIGHTS)
    # Our RRF pipeline has no weights (1.0 each): every score doubles, the order stays.
    theirs = processor_fuse(lists, FusionMode.RRF, doc_order=_same_tie_breaks(ours))
    assert _ids(theirs) == _ids(ours)[: len(theirs)]
    assert [s for _, s in theirs] == pytest.approx([2 * s for _, s in ours][: len(theirs)], rel=1e-6)


def test_the_recorded_sets_hold_exact_ties() -> None:
    # The lowest hit of each list, found by that list only, fuses to 0.5 × 0.001 in both.
    fused = dict(fuse(RECORDED["bm25_ties"], FusionMode.MINMAX, HYBRID_WEIGHTS))
    assert fused["p4"] == fused["p9"]


def test_opensearch_returns_as_many_as_the_longest_sub_query() -> None:
    lexical, dense = RECORDED["overlapping"]
    assert len(fuse([lexical, dense])) == 7
    assert len(processor_fuse([lexical, dense], FusionMode.MINMAX, HYBRID_WEIGHTS)) == 5
    # The engine never reads past the depth each sub-query brought, so its pages are the same.


def test_normalisation_edge_cases_in_float32() -> None:
    assert min_max_float32([7.3]) == [1.0]  # a single hit
    assert min_max_float32([2.0, 2.0]) == [1.0, 1.0]
    assert min_max_float32([12.0, 8.0, 4.0]) == [1.0, 0.5, np.float32(0.001)]  # 0 becomes 0.001
    assert min_max_float32([]) == []
    assert rrf_float32(2) == [np.float32(1 / 61), np.float32(1 / 62)]


def test_fused_ties_follow_lucene_doc_order_in_opensearch_and_best_rank_then_id_here() -> None:
    # pa and pb are each found by one sub-query only, at rank 1: both fuse to exactly 0.5.
    lists = [Ranked(["pa", "pc"], [3.1, 2.0]), Ranked(["pb", "pd"], [1.9, 1.7])]
    assert _ids(fuse(lists, FusionMode.MINMAX, HYBRID_WEIGHTS))[:2] == ["pa", "pb"]
    indexed_a_first = processor_fuse(lists, FusionMode.MINMAX, HYBRID_WEIGHTS, doc_order={"pa": 0, "pb": 1})
    indexed_b_first = processor_fuse(lists, FusionMode.MINMAX, HYBRID_WEIGHTS, doc_order={"pa": 1, "pb": 0})
    assert _ids(indexed_a_first) == ["pa", "pb"]
    assert _ids(indexed_b_first) == ["pb", "pa"]  # the known difference: exact ties only


def test_no_order_differs_except_on_exact_ties_over_many_score_sets() -> None:
    rng = random.Random(6)
    pool = [f"p{i:03d}" for i in range(150)]
    for _ in range(150):
        lexical_ids, dense_ids = rng.sample(pool, 100), rng.sample(pool, 100)
        lexical = Ranked(lexical_ids, sorted((round(rng.uniform(2, 25), 5) for _ in lexical_ids), reverse=True))
        dense = Ranked(dense_ids, sorted((round(1 + rng.uniform(0.7, 0.9), 7) for _ in dense_ids), reverse=True))
        for mode, weights in ((FusionMode.MINMAX, HYBRID_WEIGHTS), (FusionMode.RRF, None)):
            ours = dict(fuse([lexical, dense], mode, HYBRID_WEIGHTS))
            theirs = [ours[pid] for pid, _ in processor_fuse([lexical, dense], mode, weights)]
            # OpenSearch's order never puts a passage the engine scores lower before one it scores higher
            assert all(later <= earlier for earlier, later in zip(theirs, theirs[1:], strict=False)), mode
