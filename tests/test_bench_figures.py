"""The real-news figure benchmark's gold stays valid and frozen, and its figure level runs.

The gold (bench/figures_gold/) points into ../shared/corpus by article id and offsets; these
tests read it there, so they skip with a reason where ../shared is absent (CI has it).
"""

from __future__ import annotations

import json

import pytest

from bench.figure_gold import FIGURES_FILE, QUESTIONS_FILE, SPLIT_FILE, check_file, load_paragraphs, load_questions
from tests.conftest import shared_path


@pytest.fixture(scope="module", autouse=True)
def _corpora() -> None:
    shared_path("corpus", "saudinewsnet.jsonl.gz")
    shared_path("corpus", "ant_jawharafm.jsonl.gz")


@pytest.mark.shared
@pytest.mark.parametrize("path", [FIGURES_FILE, QUESTIONS_FILE], ids=["figures", "questions"])
def test_the_gold_points_at_real_text_and_keeps_its_frozen_split(path) -> None:
    assert check_file(path) == []


@pytest.mark.shared
def test_the_test_split_is_at_least_40_percent_and_frozen() -> None:
    frozen = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))
    paragraphs, questions = load_paragraphs(), load_questions()
    assert {p.article: p.split for p in paragraphs} == frozen["articles"]
    assert {q.story: q.split for q in questions} == frozen["stories"]
    assert sum(p.split == "test" for p in paragraphs) >= 0.4 * len(paragraphs)
    assert sum(q.split == "test" for q in questions) >= 0.4 * len(questions)
    # no article is read in both splits of the question level
    splits: dict[str, set[str]] = {}
    for q in questions:
        for a in q.articles:
            splits.setdefault(a, set()).add(q.split)
    assert all(len(s) == 1 for s in splits.values())


@pytest.mark.shared
def test_the_figure_level_runs_on_every_gold_paragraph() -> None:
    from bench.figures import run_figure_level

    report = run_figure_level(load_paragraphs())
    for split in ("dev", "test"):
        summary = report["per_split"][split]
        assert summary["gold_figures"] > 100 and summary["value_f1"] is not None
