"""The JSON API through Flask's test client: every route, every parameter error, the error shape, writes."""

from __future__ import annotations

import io
import json
import shutil
import threading
from contextlib import redirect_stdout
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from search.engine import MAX_QUERY_CHARS
from tests.conftest import SAMPLE, WEB_TOKEN
from web import views
from web.app import create_app
from web.cli import main as mizan_main
from web.openapi import openapi

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
TOKEN = WEB_TOKEN


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _validate(body: object, schema: str) -> None:
    spec = openapi()
    jsonschema.validate(body, {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]})


def _cli_json(*args: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert mizan_main(list(args)) == 0
    return json.loads(out.getvalue())


# ---------------------------------------------------------------- reads


def test_search_returns_what_mizan_search_json_prints(client: FlaskClient, sample_index: Path) -> None:
    r = client.get("/api/search", query_string={"q": "صواريخ كوريا الشمالية", "k": 3, "page": 2, "mode": "bm25"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    _validate(body, "Search")
    cli = _cli_json(
        "search", "صواريخ كوريا الشمالية", "--index", str(sample_index), "--k", "3", "--page", "2", "--json"
    )
    assert body == cli
    assert body["page"] == 2 and len(body["results"]) == 3


def test_answer_returns_what_mizan_ask_json_prints(client: FlaskClient, sample_index: Path) -> None:
    body = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    _validate(body, "Answer")
    assert body == _cli_json("ask", QUESTION, "--index", str(sample_index), "--json")
    assert body["status"] == "conflict"
    assert [g["label"] for g in body["groups"][:2]] == ["نحو 10 آلاف", "حتى 11 ألفاً"]


def test_search_filters_by_outlet_and_dates(client: FlaskClient) -> None:
    everything = client.get("/api/search", query_string={"q": "الجنود الكوريين", "k": 50}).get_json()
    outlet = everything["results"][0]["outlet"]
    one = client.get("/api/search", query_string={"q": "الجنود الكوريين", "k": 50, "outlet": outlet}).get_json()
    assert one["results"] and {r["outlet"] for r in one["results"]} == {outlet}
    late = client.get(
        "/api/search", query_string={"q": "الجنود الكوريين", "k": 50, "from": "2024-12-01", "to": "2025-12-31"}
    ).get_json()
    assert late["results"] and all("2024-12-01" <= r["published"] <= "2025-12-31" for r in late["results"])
    assert len(late["results"]) < len(everything["results"])


def test_document_has_its_passages_and_their_figures(client: FlaskClient) -> None:
    hit = client.get("/api/search", query_string={"q": "10 آلاف جندي كوري شمالي", "k": 1}).get_json()["results"][0]
    r = client.get(f"/api/documents/{hit['doc_id']}")
    assert r.status_code == 200
    doc = r.get_json()
    _validate(doc, "Document")
    assert doc["doc_id"] == hit["doc_id"] and doc["title"] == hit["title"]
    passage = next(p for p in doc["passages"] if p["passage_id"] == hit["passage_id"])
    assert passage["text"] == hit["text"] and doc["text"][passage["start"] : passage["end"]] == passage["text"]
    figures = [f for p in doc["passages"] for f in p["figures"]]
    assert any(f["value_low"] == 10_000 and f["unit"] == "جندي" for f in figures)
    for p in doc["passages"]:
        for f in p["figures"]:
            start, end = f["span"]
            assert p["text"][start:end] and p["text"][start:end] in f["sentence"]


def r_text(client: FlaskClient) -> str:
    return client.get("/api/health").get_data(as_text=True)


def test_health_names_backend_model_and_index(client: FlaskClient, sample_index: Path) -> None:
    body = client.get("/api/health").get_json()
    _validate(body, "Health")
    assert body["backend"] == "local" and body["model"] is None  # the sample index here has no vectors
    assert body["index"]["documents"] == 14 and body["index"]["figures"] > 0
    assert str(sample_index) not in r_text(client) and "index" not in body["index"]  # no server paths


@pytest.mark.parametrize(
    ("params", "status", "code", "words"),
    [
        ({}, 400, "missing_parameter", "q:"),
        ({"q": "   "}, 400, "missing_parameter", "q:"),
        ({"q": "ب" * (MAX_QUERY_CHARS + 1)}, 413, "query_too_long", "under 500"),
        ({"q": "روسيا", "k": "0"}, 400, "bad_parameter", "k: must be between 1 and 100"),
        ({"q": "روسيا", "k": "101"}, 400, "bad_parameter", "k: must be between 1 and 100"),
        ({"q": "روسيا", "k": "ten"}, 400, "bad_parameter", "k: 'ten' is not a whole number"),
        ({"q": "روسيا", "page": "0"}, 400, "bad_parameter", "page:"),
        ({"q": "روسيا", "page": "51"}, 400, "bad_parameter", "page:"),
        ({"q": "روسيا", "mode": "fuzzy"}, 400, "bad_parameter", "mode:"),
        ({"q": "روسيا", "fusion": "sum"}, 400, "bad_parameter", "fusion: use minmax or rrf"),
        ({"q": "روسيا", "from": "31/10/2024"}, 400, "bad_parameter", "YYYY-MM-DD"),
        ({"q": "روسيا", "from": "2025-01-01", "to": "2024-01-01"}, 400, "bad_parameter", "the date range is empty"),
        ({"q": "روسيا", "mode": "dense"}, 400, "bad_request", "no passage vectors"),
    ],
)
@pytest.mark.parametrize("route", ["/api/search", "/api/answer"])
def test_bad_parameters_get_one_error_shape(
    client: FlaskClient, route: str, params: dict, status: int, code: str, words: str
) -> None:
    r = client.get(route, query_string=params)
    assert r.status_code == status and r.mimetype == "application/json"
    body = r.get_json()
    _validate(body, "Error")
    assert body["error"]["code"] == code and words in body["error"]["message"]


def test_unknown_document_route_and_method(client: FlaskClient) -> None:
    r = client.get("/api/documents/d_nope")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_document"
    r = client.get("/api/nowhere")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.post("/api/search", query_string={"q": "روسيا"})
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


def test_a_crash_is_500_without_a_stack_trace(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(args):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(views, "search", boom)
    r = client.get("/api/search", query_string={"q": "روسيا"})
    assert r.status_code == 500
    assert r.get_json()["error"]["code"] == "internal_error"
    text = r.get_data(as_text=True)
    assert "Traceback" not in text and "secret internals" not in text


def test_a_missing_index_is_503_saying_how_to_build_it(tmp_path: Path) -> None:
    client = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    r = client.get("/api/search", query_string={"q": "روسيا"})
    assert r.status_code == 503
    error = r.get_json()["error"]
    assert error["code"] == "index_unavailable" and "mizan index" in error["message"]


def test_security_headers_and_no_cors_by_default(client: FlaskClient) -> None:
    for path in ("/", "/api/health", "/search?q=روسيا", "/api/nowhere"):
        r = client.get(path, headers={"Origin": "https://elsewhere.example"})
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_only_for_configured_origins(sample_index: Path) -> None:
    client = create_app({"INDEX": str(sample_index), "CORS_ORIGINS": "https://analysts.example"}).test_client()
    ok = client.get("/api/health", headers={"Origin": "https://analysts.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://analysts.example"
    other = client.get("/api/health", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/documents", headers={"Origin": "https://analysts.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_config_comes_from_the_environment_then_the_mapping(
    monkeypatch: pytest.MonkeyPatch, sample_index: Path
) -> None:
    monkeypatch.setenv("MIZAN_INDEX", "/from/env")
    monkeypatch.setenv("MIZAN_API_TOKEN", "12345")
    monkeypatch.setenv("MIZAN_CORS_ORIGINS", "https://a.example, https://b.example")
    app = create_app()
    assert app.config["INDEX"] == "/from/env" and app.config["API_TOKEN"] == "12345"
    assert app.config["CORS_ORIGINS"] == ("https://a.example", "https://b.example")
    assert create_app({"INDEX": str(sample_index)}).config["INDEX"] == str(sample_index)


# ---------------------------------------------------------------- OpenAPI


def test_openapi_describes_exactly_the_routes(client: FlaskClient) -> None:
    app = client.application
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and spec == json.loads(json.dumps(openapi()))
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            routes |= {(path, m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert routes == described
    # the query parameters described are the ones the routes read
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {"q", "k", "page", "mode", "fusion", "outlet", "from", "to"}
    jsonschema.Draft202012Validator.check_schema({"components": spec["components"]})


# ---------------------------------------------------------------- writes

NEW_DOC = {
    "title": "وصول دفعة جديدة من المتطوعين إلى بلدة تل زعتر",
    "text": "قال رئيس البلدية إن 350 متطوعاً وصلوا إلى بلدة تل زعتر صباح الأحد للمساعدة في إصلاح شبكة المياه.",
    "outlet": "جريدة الاختبار",
    "published": "2025-02-03",
    "url": "https://example.test/news/tal-zaatar",
}


def test_writes_are_off_without_a_token(client: FlaskClient) -> None:
    r = client.post("/api/documents", json=NEW_DOC, headers=_auth())
    assert r.status_code == 403 and "MIZAN_API_TOKEN" in r.get_json()["error"]["message"]
    assert client.delete("/api/documents/d_x", headers=_auth()).status_code == 403


@pytest.mark.parametrize("headers", [{}, _auth("wrong"), {"Authorization": f"Basic {TOKEN}"}])
def test_writes_need_the_right_bearer_token(writable: Flask, headers: dict) -> None:
    r = writable.test_client().post("/api/documents", json=NEW_DOC, headers=headers)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.get_json()["error"]["code"] == "unauthorized"


def test_posted_documents_are_searchable_at_once_and_deletable(writable: Flask) -> None:
    client = writable.test_client()
    before = client.get("/api/search", query_string={"q": "تل زعتر"}).get_json()
    assert before["total"] == 0
    r = client.post("/api/documents", json=NEW_DOC, headers=_auth())
    assert r.status_code == 201
    body = r.get_json()
    _validate(body, "AddedDocuments")
    assert body["added"] == 1 and body["passages_added"] == 1
    (outcome,) = body["documents"]
    assert outcome["status"] == "added" and outcome["source_key"] == NEW_DOC["url"]

    found = client.get("/api/search", query_string={"q": "تل زعتر"}).get_json()["results"]
    assert [r["doc_id"] for r in found] == [outcome["doc_id"]]
    assert found[0]["outlet"] == "جريدة الاختبار" and found[0]["published"] == "2025-02-03"
    answer = client.get("/api/answer", query_string={"q": "كم عدد المتطوعين الذين وصلوا إلى تل زعتر؟"}).get_json()
    assert answer["status"] == "agreed" and answer["groups"][0]["value_low"] == 350

    again = client.post("/api/documents", json=NEW_DOC, headers=_auth())
    assert again.status_code == 200 and again.get_json()["documents"][0]["status"] == "unchanged"

    r = client.delete(f"/api/documents/{outcome['doc_id']}", headers=_auth())
    assert r.status_code == 200 and r.get_json() == {"deleted": outcome["doc_id"]}
    assert client.get("/api/search", query_string={"q": "تل زعتر"}).get_json()["total"] == 0
    r = client.delete(f"/api/documents/{outcome['doc_id']}", headers=_auth())
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_document"


def test_a_list_or_a_documents_object_is_accepted(writable: Flask) -> None:
    client = writable.test_client()
    docs = [{**NEW_DOC, "url": f"https://example.test/{n}", "text": NEW_DOC["text"] + f" رقم {n}"} for n in range(3)]
    assert client.post("/api/documents", json=docs[:2], headers=_auth()).get_json()["added"] == 2
    assert client.post("/api/documents", json={"documents": docs[2:]}, headers=_auth()).get_json()["added"] == 1
    assert client.get("/api/search", query_string={"q": "تل زعتر", "k": 10}).get_json()["total"] == 3


def test_two_posts_at_once_are_both_stored(writable: Flask) -> None:
    results: list[int] = []

    def post(n: int) -> None:
        doc = {**NEW_DOC, "url": f"https://example.test/at-once/{n}", "text": f"{NEW_DOC['text']} الدفعة {n}."}
        results.append(writable.test_client().post("/api/documents", json=doc, headers=_auth()).status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [201] * 4
    hits = writable.test_client().get("/api/search", query_string={"q": "تل زعتر", "k": 10}).get_json()
    assert hits["total"] == 4


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "not json", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ({"data": "{broken", "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": b"\xff\xfe{}", "content_type": "application/json"}, 400, "invalid_json"),
        ({"json": []}, 400, "no_documents"),
        ({"json": ["a string"]}, 400, "bad_document"),
        ({"json": {"title": "بلا نص"}}, 400, "no_text"),
        # an unpaired surrogate escape is valid JSON but no UTF-8 text: in the title, the text, the url
        ({"data": '{"title": "\\ud800", "text": "نص"}', "content_type": "application/json"}, 400, "bad_text"),
        ({"data": '{"text": "نص \\udfff"}', "content_type": "application/json"}, 400, "bad_text"),
        ({"data": '[{"text": "نص", "url": "https://x/\\ud83d"}]', "content_type": "application/json"}, 400, "bad_text"),
        ({"json": [{"text": "نص"}] * 1001}, 413, "too_many_documents"),
        ({"data": "[" + "1," * 5_000_000 + "1]", "content_type": "application/json"}, 413, "too_large"),
        ({"json": {"title": "طويل", "text": "ن" * 200_001}}, 413, "document_too_large"),
        ({"json": [{"title": "طويل", "text": "ن" * 150_000}] * 7}, 413, "too_large"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(writable: Flask, kwargs: dict, status: int, code: str) -> None:
    client = writable.test_client()
    before = client.get("/api/health").get_json()["index"]["documents"]
    r = client.post("/api/documents", headers=_auth(), **kwargs)
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert client.get("/api/health").get_json()["index"]["documents"] == before


def test_posted_documents_get_vectors_when_the_index_has_them(seeds_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    client = create_app({"INDEX": str(index), "API_TOKEN": TOKEN}).test_client()
    health = client.get("/api/health").get_json()
    assert health["model"] == "intfloat/multilingual-e5-small"
    r = client.post("/api/documents", json=NEW_DOC, headers=_auth())
    assert r.status_code == 201
    doc_id = r.get_json()["documents"][0]["doc_id"]
    dense = client.get("/api/search", query_string={"q": "متطوعون يصلحون شبكة المياه في البلدة", "mode": "dense"})
    assert dense.get_json()["results"][0]["doc_id"] == doc_id  # found by meaning alone: it has a vector
    after = client.get("/api/health").get_json()["index"]
    assert after["documents"] == health["index"]["documents"] + 1
    assert after["dense_passages"] == after["passages"] == health["index"]["passages"] + 1


def test_deleted_response_matches_its_schema(writable: Flask) -> None:
    client = writable.test_client()
    doc_id = client.post("/api/documents", json=NEW_DOC, headers=_auth()).get_json()["documents"][0]["doc_id"]
    body = client.delete(f"/api/documents/{doc_id}", headers=_auth()).get_json()
    _validate(body, "Deleted")


def test_a_rebuild_keeps_posted_documents_and_running_servers_follow_it(writable: Flask) -> None:
    from indexer.pipeline import index_paths

    client = writable.test_client()
    doc_id = client.post("/api/documents", json=NEW_DOC, headers=_auth()).get_json()["documents"][0]["doc_id"]
    assert client.get("/api/search", query_string={"q": "تل زعتر"}).get_json()["total"] == 1
    index = Path(writable.config["INDEX"])
    report = index_paths([SAMPLE], index, rebuild=True, progress=False, embed=False)  # swaps the directory
    assert report.documents_added == 15  # the sample's 14 and the posted one, which has no file to re-read
    # the same app (a worker that was already running) sees the new index, posted document included
    found = client.get("/api/search", query_string={"q": "تل زعتر"}).get_json()["results"]
    assert [r["doc_id"] for r in found] == [doc_id]
    assert client.get("/api/health").get_json()["index"]["documents"] == 15


def test_indexing_from_the_command_line_waits_for_an_api_write(writable: Flask) -> None:
    from indexer.pipeline import index_paths, waiting_for_writers

    index = Path(writable.config["INDEX"])
    done = threading.Event()

    def run() -> None:
        index_paths([SAMPLE / "feeds"], index, progress=False, embed=False)
        done.set()

    with waiting_for_writers(index):  # as an API write in another worker holds it
        worker = threading.Thread(target=run)
        worker.start()
        assert not done.wait(1.0)  # it waits its turn instead of clashing
    worker.join(timeout=60)
    assert done.is_set()


def test_a_deeply_nested_body_is_a_400(writable: Flask) -> None:
    r = writable.test_client().post(
        "/api/documents", data="[" * 100_000 + "]" * 100_000, content_type="application/json", headers=_auth()
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"


def test_cluster_failures_are_503_and_502(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.errors import BackendError, BackendUnavailable

    for error, status, code in ((BackendUnavailable, 503, "backend_unavailable"), (BackendError, 502, "backend_error")):

        def fail(args, error=error):  # type: ignore[no-untyped-def]
            raise error("OpenSearch at http://127.0.0.1:9 is not answering; start it")

        monkeypatch.setattr(views, "search", fail)
        r = client.get("/api/search", query_string={"q": "روسيا"})
        assert r.status_code == status and r.get_json()["error"]["code"] == code


def test_a_write_embeds_its_passages_before_it_waits_for_the_lock(
    seeds_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.pipeline import waiting_for_writers
    from search.embeddings import Embedder
    from search.vino import VinoEncoder

    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    client = create_app({"INDEX": str(index), "API_TOKEN": TOKEN}).test_client()
    embedded = threading.Event()

    def spy_on(kind: type) -> None:  # whichever runtime the index's encoder is
        encode = kind.encode_passages

        def spy(self: object, texts: list[str], **kwargs: object) -> object:
            vectors = encode(self, texts, **kwargs)
            embedded.set()
            return vectors

        monkeypatch.setattr(kind, "encode_passages", spy)

    spy_on(Embedder)
    spy_on(VinoEncoder)
    answers: list[int] = []
    with waiting_for_writers(index):  # another writer holds the index
        writer = threading.Thread(
            target=lambda: answers.append(client.post("/api/documents", json=NEW_DOC, headers=_auth()).status_code)
        )
        writer.start()
        assert embedded.wait(60), "the post waited for the lock before embedding"
        assert not answers  # and it is still waiting for its turn
    writer.join(60)
    assert answers == [201]
