"""`mizan index --backend opensearch` and `mizan serve --backend opensearch` end to end against the
recording stand-in (tests/opensearch_recorder.py): what it answers to ranked searches is scripted;
what Mizan sends is asserted."""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from search.backends import opensearch_bodies as bodies
from search.embeddings import DEFAULT_MODEL
from tests.conftest import SAMPLE, Server
from tests.opensearch_recorder import Recorder
from web.cli import main as mizan_main

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    with Recorder() as rec:
        yield rec


@pytest.fixture(scope="module")
def env(recorder: Recorder) -> Iterator[dict[str, str]]:
    values = {"MIZAN_OPENSEARCH_URL": recorder.url, "MIZAN_OPENSEARCH_INDEX": "mizan-cli"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in values.items():
            mp.setenv(key, value)
        yield values


def _mizan(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = mizan_main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def indexed(recorder: Recorder, env: dict[str, str]) -> dict:
    """The sample corpus indexed into the stand-in with real e5 passage vectors."""
    code, out = _mizan("index", str(SAMPLE), "--backend", "opensearch", "--quiet", "--json")
    assert code == 0, out
    return json.loads(out)


def _records(recorder: Recorder) -> dict[str, dict]:
    return recorder.indices["mizan-cli"].docs


def test_index_creates_the_golden_index_and_bulk_loads_the_corpus(recorder: Recorder, indexed: dict) -> None:
    assert indexed["documents_added"] == 14 and indexed["files_read"] == 10 and not indexed["problems"]
    (create,) = [r for r in recorder.requests if r.method == "PUT" and r.path == "/mizan-cli"]
    assert create.body == bodies.index_body(DEFAULT_MODEL, 384)
    assert {r.path for r in recorder.requests if "/_search/pipeline/" in r.path and r.method == "PUT"} == {
        "/_search/pipeline/mizan-cli-hybrid-minmax",
        "/_search/pipeline/mizan-cli-hybrid-rrf",
    }
    records = _records(recorder)
    passages = [s for s in records.values() if s.get("kind") == "passage"]
    assert len(passages) == indexed["passages_added"]
    assert all(len(s[bodies.VECTOR_FIELD]) == 384 for s in passages)
    assert sum(len(s.get("figures") or []) for s in passages) > 20  # the figures travel with the passages


def test_indexing_again_sends_the_same_ids(recorder: Recorder, indexed: dict, capsys: pytest.CaptureFixture) -> None:
    before = set(_records(recorder))
    code, out = _mizan("index", str(SAMPLE), "--backend", "opensearch", "--quiet", "--json")
    assert code == 0 and set(_records(recorder)) == before
    # a writer without vectors is refused by an index that has them, saying how to go on
    code, _ = _mizan("index", str(SAMPLE), "--backend", "opensearch", "--quiet", "--no-embed")
    err = capsys.readouterr().err
    assert code != 0 and "vectors of intfloat/multilingual-e5-small" in err and "Traceback" not in err


def test_search_and_ask_read_the_cluster(recorder: Recorder, indexed: dict) -> None:
    troops = next(
        rid for rid, s in _records(recorder).items() if s.get("kind") == "passage" and "10 آلاف جندي" in s["text"]
    )
    recorder.answer_search([(troops, 0.03)])  # the pipeline's fused list
    recorder.answer_search([])  # the highlight request
    code, out = _mizan("ask", QUESTION, "--backend", "opensearch", "--json", "--k", "3")
    assert code == 0
    answer = json.loads(out)
    assert answer["passages"][0]["passage_id"] == troops
    assert any(g["value_low"] == 10_000 for g in answer["groups"])  # the figures came from the cluster
    hybrid = [r for r in recorder.searches() if "hybrid" in r.body.get("query", {})][-1]
    assert hybrid.query["search_pipeline"] == "mizan-cli-hybrid-rrf"  # RRF by default on 2.19


def test_an_unreachable_cluster_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("MIZAN_OPENSEARCH_URL", "http://127.0.0.1:9")
    code = mizan_main(["search", "روسيا", "--backend", "opensearch"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1
    assert "http://127.0.0.1:9" in err and "docker compose up -d opensearch" in err and "Traceback" not in err


def test_serve_answers_from_the_cluster(recorder: Recorder, indexed: dict, env: dict, tmp_path: Path) -> None:
    server = Server(tmp_path / "unused", "--backend", "opensearch", "--workers", "1", env=env)
    try:
        health = json.loads(urllib.request.urlopen(server.url + "/api/health", timeout=30).read())
        assert health["backend"] == "opensearch" and health["index"]["documents"] == 14
        assert health["model"] == DEFAULT_MODEL
        records = _records(recorder)
        ranked = [rid for rid, s in records.items() if s.get("kind") == "passage" and "11 ألف" in s["text"]][:3]
        recorder.answer_search([(rid, 0.03 - n * 0.001) for n, rid in enumerate(ranked)])
        recorder.answer_search([])
        query = urllib.parse.urlencode({"q": QUESTION, "k": 3})
        answer = json.loads(urllib.request.urlopen(f"{server.url}/api/answer?{query}", timeout=30).read())
        assert answer["groups"] and any(g["value_high"] == 11_000 for g in answer["groups"])
        assert [p["passage_id"] for p in answer["passages"]] == ranked
        sent = [r for r in recorder.searches() if "hybrid" in r.body.get("query", {})][-1]
        assert sent.query["search_pipeline"] == "mizan-cli-hybrid-rrf"
        assert sent.body["query"]["hybrid"]["queries"][1]["knn"][bodies.VECTOR_FIELD]["k"] >= 3
    finally:
        output = server.stop()
    assert "Listening at" in output
