"""`mizan search` and the engine: result shape, highlights on raw text, filters, paging, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from search.arabic import normalize, search_terms, stem
from search.backends.base import Filters
from search.engine import Query, QueryError, SearchEngine, SearchMode, highlight_spans
from tests.conftest import REPO

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"


@pytest.fixture
def engine(sample_index: Path):
    e = SearchEngine.open(sample_index)
    yield e
    e.close()


def mizan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=REPO, capture_output=True, text=True)


def test_json_shape_and_story_passages_first(sample_index: Path) -> None:
    out = mizan("search", QUESTION, "--index", str(sample_index), "--json", "--k", "5", "--mode", "bm25")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"query", "mode", "total", "total_near", "page", "k", "results"}
    assert (result["query"], result["mode"], result["k"]) == (QUESTION, "bm25", 5)
    assert result["total"] >= len(result["results"]) == 5
    first = result["results"][0]
    assert set(first) == {
        "doc_id",
        "passage_id",
        "title",
        "outlet",
        "published",
        "date_estimated",
        "url",
        "score",
        "text",
        "near",
        "highlights",
    }
    assert all(("جندي" in r["text"] or "الجنود" in r["text"]) for r in result["results"][:3])
    assert [r["score"] for r in result["results"]] == sorted((r["score"] for r in result["results"]), reverse=True)


def test_highlights_are_whole_raw_words() -> None:
    text = "وقالت إنّ الجُنُودَ الكوريين الشماليين، وعددهم 10 آلاف، وصلوا إلى رُوسيا."
    spans = highlight_spans(text, QUESTION)
    words = [text[s:e] for s, e in spans]
    assert words == ["الجُنُودَ", "الكوريين", "الشماليين", "رُوسيا"]
    assert "في" not in words  # stopwords of the query are not marked
    assert highlight_spans(text, "؟؟") == []


def test_highlights_in_results_point_at_query_words(engine: SearchEngine) -> None:
    result = engine.search(Query(QUESTION, k=10))
    wanted = set(search_terms(QUESTION))
    marked = 0
    for r in result["results"]:
        for s, e in r["highlights"]:
            word = r["text"][s:e]
            assert word.strip() == word and word
            assert stem(normalize(word)) in wanted, word
            marked += 1
    assert marked >= 10


def test_paging_is_consistent(engine: SearchEngine) -> None:
    all_ids = [r["passage_id"] for r in engine.search(Query("روسيا", k=12))["results"]]
    page1 = [r["passage_id"] for r in engine.search(Query("روسيا", k=5, page=1))["results"]]
    page2 = [r["passage_id"] for r in engine.search(Query("روسيا", k=5, page=2))["results"]]
    assert page1 + page2 == all_ids[:10]
    far = engine.search(Query("روسيا", k=10, page=50))
    assert far["results"] == [] and far["total"] > 0


def test_filters(engine: SearchEngine) -> None:
    only = engine.search(Query("روسيا", k=50, filters=Filters(outlets=("جريدة الرائد اليومية",))))
    assert only["results"] and {r["outlet"] for r in only["results"]} == {"جريدة الرائد اليومية"}
    window = engine.search(
        Query("روسيا", k=50, filters=Filters(date_from=date(2024, 11, 1), date_to=date(2024, 11, 30)))
    )
    assert window["results"]
    assert all("2024-11-01" <= r["published"] <= "2024-11-30" for r in window["results"])
    none = engine.search(Query("روسيا", filters=Filters(outlets=("لا يوجد",))))
    assert (none["total"], none["results"]) == (0, [])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (Query("   "), "empty query"),
        (Query("x" * 501), "query too long"),
        (Query("روسيا", k=0), "k must be between 1 and 100"),
        (Query("روسيا", k=101), "k must be between 1 and 100"),
        (Query("روسيا", page=0), "page must be between"),
        (Query("روسيا", filters=Filters(date_from=date(2025, 1, 2), date_to=date(2025, 1, 1))), "date range is empty"),
    ],
)
def test_bad_queries(engine: SearchEngine, query: Query, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        engine.search(query)


def test_unknown_mode() -> None:
    with pytest.raises(QueryError, match="unknown search mode 'fuzzy'; use one of: hybrid, bm25, dense"):
        SearchMode.parse("fuzzy")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["", "--json"], "empty query"),
        (["روسيا", "--mode", "fuzzy"], "unknown search mode"),
        (["روسيا", "--from", "31/10/2024"], "write it as YYYY-MM-DD"),
        (["روسيا", "--k", "500"], "k must be between"),
    ],
)
def test_cli_errors(sample_index: Path, args: list[str], message: str) -> None:
    out = mizan("search", *args, "--index", str(sample_index))
    assert out.returncode == 2
    assert message in out.stderr and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_cli_text_output_marks_matches(sample_index: Path) -> None:
    out = mizan("search", "صاروخ", "--index", str(sample_index), "--k", "2")
    assert out.returncode == 0
    assert "passages match «صاروخ» (bm25)" in out.stdout and "[صاروخ]" in out.stdout  # hybrid fell back
    none = mizan("search", "كلمةغيرموجودة", "--index", str(sample_index))
    assert none.returncode == 0 and "no passage matches" in none.stdout


def test_search_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    out = mizan("search", "روسيا", "--index", str(tmp_path / "none"))
    assert out.returncode == 1 and "mizan index PATH" in out.stderr
