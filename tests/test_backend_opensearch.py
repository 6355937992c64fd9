"""The OpenSearch backend: its wiring through opensearch-py against a recording stand-in server
(tests/opensearch_recorder.py), and the backend contract against a real cluster when
MIZAN_OPENSEARCH_URL names one."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

from search.arabic import STOPWORDS, search_terms, tokenize
from search.backends import opensearch_bodies as bodies
from search.backends.base import Filters
from search.backends.opensearch import OpenSearchBackend
from search.backends.opensearch_config import OpenSearchConfig, OpenSearchConfigError
from search.backends.opensearch_fusion import processor_fuse
from search.embeddings import DEFAULT_MODEL
from search.engine import HYBRID_WEIGHTS, Query, SearchEngine, SearchMode
from search.errors import BackendError, BackendUnavailable, IndexingFailed, IndexVersionMismatch
from search.figures import extract_figures
from search.figures.answers import answer
from search.fusion import FusionMode, Ranked, fuse
from tests.backend_contract import DOCS, BackendContract, make_document
from tests.conftest import free_port
from tests.opensearch_recorder import Recorder, _Index
from tests.test_opensearch_bodies import FILTERS, QUERY, VECTOR, golden

TROOPS, MISSILES, FLOODS, UNDATED = (d.passages[0].passage_id for d in DOCS)


def fake_embed(texts: list[str]) -> np.ndarray:
    """Unit vectors from a hash of the text: no model to load, the same text gives the same vector."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        row = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
        rows.append(row / np.linalg.norm(row))
    return np.stack(rows) if rows else np.empty((0, 384), dtype=np.float32)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as rec:
        yield rec


def open_backend(rec: Recorder, **kwargs) -> OpenSearchBackend:
    config = OpenSearchConfig(url=rec.url, index="mizan", timeout=5, max_retries=kwargs.pop("transport_retries", 0))
    kwargs.setdefault("embed", fake_embed)
    return OpenSearchBackend(config, initial_backoff=0, progress=False, **kwargs)


def records(rec: Recorder) -> dict[str, dict]:
    return rec.indices["mizan"].docs


# ---------------------------------------------------------------- setup


def test_creates_the_golden_index_and_pipelines_once(recorder: Recorder) -> None:
    open_backend(recorder).close()
    puts = {r.path: r.body for r in recorder.requests if r.method == "PUT"}
    assert puts == {
        "/mizan": golden("index"),
        "/_search/pipeline/mizan-hybrid-minmax": golden("pipeline_minmax"),
        "/_search/pipeline/mizan-hybrid-rrf": golden("pipeline_rrf"),
    }
    recorder.requests.clear()
    again = open_backend(recorder)  # an index and pipelines with our bodies are left alone: no PUT at all
    assert [r.method for r in recorder.requests if r.method != "GET"] == ["HEAD"]
    assert again.dense_model == DEFAULT_MODEL


def test_a_changed_pipeline_is_put_again(recorder: Recorder) -> None:
    open_backend(recorder).close()
    recorder.pipelines["mizan-hybrid-minmax"]["phase_results_processors"][0]["normalization-processor"]["combination"][
        "parameters"
    ]["weights"] = [0.3, 0.7]
    recorder.requests.clear()
    open_backend(recorder)
    assert [r.path for r in recorder.requests if r.method == "PUT"] == ["/_search/pipeline/mizan-hybrid-minmax"]
    assert recorder.pipelines["mizan-hybrid-minmax"] == golden("pipeline_minmax")


def test_a_cluster_before_2_19_gets_no_rrf_pipeline_and_says_so() -> None:
    with Recorder(version="2.17.1") as rec:
        backend = open_backend(rec)
        assert set(rec.pipelines) == {"mizan-hybrid-minmax"}
        with pytest.raises(BackendError, match=r"rrf fusion needs OpenSearch 2\.19.*use minmax fusion"):
            backend.hybrid(QUERY, np.asarray(VECTOR), 10, fusion=FusionMode.RRF)


def test_a_cluster_too_old_for_hybrid_search_is_refused() -> None:
    with Recorder(version="2.9.0") as rec, pytest.raises(BackendError, match=r"needs OpenSearch 2\.10 or later"):
        open_backend(rec)


def test_an_unreachable_cluster_is_one_line_that_says_what_to_do() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendUnavailable) as caught:
        OpenSearchBackend(OpenSearchConfig(url=url, timeout=2, max_retries=1))
    message = str(caught.value)
    assert url in message and "connection refused" in message and "docker compose up -d opensearch" in message
    assert "\n" not in message and caught.value.__suppress_context__  # no chained stack trace


def test_refused_credentials_say_which_variables_to_set(recorder: Recorder) -> None:
    recorder.reject("GET", r"^/$", status=401, kind="security_exception")
    with pytest.raises(BackendUnavailable, match="MIZAN_OPENSEARCH_USER and MIZAN_OPENSEARCH_PASSWORD"):
        open_backend(recorder)


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("normaliser_version", 0, "Arabic normaliser v0"),
        ("figures_version", 99, "figure reader v99"),
        ("format_version", 2, "index format v2"),
        ("mapping_version", 0, "OpenSearch layout v0"),
        ("embedding_model", "other/model", "holds vectors of other/model"),
    ],
)
def test_an_index_built_otherwise_is_refused_with_how_to_rebuild(recorder: Recorder, key, value, said) -> None:
    body = bodies.index_body(DEFAULT_MODEL, 384)
    body["mappings"]["_meta"]["mizan"][key] = value
    recorder.indices["mizan"] = _Index(body)
    with pytest.raises(IndexVersionMismatch) as caught:
        open_backend(recorder)
    message = str(caught.value)
    assert said in message and "\n" not in message
    assert f"curl -X DELETE {recorder.url}/mizan" in message or "model=" in message
    assert not any(r.method == "PUT" and r.path == "/mizan" for r in recorder.requests)


def test_a_lexical_only_index_refuses_a_model_and_serves_lexical_only(recorder: Recorder) -> None:
    lexical_only = open_backend(recorder, model=None)
    assert lexical_only.dense_model is None
    with pytest.raises(IndexVersionMismatch, match="holds no passage vectors, but vectors of"):
        open_backend(recorder)
    lexical_only.add(DOCS[:1])
    assert "vector" not in records(recorder)[TROOPS]
    with pytest.raises(Exception, match="no passage vectors"):
        lexical_only.dense(np.asarray(VECTOR), 5)


def test_config_from_the_environment() -> None:
    config = OpenSearchConfig.from_env({})
    assert (config.url, config.index, config.verify_certs, config.user) == (
        "http://localhost:9200",
        "mizan",
        True,
        None,
    )
    env = {
        "MIZAN_OPENSEARCH_URL": "https://search.example:9200/",
        "MIZAN_OPENSEARCH_USER": "mizan",
        "MIZAN_OPENSEARCH_PASSWORD": "secret",
        "MIZAN_OPENSEARCH_INDEX": "news-ar",
        "MIZAN_OPENSEARCH_VERIFY_CERTS": "false",
    }
    config = OpenSearchConfig.from_env(env)
    assert (config.url, config.index, config.verify_certs) == ("https://search.example:9200", "news-ar", False)
    for bad, said in [
        ({"MIZAN_OPENSEARCH_URL": "localhost:9200"}, "not an http"),
        ({"MIZAN_OPENSEARCH_INDEX": "News AR"}, "not a usable index name"),
        ({"MIZAN_OPENSEARCH_VERIFY_CERTS": "maybe"}, "set it to 1 or 0"),
        ({"MIZAN_OPENSEARCH_PASSWORD": "x"}, "without MIZAN_OPENSEARCH_USER"),
        ({"MIZAN_OPENSEARCH_CA_CERTS": "/nonexistent/ca.pem"}, "is not a file"),
    ]:
        with pytest.raises(OpenSearchConfigError, match=said):
            OpenSearchConfig.from_env(bad)


# ---------------------------------------------------------------- writes


def test_bulk_indexing_is_chunked_and_idempotent(recorder: Recorder) -> None:
    backend = open_backend(recorder, chunk_size=3)
    backend.add(DOCS)
    sent = [r.body for r in recorder.bulks()]
    assert [len(lines) // 2 for lines in sent] == [3, 3, 2]  # 4 document records + 4 passages, 3 a request
    first = dict(records(recorder))
    assert set(first) == {f"doc:{d.doc_id}" for d in DOCS} | {TROOPS, MISSILES, FLOODS, UNDATED}
    assert first[TROOPS]["vector"] == pytest.approx(fake_embed([f"{DOCS[0].title}\n{DOCS[0].text}"])[0].tolist())
    backend.add(DOCS)  # again: the same _ids, nothing added, nothing lost
    assert records(recorder) == first
    assert backend.stats()["documents"] == 4 and backend.stats()["passages"] == 4


def test_a_429_is_retried_after_backoff(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    recorder.reject("POST", r"/_bulk$", status=429)  # the whole request, once
    recorder.fail_item(FLOODS, status=429, kind="es_rejected_execution_exception")  # then one item, once
    backend.add(DOCS)
    sent = [r.body for r in recorder.bulks()]
    assert len(sent) == 3 and sent[0] == sent[1]  # refused, the same chunk again
    assert sent[2] == [{"index": {"_index": "mizan", "_id": FLOODS}}, records(recorder)[FLOODS]]
    assert backend.get_document("d_floods") is not None


def test_a_gateway_error_is_retried_by_the_client(recorder: Recorder) -> None:
    backend = open_backend(recorder, transport_retries=2)
    recorder.reject("POST", r"/_bulk$", status=503)
    backend.add(DOCS[:1])
    assert len(recorder.bulks()) == 2 and backend.get_document("d_troops") is not None


def test_refused_items_are_summarised_by_document_after_the_run(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    recorder.fail_item(FLOODS, status=400, kind="mapper_parsing_exception")
    with pytest.raises(IndexingFailed) as caught:
        backend.add(DOCS)
    message = str(caught.value)
    assert "refused 1 of 4 documents: d_floods" in message and "400 mapper_parsing_exception" in message
    assert FLOODS in message and "add them again" in message and "\n" not in message
    assert backend.get_document("d_troops") is not None and backend.get_passages([FLOODS]) == []


def test_an_error_the_client_cannot_retry_stops_the_run_with_what_to_do(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    recorder.reject("POST", r"/_bulk$", status=500)
    with pytest.raises(BackendError, match=r"failed to index documents: 500 .*add them again"):
        backend.add(DOCS)


def test_replacing_a_document_removes_the_passages_it_no_longer_has(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    changed = make_document(
        "d_troops", "تحديث", "قدرت الاستخبارات عددهم بما يصل إلى 11 ألف جندي.", "الأفق", "2024-12-01"
    )
    recorder.requests.clear()
    backend.add([changed])
    (stale,) = [r for r in recorder.requests if r.path.endswith("_delete_by_query")]
    assert stale.body == bodies.stale_passages_body(["d_troops"], [changed.passages[0].passage_id])
    assert stale.query == {"refresh": "true", "conflicts": "proceed"}
    assert TROOPS not in records(recorder)
    doc = backend.get_document("d_troops")
    assert doc is not None and doc.title == "تحديث" and [p.text for p in doc.passages] == [changed.text]


def test_a_passage_shared_by_two_documents_stays_with_the_first_as_locally(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS[:1])
    copy = make_document("d_copy", "نسخة", DOCS[0].text, "الضفاف", "2024-11-02")
    assert copy.passages[0].passage_id == TROOPS
    backend.add([copy])
    assert records(recorder)[TROOPS]["doc_id"] == "d_troops"
    assert backend.get_document("d_copy").passages == []


def test_a_shared_passage_stays_with_the_document_that_holds_it_when_both_are_added(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS[:1])
    copy = make_document("d_copy", "نسخة", DOCS[0].text, "الضفاف", "2024-11-02")
    backend.add([copy, DOCS[0]])  # the copy comes first, but d_troops holds the passage and keeps it
    assert records(recorder)[TROOPS]["doc_id"] == "d_troops"
    backend.add([copy, make_document("d_new", "جديد", DOCS[0].text, "الأفق", None)])  # neither holds it
    assert records(recorder)[TROOPS]["doc_id"] == "d_troops"
    with Recorder() as fresh:
        open_backend(fresh).add([copy, DOCS[0]])  # nobody holds it yet: the first added takes it
        assert records(fresh)[TROOPS]["doc_id"] == "d_copy"


def test_delete_counts_the_documents_that_existed(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    assert backend.delete(["d_missiles", "d_nope", "d_missiles"]) == 1
    (count,) = [r for r in recorder.requests if r.path.endswith("/_count")]
    assert count.body == bodies.documents_query(["d_missiles", "d_nope"])
    assert backend.get_document("d_missiles") is None and MISSILES not in records(recorder)
    assert backend.delete([]) == 0


def test_figures_come_back_as_the_figures_extracted_from_each_passage(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    stored = backend.figures([TROOPS, MISSILES, FLOODS, UNDATED, "p_missing"])
    expected = {p.passage_id: extract_figures(p.text) for d in DOCS for p in d.passages}
    assert stored == {pid: figures for pid, figures in expected.items() if figures}
    assert stored[TROOPS][0].value_low == 10000.0 and stored[TROOPS][0].claimant == "وزارة الدفاع الأميركية"


def test_a_passage_whose_figures_cannot_be_read_is_indexed_without_them(recorder: Recorder, monkeypatch) -> None:
    import search.backends.opensearch as module

    def broken(text: str):
        raise ValueError("reader bug")

    monkeypatch.setattr(module, "extract_figures", broken)
    backend = open_backend(recorder)
    backend.add(DOCS[:1])
    assert records(recorder)[TROOPS]["figures"] == [] and backend.figures([TROOPS]) == {}


def test_documents_and_passages_come_back_whole(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    doc = dataclasses.replace(DOCS[0], agency="رويترز", url="https://example.org/t", source_path="seeds/t.txt")
    backend.add([doc, *DOCS[1:]])
    assert backend.get_document("d_troops") == doc
    assert backend.get_document("d_troops", with_passages=False) == dataclasses.replace(doc, passages=[])
    assert backend.get_document("d_undated").published is None
    assert [p.doc_id for p in backend.get_passages([MISSILES, "p_missing", TROOPS, "doc:d_troops"])] == [
        "d_missiles",
        "d_troops",
    ]
    passages_of = [r for r in recorder.searches() if "sort" in r.body]
    assert passages_of[0].body == golden("passages_of")


# ---------------------------------------------------------------- searches


def _sent(recorder: Recorder) -> dict:
    return recorder.searches()[-1].body


def test_lexical_sends_the_golden_body_and_returns_bm25_scores(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    recorder.answer_search([(TROOPS, 7.2317424), (MISSILES, 2.0144937)], total=2)
    hits = backend.lexical(QUERY, 10)
    assert _sent(recorder) == golden("lexical")
    assert (hits.ids, hits.total) == ([TROOPS, MISSILES], 2)
    # Lucene leaves BM25's constant (k1 + 1) out: put back, the scores are the local BM25's
    assert hits.scores == pytest.approx([7.2317424 * 2.2, 2.0144937 * 2.2])
    recorder.answer_search([(MISSILES, 3.5)], total=1)
    backend.lexical(QUERY, 20, FILTERS)
    assert _sent(recorder) == golden("lexical_filtered")


def test_dense_sends_the_golden_body_and_returns_knn_scores(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    recorder.answer_search([(FLOODS, 1.8734561)], total=1)
    hits = backend.dense(np.asarray(VECTOR, dtype=np.float32), 10)
    assert _sent(recorder) == golden("dense")
    assert (hits.ids, hits.scores, hits.total) == ([FLOODS], [1.8734561], 1)
    recorder.answer_search([])
    backend.dense(np.asarray(VECTOR), 10, Filters(date_from=date(2024, 11, 1)))
    assert _sent(recorder) == golden("dense_filtered")


@pytest.mark.parametrize("fusion", [FusionMode.MINMAX, FusionMode.RRF])
def test_hybrid_sends_the_golden_body_through_our_pipeline(recorder: Recorder, fusion: FusionMode) -> None:
    backend = open_backend(recorder)
    fused = [(TROOPS, 0.75), (MISSILES, 0.5005), (FLOODS, 0.0005)]
    recorder.answer_search(fused, total=3)
    hits = backend.hybrid(QUERY, np.asarray(VECTOR), 2, FILTERS, fusion=fusion)
    request = golden(f"hybrid_{fusion.value}")
    assert recorder.searches()[-1].query == request["params"]  # search_pipeline=mizan-hybrid-…
    assert _sent(recorder) == request["body"]
    assert (hits.ids, hits.total) == ([TROOPS, MISSILES], 3)  # the top k
    # OpenSearch's RRF weighs each list 1.0, the engine's 0.5: scaled to the engine's scores
    scale = 0.5 if fusion is FusionMode.RRF else 1.0
    assert hits.scores == pytest.approx([0.75 * scale, 0.5005 * scale])


def test_highlights_are_spans_of_the_passage_text(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    text = DOCS[0].text
    marked = text.replace("روسيا", "\ue000روسيا\ue001").replace("جندي", "\ue000جندي\ue001")
    recorder.answer_search([(TROOPS, 3.0)], highlight={TROOPS: {"text": [marked]}})
    spans = backend.highlights(QUERY, [TROOPS])
    assert _sent(recorder) == bodies.highlight_body(QUERY, [TROOPS])
    assert [text[s:e] for s, e in spans[TROOPS]] == ["جندي", "روسيا"]
    assert backend.highlights(QUERY, []) == {}
    # unscripted, the recorder marks the query's words as the `mizan_words` analyzer reads them: as written,
    # folded (روسيا with harakat, آلاف as الاف), never by stem; stopwords (في) never
    backend.add(DOCS[:1])
    spans = backend.highlights("رُوسيا في ألاف جنود", [TROOPS])
    assert [text[s:e] for s, e in spans[TROOPS]] == ["آلاف", "روسيا"]


def test_the_engine_answers_from_opensearch_alone(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    recorder.answer_search([(TROOPS, 0.0325), (MISSILES, 0.0318), (FLOODS, 0.0161)])  # the pipeline's fused list
    recorder.answer_search([(TROOPS, 6.0)], total=1)  # the honest total: the passages that hold the words,
    recorder.answer_search([(TROOPS, 1.9), (MISSILES, 1.5), (FLOODS, 1.2)])  # then the dense candidates
    pre, post = bodies.HIGHLIGHT_TAGS
    marked = f"قالت وزارة الدفاع الأميركية إن نحو 10 آلاف {pre}جندي{post} كوري شمالي يتدربون في شرق {pre}روسيا{post}."
    recorder.answer_search([(TROOPS, 3.0)], highlight={TROOPS: {"text": [marked]}})
    out = answer(SearchEngine(backend), Query("كم عدد الجنود الكوريين الشماليين في روسيا؟", k=5))
    assert out["passages"][0]["passage_id"] == TROOPS and out["passages"][0]["outlet"] == "الأفق"
    (group,) = out["groups"]
    assert group["value_low"] == 10000 and group["figures"][0]["claimant"] == "وزارة الدفاع الأميركية"
    hybrid = next(r for r in recorder.searches() if "hybrid" in r.body.get("query", {}))
    highlight = next(r for r in recorder.searches() if "highlight" in r.body)
    # one round trip, fused by our RRF pipeline (2.19's default here), then OpenSearch's highlights
    assert "hybrid" in hybrid.body["query"] and hybrid.query["search_pipeline"] == "mizan-hybrid-rrf"
    assert out["total"] == 1 + out["total_near"]  # the words' one match, plus candidates above the floor
    assert highlight.body == bodies.highlight_body(
        "كم عدد الجنود الكوريين الشماليين في روسيا؟", [TROOPS, MISSILES, FLOODS]
    )
    text = out["passages"][0]["text"]
    assert [text[s:e] for s, e in out["passages"][0]["highlights"]] == ["جندي", "روسيا"]
    # a passage OpenSearch did not highlight gets our own highlighter's spans
    assert out["passages"][1]["highlights"]


def test_bm25_mode_of_the_engine_pages_through_opensearch(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    recorder.answer_search([(TROOPS, 6.1), (MISSILES, 2.2), (FLOODS, 1.0)], total=3)
    recorder.answer_search([])  # the highlight request: nothing marked, so our highlighter marks them
    out = SearchEngine(backend).search(Query("روسيا", k=2, page=2, mode=SearchMode.BM25))
    assert recorder.searches()[-2].body["size"] == 4  # depth k × page, sliced by the engine
    assert recorder.searches()[-1].body["query"]["bool"]["filter"] == [{"ids": {"values": [FLOODS]}}]
    assert [r["passage_id"] for r in out["results"]] == [FLOODS] and out["total"] == 3


def test_several_shards_search_with_the_whole_index_statistics(recorder: Recorder) -> None:
    backend = open_backend(recorder, shards=3)
    assert recorder.indices["mizan"].body["settings"]["index"]["number_of_shards"] == 3
    assert open_backend(recorder).shard_count == 3  # read back from the index, whoever opens it
    recorder.answer_search([(TROOPS, 7.5)])
    backend.lexical(QUERY, 10)
    assert recorder.searches()[-1].query == {"search_type": "dfs_query_then_fetch"}
    # hybrid: the pipeline cannot follow dfs_query_then_fetch, so both lists are fused here as locally
    recorder.answer_search([(TROOPS, 7.5), (MISSILES, 2.5)], total=2)
    recorder.answer_search([(MISSILES, 1.9), (FLOODS, 1.8)], total=2)
    hits = backend.hybrid(QUERY, np.asarray(VECTOR), 10, fusion=FusionMode.RRF)
    lexical, dense = recorder.searches()[-2:]
    assert lexical.query == {"search_type": "dfs_query_then_fetch"} and "knn" in dense.body["query"]
    assert "search_pipeline" not in lexical.query and "search_pipeline" not in dense.query
    expected = fuse([Ranked([TROOPS, MISSILES], [7.5, 2.5]), Ranked([MISSILES, FLOODS], [1.9, 1.8])], FusionMode.RRF)
    # the passages that hold the words: the engine adds the ones near in meaning (search/engine.py)
    assert list(zip(hits.ids, hits.scores, strict=True)) == expected and hits.total == 2


def test_similarities_are_the_stored_vectors_cosines(recorder: Recorder) -> None:
    backend = open_backend(recorder)
    backend.add(DOCS)
    query = fake_embed(["سؤال"])[0]
    sims = backend.similarities(query, [TROOPS, FLOODS, "p_missing"])
    stored = fake_embed([f"{d.title}\n{d.text}" for d in (DOCS[0], DOCS[2])])
    assert sims == {TROOPS: float(np.dot(stored[0], query)), FLOODS: float(np.dot(stored[1], query))}
    assert open_backend(recorder).similarities(query, []) == {}


class TestOpenSearchOnTheRecorder(BackendContract):
    """The contract, with the recorder ranking as one shard of OpenSearch would (tests/opensearch_recorder.py)."""

    @pytest.fixture
    def backend(self, recorder: Recorder) -> OpenSearchBackend:
        return open_backend(recorder)


def _ranks_as_the_local_bm25(backend: OpenSearchBackend, tmp_path) -> None:
    """Lexical hits, scores and term weights equal to the local backend's over the same documents."""
    from search.backends.local import LocalBackend, index_components
    from search.store import IndexWriter

    with IndexWriter(tmp_path / "ix", components=index_components(progress=False)):
        pass
    local = LocalBackend(tmp_path / "ix")
    backend.add(DOCS)
    local.add(DOCS)
    for query in (QUERY, "روسيا", "كوريا الشمالية روسيا روسيا", "سيول", "في ما"):
        theirs, ours = backend.lexical(query, 10), local.lexical(query, 10)
        assert (theirs.ids, theirs.total) == (ours.ids, ours.total), query
        assert theirs.scores == pytest.approx(ours.scores, rel=1e-6), query  # float32 in Lucene
    terms = ["روسيا", "جندي", "سيول", "غائب"]
    assert backend.term_weights(terms) == pytest.approx(local.term_weights(terms))
    assert backend.term_weights([]) == {}
    local.close()


def test_the_recorder_ranks_the_golden_lexical_body_as_the_local_bm25(recorder: Recorder, tmp_path) -> None:
    _ranks_as_the_local_bm25(open_backend(recorder), tmp_path)
    (weights,) = [r for r in recorder.searches() if "df" in r.body.get("aggs", {})]
    assert weights.body == bodies.term_weights_body(["روسيا", "جندي", "سيول", "غائب"])


# ---------------------------------------------------------------- a real cluster

LIVE = os.environ.get("MIZAN_OPENSEARCH_URL")
live = pytest.mark.skipif(
    not LIVE, reason="set MIZAN_OPENSEARCH_URL to a running OpenSearch (docker compose up -d opensearch) to run these"
)


@pytest.fixture
def live_backend() -> Iterator[OpenSearchBackend]:
    config = dataclasses.replace(OpenSearchConfig.from_env(), index=f"mizan-test-{uuid.uuid4().hex[:12]}")
    backend = OpenSearchBackend(config, model="test/hash-384", dimension=384, embed=fake_embed, progress=False)
    try:
        yield backend
    finally:
        backend.drop()
        backend.close()


@live
def test_live_lexical_ranks_as_the_local_bm25(live_backend: OpenSearchBackend, tmp_path) -> None:
    _ranks_as_the_local_bm25(live_backend, tmp_path)


@live
def test_live_several_shards_rank_as_one(tmp_path) -> None:
    config = dataclasses.replace(OpenSearchConfig.from_env(), index=f"mizan-test-{uuid.uuid4().hex[:12]}")
    backend = OpenSearchBackend(config, model=None, shards=3, progress=False)
    try:
        _ranks_as_the_local_bm25(backend, tmp_path)  # dfs_query_then_fetch: the whole index's statistics
    finally:
        backend.drop()
        backend.close()


@live
class TestOpenSearchBackend(BackendContract):
    @pytest.fixture
    def backend(self, live_backend: OpenSearchBackend) -> OpenSearchBackend:
        return live_backend


@live
def test_live_analyzers_give_our_terms_and_our_words(live_backend: OpenSearchBackend) -> None:
    text = "الطلابُ يدرسون في الجامعات العربية. أرقامهم ١٢٣٬٤٥٦ و 2٫5 آلاف الكوريين."
    analyze = live_backend.client.indices.analyze
    words = analyze(index=live_backend.index, body={"analyzer": bodies.WORDS, "text": text})["tokens"]
    assert [(t["token"], t["start_offset"], t["end_offset"]) for t in words] == [
        (t.text, t.raw_start, t.raw_end) for t in tokenize(text) if t.text not in STOPWORDS
    ]
    terms = " ".join(search_terms(text))
    split = analyze(index=live_backend.index, body={"analyzer": bodies.TERMS, "text": terms})["tokens"]
    assert [t["token"] for t in split] == search_terms(text)


@live
def test_live_dense_and_hybrid_fuse_as_the_engine_does(live_backend: OpenSearchBackend) -> None:
    live_backend.add(DOCS)
    vector = fake_embed([f"{DOCS[1].title}\n{DOCS[1].text}"])[0]
    assert live_backend.dense(vector, 4).ids[0] == MISSILES
    lexical, dense = live_backend.lexical("روسيا صاروخ", 100), live_backend.dense(vector, 100)
    for fusion, weights in ((FusionMode.MINMAX, HYBRID_WEIGHTS), (FusionMode.RRF, None)):
        hybrid = live_backend.hybrid("روسيا صاروخ", vector, 4, fusion=fusion)
        expected = processor_fuse(
            [Ranked(lexical.ids, lexical.scores), Ranked(dense.ids, dense.scores)], fusion, weights
        )
        assert sorted(hybrid.ids) == sorted(pid for pid, _ in expected[:4])  # exact ties may swap neighbours
        scale = bodies.RRF_SCORE_SCALE if fusion is FusionMode.RRF else 1.0
        assert hybrid.scores == pytest.approx([s * scale for _, s in expected][:4], abs=1e-5)
