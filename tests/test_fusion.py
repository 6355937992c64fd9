"""Fusion formulas, checked by hand on recorded sub-query scores."""

from __future__ import annotations

import pytest

from search.fusion import FusionMode, Ranked, fuse, min_max_normalize


def test_min_max_normalisation_as_opensearch_does_it() -> None:
    assert min_max_normalize([12.0, 8.0, 4.0]) == [1.0, 0.5, 0.001]  # the minimum becomes 0.001, not 0
    assert min_max_normalize([3.3]) == [1.0]  # a single hit
    assert min_max_normalize([2.0, 2.0]) == [1.0, 1.0]
    assert min_max_normalize([]) == []


def test_min_max_arithmetic_mean_with_weights() -> None:
    lexical = Ranked(["a", "b", "c"], [12.0, 8.0, 4.0])
    dense = Ranked(["c", "d"], [0.9, 0.7])
    fused = dict(fuse([lexical, dense], FusionMode.MINMAX, weights=[0.3, 0.7]))
    assert fused["a"] == pytest.approx(0.3 * 1.0)
    assert fused["b"] == pytest.approx(0.3 * 0.5)
    assert fused["c"] == pytest.approx(0.3 * 0.001 + 0.7 * 1.0)
    assert fused["d"] == pytest.approx(0.7 * 0.001)
    assert [pid for pid, _ in fuse([lexical, dense], FusionMode.MINMAX, weights=[0.3, 0.7])] == ["c", "a", "b", "d"]


def test_rrf_with_rank_constant_60() -> None:
    lexical = Ranked(["a", "b", "c"], [12.0, 8.0, 4.0])
    dense = Ranked(["c", "a"], [0.9, 0.7])
    fused = fuse([lexical, dense], FusionMode.RRF, weights=[1.0, 1.0])
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["b"] == pytest.approx(1 / 62)
    assert [pid for pid, _ in fused] == ["a", "c", "b"]


def test_ties_are_broken_by_best_rank_then_id() -> None:
    fused = fuse([Ranked(["x", "y"], [1.0, 1.0]), Ranked(["y", "x"], [5.0, 5.0])], FusionMode.MINMAX)
    assert [pid for pid, _ in fused] == ["x", "y"]


def test_weights_must_match_lists() -> None:
    with pytest.raises(ValueError, match="2 result lists but 1 weights"):
        fuse([Ranked(["a"], [1.0]), Ranked(["a"], [1.0])], weights=[1.0])
