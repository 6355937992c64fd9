"""Answers alike on both backends: `mizan ask --json` over the sample corpus and the seeds gives the same
answer from the local index and from OpenSearch, in bm25 mode and in hybrid mode with both fusions:
the recording stand-in, which ranks as one shard of OpenSearch 2.19 would (tests/opensearch_recorder.py),
or the real cluster MIZAN_OPENSEARCH_URL names (into a new index, deleted afterwards).

Compared: status, what the question was understood as, total, every group (values, unit, label,
claimants, outlets, figures and their sentences, in order) and the passages shown (ids, order, texts,
outlets, dates, scores to float32 precision). Two things differ by design: document ids (a server
backend's come from the source key alone: indexer.pipeline.server_document_id), so they are left out;
and highlights, where OpenSearch marks the query's words as written (its unstemmed `text` field) and
the local engine every word sharing a stem with them: OpenSearch's marks are a subset of the local ones.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from search.backends.opensearch import OpenSearchBackend
from search.backends.opensearch_config import OpenSearchConfig
from tests.conftest import SAMPLE, build_index, shared_path
from tests.opensearch_recorder import Recorder
from web.cli import main as mizan_main

pytestmark = [pytest.mark.slow, pytest.mark.shared]

QUESTIONS = [
    "كم عدد الجنود الكوريين الشماليين في روسيا؟",
    "كم صاروخاً أرسلت كوريا الشمالية إلى روسيا؟",
    "كم عدد القتلى في السيول؟",
    "كم عدد المصابين في السيول؟",
    "ما عدد القتلى في غزة؟",
    "كم شخصا قتل في هجوم لندن؟",
]
MODES = {"bm25": ["--mode", "bm25"], "minmax": ["--fusion", "minmax"], "rrf": ["--fusion", "rrf"]}


def _mizan(*args: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        code = mizan_main(list(args))
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def paths() -> list[Path]:
    return [SAMPLE, shared_path("seeds")]


@pytest.fixture(scope="module")
def local_index(paths: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("parity") / "index"
    build_index(paths, index, embed=True, precision="fp32")  # the OpenSearch backend embeds at fp32
    return index


@pytest.fixture(scope="module")
def cluster(paths: list[Path]) -> Iterator[str]:
    """The OpenSearch URL the answers come from, with the corpus indexed."""
    live = os.environ.get("MIZAN_OPENSEARCH_URL")
    with contextlib.ExitStack() as stack:
        url = live or stack.enter_context(Recorder()).url
        index = f"mizan-parity-{uuid.uuid4().hex[:12]}" if live else "mizan-parity"
        mp = stack.enter_context(pytest.MonkeyPatch.context())
        mp.setenv("MIZAN_OPENSEARCH_URL", url)
        mp.setenv("MIZAN_OPENSEARCH_INDEX", index)
        _mizan("index", *map(str, paths), "--backend", "opensearch", "--quiet", "--json")
        if live:
            stack.callback(lambda: OpenSearchBackend(OpenSearchConfig.from_env(), create=False).drop())
        yield url


def _without_doc_ids(value):
    if isinstance(value, dict):
        return {k: _without_doc_ids(v) for k, v in value.items() if k != "doc_id"}
    if isinstance(value, list):
        return [_without_doc_ids(v) for v in value]
    return value


def _split_passages(answer: dict) -> tuple[dict, list[float], list[set[tuple[int, int]]]]:
    """The answer without passage scores and highlights, and those apart."""
    passages = answer["passages"]
    scores = [p["score"] for p in passages]
    marks = [{tuple(span) for span in p["highlights"]} for p in passages]
    rest = [{k: v for k, v in p.items() if k not in ("score", "highlights")} for p in passages]
    return _without_doc_ids({**answer, "passages": rest}), scores, marks


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_gives_the_same_answer_on_both_backends(local_index: Path, cluster: str, question, mode) -> None:
    local = _mizan("ask", question, "--index", str(local_index), "--json", *MODES[mode])
    remote = _mizan("ask", question, "--backend", "opensearch", "--json", *MODES[mode])
    ours, our_scores, our_marks = _split_passages(local)
    theirs, their_scores, their_marks = _split_passages(remote)
    assert theirs == ours
    assert their_scores == pytest.approx(our_scores, rel=1e-5, abs=2e-6)  # float32 there, rounded to 6 places
    for mine, cluster_marks in zip(our_marks, their_marks, strict=True):
        assert cluster_marks <= mine


def test_the_answers_compared_have_figures(local_index: Path, cluster: str) -> None:
    answered = [_mizan("ask", q, "--index", str(local_index), "--json", "--mode", "bm25") for q in QUESTIONS]
    assert sum(1 for a in answered if a["groups"]) >= 4  # parity is shown on real answers, not empty ones
    assert any(len(a["groups"]) >= 2 for a in answered) or any(a["conflict"] for a in answered)
