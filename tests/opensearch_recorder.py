"""A stand-in OpenSearch over real HTTP: it records every request and answers as OpenSearch 2.19 does.

It keeps indexes, records and search pipelines in memory, so the backend's wiring can be tested
end to end through opensearch-py (bulk, mget, count, delete_by_query, the queries that read a
document's passages and the stats). A test may script the answer of the next ranked search with
`answer_search`; unscripted, the recorder ranks as one shard of OpenSearch 2.19 would:
- `match` on a text field: Lucene's BM25Similarity with the field's similarity (k1, b) from the
  index body, lengths as Lucene's one-byte norms, N and avgdl over the passages holding the field,
  a repeated query token counted as often as it comes, scores in float32, ties by doc id;
- `knn`: exact inner products over the stored vectors, scored as faiss innerproduct (1 + cosine,
  or 1/(1 − cosine) below zero); `hybrid`: both, fused by the pipeline the request names
  (search/backends/opensearch_fusion.py transcribes its processors);
- `highlight` with a `match` highlight_query: the query's words marked in the field.
The analyzers are the mapping's: `mizan_terms` splits on whitespace, `mizan_words` gives
search.arabic.tokenize's normalised words minus stopwords — what tests/test_opensearch_lucene.py
shows Lucene's own analysis of the mapping gives. Scripted failures: `reject` (a whole request
answered with an error status, e.g. 429) and `fail_item` (one bulk item refused).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np

from search.arabic import STOPWORDS, tokenize
from search.backends import opensearch_bodies as bodies
from search.backends.opensearch_fusion import processor_fuse
from search.bm25 import lucene_length
from search.fusion import FusionMode, Ranked

VERSION = "2.19.1"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # parsed JSON, a list of NDJSON lines, or None


@dataclass
class _Rejection:
    method: str
    path: re.Pattern[str]
    status: int
    error: dict
    times: int


@dataclass
class _Index:
    body: dict
    docs: dict[str, dict] = field(default_factory=dict)


def error_body(status: int, kind: str, reason: str) -> dict:
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


def _source_filter(source: dict, includes: list[str] | None, excludes: list[str] | None) -> dict:
    if includes is not None:
        source = {k: v for k, v in source.items() if k in includes}
    if excludes:
        source = {k: v for k, v in source.items() if k not in excludes}
    return source


def _values(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def matches(query: dict, doc_id: str, source: dict) -> bool:
    """The filter queries our backend sends outside ranking: term, terms, ids, bool, match_all."""
    (kind, spec), *_ = query.items()
    if kind == "match_all":
        return True
    if kind in ("term", "terms"):
        (name, wanted), *_ = spec.items()
        return any(v in _values(wanted) for v in _values(source.get(name)))
    if kind == "ids":
        return doc_id in spec["values"]
    if kind == "range":  # dates as strict_date strings: their order is the dates' order
        (name, bounds), *_ = spec.items()
        value = source.get(name)
        return (
            value is not None
            and ("gte" not in bounds or value >= bounds["gte"])
            and ("lte" not in bounds or value <= bounds["lte"])
        )
    if kind == "bool":
        must = [*spec.get("must", []), *spec.get("filter", [])]
        return all(matches(q, doc_id, source) for q in must) and not any(
            matches(q, doc_id, source) for q in spec.get("must_not", [])
        )
    raise AssertionError(f"the recorder cannot evaluate a {kind!r} query; script the answer with answer_search")


class Recorder:
    """Start with `with Recorder() as os:`; `os.url` is its address, `os.requests` what it received."""

    def __init__(self, version: str = VERSION):
        self.version = version
        self.requests: list[Request] = []
        self.indices: dict[str, _Index] = {}
        self.pipelines: dict[str, dict] = {}
        self._rejections: list[_Rejection] = []
        self._failing: dict[str, list] = {}
        self._answers: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------ scripting

    def reject(self, method: str, path: str, status: int = 429, times: int = 1, kind: str = "") -> None:
        """Answer the next `times` requests whose path matches the regex `path` with an error."""
        kind = kind or ("rejected_execution_exception" if status == 429 else "internal_server_error")
        error = error_body(status, kind, f"scripted {status}")
        self._rejections.append(_Rejection(method, re.compile(path), status, error, times))

    def fail_item(self, record_id: str, status: int = 400, kind: str = "mapper_parsing_exception", times: int = 1):
        """Refuse the bulk item with this _id, `times` times."""
        self._failing[record_id] = [status, {"type": kind, "reason": f"scripted failure of [{record_id}]"}, times]

    def answer_search(self, hits: list[tuple[str, float]], total: int | None = None, **extra: Any) -> None:
        """Queue the answer of the next ranked search: (id, score) pairs, best first."""
        self._answers.append(search_response(hits, total, **extra))

    def searches(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/_search")]

    def bulks(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/_bulk")]

    # ------------------------------------------------------------ HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def _serve(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                request = Request(self.command, path, dict(parse_qsl(parts.query)), _parse(raw, path.endswith("_bulk")))
                with recorder._lock:
                    recorder.requests.append(request)
                    status, body = recorder._answer(request)
                data = b"" if self.command == "HEAD" else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        return Handler

    def _answer(self, r: Request) -> tuple[int, Any]:
        for rejection in self._rejections:
            if rejection.times > 0 and rejection.method == r.method and rejection.path.search(r.path):
                rejection.times -= 1
                return rejection.status, rejection.error
        segments = [s for s in r.path.split("/") if s]
        route: Callable[[Request, list[str]], tuple[int, Any]] | None = None
        if not segments:
            route = self._info
        elif segments[0] == "_search" and segments[1:2] == ["pipeline"]:
            route = self._pipeline
        elif segments[-1] == "_bulk":
            route = self._bulk
        elif len(segments) == 1:
            route = self._index
        else:
            route = getattr(self, f"_op{segments[1]}", None)
        if route is None:
            return 400, error_body(400, "illegal_argument_exception", f"the recorder has no route for {r.path}")
        return route(r, segments)

    def _info(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        return 200, {
            "name": "recorder",
            "cluster_name": "recorder",
            "version": {"distribution": "opensearch", "number": self.version, "lucene_version": "9.12.1"},
            "tagline": "The OpenSearch Project: https://opensearch.org/",
        }

    def _index(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        name = segments[0]
        if r.method == "HEAD":
            return (200 if name in self.indices else 404), None
        if r.method == "PUT":
            if name in self.indices:
                return 400, error_body(400, "resource_already_exists_exception", f"index [{name}] already exists")
            self.indices[name] = _Index(r.body)
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
        if r.method == "GET":
            if name not in self.indices:
                return 404, error_body(404, "index_not_found_exception", f"no such index [{name}]")
            return 200, {
                name: {
                    "aliases": {},
                    "mappings": self.indices[name].body["mappings"],
                    "settings": _settings(self.indices[name].body),
                }
            }
        if r.method == "DELETE":
            if self.indices.pop(name, None) is None:
                return 404, error_body(404, "index_not_found_exception", f"no such index [{name}]")
            return 200, {"acknowledged": True}
        return 405, error_body(405, "method_not_allowed", r.method)

    def _missing(self, name: str) -> tuple[int, Any] | None:
        return None if name in self.indices else (404, error_body(404, "index_not_found_exception", name))

    def _op_mapping(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        return self._missing(segments[0]) or (
            200,
            {segments[0]: {"mappings": self.indices[segments[0]].body["mappings"]}},
        )

    def _op_refresh(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        return self._missing(segments[0]) or (200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})

    def _pipeline(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        name = segments[2]
        if r.method == "PUT":
            self.pipelines[name] = r.body
            return 200, {"acknowledged": True}
        if r.method == "DELETE":
            return (200, {"acknowledged": True}) if self.pipelines.pop(name, None) is not None else (404, {})
        return (200, {name: self.pipelines[name]}) if name in self.pipelines else (404, {})

    def _bulk(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        lines, items, errors, i = r.body, [], False, 0
        while i < len(lines):
            (op, meta), *_ = lines[i].items()
            index, rid = meta.get("_index") or segments[0], meta["_id"]
            source = lines[i + 1] if op != "delete" else None
            i += 1 if op == "delete" else 2
            failing = self._failing.get(rid)
            if failing and failing[2] > 0:
                failing[2] -= 1
                errors = True
                items.append({op: {"_index": index, "_id": rid, "status": failing[0], "error": failing[1]}})
                continue
            docs = self.indices[index].docs
            existed = rid in docs
            if op == "delete":
                docs.pop(rid, None)
                result, status = ("deleted", 200) if existed else ("not_found", 404)
            else:
                docs.pop(rid, None)  # an update is a delete and an add in Lucene: the record gets a new doc id
                docs[rid] = source
                result, status = ("updated", 200) if existed else ("created", 201)
            items.append({op: {"_index": index, "_id": rid, "_version": 1, "result": result, "status": status}})
        return 200, {"took": 1, "errors": errors, "items": items}

    def _op_mget(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        docs = self.indices[segments[0]].docs
        includes = r.query["_source_includes"].split(",") if "_source_includes" in r.query else None
        excludes = r.query["_source_excludes"].split(",") if "_source_excludes" in r.query else None
        out = []
        for rid in r.body["ids"]:
            if rid in docs:
                source = _source_filter(docs[rid], includes, excludes)
                out.append({"_index": segments[0], "_id": rid, "found": True, "_source": source})
            else:
                out.append({"_index": segments[0], "_id": rid, "found": False})
        return 200, {"docs": out}

    def _op_count(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        docs = self.indices[segments[0]].docs
        return 200, {"count": sum(matches(r.body["query"], rid, s) for rid, s in docs.items())}

    def _op_delete_by_query(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        docs = self.indices[segments[0]].docs
        gone = [rid for rid, s in docs.items() if matches(r.body["query"], rid, s)]
        for rid in gone:
            del docs[rid]
        return 200, {"deleted": len(gone), "total": len(gone), "failures": []}

    def _op_search(self, r: Request, segments: list[str]) -> tuple[int, Any]:
        missing = self._missing(segments[0])
        if missing:
            return missing
        body, docs = r.body, self.indices[segments[0]].docs
        if "aggs" in body and "df" in body["aggs"]:
            return 200, _document_frequencies(body, docs)
        if "aggs" in body:
            return 200, _stats(docs)
        if "sort" in body:  # a document's passages, in order
            found = [(rid, s) for rid, s in docs.items() if matches(body["query"], rid, s)]
            found.sort(key=lambda item: item[1]["ordinal"])
            excludes = body.get("_source", {}).get("excludes")
            hits = [
                {"_index": segments[0], "_id": rid, "_score": None, "_source": _source_filter(s, None, excludes)}
                for rid, s in found
            ]
            return 200, {"hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": None, "hits": hits}}
        if self._answers:
            return 200, self._answers.pop(0)
        return 200, _Ranker(self.indices[segments[0]], self.pipelines).answer(body, r.query)


def search_response(hits: list[tuple[str, float]], total: int | None = None, **extra: Any) -> dict:
    """A _search answer as OpenSearch writes it; `highlight={id: {field: [fragment]}}` adds highlights."""
    highlight = extra.pop("highlight", {})
    rows = []
    for rid, score in hits:
        row: dict[str, Any] = {"_index": "i", "_id": rid, "_score": score}
        if rid in highlight:
            row["highlight"] = highlight[rid]
        rows.append(row)
    count = len(hits) if total is None else total
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": count, "relation": "eq"}, "max_score": hits[0][1] if hits else None, "hits": rows},
        **extra,
    }


def _words(text: str) -> list[tuple[str, int, int]]:
    """The `mizan_words` analyzer: (normalised word, raw start, raw end), stopwords out."""
    return [(t.text, t.raw_start, t.raw_end) for t in tokenize(text) if t.text not in STOPWORDS]


def _analyze(analyzer: str, text: str) -> list[str]:
    if analyzer == bodies.TERMS:
        return text.split()
    if analyzer == bodies.WORDS:
        return [w for w, _, _ in _words(text)]
    raise AssertionError(f"the recorder has no analyzer {analyzer!r}")


def _innerproduct_score(dot: float) -> float:
    return 1.0 + dot if dot >= 0 else 1.0 / (1.0 - dot)


class _Ranker:
    """Ranked searches over one index, as one shard of OpenSearch answers them (see the module docstring)."""

    def __init__(self, index: _Index, pipelines: dict[str, dict]):
        self.body = index.body
        self.docs = index.docs
        self.order = {rid: n for n, rid in enumerate(index.docs)}  # Lucene doc ids: the order records came in
        self.pipelines = pipelines

    def answer(self, body: dict, params: dict[str, str]) -> dict:
        size = body.get("size", 10)
        query = body["query"]
        if "hybrid" in query:
            found, total = self._hybrid(query["hybrid"]["queries"], size, params.get("search_pipeline"))
        else:
            found, total = self._run(query)
        hits = found[:size]
        rows = []
        for rid, score in hits:
            row: dict[str, Any] = {"_index": "i", "_id": rid, "_score": score}
            if "highlight" in body:
                marked = self._highlight(body["highlight"], self.docs[rid])
                if marked:
                    row["highlight"] = marked
            rows.append(row)
        return {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {
                "total": {"value": total, "relation": "eq"},
                "max_score": hits[0][1] if hits else None,
                "hits": rows,
            },
        }

    def _ranked(self, scores: dict[str, float]) -> list[tuple[str, float]]:
        return sorted(scores.items(), key=lambda item: (-item[1], self.order[item[0]]))

    def _run(self, query: dict) -> tuple[list[tuple[str, float]], int]:
        (kind, spec), *_ = query.items()
        if kind == "match":
            ranked = self._ranked(self._bm25(spec))
            return ranked, len(ranked)
        if kind == "knn":
            return self._knn(spec)
        if kind == "bool":
            must = spec.get("must", [])
            allowed = {rid for rid, s in self.docs.items() if all(matches(f, rid, s) for f in spec.get("filter", []))}
            if not must:  # a pure filter: every match scores 0
                kept = [(rid, 0.0) for rid in self.docs if rid in allowed]
                return kept, len(kept)
            (inner,) = must
            found, _ = self._run(inner)
            kept = [(rid, score) for rid, score in found if rid in allowed]
            return kept, len(kept)
        raise AssertionError(f"the recorder cannot rank a {kind!r} query")

    def _field(self, name: str) -> tuple[str, str | None]:
        mapping = self.body["mappings"]["properties"][name]
        return mapping["analyzer"], mapping.get("similarity")

    def _bm25(self, spec: dict) -> dict[str, float]:
        """Lucene's BM25Similarity over one field, in float32 as Lucene scores."""
        (field, value), *_ = spec.items()
        text = value["query"] if isinstance(value, dict) else value
        analyzer, similarity = self._field(field)
        k1, b = 1.2, 0.75
        if similarity is not None:
            params = self.body["settings"]["index"]["similarity"][similarity]
            k1, b = float(params["k1"]), float(params["b"])
        postings: dict[str, list[str]] = {}
        for rid, source in self.docs.items():
            if isinstance(source.get(field), str):
                tokens = _analyze(analyzer, source[field])
                if tokens:
                    postings[rid] = tokens
        if not postings:
            return {}
        count = len(postings)
        avgdl = np.float32(sum(len(t) for t in postings.values()) / count)
        norm_inverse = {
            rid: np.float32(1)
            / np.float32(k1 * ((1 - b) + b * np.float32(lucene_length(np.array([len(t)]))[0]) / avgdl))
            for rid, t in postings.items()
        }
        scores: dict[str, np.float32] = {}
        query_tokens = _analyze(analyzer, text)
        for token in dict.fromkeys(query_tokens):
            df = sum(1 for t in postings.values() if token in t)
            if not df:
                continue
            boost = np.float32(query_tokens.count(token))  # duplicate SHOULD clauses: their boosts add up
            weight = boost * np.float32(np.log(1 + (count - df + 0.5) / (df + 0.5)))
            for rid, tokens in postings.items():
                freq = tokens.count(token)
                if freq:
                    term = weight - weight / (np.float32(1) + np.float32(freq) * norm_inverse[rid])
                    scores[rid] = np.float32(scores.get(rid, np.float32(0)) + term)
        return {rid: float(score) for rid, score in scores.items()}

    def _knn(self, spec: dict) -> tuple[list[tuple[str, float]], int]:
        (field, knn), *_ = spec.items()
        vector = np.asarray(knn["vector"], dtype=np.float32)
        allowed = knn.get("filter")
        scores = {}
        for rid, source in self.docs.items():
            if source.get(field) is None or (allowed is not None and not matches(allowed, rid, source)):
                continue
            dot = float(np.dot(np.asarray(source[field], dtype=np.float32), vector))
            scores[rid] = float(np.float32(_innerproduct_score(dot)))
        ranked = self._ranked(scores)[: knn["k"]]
        return ranked, len(ranked)

    def _hybrid(self, queries: list[dict], size: int, pipeline: str | None) -> tuple[list[tuple[str, float]], int]:
        if pipeline not in self.pipelines:
            raise AssertionError(f"a hybrid query needs one of our search pipelines, not {pipeline!r}")
        (processor,) = self.pipelines[pipeline]["phase_results_processors"]
        lists, matched = [], set()
        for sub in queries:
            found, _ = self._run(sub)
            matched |= {rid for rid, _ in found}  # the total: every passage some sub-query matches
            lists.append(Ranked([rid for rid, _ in found[:size]], [score for _, score in found[:size]]))
        if "normalization-processor" in processor:
            weights = processor["normalization-processor"]["combination"]["parameters"]["weights"]
            fused = processor_fuse(lists, FusionMode.MINMAX, weights, doc_order=self.order)
        else:
            rank_constant = processor["score-ranker-processor"]["combination"]["rank_constant"]
            fused = processor_fuse(lists, FusionMode.RRF, None, rank_constant, doc_order=self.order)
        return fused, len(matched)

    def _highlight(self, spec: dict, source: dict) -> dict:
        pre, post = spec["pre_tags"][0], spec["post_tags"][0]
        out = {}
        for name, options in spec["fields"].items():
            text = source.get(name)
            query = options.get("highlight_query", {}).get("match", {}).get(name)
            if not isinstance(text, str) or query is None:
                continue
            wanted = set(_analyze(self._field(name)[0], query))
            spans = [(start, end) for word, start, end in _words(text) if word in wanted]
            if not spans:
                continue
            marked, at = [], 0
            for start, end in spans:
                marked += [text[at:start], pre, text[start:end], post]
                at = end
            out[name] = ["".join(marked) + text[at:]]
        return out


def _document_frequencies(body: dict, docs: dict[str, dict]) -> dict:
    """A `filters` aggregation of `term` queries on one analyzed field, over the records holding it."""
    (field,) = body["query"]["exists"].values()
    holding = [set(_analyze(bodies.TERMS, s[field])) for s in docs.values() if isinstance(s.get(field), str)]
    holding = [tokens for tokens in holding if tokens]
    buckets = {}
    for name, query in body["aggs"]["df"]["filters"]["filters"].items():
        ((on, term),) = query["term"].items()
        assert on == field, "the recorder counts terms of the field the query requires"
        buckets[name] = {"doc_count": sum(1 for tokens in holding if term in tokens)}
    return {
        "hits": {"total": {"value": len(holding), "relation": "eq"}, "max_score": None, "hits": []},
        "aggregations": {"df": {"buckets": buckets}},
    }


def _settings(body: dict) -> dict:
    """Index settings as GET /<index> shows them: numbers as strings."""
    index = dict(body.get("settings", {}).get("index", {}))
    for key in ("number_of_shards", "number_of_replicas"):
        index[key] = str(index.get(key, 1))
    return {"index": {**index, "analysis": body.get("settings", {}).get("analysis", {})}}


def _stats(docs: dict[str, dict]) -> dict:
    documents = [s for s in docs.values() if s.get("kind") == "document"]
    passages = [s for s in docs.values() if s.get("kind") == "passage"]
    outlets: dict[str, int] = {}
    for d in documents:
        if d.get("outlet"):
            outlets[d["outlet"]] = outlets.get(d["outlet"], 0) + 1
    dates = sorted(d["published"] for d in documents if d.get("published"))
    buckets = [{"key": k, "doc_count": n} for k, n in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "hits": {"total": {"value": len(docs), "relation": "eq"}, "max_score": None, "hits": []},
        "aggregations": {
            "documents": {
                "doc_count": len(documents),
                "outlets": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": buckets},
                "published_from": {"value": 0, "value_as_string": dates[0]} if dates else {"value": None},
                "published_to": {"value": 0, "value_as_string": dates[-1]} if dates else {"value": None},
                "undated": {"doc_count": len(documents) - len(dates)},
            },
            "passages": {
                "doc_count": len(passages),
                "figures": {"doc_count": sum(len(p.get("figures") or []) for p in passages)},
            },
        },
    }


def _parse(raw: bytes, ndjson: bool) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8")
    if ndjson:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
